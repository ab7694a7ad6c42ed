// Operating modes through a real hub: who may switch, what a switch must say, an emergency for one
// area that changes the rules only inside it, ending it, and profiles kept as versioned data.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../shared/domain';
import { MODE_PROFILES } from '../../shared/modes';
import { auditPage } from '../../main/store/audit';
import { latestProfiles } from '../../main/store/modes';
import { MODE_SQL } from '../../main/store/operations';
import { effectiveMode } from '../../main/hub/modes';
import { ensureInitialMode } from '../../main/hub/seed';
import { listAreas, listUnits } from '../../main/store/city';
import { insertDevice } from '../../main/store/people';
import { hashSecretSync } from '../../main/hub/auth';
import { ask, cid, closeClients, consoleClient, fieldClient, startTestHub } from './hub-fixture';

let hub: Awaited<ReturnType<typeof startTestHub>>;
beforeAll(async () => { hub = await startTestHub(); });
afterAll(() => hub.close());
afterEach(closeClients);

const LOGIN: Record<Role, string> = { operator: 'operator', duty_manager: 'manager', evaluator: 'evaluator', admin: 'admin' };
const as = async (role: Role) => (await consoleClient(hub.url, { username: LOGIN[role], password: 'demo' })).socket;

// Two districts of the demo city, and a point well inside each (their centres).
const XINJIEKOU = { id: 'dist-xinjiekou', at: [118.784798, 32.043573] as [number, number] };
const HANZHONGMEN = { id: 'dist-hanzhongmen', at: [118.752973, 32.043573] as [number, number] };

async function assignedTask(at: [number, number], unitId: string) {
  const op = await as('operator');
  const inc = await ask(op, 'incident:create', { commandId: cid(), category: 'parking', priority: 2, position: at, description: '占道' });
  expect(inc.ok, inc.error?.message).toBe(true);
  const task = await ask(op, 'task:assign', { commandId: cid(), incidentId: inc.result.incident.id, unitId });
  expect(task.ok, task.error?.message).toBe(true);
  return task.result.task as { assignedAt: number; ackDeadline: number; arriveDeadline: number };
}

describe('mode switching', () => {
  it('operators and evaluators are refused (and audited); duty managers and admins may switch', async () => {
    for (const role of ['operator', 'evaluator'] as Role[]) {
      const res = await ask(await as(role), 'mode:switch', { commandId: cid(), mode: 'night', reason: '入夜' });
      expect(res.error?.code).toBe('forbidden');
      const last = auditPage(hub.db, 0, 100_000).filter((e) => e.action === 'mode:switch').at(-1);
      expect(last).toMatchObject({ actor: LOGIN[role], outcome: 'rejected' });
    }
    const admin = await ask(await as('admin'), 'mode:switch', { commandId: cid(), mode: 'night', reason: '入夜' });
    expect(admin.ok, admin.error?.message).toBe(true);
    const back = await ask(await as('duty_manager'), 'mode:switch', { commandId: cid(), mode: 'daily', reason: '天亮' });
    expect(back.ok, back.error?.message).toBe(true);
    expect(back.result.change).toMatchObject({ mode: 'daily', from: 'night', by: 'manager', areaId: null, kind: 'switch', profileVersion: 1 });
  });

  it('a switch needs a reason, a known area, and for one area only an emergency', async () => {
    const dm = await as('duty_manager');
    expect((await ask(dm, 'mode:switch', { commandId: cid(), mode: 'night', reason: ' ' })).error?.code).toBe('invalid_payload');
    expect((await ask(dm, 'mode:switch', { commandId: cid(), mode: 'emergency', reason: '测试', areaId: 'dist-nowhere' })).error?.code).toBe('not_found');
    const night = await ask(dm, 'mode:switch', { commandId: cid(), mode: 'night', reason: '测试', areaId: XINJIEKOU.id });
    expect(night.error).toMatchObject({ code: 'invalid_payload', message: expect.stringMatching(/only an emergency/) });
    const past = await ask(dm, 'mode:switch', { commandId: cid(), mode: 'emergency', reason: '测试', endsAt: Date.now() - 1000 });
    expect(past.error?.code).toBe('invalid_payload');
    expect((await ask(dm, 'mode:switch', { commandId: cid(), mode: 'daily', reason: '已是日常' })).error?.code).toBe('conflict');
  });

  it('an emergency for one district tightens deadlines inside it only, is audited with from, to, scope and profile version, and ends by hand', async () => {
    const dm = await as('duty_manager');
    const declared = await ask(dm, 'mode:switch', { commandId: cid(), mode: 'emergency', reason: '暴雨内涝', areaId: XINJIEKOU.id });
    expect(declared.ok, declared.error?.message).toBe(true);
    const entry = auditPage(hub.db, 0, 100_000).filter((e) => e.action === 'mode:switch' && e.outcome === 'accepted').at(-1);
    expect(entry?.target).toBe(XINJIEKOU.id);
    expect(entry?.payload).toMatchObject({ reason: '暴雨内涝', detail: { from: 'daily', to: 'emergency', scope: XINJIEKOU.id, profileVersion: 1 } });

    const now = Date.now();
    expect(effectiveMode(hub.db, XINJIEKOU.id, now)).toMatchObject({ mode: 'emergency', scope: 'area' });
    expect(effectiveMode(hub.db, HANZHONGMEN.id, now)).toMatchObject({ mode: 'daily', scope: 'city' });
    expect(effectiveMode(hub.db, null, now).mode).toBe('daily');

    const inside = await assignedTask(XINJIEKOU.at, 'off-001');
    const outside = await assignedTask(HANZHONGMEN.at, 'off-002');
    expect(inside.ackDeadline - inside.assignedAt).toBe(MODE_PROFILES.emergency.taskAckSec * 1000);
    expect(outside.ackDeadline - outside.assignedAt).toBe(MODE_PROFILES.daily.taskAckSec * 1000);
    // Each decision says which mode and profile version it used.
    const assigns = auditPage(hub.db, 0, 100_000).filter((e) => e.action === 'task:assign' && e.outcome === 'accepted').slice(-2);
    expect(assigns.map((e) => (e.payload as { detail: unknown }).detail)).toEqual([
      { deadlinesBy: { mode: 'emergency', scope: 'area', areaId: XINJIEKOU.id, profileVersion: 1 } },
      { deadlinesBy: { mode: 'daily', scope: 'city', areaId: null, profileVersion: 1 } },
    ]);

    expect((await ask(dm, 'mode:switch', { commandId: cid(), mode: 'emergency', reason: '再次', areaId: XINJIEKOU.id })).error?.code).toBe('conflict');
    const ended = await ask(dm, 'mode:end', { commandId: cid(), areaId: XINJIEKOU.id, reason: '积水已退' });
    expect(ended.ok, ended.error?.message).toBe(true);
    expect(ended.result.change).toMatchObject({ kind: 'end', areaId: XINJIEKOU.id, from: 'daily' });
    expect(effectiveMode(hub.db, XINJIEKOU.id, Date.now()).mode).toBe('daily');
    expect((await ask(dm, 'mode:end', { commandId: cid(), areaId: XINJIEKOU.id, reason: '再次' })).error?.code).toBe('conflict');
  });

  it('an emergency with an end time holds until then, and the mode it replaced returns after', async () => {
    const dm = await as('duty_manager');
    const endsAt = Date.now() + 60_000;
    const res = await ask(dm, 'mode:switch', { commandId: cid(), mode: 'emergency', reason: '大型活动', endsAt });
    expect(res.ok, res.error?.message).toBe(true);
    expect(effectiveMode(hub.db, HANZHONGMEN.id, endsAt - 1).mode).toBe('emergency');
    expect(effectiveMode(hub.db, HANZHONGMEN.id, endsAt).mode).toBe('daily');
    const ended = await ask(dm, 'mode:end', { commandId: cid(), reason: '活动结束' });
    expect(ended.result.change).toMatchObject({ mode: 'daily', from: 'emergency', kind: 'end' });
    expect(effectiveMode(hub.db, HANZHONGMEN.id, Date.now()).mode).toBe('daily'); // ended by hand: the city is back, not still in emergency
  });

  it('a console snapshot carries the area emergencies in force and the profiles with their versions', async () => {
    const dm = await as('duty_manager');
    expect((await ask(dm, 'mode:switch', { commandId: cid(), mode: 'emergency', reason: '演练', areaId: HANZHONGMEN.id })).ok).toBe(true);
    const snap = (await ask(await as('operator'), 'state:snapshot', {})).result;
    expect(snap.areaModes.map((c: { areaId: string }) => c.areaId)).toEqual([HANZHONGMEN.id]);
    expect(snap.profiles.emergency).toEqual({ version: 1, profile: MODE_PROFILES.emergency, by: 'system', at: expect.any(Number) });
    expect((await ask(dm, 'mode:end', { commandId: cid(), areaId: HANZHONGMEN.id, reason: '演练结束' })).ok).toBe(true);
  });
});

describe('the field is told the mode where it works', () => {
  /** A foot officer whose post lies in the district, and the district's name. */
  function officerIn(districtId: string) {
    const areas = new Map(listAreas(hub.db).map((a) => [a.id, a]));
    const unit = listUnits(hub.db).find((u) => u.kind === 'officer' && u.postId && areas.get(areas.get(u.postId)!.parentId!)?.parentId === districtId)!;
    return { unit, district: areas.get(districtId)!.name };
  }

  it('mode:here answers the city\'s mode, then the emergency declared for the unit\'s district, live on the change event, and back', async () => {
    const gateway = await fieldClient(hub.url);
    const inside = officerIn(XINJIEKOU.id);
    const outside = officerIn(HANZHONGMEN.id);
    const before = await ask(gateway, 'mode:here', { unitId: inside.unit.id });
    expect(before.result).toMatchObject({ unitId: inside.unit.id, areaId: inside.unit.postId, mode: 'daily', scope: 'city', declaredFor: null, checkInIntervalMin: MODE_PROFILES.daily.checkInIntervalMin, profileVersion: 1 });

    const changed = new Promise<unknown>((resolve) => gateway.on('event', (e: { data: { type: string } }) => { if (e.data.type === 'mode:changed') resolve(e.data); }));
    const dm = await as('duty_manager');
    expect((await ask(dm, 'mode:switch', { commandId: cid(), mode: 'emergency', reason: '人员密集', areaId: XINJIEKOU.id })).ok).toBe(true);
    expect(await changed).toMatchObject({ change: { mode: 'emergency', areaId: XINJIEKOU.id } });
    expect((await ask(gateway, 'mode:here', { unitId: inside.unit.id })).result).toMatchObject({
      mode: 'emergency', scope: 'area', declaredFor: inside.district, checkInIntervalMin: MODE_PROFILES.emergency.checkInIntervalMin,
      taskAckSec: MODE_PROFILES.emergency.taskAckSec, change: { reason: '人员密集', by: 'manager' },
    });
    expect((await ask(gateway, 'mode:here', { unitId: outside.unit.id })).result).toMatchObject({ mode: 'daily', scope: 'city' });
    expect((await ask(dm, 'mode:end', { commandId: cid(), areaId: XINJIEKOU.id, reason: '疏散完毕' })).ok).toBe(true);
    expect((await ask(gateway, 'mode:here', { unitId: inside.unit.id })).result).toMatchObject({ mode: 'daily', scope: 'city' });
  });

  it('a terminal asks only for its own unit; an unknown unit is not found (both audited)', async () => {
    const { unit } = officerIn(XINJIEKOU.id);
    insertDevice(hub.db, { id: 'phone-modes', secretHash: hashSecretSync('s3cret-modes'), kind: 'terminal', unitId: unit.id, at: Date.now() });
    const phone = await fieldClient(hub.url, { deviceId: 'phone-modes', secret: 's3cret-modes' });
    expect((await ask(phone, 'mode:here', { unitId: unit.id })).ok).toBe(true);
    expect((await ask(phone, 'mode:here', { unitId: 'off-199' })).error?.code).toBe('forbidden');
    expect((await ask(await fieldClient(hub.url), 'mode:here', { unitId: 'off-nobody' })).error?.code).toBe('not_found');
    const refused = auditPage(hub.db, 0, 100_000).filter((e) => e.action === 'mode:here');
    expect(refused.map((e) => e.outcome)).toEqual(['rejected', 'rejected']);
  });
});

describe('mode profiles as data', () => {
  it('are seeded once from resources/, versioned, and cannot be edited in place', async () => {
    const profiles = latestProfiles(hub.db);
    expect(Object.keys(profiles).sort()).toEqual(['daily', 'emergency', 'holiday', 'night']);
    expect(profiles.night).toEqual({ version: 1, profile: MODE_PROFILES.night, by: 'system', at: expect.any(Number) });
    expect(() => hub.db.prepare('UPDATE mode_profiles SET profile = ? WHERE mode = ?').run('{}', 'night')).toThrow(/versioned/);
    expect(() => hub.db.prepare('DELETE FROM mode_profiles').run()).toThrow(/versioned/);
    // Every start runs the seeding again: it adds nothing to a store that has its profiles.
    ensureInitialMode(hub.db, Date.now());
    expect(latestProfiles(hub.db).night?.version).toBe(1);
  });

  it('the four built-in profiles differ as a center would expect', () => {
    const p = MODE_PROFILES;
    expect(p.night.mapTheme).toBe('night');
    expect(p.night.minStaffPerCell).toBeLessThan(p.daily.minStaffPerCell);
    expect(p.emergency.taskAckSec).toBeLessThan(p.daily.taskAckSec);
    expect(p.emergency.sosEscalateSec).toBeLessThan(p.daily.sosEscalateSec);
    expect(p.emergency.escalation.map((s) => s.role)).toContain('duty_manager');
  });

  it('the mode record is read through its index', () => {
    const plan = (sql: string) => (hub.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>).map((r) => r.detail).join(' | ');
    expect(plan(MODE_SQL.lastCity)).toMatch(/mode_changes_by_area/);
    expect(plan(MODE_SQL.lastPerArea)).toMatch(/mode_changes_by_area/);
  });
});
