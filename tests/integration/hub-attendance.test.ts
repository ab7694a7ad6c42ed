// Attendance and fences on a real store with a clock the test moves: check-ins held to the post's
// fence and to a plausible fix, overrides, late and missing shifts, roll-calls answered and missed,
// fences with noise at the edge, the roster import, and the fixes the pipeline refuses.
import { afterEach, describe, expect, it } from 'vitest';
import { FIX_RULES } from '../../shared/attendance';
import type { Area, LngLat, PositionFix, Route, Unit } from '../../shared/domain';
import { offsetM } from '../../shared/geo';
import { MODE_PROFILES } from '../../shared/modes';
import { runCommand, type Actor, type CommandDef, type ScopedEvent } from '../../main/hub/commands';
import { FenceWatch } from '../../main/hub/fences';
import { consoleHandlers } from '../../main/hub/handlers/console';
import { drawRollCall } from '../../main/hub/handlers/attendance';
import { ISSUES_SENT_MAX, type CommandError } from '../../shared/protocol/commands';
import { fieldHandlers } from '../../main/hub/handlers/field';
import { systemHandlers } from '../../main/hub/handlers/system';
import { PositionPipeline } from '../../main/hub/positions';
import { addShift, planDemoShifts } from '../../main/hub/roster';
import { Scheduler } from '../../main/hub/scheduler';
import { ensureInitialMode, loadDemoCity, seedDemo } from '../../main/hub/seed';
import { ATTENDANCE_SQL, findShift, shiftsBetween } from '../../main/store/attendance';
import { auditPage, verifyAudit } from '../../main/store/audit';
import { insertArea, insertRoute, insertUnit } from '../../main/store/city';
import { openStore, type Db } from '../../main/store/db';
import { positionWriter } from '../../main/store/positions';
import { listActions } from '../../main/store/schedule';
import { tempDir } from './hub-fixture';
import { ManualClock } from './manual-clock';

const T0 = Date.parse('2027-03-01T00:00:00Z'); // 08:00 in Shanghai
const MIN = 60_000;
const CONSOLE = consoleHandlers({ dataDir: tempDir('xiuhua-att-env-') });
const SYSTEM = systemHandlers as unknown as Record<string, CommandDef<never, unknown>>;
const GATEWAY: Actor = { id: 'sim-gateway', role: 'device', unitIds: 'any' };
const OPERATOR: Actor = { id: 'operator', role: 'operator' };
const daily = MODE_PROFILES.daily;

// A cell of about 190 m × 220 m around the post; the post's fence is 40 m.
const POST_AT: LngLat = [118.78, 32.04];
const CELL: Area = {
  id: 'cell-a', kind: 'cell', name: '新街口-01', parentId: null, center: POST_AT, radiusM: null,
  polygon: { type: 'Polygon', coordinates: [[[118.779, 32.039], [118.781, 32.039], [118.781, 32.041], [118.779, 32.041], [118.779, 32.039]]] },
};
const EAST_EDGE: LngLat = [118.781, 32.04];
const POST: Area = { id: 'post-a', kind: 'post', name: '中山路岗', parentId: 'cell-a', polygon: null, center: POST_AT, radiusM: 40 };
const POST_B: Area = { id: 'post-b', kind: 'post', name: '汉中路岗', parentId: 'cell-a', polygon: null, center: offsetM(POST_AT, 0, 80), radiusM: 30 };
const ROUTE: Route = { id: 'route-1', name: '中山路线', roads: ['中山路'], line: [[118.77, 32.03], [118.79, 32.03]], modes: ['daily', 'night', 'holiday', 'emergency'] };
const officer = (id: string, name: string): Unit => ({
  id, kind: 'officer', name, badge: id, plate: null, squad: '一中队', cellId: 'cell-a', postId: 'post-a', routeId: null, cameraId: null, status: 'on_post',
});
const VEHICLE: Unit = { id: 'veh-1', kind: 'vehicle', name: '苏A·C0001', badge: null, plate: '苏A·C0001', squad: null, cellId: null, postId: null, routeId: 'route-1', cameraId: null, status: 'patrolling' };

const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) if (db.open) db.close();
});

function city(at = T0) {
  const db = openStore(tempDir('xiuhua-att-'));
  dbs.push(db);
  ensureInitialMode(db, at);
  for (const a of [CELL, POST, POST_B]) insertArea(db, a);
  insertRoute(db, ROUTE);
  for (const u of [officer('off-1', '张伟'), officer('off-2', '李娜'), officer('off-3', '王强'), VEHICLE]) insertUnit(db, u);
  const clock = new ManualClock(at);
  const events: ScopedEvent[] = [];
  const scheduler = new Scheduler({ db, commands: SYSTEM, clock, broadcast: (e) => events.push(...e), log: () => {}, maxSleepMs: 86_400_000 });
  scheduler.start();
  let n = 0;
  const run = (def: CommandDef<never, unknown>, actor: Actor, payload: Record<string, unknown>) => {
    const out = runCommand(db, def, actor, { commandId: `cmd-${String(n++).padStart(6, '0')}`, ...payload }, clock.now());
    events.push(...out.events);
    scheduler.wake();
    return out.ack as { ok: true; result: Record<string, any> } | { ok: false; error: Omit<CommandError, 'code'> & { code: string } }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const alerts = (kind?: string) => events.flatMap((e) => (e.event.data.type === 'alert:raised' && (!kind || e.event.data.alert.kind === kind) ? [e.event.data.alert] : []));
  const shift = (unitId: string, startsAt = T0, hours = 8) => {
    const s = { id: `sh-${unitId}-${startsAt}`, unitId, postId: 'post-a', cellId: 'cell-a', startsAt, endsAt: startsAt + hours * 60 * MIN, state: 'scheduled' as const, checkedInAt: null, via: null, source: 'import' as const };
    db.transaction(() => addShift(db, s, clock.now(), 'test'))();
    scheduler.wake();
    return s.id;
  };
  const checkIn = (unitId: string, position: LngLat, fix: Partial<{ t: number; accuracy: number }> = {}, postId = 'post-a') =>
    run(fieldHandlers['checkin:create'] as never, GATEWAY, { unitId, postId, position, fix: { t: clock.now(), accuracy: 8, ...fix } });
  return { db, clock, events, scheduler, run, alerts, shift, checkIn };
}

describe('check-in at shift start', () => {
  it('is accepted just inside the post\'s fence and refused just outside it, with the reason', () => {
    const c = city();
    const id = c.shift('off-1');
    const outside = c.checkIn('off-1', offsetM(POST_AT, 41, 0));
    expect(outside).toMatchObject({ ok: false, error: { code: 'outside_fence' } });
    expect(!outside.ok && outside.error.message).toMatch(/41 m from post 中山路岗; a check-in must be within 40 m/);
    expect(findShift(c.db, id)!.state).toBe('scheduled');
    const inside = c.checkIn('off-1', offsetM(POST_AT, 39, 0));
    expect(inside.ok).toBe(true);
    expect(findShift(c.db, id)).toMatchObject({ state: 'on_duty', checkedInAt: T0, via: 'fence' });
    // The refusal is on the record with its reason.
    expect(auditPage(c.db, 0, 1000).filter((e) => e.action === 'checkin:create').map((e) => [e.outcome, e.reason?.split(':')[0] ?? null]))
      .toEqual([['rejected', 'outside_fence'], ['accepted', null]]);
  });

  it('refuses a fix that is too inaccurate, too old, dated ahead, or an impossible jump from the last one', () => {
    const c = city();
    c.shift('off-1');
    expect(c.checkIn('off-1', POST_AT, { accuracy: FIX_RULES.maxAccuracyM + 1 })).toMatchObject({ ok: false, error: { code: 'implausible_fix', message: expect.stringMatching(/accurate to 51 m/) } });
    expect(c.checkIn('off-1', POST_AT, { t: T0 - FIX_RULES.maxAgeSec * 1000 - 1 })).toMatchObject({ ok: false, error: { code: 'implausible_fix', message: expect.stringMatching(/s old/) } });
    expect(c.checkIn('off-1', POST_AT, { t: T0 + 60_000 })).toMatchObject({ ok: false, error: { code: 'implausible_fix', message: expect.stringMatching(/future/) } });
    // 2 km away ten seconds ago: 199 m/s on foot beyond both fixes' accuracy.
    const far = offsetM(POST_AT, 2000, 0);
    positionWriter(c.db)([{ unitId: 'off-1', t: T0 - 10_000, lng: far[0], lat: far[1], accuracy: 5 }], T0);
    expect(c.checkIn('off-1', POST_AT)).toMatchObject({ ok: false, error: { code: 'implausible_fix', message: expect.stringMatching(/199 m\/s away from the last one/) } });
  });

  it('refuses a check-in at another post than the shift\'s', () => {
    const c = city();
    c.shift('off-1');
    expect(c.checkIn('off-1', POST_B.center, {}, 'post-b')).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/holds post 中山路岗/) } });
  });

  it('a refused officer asks for an override; an operator grants it, and the shift is on duty by override (audited)', () => {
    const c = city();
    const id = c.shift('off-1');
    const asked = c.run(fieldHandlers['checkin:override-request'] as never, GATEWAY, { unitId: 'off-1', postId: 'post-a', position: offsetM(POST_AT, 300, 0), reason: '岗亭施工，临时移位' });
    expect(asked.ok).toBe(true);
    const requestId = asked.ok && asked.result.override.id;
    expect(c.alerts('override_requested')).toHaveLength(1);
    const evaluator: Actor = { id: 'evaluator', role: 'evaluator' };
    expect(c.run(CONSOLE['checkin:override'] as never, evaluator, { requestId, grant: true, note: '核实' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const granted = c.run(CONSOLE['checkin:override'] as never, OPERATOR, { requestId, grant: true, note: '电话核实，同意' });
    expect(granted).toMatchObject({ ok: true, result: { override: { state: 'granted', decidedBy: 'operator' }, checkIn: { onSite: false, overrideBy: 'operator' } } });
    expect(findShift(c.db, id)).toMatchObject({ state: 'on_duty', via: 'override' });
    expect(c.run(CONSOLE['checkin:override'] as never, OPERATOR, { requestId, grant: false, note: '重复' })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const entry = auditPage(c.db, 0, 1000).find((e) => e.action === 'checkin:override' && e.outcome === 'accepted')!;
    expect(entry).toMatchObject({ actor: 'operator', payload: { detail: { unitId: 'off-1', decision: 'granted' } } });
    // No late alert follows: the override settled the shift.
    c.clock.advanceBy(60 * MIN);
    expect(c.alerts('attendance_late')).toHaveLength(0);
    expect(verifyAudit(c.db).ok).toBe(true);
  });
});

describe('late and missing', () => {
  it('no check-in: late after the grace, missing after the limit, each once; a late check-in puts the shift on duty', () => {
    const c = city();
    const id = c.shift('off-1');
    const { lateAfterMin, missingAfterMin } = daily.attendance;
    c.clock.advanceTo(T0 + lateAfterMin * MIN - 1);
    expect(c.alerts()).toHaveLength(0);
    c.clock.advanceTo(T0 + lateAfterMin * MIN);
    expect(c.alerts('attendance_late').map((a) => a.subjectId)).toEqual(['off-1']);
    expect(findShift(c.db, id)!.state).toBe('late');
    c.clock.advanceTo(T0 + missingAfterMin * MIN);
    expect(c.alerts('attendance_missing')).toHaveLength(1);
    expect(findShift(c.db, id)!.state).toBe('missing');
    c.clock.advanceTo(T0 + 3 * 60 * MIN);
    expect(c.alerts()).toHaveLength(2);
    expect(c.checkIn('off-1', POST_AT).ok).toBe(true);
    expect(findShift(c.db, id)).toMatchObject({ state: 'on_duty', checkedInAt: T0 + 3 * 60 * MIN });
  });

  it('a check-in within the grace cancels the late check; a late one cancels the missing check', () => {
    const c = city();
    const early = c.shift('off-1');
    const late = c.shift('off-2');
    c.clock.advanceTo(T0 + 5 * MIN);
    expect(c.checkIn('off-1', POST_AT).ok).toBe(true);
    c.clock.advanceTo(T0 + (daily.attendance.lateAfterMin + 1) * MIN);
    expect(c.checkIn('off-2', POST_AT).ok).toBe(true);
    c.clock.advanceTo(T0 + 2 * 60 * MIN);
    expect(c.alerts('attendance_late').map((a) => a.subjectId)).toEqual(['off-2']);
    expect(c.alerts('attendance_missing')).toHaveLength(0);
    const states = (subject: string) => listActions(c.db).filter((a) => a.subject === subject).map((a) => `${a.kind} ${a.state}`);
    expect(states(early)).toEqual(['shift:late cancelled']);
    expect(states(late)).toEqual(['shift:late done', 'shift:missing cancelled']);
  });

  it('periodic clock-ins at the mode\'s interval stop at the shift\'s end', () => {
    const c = city();
    c.shift('off-1', T0, 2); // two hours; daily interval is 60 min
    expect(c.checkIn('off-1', POST_AT).ok).toBe(true);
    const interval = daily.checkInIntervalMin * MIN;
    c.clock.advanceTo(T0 + interval);
    expect(c.alerts('checkin_missed')).toHaveLength(1); // missed the one due at +60 min
    c.clock.advanceTo(T0 + interval + 1);
    expect(c.checkIn('off-1', POST_AT).ok).toBe(true); // +60 min: the next would fall at +120 = the end, not scheduled
    c.clock.advanceTo(T0 + 6 * interval);
    expect(c.alerts('checkin_missed')).toHaveLength(1);
  });
});

describe('roll-call', () => {
  it('draws officers on duty at random with a recorded seed; answers from inside the cell count, from outside are refused; the rest are missed', () => {
    const c = city();
    for (const u of ['off-1', 'off-2', 'off-3']) {
      c.shift(u);
      expect(c.checkIn(u, POST_AT).ok).toBe(true);
    }
    const started = c.run(CONSOLE['rollcall:start'] as never, OPERATOR, { count: 2, areaId: 'cell-a', answerWithinMin: 5 });
    expect(started.ok).toBe(true);
    const rc = started.ok && started.result.rollCall;
    expect(rc).toMatchObject({ pick: 'random', areaId: 'cell-a', closed: false });
    expect(rc.seed).toMatch(/^[0-9a-f]{32}$/);
    const picked = rc.targets.map((t: { unitId: string }) => t.unitId);
    expect(picked).toHaveLength(2);
    // The draw can be checked from the record: the same seed over the same candidates gives the same officers.
    expect(drawRollCall(['off-3', 'off-1', 'off-2'], 2, rc.seed)).toEqual(picked);
    const entry = auditPage(c.db, 0, 1000).find((e) => e.action === 'rollcall:start')!;
    expect(entry.payload).toMatchObject({ detail: { picked, seed: rc.seed, candidates: 3 } });

    const [first, second] = picked as [string, string];
    c.clock.advanceBy(MIN);
    const answer = (unitId: string, position: LngLat) =>
      c.run(fieldHandlers['rollcall:answer'] as never, GATEWAY, { unitId, rollCallId: rc.id, position, fix: { t: c.clock.now(), accuracy: 6 } });
    expect(answer(second, offsetM(EAST_EDGE, 10, 0))).toMatchObject({ ok: false, error: { code: 'outside_fence' } });
    expect(answer(first, offsetM(EAST_EDGE, -10, 0))).toMatchObject({ ok: true, result: { rollCall: { targets: expect.arrayContaining([{ unitId: first, state: 'answered', answeredAt: c.clock.now() }]) } } });
    const unpicked = ['off-1', 'off-2', 'off-3'].find((u) => !picked.includes(u))!;
    expect(answer(unpicked, POST_AT)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    c.clock.advanceTo(T0 + 5 * MIN);
    const missed = c.alerts('rollcall_missed');
    expect(missed).toHaveLength(1);
    const closed = c.events.filter((e) => e.event.data.type === 'rollcall:updated').at(-1)!.event.data as { rollCall: { closed: boolean; targets: { unitId: string; state: string }[] } };
    expect(closed.rollCall.closed).toBe(true);
    expect(closed.rollCall.targets.find((t) => t.unitId === second)!.state).toBe('missed');
    c.clock.advanceBy(MIN);
    expect(answer(second, POST_AT)).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });

  it('by hand: names the officers; a vehicle or an unknown unit is refused', () => {
    const c = city();
    expect(c.run(CONSOLE['rollcall:start'] as never, OPERATOR, { unitIds: ['off-2'], answerWithinMin: 3 })).toMatchObject({ ok: true, result: { rollCall: { pick: 'hand', seed: null, targets: [{ unitId: 'off-2', state: 'pending' }] } } });
    expect(c.run(CONSOLE['rollcall:start'] as never, OPERATOR, { unitIds: ['veh-1'], answerWithinMin: 3 })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(c.run(CONSOLE['rollcall:start'] as never, OPERATOR, { unitIds: ['nobody'], answerWithinMin: 3 })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(c.run(CONSOLE['rollcall:start'] as never, OPERATOR, { answerWithinMin: 3 })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
  });
});

describe('fences', () => {
  /** A fence watch on the test store, fed fixes one by one at the given clock times. */
  function fenced() {
    const c = city();
    const watch = new FenceWatch({
      db: c.db, units: [officer('off-1', '张伟'), VEHICLE], areas: [CELL, POST], routes: [ROUTE],
      schedule: (a) => c.scheduler.schedule(a), now: c.clock.now, refreshMs: 0,
    });
    c.shift('off-1');
    expect(c.checkIn('off-1', POST_AT).ok).toBe(true);
    const feed = (unitId: string, p: LngLat, t = c.clock.now()) => {
      c.clock.advanceTo(t);
      const fix: PositionFix = { unitId, t, lng: p[0], lat: p[1], accuracy: 5 };
      watch.observe([fix]);
    };
    const fenceEvents = () => c.events.flatMap((e) => (e.event.data.type === 'fence:updated' ? [e.event.data.fence] : []));
    return { ...c, watch, feed, fenceEvents };
  }
  const { cellMarginM, cellOutsideSec, routeCorridorM, routeMarginM, routeOffSec } = daily.fence;

  it('noise at the cell\'s edge (just outside, within the margin) raises nothing, however long it lasts', () => {
    const f = fenced();
    for (let i = 0; i < 120; i++) f.feed('off-1', offsetM(EAST_EDGE, (cellMarginM - 2) * (0.3 + (i % 5) / 7), 0), T0 + i * 10_000);
    expect(f.alerts('geofence')).toHaveLength(0);
    expect(f.watch.changes).toBe(0);
  });

  it('just outside by the margin for the mode\'s time raises one alert; the edge band does not clear it; inside by the margin does', () => {
    const f = fenced();
    const out = offsetM(EAST_EDGE, cellMarginM + 3, 0);
    f.feed('off-1', out, T0 + 1000);
    f.feed('off-1', out, T0 + 1000 + cellOutsideSec * 1000 - 1);
    expect(f.alerts('geofence')).toHaveLength(0);
    f.feed('off-1', out, T0 + 1000 + cellOutsideSec * 1000);
    expect(f.alerts('geofence').map((a) => a.subjectId)).toEqual(['off-1']);
    for (let i = 1; i <= 20; i++) f.feed('off-1', offsetM(EAST_EDGE, (i % 2 ? 1 : -1) * (cellMarginM - 2), 0), f.clock.now() + 5000);
    expect(f.fenceEvents().map((x) => x.clearedAt)).toEqual([null]);
    f.feed('off-1', offsetM(EAST_EDGE, -(cellMarginM + 3), 0), f.clock.now() + 5000);
    const [raised, cleared] = f.fenceEvents();
    expect(cleared).toMatchObject({ id: raised!.id, clearedAt: f.clock.now(), acknowledgedAt: null });
    // Still the operator's to acknowledge, once.
    expect(f.run(CONSOLE['fence:acknowledge'] as never, OPERATOR, { alertId: raised!.id })).toMatchObject({ ok: true, result: { fence: { acknowledgedBy: 'operator' } } });
    expect(f.run(CONSOLE['fence:acknowledge'] as never, OPERATOR, { alertId: raised!.id })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(f.watch.changes).toBe(2);
  });

  it('back inside before the mode\'s time raises nothing; an officer not checked in is not held to the cell', () => {
    const f = fenced();
    const out = offsetM(EAST_EDGE, 200, 0);
    f.feed('off-1', out, T0 + 1000);
    f.feed('off-1', POST_AT, T0 + 1000 + cellOutsideSec * 1000 - 5000);
    f.feed('off-1', out, T0 + 2000 + cellOutsideSec * 1000);
    expect(f.alerts('geofence')).toHaveLength(0);
    const g = fenced();
    const w2 = new FenceWatch({ db: g.db, units: [officer('off-2', '李娜')], areas: [CELL], routes: [], schedule: (a) => g.scheduler.schedule(a), now: g.clock.now, refreshMs: 0 });
    for (let i = 0; i < 20; i++) w2.observe([{ unitId: 'off-2', t: T0 + i * 60_000, lng: out[0], lat: out[1] }]);
    expect(w2.changes).toBe(0);
  });

  it('a vehicle just inside its corridor stays quiet; just outside it for the mode\'s time raises, and back on the route clears', () => {
    const f = fenced();
    const onLine: LngLat = [118.78, 32.03];
    for (let i = 0; i < 40; i++) f.feed('veh-1', offsetM(onLine, 0, routeCorridorM + routeMarginM - 2), T0 + i * 10_000);
    expect(f.watch.changes).toBe(0);
    const off = offsetM(onLine, 0, routeCorridorM + routeMarginM + 5);
    const t1 = f.clock.now() + 1000;
    f.feed('veh-1', off, t1);
    f.feed('veh-1', off, t1 + routeOffSec * 1000);
    expect(f.alerts('geofence').map((a) => a.subjectId)).toEqual(['veh-1']);
    expect(f.fenceEvents()[0]).toMatchObject({ kind: 'route', areaId: 'route-1' });
    f.feed('veh-1', onLine, f.clock.now() + 1000);
    expect(f.fenceEvents().map((x) => x.clearedAt === null)).toEqual([true, false]);
  });

  it('a restarted watch knows the open alert: it does not raise it again, and clears it when the unit returns', () => {
    const f = fenced();
    const out = offsetM(EAST_EDGE, 300, 0);
    f.feed('off-1', out, T0 + 1000);
    f.feed('off-1', out, T0 + 1000 + cellOutsideSec * 1000);
    expect(f.alerts('geofence')).toHaveLength(1);
    const again = new FenceWatch({ db: f.db, units: [officer('off-1', '张伟')], areas: [CELL], routes: [], schedule: (a) => f.scheduler.schedule(a), now: f.clock.now, refreshMs: 0 });
    again.observe([{ unitId: 'off-1', t: f.clock.now() + 600_000, lng: out[0], lat: out[1] }]);
    expect(again.changes).toBe(0);
    again.observe([{ unitId: 'off-1', t: f.clock.now() + 700_000, lng: POST_AT[0], lat: POST_AT[1] }]);
    f.clock.advanceBy(1);
    expect(f.fenceEvents().map((x) => x.clearedAt !== null)).toEqual([false, true]);
  });
});

describe('positions that cannot be true', () => {
  function pipeline() {
    const c = city();
    let now = T0;
    const p = new PositionPipeline(c.db, { fanout: () => {}, log: () => {}, now: () => now, writeEveryMs: 3_600_000 });
    p.setKnownUnits(['off-1', 'veh-1'], (id) => (id === 'off-1' ? FIX_RULES.maxSpeedMps.officer : FIX_RULES.maxSpeedMps.vehicle));
    const seen: PositionFix[] = [];
    p.observe((fixes) => void seen.push(...fixes));
    const send = (...fixes: PositionFix[]) => p.accept(fixes, 'sim-gateway');
    return { p, seen, send, at: (t: number) => (now = t) };
  }
  const fix = (t: number, at: LngLat, unitId = 'off-1'): PositionFix => ({ unitId, t, lng: at[0], lat: at[1], accuracy: 5 });

  it('a duplicate fix time and an impossible jump are refused with their reasons and never reach the map or the rules', async () => {
    const { p, seen, send } = pipeline();
    expect(send(fix(T0 - 10_000, POST_AT)).accepted).toBe(1);
    expect(send(fix(T0 - 10_000, POST_AT))).toMatchObject({ accepted: 0, refused: [{ reason: 'duplicate' }] });
    const teleport = offsetM(POST_AT, 5000, 0); // 5 km in 5 s on foot
    expect(send(fix(T0 - 5000, teleport))).toMatchObject({ accepted: 0, refused: [{ reason: 'implausible_speed' }] });
    expect(p.latest.get('off-1')!.t).toBe(T0 - 10_000);
    // A vehicle may do what an officer may not: 150 m in 5 s.
    send(fix(T0 - 10_000, POST_AT, 'veh-1'));
    expect(send(fix(T0 - 5000, offsetM(POST_AT, 150, 0), 'veh-1')).accepted).toBe(1);
    await p.flush();
    expect(seen.map((f) => [f.unitId, f.t])).toEqual([['off-1', T0 - 10_000], ['veh-1', T0 - 10_000], ['veh-1', T0 - 5000]]);
    expect(p.stats.refused).toMatchObject({ duplicate: 1, implausible_speed: 1 });
    await p.close();
  });

  it('an out-of-order fix is kept as history but does not move the unit; far-future and far-past times are refused', async () => {
    const { p, send } = pipeline();
    send(fix(T0, POST_AT));
    expect(send(fix(T0 - 3000, offsetM(POST_AT, 3, 0))).accepted).toBe(1);
    expect(p.latest.get('off-1')!.t).toBe(T0);
    expect(send(fix(T0 + 3_600_000, POST_AT), fix(T0 - 2 * 86_400_000, POST_AT)).refused!.map((r) => r.reason)).toEqual(['in_future', 'too_old']);
    await p.close();
  });

  it('after three outliers in a row the unit is taken to be where they say (the earlier fix was the bad one)', async () => {
    const { p, send } = pipeline();
    send(fix(T0 - 60_000, offsetM(POST_AT, 9000, 0))); // a bad first fix
    const reasons = [1, 2, 3, 4].map((i) => send(fix(T0 - 60_000 + i * 1000, offsetM(POST_AT, i, 0))).refused?.[0]?.reason ?? 'accepted');
    expect(reasons).toEqual(['implausible_speed', 'implausible_speed', 'implausible_speed', 'accepted']);
    expect(p.latest.get('off-1')!.lng).toBeCloseTo(offsetM(POST_AT, 4, 0)[0], 9);
    await p.close();
  });
});

describe('the roster', () => {
  const CSV = ['unit_id,post_id,date,start,end', 'off-1,post-a,2027-03-01,08:00,16:00', 'off-2,post-a,2027-03-01,16:00,24:00', 'off-3,post-b,2027-03-01,22:00,06:00'];
  const ADMIN: Actor = { id: 'admin', role: 'admin' };

  it('imports a valid CSV, each shift with its late check', () => {
    const c = city(T0 - 60 * MIN);
    expect(c.run(CONSOLE['roster:import'] as never, ADMIN, { csv: CSV.join('\r\n') })).toMatchObject({ ok: true, result: { imported: 3 } });
    const shifts = shiftsBetween(c.db, T0 - 60 * MIN, T0 + 86_400_000);
    expect(shifts.map((s) => [s.unitId, s.postId, (s.endsAt - s.startsAt) / 3600_000])).toEqual([['off-1', 'post-a', 8], ['off-2', 'post-a', 8], ['off-3', 'post-b', 8]]);
    expect(shifts[0]!.startsAt).toBe(T0); // 08:00 in Shanghai
    expect(listActions(c.db).filter((a) => a.kind === 'shift:late')).toHaveLength(3);
  });

  it('refuses the whole file if any row is bad, naming each bad line and why', () => {
    const c = city(T0 - 60 * MIN);
    const bad = [...CSV, 'off-9,post-a,2027-03-01,08:00,16:00', 'veh-1,post-a,2027-03-01,08:00,16:00', 'off-1,post-a,2027-03-01,12:00,14:00',
      'off-2,post-z,2027-02-30,8:00,16:00', 'off-3,post-a,2027-02-01,08:00,16:00', '"off-3,post-a'];
    const res = c.run(CONSOLE['roster:import'] as never, ADMIN, { csv: bad.join('\n') });
    expect(res.ok).toBe(false);
    const message = !res.ok ? res.error.message : '';
    expect(message).toMatch(/^6 row\(s\) refused, nothing imported/);
    expect(message).toContain('line 5: no unit off-9');
    expect(message).toContain('line 6: veh-1 is a vehicle');
    expect(message).toContain('line 7: overlaps line 2 for off-1');
    expect(message).toContain('line 8: no post post-z; date "2027-02-30" is not a day (YYYY-MM-DD); start "8:00" is not a time (HH:MM)');
    expect(message).toContain('line 9: the shift is already over');
    expect(message).toContain('line 10: an unclosed quote');
    expect(shiftsBetween(c.db, 0, T0 + 86_400_000)).toEqual([]);
    expect(c.run(CONSOLE['roster:import'] as never, ADMIN, { csv: 'unit,post\nx,y' })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/header must be unit_id,post_id,date,start,end/) } });
    expect(c.run(CONSOLE['roster:import'] as never, OPERATOR, { csv: CSV.join('\n') })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('a refusal carries one coded issue per bad row, with its row, column and parameters, beside the English', () => {
    const c = city(T0 - 60 * MIN);
    const bad = [...CSV, 'off-9,post-a,2027-03-01,08:00,16:00', 'off-2,post-a,2027-02-30,08:00,16:00', 'off-3,post-b,2027-03-01,08:00,25:00', 'off-1,post-a,2027-03-01,12:00,14:00'];
    const res = c.run(CONSOLE['roster:import'] as never, ADMIN, { csv: bad.join('\n') });
    expect(res.ok).toBe(false);
    const error = !res.ok ? res.error : null;
    expect(error?.message).toMatch(/^4 row\(s\) refused, nothing imported:\nline 5: no unit off-9\nline 6: date "2027-02-30"/);
    expect(error?.issues).toEqual([
      { row: 5, column: 'unit_id', code: 'no_unit', params: { unit: 'off-9' } },
      { row: 6, column: 'date', code: 'bad_date', params: { value: '2027-02-30' } },
      { row: 7, column: 'end', code: 'bad_time', params: { value: '25:00' } },
      { row: 8, column: 'start', code: 'overlaps_row', params: { other: 2, unit: 'off-1' } },
    ]);
    expect(error?.issueCount).toBeUndefined(); // all of them are sent
    // The record keeps the English (the audit's reason), not the codes.
    const entry = auditPage(c.db, 0, 100_000).filter((e) => e.action === 'roster:import').at(-1)!;
    expect(entry.reason).toMatch(/^invalid_payload: 4 row\(s\) refused/);
    expect(shiftsBetween(c.db, 0, T0 + 86_400_000)).toEqual([]);
    // A file of many bad rows: every one counted, the first ISSUES_SENT_MAX sent, the message lists 20.
    const many = ['unit_id,post_id,date,start,end', ...Array.from({ length: 600 }, (_, i) => `ghost-${i},post-a,2027-03-01,08:00,16:00`)];
    const lots = c.run(CONSOLE['roster:import'] as never, ADMIN, { csv: many.join('\n') });
    const e2 = !lots.ok ? lots.error : null;
    expect(e2?.issues).toHaveLength(ISSUES_SENT_MAX);
    expect(e2?.issueCount).toBe(600);
    expect(e2?.issues?.[499]).toEqual({ row: 501, column: 'unit_id', code: 'no_unit', params: { unit: 'ghost-499' } });
    expect(e2?.message).toMatch(/\n… and 580 more$/);
  });

  it('the demo city\'s weekly pattern becomes dated shifts for its officers, once however often the hub starts', () => {
    const db = openStore(tempDir('xiuhua-att-demo-'));
    dbs.push(db);
    const demo = loadDemoCity();
    seedDemo(db, demo, [], T0);
    ensureInitialMode(db, T0);
    const added = planDemoShifts(db, demo, T0, 'Asia/Shanghai');
    const officers = demo.units.filter((u) => u.kind === 'officer').length;
    expect(added).toBeGreaterThan(officers * 2); // 5 of 7 days each, over ~4 days
    expect(planDemoShifts(db, demo, T0, 'Asia/Shanghai')).toBe(0);
    const now = shiftsBetween(db, T0, T0 + 1);
    expect(now.length).toBeGreaterThan(0);
    for (const s of now) expect(demo.units.find((u) => u.id === s.unitId)).toMatchObject({ kind: 'officer', postId: s.postId });
  });
});

describe('the store', () => {
  it('the hot attendance queries use their indexes', () => {
    const { db } = city();
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...Array(sql.split('?').length - 1).fill(0)) as { detail: string }[]).map((r) => r.detail).join(' | ');
    expect(plan(ATTENDANCE_SQL.shiftAt)).toMatch(/USING INDEX shifts_unit_start/);
    expect(plan(ATTENDANCE_SQL.checkedInAt)).toMatch(/USING INDEX shifts_start/);
    expect(plan(ATTENDANCE_SQL.lastFixBefore)).toMatch(/USING PRIMARY KEY|SEARCH positions/);
  });
});
