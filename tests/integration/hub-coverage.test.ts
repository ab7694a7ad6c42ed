// Coverage kept as data (issue 13 for the evaluator): the coverage watch over a real store, fed fixes on
// shapes laid out here in metres so that every piece driven and every second of dwell is counted by hand;
// its writes in bounded batches, a restarted watch adding to what was kept, and `score:coverage` over a
// real hub — including the hub's own watch fed through a gateway.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Area, LngLat, PositionFix, Route, Unit } from '../../shared/domain';
import { alongLine, lineLengthM } from '../../shared/geo';
import { CoverageWatch } from '../../main/hub/coverage';
import { dwellIn, popcount, routeCoverageIn } from '../../main/store/coverage';
import { insertShift } from '../../main/store/attendance';
import { listRoutes, listUnits } from '../../main/store/city';
import { ask, closeClients, consoleClient, fieldClient, startTestHub } from './hub-fixture';

const S = 1000;
const M = 60 * S;
const TZ = 'Asia/Shanghai';
// 09:00 in Nanjing on 6 January 2026: inside the 08:00–16:00 window, which is 00:00–08:00 UTC
const WINDOW = { from: Date.UTC(2026, 0, 6, 0, 0), to: Date.UTC(2026, 0, 6, 8, 0) };
const T0 = Date.UTC(2026, 0, 6, 1, 0);

// shapes in local metres east/north of an origin, as the watch measures them (equirectangular)
const O: LngLat = [118.7, 32.0];
const KX = 111_320 * Math.cos((O[1] * Math.PI) / 180);
const at = (eastM: number, northM: number): LngLat => [O[0] + eastM / KX, O[1] + northM / 111_320];
const square = (e0: number, n0: number, side: number): LngLat[] => [at(e0, n0), at(e0 + side, n0), at(e0 + side, n0 + side), at(e0, n0 + side), at(e0, n0)];

const unit = (id: string, kind: Unit['kind'], extra: Partial<Unit>): Unit => ({
  id, kind, name: id, badge: null, plate: null, squad: null, cellId: null, postId: null, routeId: null, cameraId: null, status: 'patrolling', ...extra,
});
const cell = (id: string, ring: LngLat[]): Area => ({ id, kind: 'cell', name: id, parentId: null, polygon: { type: 'Polygon', coordinates: [ring] } } as unknown as Area);
// a straight 1,000 m route east: ten pieces of 100 m
const ROUTE: Route = { id: 'route-t', name: 'test', roads: [], line: [at(0, 0), at(1000, 0)], modes: ['daily'] };
const CELLS = [cell('cell-a', square(0, 0, 500)), cell('cell-b', square(500, 0, 500))];
const VEHICLE = unit('veh-001', 'vehicle', { routeId: ROUTE.id });
const OFFICER = unit('off-001', 'officer', { cellId: 'cell-a' });

const fix = (unitId: string, t: number, p: LngLat): PositionFix => ({ unitId, t, lng: p[0], lat: p[1] });

let hub: Awaited<ReturnType<typeof startTestHub>>;
beforeAll(async () => {
  hub = await startTestHub();
  const { postId, cellId } = hub.db.prepare("SELECT post_id AS postId, cell_id AS cellId FROM units WHERE id = 'off-001'").get() as { postId: string; cellId: string };
  insertShift(hub.db, { id: 'sh-cov', unitId: 'off-001', postId, cellId, startsAt: WINDOW.from, endsAt: WINDOW.to, state: 'on_duty', checkedInAt: WINDOW.from, via: 'fence', source: 'import' }, WINDOW.from);
});
afterAll(() => hub.close());
afterEach(closeClients);

const watch = (batchRows = 500) => new CoverageWatch({ db: hub.db, units: [VEHICLE, OFFICER], areas: CELLS, routes: [ROUTE], timeZone: TZ, now: () => T0 + 10 * M, batchRows });
const rows = (from = WINDOW.from, to = WINDOW.to) => ({
  routes: routeCoverageIn(hub.db, { from, to, unitId: null, limit: 100 }).filter((r) => r.routeId === ROUTE.id),
  dwell: dwellIn(hub.db, { from, to, unitId: 'off-001', limit: 100 }).filter((d) => d.from >= WINDOW.from && d.from < WINDOW.to + 8 * 3600 * S),
});

describe('the coverage watch', () => {
  it('cuts the day into the roster windows of the center', () => {
    const w = watch();
    expect(w.periodAt(T0)).toEqual(WINDOW);
    expect(w.periodAt(WINDOW.to)).toEqual({ from: WINDOW.to, to: WINDOW.to + 8 * 3600 * S });
    expect(w.periodAt(WINDOW.from - 1)).toEqual({ from: WINDOW.from - 8 * 3600 * S, to: WINDOW.from });
    // the watch keeps the center day it last read: a time on the day before or after is read afresh
    const H = 3600 * S;
    expect(w.periodAt(WINDOW.from - 8 * H - 1)).toEqual({ from: WINDOW.from - 16 * H, to: WINDOW.from - 8 * H });
    expect(w.periodAt(T0)).toEqual(WINDOW);
    expect(w.periodAt(T0 + 24 * H)).toEqual({ from: WINDOW.from + 24 * H, to: WINDOW.to + 24 * H });
    expect(w.periodAt(WINDOW.from + 16 * H - 1)).toEqual({ from: WINDOW.from + 8 * H, to: WINDOW.from + 16 * H });
  });

  it('marks the pieces of a route driven within the corridor and the time an officer was in each cell, written in bounded batches', () => {
    const w = watch(2);
    w.observe([
      // pieces 0, 1, 2 on the line; 350 m along but 200 m off it (outside the 80 m corridor): nothing; 950 m, 30 m off: piece 9
      fix('veh-001', T0, at(50, 0)), fix('veh-001', T0 + 10 * S, at(150, 5)), fix('veh-001', T0 + 20 * S, at(250, -10)),
      fix('veh-001', T0 + 30 * S, at(350, 200)), fix('veh-001', T0 + 40 * S, at(950, 30)),
      // every 30 s: four fixes in cell a, then b; the gap to the fix in b is the last fix's (a's): a 120 s, b 30 s
      ...[0, 30, 60, 90].map((s) => fix('off-001', T0 + s * S, at(100 + s, 100))),
      fix('off-001', T0 + 120 * S, at(600, 100)), fix('off-001', T0 + 150 * S, at(650, 100)),
      // 5 min without a fix (over the 2 min gap): not counted; then 30 s in no cell
      fix('off-001', T0 + 450 * S, at(600, 900)), fix('off-001', T0 + 480 * S, at(610, 900)),
    ]);
    expect(w.pending()).toBe(4); // one route period, three cells of dwell
    expect(w.flush()).toBe(4);
    expect(w.writes).toBe(2); // two rows per transaction
    expect(w.pending()).toBe(0);
    const { routes, dwell } = rows();
    expect(routes.map((r) => [r.unitId, r.from, r.to, r.pieces, r.driven])).toEqual([['veh-001', WINDOW.from, WINDOW.to, 10, 4]]);
    expect([...routes[0]!.visited]).toEqual([0b0000_0111, 0b10]); // pieces 0–2 and 9
    expect(dwell.map((d) => [d.cellId, d.dwellMs, d.assigned, d.shiftId])).toEqual([['', 30 * S, 0, 'sh-cov'], ['cell-a', 120 * S, 1, 'sh-cov'], ['cell-b', 30 * S, 0, 'sh-cov']]);
  });

  it('adds to what was kept when a restarted hub watches the same period, and splits a gap at the window end', () => {
    const w = watch();
    const end = WINDOW.to;
    w.observe([
      fix('veh-001', T0 + 20 * M, at(450, 0)), fix('veh-001', T0 + 20 * M + 10 * S, at(50, 0)), // piece 4 new, 0 again
      fix('veh-001', end + 10 * S, at(850, 0)), // the next window: a new period with piece 8
      fix('off-001', end - 30 * S, at(200, 200)), fix('off-001', end + 30 * S, at(210, 200)), // 30 s either side of the end, in cell a
    ]);
    w.flush();
    const { routes, dwell } = rows(WINDOW.from, WINDOW.to + 8 * 3600 * S);
    expect(routes.map((r) => [r.from, r.driven, popcount(r.visited)])).toEqual([[WINDOW.from, 5, 5], [WINDOW.to, 1, 1]]);
    const a = dwell.filter((d) => d.cellId === 'cell-a').map((d) => [d.from, d.dwellMs, d.shiftId]);
    // the first window: 120 s before + 30 s; the next: 30 s, on no rostered shift
    expect(a).toEqual([[WINDOW.from, 150 * S, 'sh-cov'], [WINDOW.to, 30 * S, null]]);
  });

  it('keeps what failed to be written for the next flush', () => {
    const w = watch();
    w.observe([fix('off-001', T0 + 30 * M, at(100, 100)), fix('off-001', T0 + 30 * M + 20 * S, at(100, 110))]);
    hub.db.exec('CREATE TEMP TRIGGER no_dwell BEFORE INSERT ON coverage_dwell BEGIN SELECT RAISE(ABORT, \'disk full (test)\'); END');
    expect(() => w.flush()).toThrow(/disk full/);
    expect(w.pending()).toBe(1);
    hub.db.exec('DROP TRIGGER no_dwell');
    w.flush();
    expect(rows().dwell.find((d) => d.cellId === 'cell-a')!.dwellMs).toBe(170 * S);
  });
});

describe('score:coverage', () => {
  it('answers the periods of a time span as kept, to the people who read the record', async () => {
    const ev = (await consoleClient(hub.url, { username: 'evaluator', password: 'demo' })).socket;
    const res = await ask(ev, 'score:coverage', { from: T0, to: T0 + M });
    expect(res.ok).toBe(true);
    expect(res.result.truncated).toBe(false);
    const route = res.result.routes.find((r: { unitId: string; from: number }) => r.unitId === 'veh-001' && r.from === WINDOW.from);
    expect(route).toEqual({ unitId: 'veh-001', routeId: ROUTE.id, from: WINDOW.from, to: WINDOW.to, pieces: 10, driven: 5, share: 0.5 });
    expect(res.result.dwell.filter((d: { unitId: string }) => d.unitId === 'off-001').map((d: { cellId: string; dwellMs: number; assigned: boolean }) => [d.cellId, d.dwellMs, d.assigned]))
      .toEqual([['', 30 * S, false], ['cell-a', 170 * S, true], ['cell-b', 30 * S, false]]);
    const op = (await consoleClient(hub.url, { username: 'operator', password: 'demo' })).socket;
    expect((await ask(op, 'score:coverage', { from: T0, to: T0 + M })).error?.code).toBe('forbidden');
    expect((await ask(ev, 'score:coverage', { from: T0, to: T0 })).error?.code).toBe('invalid_payload');
  });

  it("is fed by the hub's own watch: a patrol vehicle driving its whole route has driven all of it", async () => {
    const vehicle = listUnits(hub.db).find((u) => u.kind === 'vehicle' && u.routeId)!;
    const route = listRoutes(hub.db).find((r) => r.id === vehicle.routeId)!;
    const length = lineLengthM(route.line);
    const t0 = Date.now() - Math.ceil(length / 20) * 2 * S - 10 * S;
    const fixes: PositionFix[] = [];
    for (let d = 0, i = 0; d <= length; d += 20, i++) fixes.push(fix(vehicle.id, t0 + i * 2 * S, alongLine(route.line, d).at));
    fixes.push(fix(vehicle.id, t0 + fixes.length * 2 * S, route.line.at(-1)!));
    const gw = await fieldClient(hub.url);
    expect((await ask(gw, 'unit:position', { fixes })).result).toMatchObject({ accepted: fixes.length });
    const ev = (await consoleClient(hub.url, { username: 'evaluator', password: 'demo' })).socket;
    // the fixes reach the watch at the pipeline's next write; the read writes what the watch holds
    await vi.waitFor(async () => {
      const res = await ask(ev, 'score:coverage', { from: t0, to: Date.now(), unitId: vehicle.id });
      const driven = res.result.routes.reduce((s: number, r: { driven: number }) => s + r.driven, 0);
      expect(res.result.routes.length).toBeGreaterThan(0);
      // one period unless the drive crossed a window's end; then together they hold every piece at least once
      if (res.result.routes.length === 1) expect(res.result.routes[0].share).toBe(1);
      else expect(driven).toBeGreaterThanOrEqual(res.result.routes[0].pieces);
    }, { timeout: 30_000, interval: 200 });
  });
});
