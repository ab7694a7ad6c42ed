// `npm run users -- <verb> … --data <dir>`: people's accounts from a terminal, through the same commands
// as the admin console (as-admin.ts). Passwords are prompted, or read from stdin.
import { PASSWORD_RULES, passwordProblem, USERNAME } from '../../shared/accounts';
import { Role } from '../../shared/domain';
import { accountHandlers as A } from '../hub/handlers/accounts';
import { openStore, StoreError, type Db } from '../store/db';
import { findUserByName, listLiveSessions, listUsers } from '../store/people';
import { cliArgs, fail, readSecretLine } from './args';
import { asAdmin } from './as-admin';

const USAGE = [
  'npm run users -- add <username> --role <operator|duty_manager|evaluator|admin> --data <dir>',
  '       npm run users -- list --data <dir>',
  '       npm run users -- role <username> --role <role> --data <dir>',
  '       npm run users -- disable <username> --reason <why> --data <dir>',
  '       npm run users -- enable <username> --data <dir>',
  '       npm run users -- password <username> --data <dir>',
].join('\n');
const { values, positionals } = cliArgs(USAGE, { role: { type: 'string' }, reason: { type: 'string' }, data: { type: 'string' } });
const [verb, username] = positionals;
if (!verb || !['add', 'list', 'role', 'disable', 'enable', 'password'].includes(verb) || (verb !== 'list' && !username)) fail(`usage: ${USAGE}`, 2);
if (username && !USERNAME.test(username)) fail('a username is 2–32 lowercase letters, digits, _ . - and starts with a letter', 2);
if (!values.data) fail('--data <dir> is required', 2);
const role = verb === 'add' || verb === 'role' ? Role.safeParse(values.role) : null;
if (role && !role.success) fail(`--role must be one of ${Role.options.join(', ')}`, 2);
if (verb === 'disable' && (values.reason ?? '').trim().length < 2) fail('--reason <why> is required to disable an account', 2);

/** A new password, checked against the hub's rules before anything is opened. */
async function newPassword(name: string): Promise<string> {
  const password = await readSecretLine('password');
  const problem = passwordProblem(password, name);
  if (problem) fail(PASSWORD_RULES[problem], 2);
  return password;
}

function userId(db: Db, name: string): string {
  const user = findUserByName(db, name);
  if (!user) fail(`no user ${name}`);
  return user.id;
}

try {
  const password = verb === 'add' || verb === 'password' ? await newPassword(username!) : null;
  const db = openStore(values.data);
  if (verb === 'add') {
    const { user } = asAdmin(db, A['user:create'], { username: username!, role: role!.data!, password: password! });
    console.log(`user ${user.username} (${user.role}) created`);
  } else if (verb === 'list') {
    const sessions = listLiveSessions(db, Date.now());
    for (const u of listUsers(db)) {
      const n = sessions.filter((s) => s.userId === u.id).length;
      console.log(`${u.username}\t${u.role}\t${u.disabled ? 'disabled' : 'enabled'}\t${n} session${n === 1 ? '' : 's'}`);
    }
  } else if (verb === 'role') {
    const { user, endedSessions } = asAdmin(db, A['user:set-role'], { userId: userId(db, username!), role: role!.data! });
    console.log(`${user.username} is now ${user.role}; ${endedSessions.length} session(s) ended`);
  } else if (verb === 'disable') {
    const { user, endedSessions } = asAdmin(db, A['user:disable'], { userId: userId(db, username!), reason: values.reason! });
    console.log(`${user.username} disabled; ${endedSessions.length} session(s) ended`);
  } else if (verb === 'enable') {
    const { user } = asAdmin(db, A['user:enable'], { userId: userId(db, username!) });
    console.log(`${user.username} enabled`);
  } else {
    const { user, endedSessions } = asAdmin(db, A['user:reset-password'], { userId: userId(db, username!), password: password! });
    console.log(`password of ${user.username} reset; ${endedSessions.length} session(s) ended`);
  }
  db.close();
} catch (e) {
  if (e instanceof StoreError) fail(e.message);
  throw e;
}
