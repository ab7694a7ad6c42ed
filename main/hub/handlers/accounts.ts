// Handlers of the admin's account commands: people (create, role, disable, enable, password), their
// sessions, and devices registered with a chosen secret. Each runs inside the command transaction
// (commands.ts); the audit entry records the account before and after (`detail`). Commands that end
// sessions return their ids, and the transport signs those consoles out once the change has committed.
import { randomUUID } from 'node:crypto';
import { PASSWORD_RULES, passwordProblem, type AccountConflict } from '../../../shared/accounts';
import type { UserPublic } from '../../../shared/domain';
import { consoleCommands } from '../../../shared/protocol/commands';
import { findUnit } from '../../store/city';
import type { Db } from '../../store/db';
import {
  countEnabledAdmins, expireSession, expireSessionsExceptUser, expireSessionsOfUser, findDevice, findLiveSession, findUserById, findUserByName, insertDevice,
  insertUser, setUserDisabled, setUserPassword, setUserRole, type UserRecord,
} from '../../store/people';
import { hashSecretSync } from '../auth';
import { CommandFailure, type Actor, type CommandDef } from '../commands';

const C = consoleCommands;
const def = <K extends keyof typeof C, R>(name: K, handler: CommandDef<(typeof C)[K]['schema'], R>['handler']) =>
  ({ name, schema: C[name].schema, roles: C[name].roles, handler }) as CommandDef<(typeof C)[K]['schema'], R>;

const pub = (u: UserRecord): UserPublic => ({ id: u.id, username: u.username, role: u.role });
/** What the audit entry shows of an account (never its password hash). */
const shown = (u: UserRecord) => ({ username: u.username, role: u.role, disabled: u.disabled });

function requireUser(db: Db, userId: string): UserRecord {
  const user = findUserById(db, userId);
  if (!user) throw new CommandFailure('not_found', `no user ${userId}`);
  return user;
}

function checkPassword(password: string, username: string): void {
  const problem = passwordProblem(password, username);
  // The rule as an issue, for a screen to word in its person's language (i18n refusals.password_<rule>);
  // the key still leads the English message, which the CLI prints.
  if (problem) throw new CommandFailure('weak_password', `${problem}: ${PASSWORD_RULES[problem]}`, [{ code: `password_${problem}`, params: {} }]);
}

/** A conflict said both ways: the English the record keeps, and the issue a screen words (shared/accounts.ts AccountConflict). */
const conflict = (code: AccountConflict, name: string, message: string) => new CommandFailure('conflict', message, [{ code, params: { name } }]);

/** An admin may not lock themselves out, nor leave the center without an admin who can sign in. */
function guardAdmins(db: Db, actor: Actor, user: UserRecord, what: string): void {
  if (user.username === actor.id) throw conflict('own_account', user.username, `you may not ${what} your own account; ask another admin`);
  if (user.role === 'admin' && !user.disabled && countEnabledAdmins(db) <= 1) {
    throw conflict('last_admin', user.username, `${user.username} is the last admin who can sign in; make another admin first`);
  }
}

export const accountHandlers = {
  'user:create': def('user:create', ({ db, now }, p) => {
    if (findUserByName(db, p.username)) throw conflict('user_exists', p.username, `user ${p.username} already exists`);
    checkPassword(p.password, p.username);
    const user = { id: `u-${randomUUID()}`, username: p.username, role: p.role };
    // Synchronous scrypt keeps the whole command in one transaction; account changes are rare.
    insertUser(db, { ...user, passwordHash: hashSecretSync(p.password), at: now });
    return { result: { user }, target: user.id, events: [], detail: { before: null, after: { ...user, disabled: false } } };
  }),

  'user:set-role': def('user:set-role', ({ db, now, actor }, p) => {
    const user = requireUser(db, p.userId);
    if (user.role === p.role) throw conflict('same_role', user.username, `${user.username} is already ${p.role}`);
    guardAdmins(db, actor, user, 'change the role of');
    setUserRole(db, user.id, p.role);
    // What a console may do was decided when it signed in: the person signs in again with the new role.
    const endedSessions = expireSessionsOfUser(db, user.id, now);
    const after = { ...user, role: p.role };
    return { result: { user: pub(after), endedSessions }, target: user.id, events: [], detail: { before: shown(user), after: shown(after), endedSessions: endedSessions.length } };
  }),

  'user:disable': def('user:disable', ({ db, now, actor }, p) => {
    const user = requireUser(db, p.userId);
    if (user.disabled) throw conflict('already_disabled', user.username, `${user.username} is already disabled`);
    guardAdmins(db, actor, user, 'disable');
    setUserDisabled(db, user.id, true);
    const endedSessions = expireSessionsOfUser(db, user.id, now);
    const after = { ...user, disabled: true };
    return { result: { user: pub(after), endedSessions }, target: user.id, events: [], detail: { before: shown(user), after: shown(after), endedSessions: endedSessions.length } };
  }),

  'user:enable': def('user:enable', ({ db }, p) => {
    const user = requireUser(db, p.userId);
    if (!user.disabled) throw conflict('not_disabled', user.username, `${user.username} is not disabled`);
    setUserDisabled(db, user.id, false);
    const after = { ...user, disabled: false };
    return { result: { user: pub(after) }, target: user.id, events: [], detail: { before: shown(user), after: shown(after) } };
  }),

  'user:reset-password': def('user:reset-password', ({ db, now }, p) => {
    const user = requireUser(db, p.userId);
    checkPassword(p.password, user.username);
    setUserPassword(db, user.id, hashSecretSync(p.password));
    // Whoever knew the old password is signed out with it.
    const endedSessions = expireSessionsOfUser(db, user.id, now);
    return { result: { user: pub(user), endedSessions }, target: user.id, events: [], detail: { passwordChanged: true, endedSessions: endedSessions.length } };
  }),

  'session:revoke': def('session:revoke', ({ db, now }, p) => {
    const session = findLiveSession(db, p.sessionId, now);
    if (!session) throw new CommandFailure('not_found', 'no running session with that id (it has ended or expired)');
    expireSession(db, session.id, now);
    const user = findUserById(db, session.userId);
    return {
      result: { endedSessions: [session.id] }, target: session.userId, events: [],
      detail: { username: user?.username ?? null, startedAt: session.createdAt, expiresAt: session.expiresAt },
    };
  }),

  'session:revoke-all': def('session:revoke-all', ({ db, now, actor }) => {
    const self = findUserByName(db, actor.id);
    const endedSessions = expireSessionsExceptUser(db, self?.id ?? '', now);
    return { result: { endedSessions }, target: null, events: [], detail: { endedSessions: endedSessions.length, kept: actor.id } };
  }),

  'device:register': def('device:register', ({ db, now }, p) => {
    if (findDevice(db, p.deviceId)) throw new CommandFailure('conflict', `device ${p.deviceId} already exists`);
    if (p.unitId !== null && !findUnit(db, p.unitId)) throw new CommandFailure('not_found', `no unit ${p.unitId} in this hub`);
    const device = { id: p.deviceId, kind: p.kind, unitId: p.unitId };
    insertDevice(db, { ...device, secretHash: hashSecretSync(p.secret), at: now });
    return { result: { device }, target: device.id, events: [], detail: { before: null, after: device } };
  }),
};
