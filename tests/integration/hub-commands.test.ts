import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { consoleCommands, fieldCommands } from '../../shared/protocol/commands';
import type { HubEvent } from '../../shared/protocol/events';
import type { Role } from '../../shared/domain';
import { MODE_PROFILES } from '../../shared/modes';
import { auditPage } from '../../main/store/audit';
import { ask, askPatiently, cid, closeClients, consoleClient, fieldClient, NANJING, startTestHub, type ConsoleClient } from './hub-fixture';

let hub: Awaited<ReturnType<typeof startTestHub>>;
// This file sends every command from every role within a minute: more (actor, action) pairs than the
// 200 a hub audits row by row before it summarises the rest, which the assertions here read row by row.
beforeAll(async () => { hub = await startTestHub({ limits: { refusalKeys: 1000 } }); });
afterAll(() => hub.close());
afterEach(closeClients);

const LOGIN: Record<Role, string> = { operator: 'operator', duty_manager: 'manager', evaluator: 'evaluator', admin: 'admin' };
const as = async (role: Role) => (await consoleClient(hub.url, { username: LOGIN[role], password: 'demo' })).socket;

async function newIncident(socket: ConsoleClient) {
  const res = await ask(socket, 'incident:create', { commandId: cid(), category: 'parking', priority: 2, position: NANJING, description: '占道停车' });
  expect(res.ok).toBe(true);
  return res.result.incident as { id: string };
}

/** A valid payload for every console command, so that a role check is all that can refuse it. */
async function validPayloads(): Promise<Record<keyof typeof consoleCommands, Record<string, unknown>>> {
  const op = await as('operator');
  const incident = await newIncident(op);
  const task = (await ask(op, 'task:assign', { commandId: cid(), incidentId: incident.id, unitId: 'off-001' })).result.task;
  const gw = await fieldClient(hub.url);
  const sos = (await ask(gw, 'sos:raise', { commandId: cid(), unitId: 'off-002', position: NANJING })).result.sos;
  return {
    'incident:create': { category: 'muck', priority: 1, position: NANJING, description: '渣土车抛洒' },
    'incident:close': { incidentId: incident.id, resolution: '已处理' },
    'incident:amend': { incidentId: incident.id, reason: '补充', text: '现场有两辆车' },
    'task:assign': { incidentId: incident.id, unitId: 'off-003' },
    'task:reassign': { taskId: task.id, unitId: 'off-004', reason: '改派' },
    'task:cancel': { taskId: task.id, reason: '改派' },
    'sos:acknowledge': { sosId: sos.id },
    'sos:resolve': { sosId: sos.id, note: '已到场' },
    'sos:assist': { sosId: sos.id, unitId: 'off-004', etaSec: 120 },
    'mode:switch': { mode: 'night', reason: '入夜' },
    'mode:end': { reason: '解除应急' },
    // A stale base version answers conflict (past the role check) and changes nothing.
    'calendar:add': { baseVersion: 9999, date: '2027-03-08', name: { zh: '妇女节', en: "Women's Day" }, reason: '测试' },
    'calendar:remove': { baseVersion: 9999, date: '2027-01-01', reason: '测试' },
    // A profile saved from a stale version answers conflict (past the role check) and changes nothing.
    'profile:save': { mode: 'daily', baseVersion: 9999, profile: MODE_PROFILES.daily, reason: '测试' },
    'user:create': { username: `u${Date.now().toString(36)}`, role: 'operator', password: 'correct horse battery' },
    // Accounts the roles below still sign in with are left alone: unknown ids answer not_found, which is past the role check.
    'user:set-role': { userId: 'u-none', role: 'evaluator' },
    'user:disable': { userId: 'u-none', reason: '离职' },
    'user:enable': { userId: 'u-none' },
    'user:reset-password': { userId: 'u-none', password: 'correct horse battery' },
    'session:revoke': { sessionId: '0'.repeat(64) },
    'session:revoke-all': { reason: '交接班' },
    'device:register': { deviceId: `gw-${Date.now().toString(36)}`, kind: 'gateway', unitId: null, secret: 'a-gateway-secret-1' },
    'camera:upsert': { camera: { id: 'cam-test', kind: 'fixed', name: '测试摄像机', position: NANJING, facing: 90, unitId: null, sources: [{ kind: 'hls', url: 'http://example/x.m3u8' }], key: false } },
    'checkin:override': { requestId: 'O-none', grant: true, note: '已电话核实' },
    'rollcall:start': { unitIds: ['off-004'], answerWithinMin: 5 },
    'fence:acknowledge': { alertId: 'fence-none' },
    'bodycam:acknowledge': { alertId: 'bodycam-none' },
    'roster:import': { csv: 'unit_id,post_id,date,start,end\n' },
    'device:enrol': { unitId: 'off-005', label: '测试手机' },
    'device:revoke': { deviceId: 'dev-none', reason: '手机丢失' },
    // Grid edits against a stale version answer conflict (past the role check) and change nothing.
    'cell:save': { baseVersion: 9999, cell: { name: '测试网格', polygon: { type: 'Polygon', coordinates: [[[118.78, 32.04], [118.781, 32.04], [118.781, 32.041], [118.78, 32.04]]] } } },
    'cell:delete': { baseVersion: 9999, cellId: 'cell-none' },
    'post:save': { baseVersion: 9999, post: { name: '测试岗', cellId: 'cell-none', center: NANJING, radiusM: 50 } },
    'post:delete': { baseVersion: 9999, postId: 'post-none' },
    'route:save': { baseVersion: 9999, route: { name: '测试路线', line: [NANJING, [118.785, 32.042]], modes: ['daily'] } },
    'route:delete': { baseVersion: 9999, routeId: 'route-none' },
    'grid:import': { baseVersion: 9999, collection: { type: 'FeatureCollection', features: [{}] } },
  };
}

describe('roles', () => {
  it('every role × every console command is allowed or refused as designed, and refusals are audited', async () => {
    const payloads = await validPayloads();
    for (const role of ['evaluator', 'operator', 'admin', 'duty_manager'] as Role[]) {
      const socket = await as(role);
      for (const [name, def] of Object.entries(consoleCommands)) {
        const before = auditPage(hub.db, 0, 100_000).length;
        const res = await ask(socket, name, { commandId: cid(), ...payloads[name as keyof typeof consoleCommands] });
        const allowed = (def.roles as readonly string[]).includes(role);
        if (allowed) expect(res.error?.code, `${role} ${name}: ${res.error?.message}`).not.toBe('forbidden');
        else expect(res.error?.code, `${role} ${name}`).toBe('forbidden');
        const entries = auditPage(hub.db, before, 100);
        expect(entries.some((e) => e.action === name && e.actor === LOGIN[role] && e.outcome === (res.ok ? 'accepted' : 'rejected'))).toBe(true);
      }
    }
  });

  it('evaluators never write: every console command is refused for them', async () => {
    const ev = await as('evaluator');
    for (const name of Object.keys(consoleCommands)) {
      expect((await ask(ev, name, { commandId: cid() })).error?.code).toMatch(/forbidden/);
    }
  });

  it('consoles cannot send field commands, devices cannot send console commands', async () => {
    const op = await as('operator');
    for (const name of [...Object.keys(fieldCommands), 'unit:position']) {
      expect((await ask(op, name, { commandId: cid(), unitId: 'off-001' })).error?.code).toBe('forbidden');
    }
    const gw = await fieldClient(hub.url);
    for (const name of [...Object.keys(consoleCommands), 'state:snapshot', 'audit:verify']) {
      expect((await ask(gw, name, { commandId: cid() })).error?.code).toBe('forbidden');
    }
  });

  it('a terminal device speaks only for its own unit', async () => {
    const { insertDevice } = await import('../../main/store/people');
    const { hashSecretSync } = await import('../../main/hub/auth');
    insertDevice(hub.db, { id: 'phone-off-010', secretHash: hashSecretSync('s3cret-s3cret'), kind: 'terminal', unitId: 'off-010', at: Date.now() });
    const phone = await fieldClient(hub.url, { deviceId: 'phone-off-010', secret: 's3cret-s3cret' });
    expect((await ask(phone, 'sos:raise', { commandId: cid(), unitId: 'off-011', position: NANJING })).error?.code).toBe('forbidden');
    expect((await ask(phone, 'unit:position', { fixes: [{ unitId: 'off-011', t: Date.now(), lng: NANJING[0], lat: NANJING[1] }] })).error?.code).toBe('forbidden');
    expect((await ask(phone, 'unit:position', { fixes: [{ unitId: 'off-010', t: Date.now(), lng: NANJING[0], lat: NANJING[1] }] })).ok).toBe(true);
  });
});

describe('commands', () => {
  it('a retried command (same commandId) has exactly one effect and the same answer', async () => {
    const op = await as('operator');
    const seen: HubEvent[] = [];
    op.on('event', (e) => seen.push(e));
    const commandId = cid();
    const payload = { commandId, category: 'advertising', priority: 3, position: NANJING, description: '违规广告牌' };
    const [a, b] = [await ask(op, 'incident:create', payload), await ask(op, 'incident:create', payload)];
    expect(a).toEqual(b);
    const snapshot = (await ask(op, 'state:snapshot', {})).result;
    expect(snapshot.incidents.filter((i: { description: string }) => i.description === '违规广告牌')).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(seen.filter((e) => e.data.type === 'incident:created' && e.data.incident.id === a.result.incident.id)).toHaveLength(1);
    expect(auditPage(hub.db, 0, 100_000).filter((e) => e.payload && (e.payload as { commandId?: string }).commandId === commandId)).toHaveLength(1);
  });

  it('a commandId reused for a different command is refused as a conflict', async () => {
    const op = await as('operator');
    const commandId = cid();
    await ask(op, 'incident:create', { commandId, category: 'parking', priority: 2, position: NANJING, description: 'a' });
    expect((await ask(op, 'incident:close', { commandId, incidentId: 'x', resolution: 'y' })).error?.code).toBe('conflict');
  });

  it('malformed payloads of every command get an error ack, are audited, and the hub keeps serving', async () => {
    const op = await as('duty_manager');
    const admin = await as('admin');
    const gw = await fieldClient(hub.url);
    const garbage: unknown[] = [null, 42, 'text', [], { commandId: cid() }, { commandId: 'short' }, { commandId: cid(), extra: { deep: 'x'.repeat(10_000) } }];
    const targets: Array<[ConsoleClient | Awaited<ReturnType<typeof fieldClient>>, string[]]> = [
      // Each command from a role that may send it, so that the payload is what refuses it.
      [op, Object.entries(consoleCommands).filter(([, d]) => (d.roles as readonly string[]).includes('duty_manager')).map(([n]) => n)],
      [admin, Object.entries(consoleCommands).filter(([, d]) => !(d.roles as readonly string[]).includes('duty_manager')).map(([n]) => n)],
      [gw, [...Object.keys(fieldCommands), 'unit:position', 'events:since']],
    ];
    for (const [socket, names] of targets) {
      for (const name of names) {
        for (const g of garbage) {
          const before = auditPage(hub.db, 0, 1_000_000).length;
          const res = await askPatiently(socket, name, g);
          expect(res.ok, `${name} ${JSON.stringify(g)?.slice(0, 40)}`).toBe(false);
          expect(res.error?.code).toBe('invalid_payload');
          const audited = auditPage(hub.db, before, 10);
          expect(audited.at(-1)).toMatchObject({ action: name, outcome: 'rejected' });
          expect(JSON.stringify(audited.at(-1)!.payload).length).toBeLessThan(5000);
        }
      }
    }
    expect((await ask(op, 'state:snapshot', {})).ok).toBe(true);
  }, 60_000); // seven payloads × every command: its time grows with the command table

  it('a task goes assigned → accepted → arrived → finished and the incident is resolved', async () => {
    const op = await as('operator');
    const gw = await fieldClient(hub.url);
    const incident = await newIncident(op);
    const fieldSeen: HubEvent[] = [];
    gw.on('event', (e) => fieldSeen.push(e));
    const task = (await ask(op, 'task:assign', { commandId: cid(), incidentId: incident.id, unitId: 'off-020', note: '请尽快到场' })).result.task;
    expect(task.state).toBe('assigned');
    for (const [step, extra] of [['task:accept', {}], ['task:arrive', { position: NANJING }], ['task:finish', { note: '已劝离' }]] as const) {
      const res = await ask(gw, step, { commandId: cid(), unitId: 'off-020', taskId: task.id, ...extra });
      expect(res.ok, res.error?.message).toBe(true);
    }
    expect((await ask(gw, 'task:accept', { commandId: cid(), unitId: 'off-020', taskId: task.id })).error?.code).toBe('conflict');
    const snap = (await ask(op, 'state:snapshot', {})).result;
    expect(snap.incidents.find((i: { id: string }) => i.id === incident.id).state).toBe('resolved');
    expect(fieldSeen.some((e) => e.data.type === 'task:updated' && e.data.task.id === task.id)).toBe(true);
  });
});

describe('sequence and resume', () => {
  it('a console that misses events while disconnected receives all of them after reconnecting, in order', async () => {
    const a = await consoleClient(hub.url, { username: 'operator', password: 'demo' });
    const seen: number[] = [];
    a.socket.on('event', (e) => seen.push(e.seq));
    await newIncident(a.socket);
    await new Promise((r) => setTimeout(r, 50));
    const lastSeen = seen.at(-1)!;
    a.socket.disconnect();

    const b = await as('duty_manager');
    const created: string[] = [];
    for (let i = 0; i < 7; i++) created.push((await newIncident(b)).id);
    await ask(b, 'mode:switch', { commandId: cid(), mode: 'emergency', reason: '暴雨预警' });

    const again = await consoleClient(hub.url, { token: a.ready.token });
    const missed: HubEvent[] = [];
    let after = lastSeen;
    for (;;) {
      const page = (await ask(again.socket, 'events:since', { afterSeq: after, limit: 3 })).result;
      missed.push(...page.events);
      if (!page.more) break;
      after = page.events.at(-1).seq;
    }
    const seqs = missed.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs.every((s, i) => i === 0 || s === seqs[i - 1]! + 1)).toBe(true);
    const createdSeen = missed.flatMap((e) => (e.data.type === 'incident:created' ? [e.data.incident.id] : []));
    expect(createdSeen).toEqual(expect.arrayContaining(created));
    expect(missed.at(-1)!.data).toMatchObject({ type: 'mode:changed', change: { mode: 'emergency' } });
    expect(again.ready.headSeq).toBe(missed.at(-1)!.seq);
  });
});

describe('rate limit', () => {
  it('a flooding console is told to slow down, the flood is audited once a second, not once a message', async () => {
    const op = await as('operator');
    const before = auditPage(hub.db, 0, 1_000_000).length;
    const answers = await Promise.all(Array.from({ length: 120 }, () => ask(op, 'events:since', { afterSeq: 1e9 })));
    const limited = answers.filter((a) => a.error?.code === 'rate_limited');
    expect(limited.length).toBeGreaterThan(0);
    expect(answers.filter((a) => a.ok).length).toBeGreaterThan(0);
    const audited = auditPage(hub.db, before, 1000).filter((e) => e.reason?.startsWith('rate_limited'));
    expect(audited.length).toBeGreaterThanOrEqual(1);
    expect(audited.length).toBeLessThan(limited.length);
  });
});
