// The admin's account commands on a real hub: people created, re-roled, disabled, enabled and given new
// passwords; sessions listed and revoked; everyone signed out. Consoles whose session ends are told so and
// disconnected at once. Every change is audited with the account before and after; operators, duty
// managers and evaluators are refused by the hub.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Role } from '../../shared/domain';
import { auditPage } from '../../main/store/audit';
import { sessionId } from '../../main/hub/auth';
import { runCommand } from '../../main/hub/commands';
import { accountHandlers } from '../../main/hub/handlers/accounts';
import { ask, cid, closeClients, consoleClient, fieldClient, startTestHub, type ConsoleClient } from './hub-fixture';

let hub: Awaited<ReturnType<typeof startTestHub>>;
let admin: ConsoleClient;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub.close());
// A fresh admin console for each test (closeClients closes every socket a test opened).
beforeEach(async () => { admin = await adminSocket(); });
afterEach(closeClients);

const LOGIN: Record<Role, string> = { operator: 'operator', duty_manager: 'manager', evaluator: 'evaluator', admin: 'admin' };
const signIn = (username: string, password: string) => consoleClient(hub.url, { username, password });
let n = 0;
const freshName = () => `p${Date.now().toString(36)}${n++}`;

async function adminSocket(): Promise<ConsoleClient> {
  return (await signIn('admin', 'demo')).socket;
}

async function createPerson(role: Role = 'operator', password = 'correct horse battery'): Promise<{ id: string; username: string; password: string }> {
  const username = freshName();
  const res = await ask(admin, 'user:create', { commandId: cid(), username, role, password });
  expect(res.ok, JSON.stringify(res.error)).toBe(true);
  return { id: res.result.user.id, username, password };
}

/** Resolves with the reason the hub gave, once the console has also been disconnected. */
function signedOut(socket: ConsoleClient): Promise<string> {
  return new Promise((resolve) => {
    let reason = '(none)';
    socket.on('session:ended', (e) => (reason = e.reason));
    socket.on('disconnect', () => resolve(reason));
  });
}

const lastAudit = (action: string) => auditPage(hub.db, 0, 1_000_000).filter((e) => e.action === action).at(-1)!;

describe('people', () => {
  it('an admin creates an operator who then signs in; the audit has the account after, never the password', async () => {
    const p = await createPerson('operator');
    const { ready } = await signIn(p.username, p.password);
    expect(ready.user).toMatchObject({ username: p.username, role: 'operator' });
    const entry = lastAudit('user:create');
    expect(entry).toMatchObject({ actor: 'admin', outcome: 'accepted', target: p.id });
    expect(entry.payload).toMatchObject({ password: '[redacted]', detail: { before: null, after: { username: p.username, role: 'operator', disabled: false } } });
    expect(JSON.stringify(entry)).not.toContain(p.password);
  });

  it('refuses a weak password with weak_password and the rule it breaks, and a taken username with conflict and the issue user_exists', async () => {
    const name = freshName();
    const weak = async (password: string) => (await ask(admin, 'user:create', { commandId: cid(), username: name, role: 'operator', password })).error;
    expect(await weak('short')).toMatchObject({ code: 'weak_password', message: expect.stringMatching(/^too_short: .*at least 8/), issues: [{ code: 'password_too_short', params: {} }] });
    expect(await weak(`x${name}2024`)).toMatchObject({ code: 'weak_password', message: expect.stringMatching(/^contains_username/), issues: [{ code: 'password_contains_username', params: {} }] });
    expect(await weak('Password123')).toMatchObject({ code: 'weak_password', message: expect.stringMatching(/^too_common/) });
    expect(await weak('aaaaaaaaaaaa')).toMatchObject({ code: 'weak_password', message: expect.stringMatching(/^one_character/) });
    const taken = await ask(admin, 'user:create', { commandId: cid(), username: 'operator', role: 'operator', password: 'correct horse battery' });
    expect(taken.error).toMatchObject({ code: 'conflict', message: expect.stringMatching(/already exists/), issues: [{ code: 'user_exists', params: { name: 'operator' } }] });
    await expect(signIn(name, 'short')).rejects.toThrow(/wrong username or password/);
  });

  it('disabling a person signs their open console out at once; they cannot sign in or resume until enabled', async () => {
    const p = await createPerson('operator');
    const { socket, ready } = await signIn(p.username, p.password);
    const out = signedOut(socket);
    const res = await ask(admin, 'user:disable', { commandId: cid(), userId: p.id, reason: '离职' });
    expect(res.ok, JSON.stringify(res.error)).toBe(true);
    expect(res.result.endedSessions).toEqual([sessionId(ready.token)]);
    expect(await out).toBe('disabled');
    await expect(signIn(p.username, p.password)).rejects.toThrow(/disabled/);
    await expect(consoleClient(hub.url, { token: ready.token })).rejects.toThrow(/session_expired/);
    expect(lastAudit('user:disable').payload).toMatchObject({ reason: '离职', detail: { before: { disabled: false }, after: { disabled: true }, endedSessions: 1 } });
    expect((await ask(admin, 'user:disable', { commandId: cid(), userId: p.id, reason: '离职' })).error).toMatchObject({ code: 'conflict', issues: [{ code: 'already_disabled' }] });

    const back = await ask(admin, 'user:enable', { commandId: cid(), userId: p.id });
    expect(back.ok, JSON.stringify(back.error)).toBe(true);
    expect(lastAudit('user:enable').payload).toMatchObject({ detail: { before: { disabled: true }, after: { disabled: false } } });
    expect((await signIn(p.username, p.password)).ready.user.username).toBe(p.username);
  });

  it('a new role signs the person out (their console was opened for the old one); the audit has the role before and after', async () => {
    const p = await createPerson('operator');
    const { socket } = await signIn(p.username, p.password);
    const out = signedOut(socket);
    const res = await ask(admin, 'user:set-role', { commandId: cid(), userId: p.id, role: 'evaluator' });
    expect(res.ok, JSON.stringify(res.error)).toBe(true);
    expect(await out).toBe('role_changed');
    expect(lastAudit('user:set-role').payload).toMatchObject({ detail: { before: { role: 'operator' }, after: { role: 'evaluator' } } });
    expect((await signIn(p.username, p.password)).ready.user.role).toBe('evaluator');
    expect((await ask(admin, 'user:set-role', { commandId: cid(), userId: p.id, role: 'evaluator' })).error).toMatchObject({ code: 'conflict', issues: [{ code: 'same_role' }] });
  });

  it('a reset password replaces the old one and signs the person out; it follows the same rules', async () => {
    const p = await createPerson('duty_manager');
    const { socket } = await signIn(p.username, p.password);
    const out = signedOut(socket);
    expect((await ask(admin, 'user:reset-password', { commandId: cid(), userId: p.id, password: '12345678' })).error?.code).toBe('weak_password');
    const res = await ask(admin, 'user:reset-password', { commandId: cid(), userId: p.id, password: 'a new long passphrase' });
    expect(res.ok, JSON.stringify(res.error)).toBe(true);
    expect(await out).toBe('password_reset');
    await expect(signIn(p.username, p.password)).rejects.toThrow(/wrong username or password/);
    expect((await signIn(p.username, 'a new long passphrase')).ready.user.role).toBe('duty_manager');
    expect(JSON.stringify(lastAudit('user:reset-password'))).not.toContain('a new long passphrase');
    expect((await ask(admin, 'user:reset-password', { commandId: cid(), userId: 'u-none', password: 'a new long passphrase' })).error?.code).toBe('not_found');
  });

  it('people:list shows each person with their running sessions and consoles online; one session is revoked on its own', async () => {
    const p = await createPerson('operator');
    const first = await signIn(p.username, p.password);
    const second = await signIn(p.username, p.password);
    const listed = async () => (await ask(admin, 'people:list', {})).result.people.find((x: { id: string }) => x.id === p.id);
    const before = await listed();
    expect(before).toMatchObject({ username: p.username, role: 'operator', disabled: false });
    expect(before.sessions).toHaveLength(2);
    expect(before.sessions.every((s: { online: number }) => s.online === 1)).toBe(true);

    const out = signedOut(first.socket);
    const res = await ask(admin, 'session:revoke', { commandId: cid(), sessionId: sessionId(first.ready.token) });
    expect(res.ok, JSON.stringify(res.error)).toBe(true);
    expect(await out).toBe('revoked');
    expect(second.socket.connected).toBe(true);
    expect((await listed()).sessions.map((s: { id: string }) => s.id)).toEqual([sessionId(second.ready.token)]);
    expect((await ask(admin, 'session:revoke', { commandId: cid(), sessionId: sessionId(first.ready.token) })).error?.code).toBe('not_found');
  });

  it('signing everyone out ends every session but the admin’s own', async () => {
    const op = await signIn('operator', 'demo');
    const ev = await signIn('evaluator', 'demo');
    const outs = [signedOut(op.socket), signedOut(ev.socket)];
    const res = await ask(admin, 'session:revoke-all', { commandId: cid(), reason: '系统维护' });
    expect(res.ok, JSON.stringify(res.error)).toBe(true);
    expect(await Promise.all(outs)).toEqual(['signed_out_everyone', 'signed_out_everyone']);
    expect(res.result.endedSessions).toEqual(expect.arrayContaining([sessionId(op.ready.token), sessionId(ev.ready.token)]));
    expect(admin.connected).toBe(true);
    expect((await ask(admin, 'people:list', {})).ok).toBe(true);
  });

  it('an admin cannot disable or re-role themselves, nor the last admin who can sign in', async () => {
    const people = (await ask(admin, 'people:list', {})).result.people as { id: string; username: string }[];
    const self = people.find((p) => p.username === 'admin')!;
    expect((await ask(admin, 'user:disable', { commandId: cid(), userId: self.id, reason: '测试' })).error).toMatchObject({
      code: 'conflict', message: expect.stringMatching(/your own account/), issues: [{ code: 'own_account', params: { name: 'admin' } }],
    });
    expect((await ask(admin, 'user:set-role', { commandId: cid(), userId: self.id, role: 'operator' })).error?.code).toBe('conflict');
    // Another admin may disable this one (whose console is signed out) ...
    const other = await createPerson('admin');
    const otherSocket = (await signIn(other.username, other.password)).socket;
    const out = signedOut(admin);
    expect((await ask(otherSocket, 'user:disable', { commandId: cid(), userId: self.id, reason: '交接' })).ok).toBe(true);
    expect(await out).toBe('disabled');
    // ... but now the other is the last admin who can sign in, and the command line (whose actor has no account) may not take them away.
    const cli = { id: 'cli', role: 'admin' } as const;
    const last = runCommand(hub.db, accountHandlers['user:set-role'], cli, { commandId: cid(), userId: other.id, role: 'operator' }).ack;
    expect(last).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/last admin/), issues: [{ code: 'last_admin', params: { name: other.username } }] } });
    expect(runCommand(hub.db, accountHandlers['user:disable'], cli, { commandId: cid(), userId: other.id, reason: '测试' }).ack.ok).toBe(false);
    expect((await ask(otherSocket, 'user:enable', { commandId: cid(), userId: self.id })).ok).toBe(true);
  });
});

describe('devices', () => {
  it('devices:list shows each device and whether it is connected; device:register adds one that then connects', async () => {
    const gw = await fieldClient(hub.url);
    const listed = async () => (await ask(admin, 'devices:list', {})).result.devices as { id: string; kind: string; unitId: string | null; online: number }[];
    expect((await listed()).find((d) => d.id === 'sim-gateway')).toMatchObject({ kind: 'gateway', unitId: null, online: 1 });
    gw.disconnect();

    const res = await ask(admin, 'device:register', { commandId: cid(), deviceId: 'phone-off-009', kind: 'terminal', unitId: 'off-009', secret: 'a-device-secret-9' });
    expect(res.ok, JSON.stringify(res.error)).toBe(true);
    expect(JSON.stringify(lastAudit('device:register'))).not.toContain('a-device-secret-9');
    await fieldClient(hub.url, { deviceId: 'phone-off-009', secret: 'a-device-secret-9' });
    expect((await listed()).find((d) => d.id === 'phone-off-009')).toMatchObject({ kind: 'terminal', unitId: 'off-009', online: 1 });
    expect((await listed()).find((d) => d.id === 'sim-gateway')?.online).toBe(0);
    const bad = await ask(admin, 'device:register', { commandId: cid(), deviceId: 'phone-x', kind: 'terminal', unitId: null, secret: 'a-device-secret-9' });
    expect(bad.error?.code).toBe('invalid_payload');
    const ghost = await ask(admin, 'device:register', { commandId: cid(), deviceId: 'phone-y', kind: 'terminal', unitId: 'no-such-unit', secret: 'a-device-secret-9' });
    expect(ghost.error?.code).toBe('not_found');
  });
});

describe('who may', () => {
  const ACCOUNT_EVENTS = ['user:create', 'user:set-role', 'user:disable', 'user:enable', 'user:reset-password', 'session:revoke', 'session:revoke-all', 'device:register', 'people:list', 'devices:list'];

  for (const role of ['operator', 'duty_manager', 'evaluator'] as const) {
    it(`${role}: every account command and read is refused by the hub, and the refusal is audited`, async () => {
      const { socket } = await signIn(LOGIN[role], 'demo');
      for (const event of ACCOUNT_EVENTS) {
        const res = await ask(socket, event, { commandId: cid(), userId: 'u-none', reason: '测试' });
        expect(res.error?.code, event).toBe('forbidden');
        expect(lastAudit(event)).toMatchObject({ actor: LOGIN[role], outcome: 'rejected' });
      }
    });
  }
});
