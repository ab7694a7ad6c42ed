// Incidents and tasks on a real hub: sources as data (map, camera, phone, field report with a photo),
// sub-types, the street and grid cell stamped at creation (checked against a brute-force reference over
// the roads file), amendments appended and never edited, the task lifecycle with en route and where each
// field step was, reassignment in one transaction under the guardrails, and the incident trace.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Area, LngLat } from '../../shared/domain';
import { distanceM, pointInPolygon } from '../../shared/geo';
import { INCIDENT_SUBTYPES, PHOTO_MAX_BYTES, type IncidentTrace, type TraceEntry } from '../../shared/incidents';
import { ROADS_FILE } from '../../main/hub/dispatch/road-graph';
import { STREET_MAX_M } from '../../main/hub/streets';
import { FeatureCollection, prop } from '../../main/sim/city/osm';
import { auditPage } from '../../main/store/audit';
import { setUnitStatus } from '../../main/store/city';
import { DB_FILE, openStore } from '../../main/store/db';
import { MIGRATIONS } from '../../main/store/migrations';
import { findIncident } from '../../main/store/operations';
import { pendingActionsOfKind, scheduleAction } from '../../main/store/schedule';
import { TRACE_SQL } from '../../main/store/trace';
import { ask, cid, closeClients, consoleClient, fieldClient, hubSnapshot, startTestHub, tempDir, type ConsoleClient, type FieldClient } from './hub-fixture';

let hub: Awaited<ReturnType<typeof startTestHub>>;
let areas: Area[];
let op: ConsoleClient;
let gw: FieldClient;
// Inside cell-04-12 (新街口), a few metres from 中山东路.
const SPOT: LngLat = [118.7845, 32.0435];
const PNG_1PX = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

const login = async (username: string) => (await consoleClient(hub.url, { username, password: 'demo' })).socket;
async function ok(socket: ConsoleClient | FieldClient, event: string, payload: Record<string, unknown>) {
  const res = await ask(socket, event, { commandId: cid(), ...payload });
  expect(res.ok, `${event}: ${res.error?.message}`).toBe(true);
  return res.result;
}
const create = (extra: Record<string, unknown> = {}) =>
  ok(op, 'incident:create', { category: 'parking', subtype: 'illegal-parking', priority: 2, position: SPOT, description: '违停', ...extra });
const trace = async (incidentId: string, socket: ConsoleClient = op): Promise<IncidentTrace> => {
  const res = await ask(socket, 'incident:trace', { incidentId });
  expect(res.ok, res.error?.message).toBe(true);
  return res.result as IncidentTrace;
};

beforeAll(async () => {
  hub = await startTestHub({ positions: { index: { maxStaleMs: 0 } } });
  areas = (await hubSnapshot(hub.url)).areas;
});
afterAll(() => hub.close());
beforeEach(async () => {
  op = await login('operator');
  gw = await fieldClient(hub.url);
});
afterEach(closeClients);

// ---- the reference: every named way of the roads file walked in 1 m steps, haversine to each step ----
const named = FeatureCollection.parse(JSON.parse(fs.readFileSync(ROADS_FILE, 'utf8'))).features
  .filter((f) => f.geometry.type === 'LineString' && prop(f, 'name'))
  .map((f) => ({ name: prop(f, 'name')!, line: f.geometry.coordinates as LngLat[] }));
function nearestStreetByBruteForce(p: LngLat, only?: string): { name: string; m: number } | null {
  let best: { name: string; m: number } | null = null;
  for (const way of named) {
    if (only !== undefined && way.name !== only) continue;
    for (let i = 1; i < way.line.length; i++) {
      const [a, b] = [way.line[i - 1]!, way.line[i]!];
      if (distanceM(p, a) > 2000) continue; // cheap cut: no segment of this length reaches from that far
      const steps = Math.max(1, Math.ceil(distanceM(a, b)));
      for (let k = 0; k <= steps; k++) {
        const q: LngLat = [a[0] + ((b[0] - a[0]) * k) / steps, a[1] + ((b[1] - a[1]) * k) / steps];
        const m = distanceM(p, q);
        if (!best || m < best.m) best = { name: way.name, m };
      }
    }
  }
  return best && best.m <= STREET_MAX_M ? best : null;
}

describe('creating an incident', () => {
  it('stamps the street and grid cell: the cell holding the point, the street a brute-force search over the roads finds', async () => {
    const spots = fc.sample(fc.tuple(fc.double({ min: 118.745, max: 118.80, noNaN: true }), fc.double({ min: 32.01, max: 32.06, noNaN: true })), { seed: 12, numRuns: 12 });
    for (const p of [SPOT, ...spots] as LngLat[]) {
      const { incident } = await create({ position: p });
      const cell = areas.find((a) => a.kind === 'cell' && a.polygon && pointInPolygon(p, a.polygon));
      expect(incident.place.cellId).toBe(cell?.id ?? null);
      const district = areas.find((a) => a.kind === 'district' && a.polygon && pointInPolygon(p, a.polygon));
      expect(incident.place.districtId).toBe(cell?.parentId ?? district?.id ?? null);
      const ref = nearestStreetByBruteForce(p);
      if (ref === null) {
        expect(incident.place.street, `${p}`).toBeNull();
      } else {
        // Two streets can be about equally near (at a junction): then the other name is right too, if it is as near.
        const ours = nearestStreetByBruteForce(p, incident.place.street)!;
        expect(Math.abs(ours.m - ref.m), `${p}: ${incident.place.street} vs ${ref.name}`).toBeLessThanOrEqual(1.5);
        expect(Math.abs(incident.place.streetM - ref.m), `${p}`).toBeLessThanOrEqual(1.5);
      }
    }
    const { incident } = await create();
    expect(incident.place).toMatchObject({ street: '中山东路', cellId: 'cell-04-12', districtId: 'dist-xinjiekou' });
  });

  it('keeps the source as data: map point by default, a linked camera, a caller; the sub-type must belong to the category', async () => {
    const plain = await ok(op, 'incident:create', { category: 'sanitation', priority: 3, position: SPOT, description: '' });
    expect(plain.incident).toMatchObject({ source: { kind: 'console' }, subtype: null, amendments: 0 });
    const camera = (await hubSnapshot(hub.url)).cameras.find((c) => c.kind === 'fixed')!;
    const fromCamera = await create({ source: { kind: 'camera', cameraId: camera.id } });
    expect(fromCamera.incident.source).toEqual({ kind: 'camera', cameraId: camera.id });
    expect((await trace(fromCamera.incident.id)).cameras.map((c) => c.id)).toEqual([camera.id]);
    const call = { kind: 'phone', callerName: '王女士', callerNumber: '138 0000 1234', text: '小区门口有车堵住消防通道' };
    expect((await create({ source: call })).incident.source).toEqual(call);

    const refused = async (payload: Record<string, unknown>, code: string) => {
      const res = await ask(op, 'incident:create', { commandId: cid(), category: 'parking', priority: 2, position: SPOT, description: '', ...payload });
      expect(res.error?.code, JSON.stringify(payload)).toBe(code);
      return res.error!.message;
    };
    expect(await refused({ subtype: 'fallen-tree' }, 'invalid_payload')).toMatch(/not a sub-type of parking/);
    await refused({ source: { kind: 'camera', cameraId: 'cam-nowhere' } }, 'not_found');
    await refused({ source: { kind: 'phone', callerName: '', callerNumber: '123', text: '' } }, 'invalid_payload');
    await refused({ source: { kind: 'phone', callerName: '李', callerNumber: 'call me', text: '' } }, 'invalid_payload');
    // A console cannot claim a field unit's report.
    await refused({ source: { kind: 'field', unitId: 'off-001', photoId: null } }, 'invalid_payload');
  });

  it('every category has sub-types, and the categories and ids the simulator sends still work', () => {
    for (const list of Object.values(INCIDENT_SUBTYPES)) expect(list.length).toBeGreaterThan(0);
    expect(Object.keys(INCIDENT_SUBTYPES).sort()).toEqual(['advertising', 'cityscape', 'drainage', 'greening', 'lighting', 'muck', 'municipal', 'parking', 'planning', 'sanitation']);
  });
});

describe('a field report with a photo', () => {
  it('stores a PNG, serves it to consoles only, audits its hash rather than its bytes', async () => {
    const { incident } = await ok(gw, 'incident:report', {
      unitId: 'off-010', category: 'municipal', subtype: 'manhole', priority: 1, position: SPOT, description: '井盖缺失', photo: { mime: 'image/png', base64: PNG_1PX },
    });
    expect(incident.source).toMatchObject({ kind: 'field', unitId: 'off-010' });
    const photoId = incident.source.photoId as string;
    expect(photoId).toMatch(/^P-[0-9a-f]{32}$/);
    const photo = await ask(op, 'photo:get', { photoId });
    expect(photo.ok).toBe(true);
    expect(photo.result).toEqual({ photoId, mime: 'image/png', base64: PNG_1PX });
    expect((await ask(await login('evaluator'), 'photo:get', { photoId })).ok).toBe(true);
    expect((await ask(gw, 'photo:get', { photoId })).error?.code).toBe('forbidden');
    expect((await ask(op, 'photo:get', { photoId: 'P-00000000000000000000000000000000' })).error?.code).toBe('not_found');
    const entry = auditPage(hub.db, 0, 100_000).find((e) => e.action === 'incident:report' && e.target === incident.id)!;
    expect(JSON.stringify(entry.payload)).not.toContain(PNG_1PX.slice(0, 40));
    expect(entry.payload).toMatchObject({ photo: { mime: 'image/png', bytes: Buffer.from(PNG_1PX, 'base64').length } });
  });

  it('refuses bytes that are not what the type says, and photos over the limit', async () => {
    const report = (photo: unknown) => ask(gw, 'incident:report', { commandId: cid(), unitId: 'off-010', category: 'muck', priority: 2, position: SPOT, description: '', photo });
    expect((await report({ mime: 'image/jpeg', base64: PNG_1PX })).error).toMatchObject({ code: 'invalid_payload', message: expect.stringMatching(/not a JPEG/) });
    expect((await report({ mime: 'image/gif', base64: PNG_1PX })).error?.code).toBe('invalid_payload');
    expect((await report({ mime: 'image/png', base64: 'not base64!' })).error?.code).toBe('invalid_payload');
    const big = Buffer.alloc(PHOTO_MAX_BYTES + 1024, 0);
    Buffer.from(PNG_1PX, 'base64').copy(big);
    expect((await report({ mime: 'image/png', base64: big.toString('base64') })).error?.code).toBe('invalid_payload');
  });
});

describe('amendments', () => {
  it('are appended with a reason by operators and duty managers, counted on the incident, shown in the trace, never edited', async () => {
    const { incident } = await create();
    expect((await ask(op, 'incident:amend', { commandId: cid(), incidentId: incident.id, reason: '', text: 'x' })).error?.code).toBe('invalid_payload');
    expect((await ask(await login('evaluator'), 'incident:amend', { commandId: cid(), incidentId: incident.id, reason: '更正', text: 'x' })).error?.code).toBe('forbidden');
    const first = await ok(op, 'incident:amend', { incidentId: incident.id, reason: '补充情况', text: '另有两辆车占用消防通道' });
    const second = await ok(await login('manager'), 'incident:amend', { incidentId: incident.id, reason: '更正', text: '车牌应为苏A·12345' });
    expect(second.incident.amendments).toBe(2);
    expect(findIncident(hub.db, incident.id)).toMatchObject({ description: '违停', priority: 2, amendments: 2 }); // the facts as entered
    const t = await trace(incident.id);
    expect(t.entries.filter((e) => e.kind === 'amendment').map((e) => (e as Extract<TraceEntry, { kind: 'amendment' }>).amendment))
      .toEqual([first.amendment, second.amendment]);
    expect(second.amendment).toMatchObject({ actor: 'manager', role: 'duty_manager', reason: '更正' });
    expect(() => hub.db.prepare("UPDATE incident_amendments SET text = 'edited' WHERE id = ?").run(first.amendment.id)).toThrow(/never edited/);
    expect(() => hub.db.prepare('DELETE FROM incident_amendments WHERE id = ?').run(first.amendment.id)).toThrow(/never edited/);
    expect((await ask(op, 'incident:amend', { commandId: cid(), incidentId: 'I-none', reason: '更正', text: 'x' })).error?.code).toBe('not_found');
  });
});

describe('the task lifecycle', () => {
  it('assigned → accepted → en route → arrived → finished, each step stamped who, when and where; out of order is refused', async () => {
    const { incident } = await create();
    const { task } = await ok(op, 'task:assign', { incidentId: incident.id, unitId: 'off-020' });
    expect(task.finishDeadline).toBeGreaterThan(task.arriveDeadline);
    const move = (name: string, extra: Record<string, unknown> = {}) => ask(gw, name, { commandId: cid(), unitId: 'off-020', taskId: task.id, ...extra });
    expect((await move('task:depart', { position: SPOT })).error?.code).toBe('conflict'); // not accepted yet
    const at: Record<string, LngLat> = { accept: [118.7801, 32.0401], depart: [118.7811, 32.0411], arrive: [118.7844, 32.0434], finish: [118.7845, 32.0435] };
    expect((await move('task:accept', { position: at.accept })).result.task.state).toBe('accepted');
    expect((await move('task:depart', {})).error?.code).toBe('invalid_payload'); // where it set off from is required
    expect((await move('task:depart', { position: at.depart })).result.task.state).toBe('en_route');
    // En route, the task still has to be on site and finished in time; accepting settled the acknowledge deadline.
    const pending = (kind: string) => pendingActionsOfKind(hub.db, kind).some((x) => x.subject === task.id);
    expect([pending('task:ack-overdue'), pending('task:arrive-overdue'), pending('task:finish-overdue')]).toEqual([false, true, true]);
    expect((await hubSnapshot(hub.url)).units.find((u) => u.id === 'off-020')!.status).toBe('on_task');
    expect((await move('task:arrive', { position: at.arrive })).result.task.state).toBe('arrived');
    expect([pending('task:arrive-overdue'), pending('task:finish-overdue')]).toEqual([false, true]);
    expect((await move('task:finish', { note: '已劝离', position: at.finish })).result.task.state).toBe('finished');
    expect((await move('task:accept')).error?.code).toBe('conflict');

    const steps = (await trace(incident.id)).entries.filter((e): e is Extract<TraceEntry, { kind: 'step' }> => e.kind === 'step');
    expect(steps.map((s) => [s.state, s.actor, s.position])).toEqual([
      ['assigned', 'operator', null], ['accepted', 'sim-gateway', at.accept], ['en_route', 'sim-gateway', at.depart],
      ['arrived', 'sim-gateway', at.arrive], ['finished', 'sim-gateway', at.finish],
    ]);
    expect(steps.map((s) => s.at)).toEqual([...steps.map((s) => s.at)].sort((a, b) => a - b));
    expect(findIncident(hub.db, incident.id)!.state).toBe('resolved');
  });

  it('reassigns in one transaction: the open task cancelled and the new unit assigned, or neither when a guardrail refuses', async () => {
    const { incident } = await create();
    const { task } = await ok(op, 'task:assign', { incidentId: incident.id, unitId: 'off-030' });
    await ok(gw, 'task:accept', { unitId: 'off-030', taskId: task.id });
    expect((await ask(op, 'task:reassign', { commandId: cid(), taskId: task.id, unitId: 'off-031' })).error?.code).toBe('invalid_payload'); // a reason is required

    setUnitStatus(hub.db, 'off-032', 'off_duty');
    const refused = await ask(op, 'task:reassign', { commandId: cid(), taskId: task.id, unitId: 'off-032', reason: '就近改派' });
    expect(refused.error?.code).toBe('conflict');
    const snap = await hubSnapshot(hub.url);
    expect(snap.tasks.find((t) => t.id === task.id)!.state).toBe('accepted'); // rolled back with the refused assignment
    expect(snap.tasks.some((t) => t.unitId === 'off-032')).toBe(false);

    const events: string[] = [];
    op.on('event', (e) => { if (e.data.type === 'task:updated') events.push(`${e.data.task.unitId}:${e.data.task.state}`); });
    const moved = await ok(op, 'task:reassign', { taskId: task.id, unitId: 'off-031', reason: '就近改派' });
    expect(moved.cancelled).toMatchObject({ id: task.id, state: 'cancelled' });
    expect(moved.task).toMatchObject({ incidentId: incident.id, unitId: 'off-031', state: 'assigned' });
    await expect.poll(() => events).toEqual(['off-030:cancelled', 'off-031:assigned']);
    const after = await hubSnapshot(hub.url);
    expect(after.units.find((u) => u.id === 'off-030')!.status).not.toBe('on_task');
    // One audit entry for both halves, saying where it came from.
    const entry = auditPage(hub.db, 0, 100_000).filter((e) => e.action === 'task:reassign' && e.outcome === 'accepted').at(-1)!;
    expect(entry.payload).toMatchObject({ detail: { from: { taskId: task.id, unitId: 'off-030', state: 'accepted' } } });
    expect(entry.target).toBe(moved.task.id);

    // A duty manager may send the off-duty unit, with a reason; an operator may not override.
    expect((await ask(op, 'task:reassign', { commandId: cid(), taskId: moved.task.id, unitId: 'off-032', reason: '人手不足', override: { reason: '唯一在附近' } })).error?.code).toBe('forbidden');
    const overridden = await ok(await login('manager'), 'task:reassign', { taskId: moved.task.id, unitId: 'off-032', reason: '人手不足', override: { reason: '唯一在附近' } });
    expect(overridden.task.unitId).toBe('off-032');
    // The same unit twice on one incident stays refused.
    expect((await ask(op, 'task:reassign', { commandId: cid(), taskId: overridden.task.id, unitId: 'off-032', reason: 'x' })).error?.code).toBe('conflict');
    setUnitStatus(hub.db, 'off-032', 'patrolling');
  });
});

describe('the incident trace', () => {
  it('lists creation, steps, amendments and escalations in order, with the unit\'s track during its task and its body camera', async () => {
    const { incident } = await create();
    const { task } = await ok(op, 'task:assign', { incidentId: incident.id, unitId: 'off-040' });
    const t0 = Date.now();
    // A walking officer: 5 m a second (faster than a person on foot is refused as an outlier).
    const fixes = [0, 1, 2].map((i) => ({ unitId: 'off-040', t: t0 + i * 1000, lng: 118.7801 + i * 0.00005, lat: 32.0401 }));
    const fed = await ask(gw, 'unit:position', { fixes });
    expect(fed.result.accepted).toBe(3);
    // The acknowledge deadline passes: the system actor's command, due now (the scheduler wakes after the next command).
    scheduleAction(hub.db, { kind: 'task:ack-overdue', subject: task.id, payload: { taskId: task.id, deadline: task.ackDeadline, step: 0 }, dueAt: Date.now(), cause: 'test' }, Date.now());
    await ok(op, 'incident:amend', { incidentId: incident.id, reason: '补充', text: '司机已联系' });
    await expect.poll(async () => (await trace(incident.id)).entries.some((e) => e.kind === 'alert'), { timeout: 10_000 }).toBe(true);
    await ok(gw, 'task:accept', { unitId: 'off-040', taskId: task.id });

    const t = await trace(incident.id, await login('evaluator'));
    const kinds = t.entries.map((e) => e.kind === 'step' ? `step:${e.state}` : e.kind);
    // The amendment only wakes the scheduler; the alert may be performed just before or after it.
    expect(kinds.filter((k) => k !== 'amendment')).toEqual(['created', 'step:assigned', 'alert', 'step:accepted']);
    expect(kinds.indexOf('amendment')).toBeGreaterThan(kinds.indexOf('step:assigned'));
    expect(kinds.indexOf('amendment')).toBeLessThan(kinds.indexOf('step:accepted'));
    expect(t.entries[0]).toMatchObject({ kind: 'created', actor: 'operator' });
    const alert = t.entries.find((e) => e.kind === 'alert') as Extract<TraceEntry, { kind: 'alert' }>;
    expect(alert.alert).toMatchObject({ kind: 'task_overdue', subjectId: task.id, notify: 'operator' });
    expect(t.entries.map((e) => e.at)).toEqual([...t.entries.map((e) => e.at)].sort((a, b) => a - b));
    await expect.poll(async () => (await trace(incident.id)).tracks[0]!.fixes.length, { timeout: 10_000 }).toBe(3);
    const track = (await trace(incident.id)).tracks[0]!;
    expect(track).toMatchObject({ taskId: task.id, unitId: 'off-040', from: task.assignedAt });
    const bodyCam = (await hubSnapshot(hub.url)).units.find((u) => u.id === 'off-040')!.cameraId;
    expect(t.cameras.map((c) => c.id)).toEqual(bodyCam ? [bodyCam] : []);
    expect((await ask(op, 'incident:trace', { incidentId: 'I-none' })).error?.code).toBe('not_found');
    expect((await ask(gw, 'incident:trace', { incidentId: incident.id })).error?.code).toBe('forbidden');
  });
});

describe('the trace reads its indexes', () => {
  it('the audit log by target and the event log by time, as the store runs them', () => {
    const plan = (sql: string, ...params: unknown[]) =>
      (hub.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail).join(' | ');
    expect(plan(TRACE_SQL.commandsOn, 'I-1', '[]')).toMatch(/SEARCH audit_log USING INDEX audit_log_target_at \(target=\?\)/);
    expect(plan(TRACE_SQL.alertsSince, 0, '[]')).toMatch(/SEARCH events USING INDEX events_(at \(at>\?\)|type_at \(type=\? AND at>\?\))/);
  });
});

describe('records from before version 100', () => {
  it('read with their source word turned into a source object, no sub-type and no place', () => {
    const dir = tempDir('xiuhua-v80-');
    const old = new Database(path.join(dir, DB_FILE));
    for (const m of MIGRATIONS.filter((x) => x.version <= 80)) old.exec(m.sql);
    old.pragma('user_version = 80');
    const row = old.prepare("INSERT INTO incidents (id, category, priority, state, lng, lat, description, source, created_at, updated_at) VALUES (?, 'muck', 2, 'open', 118.78, 32.04, 'old', ?, 1, 1)");
    row.run('I-old-field', 'field');
    row.run('I-old-console', 'console');
    old.close();
    const db = openStore(dir);
    expect(findIncident(db, 'I-old-field')).toMatchObject({ source: { kind: 'field', unitId: null, photoId: null }, subtype: null, place: { street: null, cellId: null }, amendments: 0 });
    expect(findIncident(db, 'I-old-console')!.source).toEqual({ kind: 'console' });
    db.close();
  });
});
