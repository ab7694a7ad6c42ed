// The position pipeline on a real SQLite file: spatial index against a linear scan, the time window,
// device clocks, observers, and the bounded write backlog (writes made to fail by a trigger that raises).
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Alert, LngLat, Polygon, PositionFix } from '../../shared/domain';
import { distanceM, pointInPolygon } from '../../shared/geo';
import Database from 'better-sqlite3';
import { openStore, type Db } from '../../main/store/db';
import { countPositions } from '../../main/store/positions';
import { PositionPipeline, type PipelineOptions } from '../../main/hub/positions';
import { ClockWatch } from '../../main/hub/device-clock';
import { UnitIndex } from '../../main/hub/spatial';
import { tempDir } from '../integration/hub-fixture';

const T0 = Date.UTC(2026, 11, 1, 12);
const HOUR = 3600_000;

const open: Array<{ db: Db; p: PositionPipeline }> = [];
afterEach(async () => {
  for (const { db, p } of open.splice(0)) {
    await p.close();
    db.close();
  }
});

/** A pipeline whose timer never fires: the test calls flush(). The clock is the test's. */
function pipeline(units: string[], opts: Partial<PipelineOptions> = {}) {
  const db = openStore(tempDir());
  let now = T0;
  const alerts: Alert[] = [];
  const logs: string[] = [];
  const fanned: PositionFix[][] = [];
  const p = new PositionPipeline(db, {
    writeEveryMs: HOUR, fanoutEveryMs: 0, fanout: (f) => fanned.push(f), onAlert: (a) => alerts.push(a),
    log: (l) => logs.push(l), onWriteError: () => {}, now: () => now, ...opts,
  });
  p.setKnownUnits(units);
  open.push({ db, p });
  return { db, p, alerts, logs, fanned, clock: { set: (t: number) => (now = t), get: () => now } };
}

const fix = (unitId: string, t: number, lng = 118.78, lat = 32.04): PositionFix => ({ unitId, t, lng, lat });

// ---------------------------------------------------------------------------------------------------

// Half the coordinates on a coarse grid, so that units sit exactly on polygon edges and bounding boxes.
const grid = (min: number, steps: number) => fc.integer({ min: 0, max: steps }).map((k) => Math.round((min + k * 0.01) * 100) / 100);
// (fc.double leans to its bounds; micro-degrees from an integer spread evenly.)
const spread = (min: number, span: number) => fc.integer({ min: 0, max: span * 1e6 }).map((k) => min + k / 1e6);
const lng = fc.oneof(spread(118.6, 0.35), grid(118.6, 35));
const lat = fc.oneof(spread(31.9, 0.3), grid(31.9, 30));
const point = fc.tuple(lng, lat);
/** A star-shaped ring around a centre (concave in general), sometimes with a hole; or a grid-aligned rectangle. */
const rectangle: fc.Arbitrary<Polygon> = fc.tuple(point, point).map(([a, b]) => {
  const [x0, x1] = [Math.min(a[0], b[0]), Math.max(a[0], b[0]) + 0.01];
  const [y0, y1] = [Math.min(a[1], b[1]), Math.max(a[1], b[1]) + 0.01];
  return { type: 'Polygon', coordinates: [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]] };
});
const star: fc.Arbitrary<Polygon> = fc.record({
  c: point,
  radii: fc.array(fc.double({ min: 0.002, max: 0.15, noNaN: true }), { minLength: 3, maxLength: 12 }),
  hole: fc.boolean(),
}).map(({ c, radii, hole }) => {
  const ring = (scale: number): LngLat[] => {
    const r: LngLat[] = radii.map((rad, i) => {
      const a = (2 * Math.PI * i) / radii.length;
      return [c[0] + rad * scale * Math.cos(a), c[1] + rad * scale * Math.sin(a)];
    });
    return [...r, r[0]!];
  };
  return { type: 'Polygon', coordinates: hole ? [ring(1), ring(0.3)] : [ring(1)] };
});
const polygon = fc.oneof(star, rectangle);
type Step = { kind: 'move'; unit: number; at: LngLat } | { kind: 'nearest'; at: LngLat; n: number; mod: number } | { kind: 'within'; poly: Polygon; mod: number };
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('move' as const), unit: fc.nat(59), at: point }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('nearest' as const), at: point, n: fc.integer({ min: 0, max: 15 }), mod: fc.integer({ min: 1, max: 4 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('within' as const), poly: polygon, mod: fc.integer({ min: 1, max: 4 }) }) },
);

describe('the spatial index', () => {
  it('answers nearest (with a filter) and within (polygon) exactly as a linear scan, across updates', () => {
    fc.assert(fc.property(fc.array(step, { minLength: 1, maxLength: 120 }), (steps) => {
      const latest = new Map<string, PositionFix>();
      const index = new UnitIndex(() => latest.values(), { maxStaleMs: 0 });
      let t = T0;
      // The filter keeps units whose number is a multiple of `mod` (mod 1: everyone).
      const keep = (mod: number) => (f: PositionFix) => Number(f.unitId.slice(1)) % mod === 0;
      for (const s of steps) {
        if (s.kind === 'move') {
          latest.set(`u${s.unit}`, fix(`u${s.unit}`, ++t, s.at[0], s.at[1]));
          index.markStale();
        } else if (s.kind === 'nearest') {
          const got = index.nearest(s.at, s.n, keep(s.mod));
          const scan = [...latest.values()].filter(keep(s.mod))
            .map((f) => distanceM(s.at, [f.lng, f.lat])).sort((a, b) => a - b).slice(0, s.n);
          expect(got.length).toBe(scan.length);
          got.forEach((g, i) => {
            expect(keep(s.mod)(g.fix)).toBe(true);
            expect(g.fix).toBe(latest.get(g.fix.unitId)); // the unit's current fix, not an old one
            expect(g.distanceM).toBeCloseTo(scan[i]!, 6);
          });
          expect(new Set(got.map((g) => g.fix.unitId)).size).toBe(got.length);
        } else {
          const got = index.within(s.poly, keep(s.mod)).map((f) => f.unitId).sort();
          const scan = [...latest.values()].filter((f) => keep(s.mod)(f) && pointInPolygon([f.lng, f.lat], s.poly)).map((f) => f.unitId).sort();
          expect(got).toEqual(scan);
        }
      }
    }), { numRuns: 200 });
  });

  it('nearest stops at maxDistanceM', () => {
    const latest = new Map([['a', fix('a', T0, 118.78, 32.04)], ['b', fix('b', T0, 118.79, 32.04)]]);
    const index = new UnitIndex(() => latest.values(), { maxStaleMs: 0 });
    const near = index.nearest([118.78, 32.04], 5, undefined, 500);
    expect(near.map((n) => n.fix.unitId)).toEqual(['a']); // b is ~944 m east
  });

  it('is rebuilt at most once per maxStaleMs: an answer may be that old, never older', () => {
    let now = T0;
    const latest = new Map([['a', fix('a', T0, 118.78, 32.04)]]);
    const index = new UnitIndex(() => latest.values(), { maxStaleMs: 1000, now: () => now });
    expect(index.nearest([118.78, 32.04], 1)[0]!.fix.lng).toBe(118.78);
    latest.set('a', fix('a', T0 + 1, 118.8, 32.04));
    index.markStale();
    now += 999;
    expect(index.nearest([118.78, 32.04], 1)[0]!.fix.lng).toBe(118.78);
    expect(index.ageMs).toBe(999);
    now += 1;
    expect(index.nearest([118.78, 32.04], 1)[0]!.fix.lng).toBe(118.8);
    expect(index.ageMs).toBe(0);
  });

  it('holds what the pipeline accepted: the newest fix of each unit', () => {
    const { p } = pipeline(['a', 'b'], { index: { maxStaleMs: 0 } });
    p.accept([fix('a', T0, 118.70, 32.0), fix('b', T0, 118.80, 32.0)]);
    p.accept([fix('a', T0 - 1000, 118.81, 32.0)]); // older: history, not where a is
    expect(p.index.nearest([118.80, 32.0], 2).map((n) => n.fix.unitId)).toEqual(['b', 'a']);
    p.accept([fix('a', T0 + 1000, 118.801, 32.0)]);
    expect(p.index.nearest([118.80, 32.0], 1, (f) => f.unitId !== 'b')[0]!.fix.t).toBe(T0 + 1000);
  });
});

describe('the time window', () => {
  it('refuses fixes dated before hub now − 24 h or after hub now + 2 min, each with its reason', async () => {
    const { db, p, clock } = pipeline(['a', 'b']);
    const ack = p.accept([
      fix('a', T0 - 24 * HOUR), // the edge: accepted
      fix('a', T0 + 120_000), // the edge: accepted
      fix('a', T0 + 365 * 24 * HOUR),
      fix('b', 1000), // 1970
      fix('b', T0 - 24 * HOUR - 1),
      fix('ghost', T0),
      fix('b', T0),
    ]);
    expect(ack).toMatchObject({
      accepted: 3, refusedCount: 4,
      refused: [
        { unitId: 'a', t: T0 + 365 * 24 * HOUR, reason: 'in_future' },
        { unitId: 'b', t: 1000, reason: 'too_old' },
        { unitId: 'b', t: T0 - 24 * HOUR - 1, reason: 'too_old' },
        { unitId: 'ghost', t: T0, reason: 'unknown_unit' },
      ],
    });
    await p.flush();
    expect(countPositions(db)).toBe(3);
    // The year-ahead fix did not freeze unit a: its newest is the 2-minute-ahead one, and a real fix after it moves it.
    expect(p.latest.get('a')!.t).toBe(T0 + 120_000);
    clock.set(T0 + 1000);
    expect(p.accept([fix('a', T0 + 121_000)])).toMatchObject({ accepted: 1 });
    expect(p.latest.get('a')!.t).toBe(T0 + 121_000);
  });

  it('moves with the hub clock, and lists at most 20 refusals while counting all', () => {
    const { p, clock } = pipeline(['a']);
    clock.set(T0 + 48 * HOUR);
    const ack = p.accept(Array.from({ length: 50 }, (_, i) => fix('a', T0 + i)));
    expect(ack.accepted).toBe(0);
    expect(ack.refusedCount).toBe(50);
    expect(ack.refused).toHaveLength(20);
    expect(p.accept([fix('a', T0 + 48 * HOUR - 1000)])).toMatchObject({ accepted: 1 });
  });
});

describe('device clocks', () => {
  it('a terminal whose fixes are consistently ahead is reported once, naming the device and its offset', async () => {
    const { p, alerts, clock } = pipeline(['off-001'], { clock: { thresholdMs: 60_000, samples: 10, spanMs: 30_000 } });
    const year = 365 * 24 * HOUR;
    for (let i = 0; i < 60; i++) {
      clock.set(T0 + i * 1000);
      p.accept([fix('off-001', T0 + i * 1000 + year)], 'phone-7');
      await p.flush();
    }
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'device_clock', subjectId: 'off-001' });
    expect(alerts[0]!.message.en).toMatch(/Device phone-7 \(off-001\) clock is about 365 days ahead of the hub/);
    expect(p.stats.refused.in_future).toBe(60);
  });

  it('many devices off at once are one alert about the hub, not one per device', async () => {
    const units = Array.from({ length: 50 }, (_, i) => `u${i}`);
    const { p, alerts, logs, clock } = pipeline(units, { clock: { samples: 2, spanMs: 0 } });
    // The hub's clock jumped five minutes ahead: every fix now looks behind.
    clock.set(T0 + 300_000);
    p.accept(units.map((u) => fix(u, T0)), 'gateway-1');
    p.accept(units.map((u) => fix(u, T0 + 1000)), 'gateway-1');
    await p.flush();
    expect(alerts.filter((a) => a.subjectId !== 'positions')).toHaveLength(10);
    expect(alerts.filter((a) => a.subjectId === 'positions').map((a) => a.message.en)).toEqual([expect.stringMatching(/check the hub's own clock/)]);
    expect(logs.filter((l) => /not raised: too many this minute/.test(l))).toHaveLength(40);
  });

  it('a backlog drained after a reconnect is no wrong clock; a clock that was fixed and drifts again is a new episode', () => {
    const w = new ClockWatch({ thresholdMs: 60_000, samples: 10, spanMs: 30_000 });
    const reports: number[] = [];
    const see = (t: number, now: number) => {
      const r = w.see('phone-7', 'off-001', t, now);
      if (r) reports.push(r.offsetMs);
    };
    // Ten minutes of fixes buffered offline, sent at 10 per second as the uplink allows.
    for (let i = 0; i < 600; i++) see(T0 + i * 1000, T0 + 600_000 + i * 100);
    expect(reports).toEqual([]);
    // Then five minutes behind, for a minute: one report.
    const T1 = T0 + 700_000;
    for (let i = 0; i < 60; i++) see(T1 + i * 1000 - 300_000, T1 + i * 1000);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toBeCloseTo(-300_000, -3);
    // Back on time, then off again: a second report.
    for (let i = 60; i < 80; i++) see(T1 + i * 1000, T1 + i * 1000);
    for (let i = 80; i < 140; i++) see(T1 + i * 1000 + 90_000, T1 + i * 1000);
    expect(reports).toHaveLength(2);
    expect(reports[1]).toBeCloseTo(90_000, -3);
  });
});

describe('observers', () => {
  it('get each flush\'s accepted fixes in one batch, after the write; a throwing or rejecting observer is logged and isolated', async () => {
    const { db, p, logs } = pipeline(['a', 'b']);
    const seen: Array<{ fixes: readonly PositionFix[]; stored: number }> = [];
    p.observe(function broken() {
      throw new Error('rule bug');
    });
    p.observe(async function rejecting() {
      throw new Error('async rule bug');
    });
    const stop = p.observe((fixes) => void seen.push({ fixes, stored: countPositions(db) }));
    const ack = p.accept([fix('a', T0), fix('b', T0), fix('ghost', T0), fix('a', T0 - 5)]);
    expect(ack.accepted).toBe(3);
    expect(seen).toEqual([]); // not on the accept path
    await p.flush();
    expect(seen).toHaveLength(1);
    expect(seen[0]!.fixes.map((f) => [f.unitId, f.t])).toEqual([['a', T0], ['b', T0], ['a', T0 - 5]]);
    expect(seen[0]!.stored).toBe(3);
    await new Promise<void>((resolve) => setImmediate(resolve)); // the rejection is delivered
    expect(logs.filter((l) => /position observer broken failed: Error: rule bug/.test(l))).toHaveLength(1);
    expect(logs.filter((l) => /position observer rejecting failed: Error: async rule bug/.test(l))).toHaveLength(1);
    // Ingestion goes on; the next failures of the same observers are counted, not logged each time.
    expect(p.accept([fix('a', T0 + 1)])).toMatchObject({ accepted: 1 });
    await p.flush();
    expect(seen).toHaveLength(2);
    expect(logs.filter((l) => /observer broken/.test(l))).toHaveLength(1);
    await p.flush(); // nothing new: nobody is called with an empty batch
    expect(seen).toHaveLength(2);
    stop();
    p.accept([fix('a', T0 + 2)]);
    await p.flush();
    expect(seen).toHaveLength(2);
    expect(countPositions(db)).toBe(5);
  });
});

describe('the write backlog', () => {
  const failWrites = (db: Db) => db.exec(`CREATE TRIGGER positions_fail BEFORE INSERT ON positions BEGIN SELECT RAISE(ABORT, 'disk says no'); END`);
  const healWrites = (db: Db) => db.exec('DROP TRIGGER positions_fail');

  it('the durable mark stands still while writes fail and reaches each ack\'s durableAt once they are committed, in order, per sending device', async () => {
    const marks: Array<{ through: number; devices: string[] }> = [];
    const { db, p } = pipeline(['a', 'b'], { maxWritePerFlush: 3, onDurable: (through, ids) => marks.push({ through, devices: [...ids].sort() }) });
    const first = p.accept([fix('a', T0 + 1), fix('a', T0 + 2)], 'dev-1');
    expect(first).toMatchObject({ durableAt: 2, durableThrough: 0 });
    failWrites(db);
    await p.flush();
    const second = p.accept([fix('b', T0 + 1), fix('ghost', T0), fix('b', T0 + 2)], 'dev-2');
    expect(second).toMatchObject({ accepted: 2, durableAt: 4, durableThrough: 0 }); // the refused fix takes no number
    expect(marks).toEqual([]);
    healWrites(db);
    await p.flush(); // 3 of 4: dev-1's batch and the first of dev-2's
    expect(marks).toEqual([{ through: 3, devices: ['dev-1', 'dev-2'] }]);
    expect(countPositions(db)).toBe(3);
    await p.flush();
    expect(marks.at(-1)).toEqual({ through: 4, devices: ['dev-2'] });
    expect(countPositions(db)).toBe(4);
    expect(p.accept([fix('a', T0 + 3)], 'dev-1')).toMatchObject({ durableAt: 5, durableThrough: 4 });
  });

  it('is bounded: past the bound fixes are refused with a reason, one alert is raised, and cleared when writes recover; nothing accepted is lost', async () => {
    const { db, p, alerts } = pipeline(['a'], { maxBuffered: 100, maxWritePerFlush: 60 });
    failWrites(db);
    let t = T0;
    const send = (n: number) => p.accept(Array.from({ length: n }, () => fix('a', ++t)));
    expect(send(80)).toMatchObject({ accepted: 80 });
    await p.flush();
    expect(p.buffered).toBe(80);
    const ack = send(50);
    expect(ack.accepted).toBe(20);
    expect(ack.refusedCount).toBe(30);
    expect(ack.refused![0]).toEqual({ unitId: 'a', t: T0 + 101, reason: 'store_backlog' });
    for (let i = 0; i < 5; i++) {
      expect(send(10).accepted).toBe(0);
      await p.flush();
    }
    expect(alerts.map((a) => a.kind)).toEqual(['positions_backlog']);
    expect(countPositions(db)).toBe(0);

    healWrites(db);
    await p.flush(); // writes 60 of the 100: room again
    expect(alerts.map((a) => a.kind)).toEqual(['positions_backlog', 'positions_recovered']);
    expect(send(10)).toMatchObject({ accepted: 10 });
    await p.flush();
    await p.flush();
    expect(p.buffered).toBe(0);
    expect(countPositions(db)).toBe(110);
    expect(p.stats.refused.store_backlog).toBe(80);
  });

  it('a writer thread that fell behind is given the next write at once, not at the next tick', async () => {
    const marks: number[] = [];
    const { db, p } = pipeline(['a'], { maxWritePerFlush: 40, onDurable: (through) => marks.push(through) });
    p.accept(Array.from({ length: 100 }, (_, i) => fix('a', T0 + i)), 'dev-1');
    await p.flush(); // 40 written; 60 left, more than a quarter of a write: the rest follows without a tick
    await vi.waitFor(() => expect(p.buffered).toBe(0), { timeout: 10_000, interval: 10 });
    expect(marks).toEqual([40, 80, 100]);
    expect(countPositions(db)).toBe(100);
  });

  it('an alert that cannot be recorded (the store fails too) is offered again next flush, once it can', async () => {
    let refuseAlerts = true;
    const got: string[] = [];
    const { db, p, logs } = pipeline(['a'], {
      maxBuffered: 5,
      onAlert: (a) => {
        if (refuseAlerts) throw new Error('SQLITE_READONLY');
        got.push(a.kind);
      },
    });
    failWrites(db);
    p.accept(Array.from({ length: 8 }, (_, i) => fix('a', T0 + i)));
    await p.flush();
    await p.flush();
    expect(got).toEqual([]);
    expect(logs.filter((l) => /not raised yet/.test(l)).length).toBe(2);
    refuseAlerts = false;
    healWrites(db);
    await p.flush();
    expect(got).toEqual(['positions_backlog', 'positions_recovered']);
  });
});

describe('backpressure: acks held while the store is behind', () => {
  const failWrites = (db: Db) => db.exec(`CREATE TRIGGER positions_fail BEFORE INSERT ON positions BEGIN SELECT RAISE(ABORT, 'disk says no'); END`);
  const batch = (from: number, n: number) => Array.from({ length: n }, (_, i) => fix('a', T0 + from + i));
  /** the ack if it was answered, else 'held' (no timer: a write that fell behind is sent again in setImmediate) */
  const peek = async (a: unknown) => Promise.race([a, Promise.resolve('held')]);

  it('below highWater the ack is answered at once; above, it waits for its own batch\'s commit and says it is durable', async () => {
    const { p } = pipeline(['a'], { maxWritePerFlush: 10, highWater: 25 });
    expect(p.acceptPaced(batch(0, 20), 'dev-1')).toMatchObject({ accepted: 20, durableAt: 20, durableThrough: 0 });
    const held = p.acceptPaced(batch(20, 10), 'dev-1'); // 30 waiting: past the mark
    expect(held).toBeInstanceOf(Promise);
    await p.flush(); // 10 committed: not this batch's fixes (21..30)
    expect(await peek(held)).toBe('held');
    await p.flush();
    expect(await peek(held)).toBe('held');
    await p.flush(); // 30 committed
    expect(await peek(held)).toEqual({ accepted: 10, durableAt: 30, durableThrough: 30 });
    // A batch wholly refused holds nothing (no fix of it waits).
    expect(p.acceptPaced([fix('ghost', T0)], 'dev-1')).toMatchObject({ accepted: 0 });
  });

  it('a write that fails answers every held ack at once (the failure path: kept, not durable), and nothing is held while writes fail', async () => {
    const { db, p, alerts } = pipeline(['a'], { maxWritePerFlush: 10, highWater: 5 });
    const held = p.acceptPaced(batch(0, 8), 'dev-1');
    expect(held).toBeInstanceOf(Promise);
    failWrites(db);
    await p.flush();
    expect(await held).toEqual({ accepted: 8, durableAt: 8, durableThrough: 0 });
    expect(p.acceptPaced(batch(8, 8), 'dev-1')).toMatchObject({ accepted: 8, durableAt: 16, durableThrough: 0 });
    expect(alerts).toEqual([]); // one failed write, nothing refused: not yet an outage
  });

  it('a held ack never waits longer than maxHoldMs, even when the store answers nothing (its write lock held elsewhere)', async () => {
    const { db, p, logs } = pipeline(['a'], { writeEveryMs: 20, maxWritePerFlush: 10, highWater: 5, maxHoldMs: 200 });
    const other = new Database(db.name);
    other.exec('BEGIN IMMEDIATE'); // the writer thread's BEGIN waits (busy_timeout 5 s) behind it
    try {
      const held = p.acceptPaced(batch(0, 8), 'dev-1');
      expect(held).toBeInstanceOf(Promise);
      expect(await held).toEqual({ accepted: 8, durableAt: 8, durableThrough: 0 });
      expect(logs.some((l) => /answered after being held 200 ms/.test(l))).toBe(true);
    } finally {
      other.exec('COMMIT');
      other.close();
    }
    await vi.waitFor(() => expect(countPositions(db)).toBe(8), { timeout: 10_000, interval: 20 });
  });

  it('close answers what is still held, after writing it', async () => {
    const { db, p } = pipeline(['a'], { maxWritePerFlush: 100, highWater: 5 });
    const held = p.acceptPaced(batch(0, 8), 'dev-1');
    await p.close();
    expect(await held).toEqual({ accepted: 8, durableAt: 8, durableThrough: 8 });
    expect(countPositions(db)).toBe(8);
  });
});

describe('the store\'s alerts: behind is not failing', () => {
  const failWrites = (db: Db) => db.exec(`CREATE TRIGGER positions_fail BEFORE INSERT ON positions BEGIN SELECT RAISE(ABORT, 'disk says no'); END`);
  const healWrites = (db: Db) => db.exec('DROP TRIGGER positions_fail');
  let t = T0;
  const send = (p: PositionPipeline, n: number) => p.accept(Array.from({ length: n }, () => fix('a', ++t)));

  it('behind (writes succeed) for behindAlertAfterMs raises positions_slow, cleared by positions_caught_up once below lowWater and not above highWater for as long', async () => {
    const { p, alerts, clock } = pipeline(['a'], { maxWritePerFlush: 10, highWater: 30, lowWater: 10, behindAlertAfterMs: 5_000 });
    send(p, 60);
    await p.flush(); // 50 waiting, behind since now
    clock.set(clock.get() + 4_000);
    await p.flush(); // 40 waiting, 4 s behind
    expect(alerts).toEqual([]);
    clock.set(clock.get() + 1_000);
    await p.flush(); // 30 waiting, 5 s
    expect(alerts.map((a) => a.kind)).toEqual(['positions_slow']);
    expect(alerts[0]!.message.en).toMatch(/behind \(succeeding, but slower than fixes arrive\): 30 waiting/);
    expect(alerts[0]!.message.zh).toMatch(/30 条待写入/);
    await p.flush();
    await p.flush(); // 10: between the marks, still behind
    expect(alerts.map((a) => a.kind)).toEqual(['positions_slow']);
    await p.flush(); // 0, but 30 (highWater) was seen less than 5 s ago
    expect(alerts.map((a) => a.kind)).toEqual(['positions_slow']);
    clock.set(clock.get() + 3_000);
    send(p, 45); // up again for a moment: the same episode
    await p.flush(); // 35
    for (let i = 0; i < 3; i++) await p.flush(); // 5
    clock.set(clock.get() + 4_999);
    await p.flush(); // 0, 4.999 s after the last time at highWater
    expect(alerts.map((a) => a.kind)).toEqual(['positions_slow']);
    clock.set(clock.get() + 1);
    await p.flush();
    expect(alerts.map((a) => a.kind)).toEqual(['positions_slow', 'positions_caught_up']);
  });

  it('a fix refused at the hard bound while writes succeed raises positions_slow at once, not the failing alert', async () => {
    const { p, alerts, clock } = pipeline(['a'], { maxBuffered: 50, maxWritePerFlush: 10, highWater: 20, lowWater: 5 });
    expect(send(p, 60)).toMatchObject({ accepted: 50, refusedCount: 10 });
    await p.flush();
    expect(alerts.map((a) => a.kind)).toEqual(['positions_slow']);
    while (p.buffered > 0) await p.flush();
    clock.set(clock.get() + 5_000);
    await p.flush();
    expect(alerts.map((a) => a.kind)).toEqual(['positions_slow', 'positions_caught_up']);
  });

  it('writes failing for a second raise positions_backlog (with SQLite\'s code) in place of positions_slow; recovered once a write commits', async () => {
    const { db, p, alerts, clock } = pipeline(['a'], { maxWritePerFlush: 10, highWater: 20, lowWater: 5, behindAlertAfterMs: 0 });
    send(p, 40);
    await p.flush();
    expect(alerts.map((a) => a.kind)).toEqual(['positions_slow']);
    failWrites(db);
    await p.flush();
    expect(alerts.map((a) => a.kind)).toEqual(['positions_slow']); // one failed write is not an outage
    clock.set(clock.get() + 1_000);
    await p.flush();
    expect(alerts.map((a) => a.kind)).toEqual(['positions_slow', 'positions_backlog']);
    expect(alerts[1]!.message.en).toMatch(/fail \(SQLITE_CONSTRAINT\w*\): 30 waiting/);
    healWrites(db);
    await p.flush(); // 20 left: behind again, raised anew (behindAlertAfterMs 0)
    expect(alerts.map((a) => a.kind)).toEqual(['positions_slow', 'positions_backlog', 'positions_recovered', 'positions_slow']);
    while (p.buffered > 0) await p.flush();
    expect(alerts.map((a) => a.kind).at(-1)).toBe('positions_caught_up');
  });
});
