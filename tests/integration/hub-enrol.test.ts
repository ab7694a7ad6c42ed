// Device enrolment by one-time code and revocation (issues 13 and 18), on a real hub: an admin's
// `device:enrol` makes a code; `POST /api/enrol` spends it once for a device id and secret; the code
// expires (on a clock the test moves); wrong codes are throttled like logins; `device:revoke` cuts the
// device's sockets at once and its secret opens nothing afterwards; only admins may do either.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { auditPage } from '../../main/store/audit';
import type { Hub } from '../../main/hub/server';
import { ENROL_CODE_TTL_MS, formatEnrolCode } from '../../shared/protocol/enrol';
import { ask, cid, closeClients, consoleClient, fieldClient, NANJING, startTestHub, type ConsoleClient } from './hub-fixture';

let hub: Hub & { dataDir: string };
let clock = Date.now();
let admin: ConsoleClient;

beforeAll(async () => {
  hub = await startTestHub({ enrolment: { now: () => clock } });
  admin = (await consoleClient(hub.url, { username: 'admin', password: 'demo' })).socket;
});
afterAll(async () => {
  closeClients();
  await hub.close();
});

async function enrol(unitId = 'off-001', commandId = cid()) {
  const res = await ask(admin, 'device:enrol', { commandId, unitId, label: '三中队 手机' });
  expect(res.ok, JSON.stringify(res.error)).toBe(true);
  return res.result as { enrolmentId: string; code: string | null; expiresAt: number; hubUrl: string; unitId: string };
}

async function claim(code: string, from = hub.url): Promise<{ status: number; body: Record<string, string> }> {
  const res = await fetch(`${from}/api/enrol`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ code }) });
  return { status: res.status, body: await res.json() as Record<string, string> };
}

const audited = (action: string) => auditPage(hub.db, 0, 100_000).filter((e) => e.action === action);

describe('enrolment by code', () => {
  it('an admin gets a code with the hub address; the phone spends it once for its own credential', async () => {
    const { code, hubUrl, expiresAt } = await enrol();
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{12}$/);
    expect(hubUrl).toBe(hub.url);
    expect(expiresAt).toBeGreaterThan(Date.now());
    // Typed the way people type: lower case, with dashes.
    const first = await claim(formatEnrolCode(code!).toLowerCase());
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.unitId).toBe('off-001');
    const device = await fieldClient(hub.url, { deviceId: first.body.deviceId, secret: first.body.secret });
    const profile = await ask(device, 'unit:profile', { unitId: 'off-001' });
    expect(profile.ok, JSON.stringify(profile.error)).toBe(true);
    expect(profile.result.unit.name).toMatch(/\S/);
    expect(profile.result.cell?.name).toMatch(/\S/);
    expect(profile.result.posts.length).toBeGreaterThan(0);
    // A device speaks for its own unit only.
    expect((await ask(device, 'unit:profile', { unitId: 'off-002' })).error?.code).toBe('forbidden');
    // Its tasks' incidents by what an officer needs (task:brief), and only its own unit's tasks.
    const { socket: op } = await consoleClient(hub.url, { username: 'operator', password: 'demo' });
    const incident = (await ask(op, 'incident:create', { commandId: cid(), category: 'parking', priority: 2, position: NANJING, description: '占道停车' })).result.incident;
    const mine = (await ask(op, 'task:assign', { commandId: cid(), incidentId: incident.id, unitId: 'off-001' })).result.task;
    const theirs = (await ask(op, 'task:assign', { commandId: cid(), incidentId: incident.id, unitId: 'off-002' })).result.task;
    const brief = await ask(device, 'task:brief', { unitId: 'off-001', taskId: mine.id });
    expect(brief.ok, JSON.stringify(brief.error)).toBe(true);
    expect(brief.result).toMatchObject({ taskId: mine.id, incident: { id: incident.id, category: 'parking', priority: 2, description: '占道停车', street: incident.place.street } });
    if (incident.place.cellId) expect(brief.result.incident.cell).toMatch(/\S/);
    expect((await ask(device, 'task:brief', { unitId: 'off-002', taskId: theirs.id })).error?.code).toBe('forbidden');
    expect((await ask(device, 'task:brief', { unitId: 'off-001', taskId: theirs.id })).error?.code).toBe('not_found');

    const again = await claim(code!);
    expect(again.status).toBe(410);
    expect(again.body.error).toMatch(/already used/);
    const claims = audited('device:claim');
    expect(claims.filter((e) => e.outcome === 'accepted')).toHaveLength(1);
    expect(claims.filter((e) => e.outcome === 'rejected').at(-1)?.reason).toMatch(/already used/);
    expect(claims[0]!.actor).toBe('system');
  });

  it('the store keeps neither the code nor the secret, and a retried enrol answers without the code', async () => {
    const commandId = cid();
    const { code } = await enrol('off-002', commandId);
    const { body } = await claim(code!);
    const everything = JSON.stringify([
      hub.db.prepare('SELECT * FROM commands').all(), hub.db.prepare('SELECT * FROM audit_log').all(),
      hub.db.prepare('SELECT * FROM enrolment_codes').all(), hub.db.prepare('SELECT * FROM devices').all(),
    ]);
    expect(everything).not.toContain(code!);
    expect(everything).not.toContain(body.secret!);
    const retry = await enrol('off-002', commandId);
    expect(retry.code).toBeNull();
  });

  it('a code expires', async () => {
    const { code } = await enrol('off-003');
    clock = Date.now() + ENROL_CODE_TTL_MS + 1000;
    try {
      const late = await claim(code!);
      expect(late.status).toBe(410);
      expect(late.body.error).toMatch(/expired/);
    } finally {
      clock = Date.now();
    }
    expect(audited('device:claim').at(-1)).toMatchObject({ outcome: 'rejected' });
    expect(audited('device:claim').at(-1)!.reason).toMatch(/expired/);
  });

  it('only an admin may enrol or revoke a device', async () => {
    for (const [username, role] of [['operator', 'operator'], ['manager', 'duty_manager'], ['evaluator', 'evaluator']]) {
      const { socket } = await consoleClient(hub.url, { username: username!, password: 'demo' });
      expect((await ask(socket, 'device:enrol', { commandId: cid(), unitId: 'off-001' })).error?.code, role).toBe('forbidden');
      expect((await ask(socket, 'device:revoke', { commandId: cid(), deviceId: 'sim-gateway', reason: '丢失' })).error?.code, role).toBe('forbidden');
    }
    const gw = await fieldClient(hub.url);
    expect((await ask(gw, 'device:enrol', { commandId: cid(), unitId: 'off-001' })).error?.code).toBe('forbidden');
  });

  it('wrong codes are throttled like logins: after three, even a right code from that address waits', async () => {
    // Three failures in a row from one address block it (the default is ten, as for logins).
    const strict = await startTestHub({ limits: { login: { accountAddressFails: 3 } } });
    try {
      const { socket: boss } = await consoleClient(strict.url, { username: 'admin', password: 'demo' });
      const { code } = (await ask(boss, 'device:enrol', { commandId: cid(), unitId: 'off-004' })).result as { code: string };
      for (let i = 0; i < 3; i++) expect((await claim('ZZZZ-ZZZZ-ZZZZ', strict.url)).status).toBe(403);
      const blocked = await claim(code, strict.url);
      expect(blocked.status).toBe(429);
      expect(blocked.body.error).toMatch(/rate_limited/);
      // Not spent: it was never looked at.
      expect(strict.db.prepare('SELECT used_at FROM enrolment_codes WHERE unit_id = ?').pluck().get('off-004')).toBeNull();
      // The unknown codes are in the record, by the address they came from.
      expect(auditPage(strict.db, 0, 100_000).filter((e) => e.action === 'device:enrol-http' || e.action === 'device:claim').length).toBeGreaterThan(0);
      boss.disconnect();
    } finally {
      await strict.close();
    }
  });

  it('bad bodies are answered, not thrown', async () => {
    const big = await fetch(`${hub.url}/api/enrol`, { method: 'POST', body: 'x'.repeat(5000) });
    expect(big.status).toBe(413);
    const notJson = await fetch(`${hub.url}/api/enrol`, { method: 'POST', body: '{"code":' });
    expect(notJson.status).toBe(400);
  });
});

describe('revocation', () => {
  it('a revoked device is cut at once and its secret refused afterwards', async () => {
    const fresh = await startTestHub();
    try {
      const { socket: boss } = await consoleClient(fresh.url, { username: 'admin', password: 'demo' });
      const made = await ask(boss, 'device:enrol', { commandId: cid(), unitId: 'off-001' });
      const cred = (await (await fetch(`${fresh.url}/api/enrol`, { method: 'POST', body: JSON.stringify({ code: made.result.code }) })).json()) as { deviceId: string; secret: string };
      const phone = await fieldClient(fresh.url, cred);
      const cut = new Promise<string>((resolve) => phone.once('disconnect', (why) => resolve(why)));
      const res = await ask(boss, 'device:revoke', { commandId: cid(), deviceId: cred.deviceId, reason: '手机丢失' });
      expect(res.ok, JSON.stringify(res.error)).toBe(true);
      expect(await cut).toBe('io server disconnect');
      const refused = await new Promise<string>((resolve) => {
        const s = io(`${fresh.url}/field`, { auth: cred, transports: ['websocket'], reconnection: false, forceNew: true });
        s.once('session:ready', () => { s.disconnect(); resolve('connected'); });
        s.once('connect_error', (e) => { s.disconnect(); resolve(e.message); });
      });
      expect(refused).toMatch(/^auth_failed: .*revoked/);
      expect((await ask(boss, 'device:revoke', { commandId: cid(), deviceId: cred.deviceId, reason: '再次' })).error?.code).toBe('conflict');
      expect((await ask(boss, 'device:revoke', { commandId: cid(), deviceId: 'sim-gateway', reason: '网关' })).error?.code).toBe('conflict');
      boss.disconnect();
    } finally {
      await fresh.close();
    }
  });
});
