// An emergency declared for one district reaches every rule inside it and none outside: fences (an
// officer's cell, a vehicle's corridor where it drives), check-in intervals and task deadlines. Two
// districts side by side on a real store, a clock the test moves, the hub's own commands and watch.
import { afterEach, describe, expect, it } from 'vitest';
import type { Area, LngLat, PositionFix, Route, Unit } from '../../shared/domain';
import { offsetM } from '../../shared/geo';
import { MODE_PROFILES } from '../../shared/modes';
import { runCommand, type Actor, type CommandDef, type ScopedEvent } from '../../main/hub/commands';
import { FenceWatch } from '../../main/hub/fences';
import { consoleHandlers } from '../../main/hub/handlers/console';
import { fieldHandlers } from '../../main/hub/handlers/field';
import { systemHandlers } from '../../main/hub/handlers/system';
import { modeResolver } from '../../main/hub/modes';
import { addShift } from '../../main/hub/roster';
import { Scheduler } from '../../main/hub/scheduler';
import { ensureInitialMode } from '../../main/hub/seed';
import { insertArea, insertRoute, insertUnit } from '../../main/store/city';
import { openStore, type Db } from '../../main/store/db';
import { listActions } from '../../main/store/schedule';
import { tempDir } from './hub-fixture';
import { ManualClock } from './manual-clock';

const T0 = Date.parse('2027-03-01T00:00:00Z'); // 08:00 Monday in Shanghai
const CONSOLE = consoleHandlers({ dataDir: tempDir('xiuhua-area-env-') }) as unknown as Record<string, CommandDef<never, unknown>>;
const FIELD = fieldHandlers as unknown as Record<string, CommandDef<never, unknown>>;
const SYSTEM = systemHandlers as unknown as Record<string, CommandDef<never, unknown>>;
const GATEWAY: Actor = { id: 'sim-gateway', role: 'device', unitIds: 'any' };
const DM: Actor = { id: 'manager', role: 'duty_manager' };
const OPERATOR: Actor = { id: 'operator', role: 'operator' };
const { daily, emergency } = MODE_PROFILES;

const box = (w: number, s: number, e: number, n: number): NonNullable<Area['polygon']> => ({ type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] });
// West district (the emergency) and east district, each with one cell, one post and one officer.
const area = (id: string, kind: Area['kind'], parentId: string | null, polygon: Area['polygon'], center: LngLat, radiusM: number | null = null): Area =>
  ({ id, kind, name: id, parentId, polygon, center, radiusM });
const WEST = area('dist-west', 'district', null, box(118.770, 32.030, 118.780, 32.050), [118.775, 32.04]);
const EAST = area('dist-east', 'district', null, box(118.780, 32.030, 118.790, 32.050), [118.785, 32.04]);
const CELL_W = area('cell-w', 'cell', 'dist-west', box(118.772, 32.035, 118.778, 32.045), [118.775, 32.04]);
const CELL_E = area('cell-e', 'cell', 'dist-east', box(118.782, 32.035, 118.788, 32.045), [118.785, 32.04]);
const POST_W = area('post-w', 'post', 'cell-w', null, [118.775, 32.04], 40);
const POST_E = area('post-e', 'post', 'cell-e', null, [118.785, 32.04], 40);
// One route through both districts, run in every mode.
const ROUTE: Route = { id: 'route-1', name: '东西线', roads: ['中山东路'], line: [[118.771, 32.032], [118.789, 32.032]], modes: ['daily', 'night', 'holiday', 'emergency'] };
const officer = (id: string, cell: Area, post: Area): Unit => ({
  id, kind: 'officer', name: id, badge: id, plate: null, squad: '一中队', cellId: cell.id, postId: post.id, routeId: null, cameraId: null, status: 'on_post',
});
const vehicle = (id: string): Unit => ({ id, kind: 'vehicle', name: id, badge: null, plate: id, squad: null, cellId: null, postId: null, routeId: 'route-1', cameraId: null, status: 'patrolling' });
const UNITS = [officer('off-w', CELL_W, POST_W), officer('off-e', CELL_E, POST_E), vehicle('veh-w'), vehicle('veh-e')];

const dbs: Db[] = [];
afterEach(() => { for (const db of dbs.splice(0)) if (db.open) db.close(); });

function twoDistricts() {
  const db = openStore(tempDir('xiuhua-area-'));
  dbs.push(db);
  ensureInitialMode(db, T0);
  for (const a of [WEST, EAST, CELL_W, CELL_E, POST_W, POST_E]) insertArea(db, a);
  insertRoute(db, ROUTE);
  for (const u of UNITS) insertUnit(db, u);
  const clock = new ManualClock(T0);
  const events: ScopedEvent[] = [];
  const scheduler = new Scheduler({ db, commands: SYSTEM, clock, broadcast: (e) => events.push(...e), log: () => {}, maxSleepMs: 86_400_000 });
  scheduler.start();
  let n = 0;
  const run = (name: string, table: Record<string, CommandDef<never, unknown>>, actor: Actor, payload: Record<string, unknown>) => {
    const out = runCommand(db, table[name]!, actor, { commandId: `cmd-${String(n++).padStart(6, '0')}`, ...payload }, clock.now());
    events.push(...out.events);
    scheduler.wake();
    expect(out.ack.ok, out.ack.ok ? '' : out.ack.error.message).toBe(true);
    return (out.ack as { result: Record<string, any> }).result; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  for (const [u, post, cell] of [['off-w', POST_W, CELL_W], ['off-e', POST_E, CELL_E]] as const) {
    db.transaction(() => addShift(db, { id: `sh-${u}`, unitId: u, postId: post.id, cellId: cell.id, startsAt: T0, endsAt: T0 + 8 * 3_600_000, state: 'scheduled', checkedInAt: null, via: null, source: 'import' }, T0, 'test'))();
  }
  const watch = new FenceWatch({ db, units: UNITS, areas: [WEST, EAST, CELL_W, CELL_E, POST_W, POST_E], routes: [ROUTE], schedule: (a) => scheduler.schedule(a), now: clock.now, refreshMs: 0 });
  const feed = (unitId: string, p: LngLat, t: number) => {
    clock.advanceTo(t);
    watch.observe([{ unitId, t, lng: p[0], lat: p[1], accuracy: 5 } satisfies PositionFix]);
  };
  const fenceAlerts = () => events.flatMap((e) => (e.event.data.type === 'alert:raised' && e.event.data.alert.kind === 'geofence' ? [e.event.data.alert.subjectId] : []));
  return { db, clock, run, feed, fenceAlerts };
}

describe('an emergency for one district', () => {
  it('holds officers and vehicles inside it to the emergency\'s fence times, and those outside to the daily ones', () => {
    const c = twoDistricts();
    c.run('mode:switch', CONSOLE, DM, { mode: 'emergency', reason: '暴雨内涝', areaId: WEST.id });
    for (const [u, post] of [['off-w', POST_W], ['off-e', POST_E]] as const) {
      c.run('checkin:create', FIELD, GATEWAY, { unitId: u, postId: post.id, position: post.center, fix: { t: c.clock.now(), accuracy: 8 } });
    }
    expect(emergency.fence.cellOutsideSec).toBeLessThan(daily.fence.cellOutsideSec);
    expect(emergency.fence.routeOffSec).toBeLessThan(daily.fence.routeOffSec);
    // Each officer steps out of the cell's north edge, each vehicle off the route northwards, by more than margin and corridor.
    const outOfCell = (cell: Area): LngLat => offsetM([cell.center[0], 32.045], 0, daily.fence.cellMarginM + 10);
    const offRoute = (lng: number): LngLat => offsetM([lng, 32.032], 0, daily.fence.routeCorridorM + daily.fence.routeMarginM + 10);
    const t1 = T0 + 60_000;
    const positions: [string, LngLat][] = [['off-w', outOfCell(CELL_W)], ['off-e', outOfCell(CELL_E)], ['veh-w', offRoute(118.775)], ['veh-e', offRoute(118.785)]];
    const all = (t: number) => { for (const [u, p] of positions) c.feed(u, p, t); };
    all(t1);
    all(t1 + emergency.fence.routeOffSec * 1000);
    expect(c.fenceAlerts()).toEqual(['veh-w']); // the vehicle off its route inside the emergency district only
    all(t1 + emergency.fence.cellOutsideSec * 1000);
    expect(c.fenceAlerts().sort()).toEqual(['off-w', 'veh-w']);
    all(t1 + daily.fence.routeOffSec * 1000);
    expect(c.fenceAlerts().sort()).toEqual(['off-w', 'veh-e', 'veh-w']);
    all(t1 + daily.fence.cellOutsideSec * 1000);
    expect(c.fenceAlerts().sort()).toEqual(['off-e', 'off-w', 'veh-e', 'veh-w']);
  });

  it('sets the next check-in and task deadlines by the emergency inside it and by daily outside, and the resolver agrees with effectiveMode', () => {
    const c = twoDistricts();
    c.run('mode:switch', CONSOLE, DM, { mode: 'emergency', reason: '大型活动', areaId: WEST.id });
    for (const [u, post] of [['off-w', POST_W], ['off-e', POST_E]] as const) {
      c.run('checkin:create', FIELD, GATEWAY, { unitId: u, postId: post.id, position: post.center, fix: { t: c.clock.now(), accuracy: 8 } });
    }
    const due = (u: string) => listActions(c.db).find((a) => a.kind === 'checkin:missed' && a.subject === u && a.state === 'pending')!.dueAt - c.clock.now();
    expect(due('off-w')).toBe(emergency.checkInIntervalMin * 60_000);
    expect(due('off-e')).toBe(daily.checkInIntervalMin * 60_000);

    const task = (at: LngLat, unitId: string) => {
      const inc = c.run('incident:create', CONSOLE, OPERATOR, { category: 'parking', priority: 2, position: at, description: '占道' });
      const t = c.run('task:assign', CONSOLE, OPERATOR, { incidentId: inc.incident.id, unitId }).task as { assignedAt: number; ackDeadline: number };
      return t.ackDeadline - t.assignedAt;
    };
    expect(task(CELL_W.center, 'off-w')).toBe(emergency.taskAckSec * 1000);
    expect(task(CELL_E.center, 'off-e')).toBe(daily.taskAckSec * 1000);

    const r = modeResolver(c.db, c.clock.now());
    expect([r.at(POST_W.id).mode, r.at(CELL_E.id).mode, r.at(null).mode]).toEqual(['emergency', 'daily', 'daily']);
    expect([r.atPoint(CELL_W.center).mode, r.atPoint(CELL_E.center).mode, r.atPoint([118.70, 32.0]).mode]).toEqual(['emergency', 'daily', 'daily']);
  });
});
