// Per-unit minute segments (migration 80) and position retention: a unit's track read from segments
// (plus the unsealed tail) is exactly its fixes in positions, late fixes included, across a restart;
// retention thins both alike and a second run changes nothing.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PositionFix } from '../../shared/domain';
import { openStore, type Db } from '../../main/store/db';
import { countPositions, positionWriter, track } from '../../main/store/positions';
import { applyRetention, DEFAULT_RETENTION } from '../../main/store/retention';
import { MINUTE_MS, replayWindow, SEGMENT_SQL, SegmentWriter, sealedThrough, unitTrack } from '../../main/store/segments';
import { tempDir } from '../integration/hub-fixture';

const T0 = Date.UTC(2026, 10, 1, 8, 0, 0);
const fix = (unitId: string, t: number, i: number): PositionFix => ({
  unitId, t, lng: 118.7 + i * 1e-5, lat: 32 + i * 1e-6, ...(i % 3 ? { speed: i % 20 } : {}), ...(i % 4 ? { heading: (i * 7) % 360 } : {}), ...(i % 5 ? {} : { accuracy: 4 }),
});
/** What the pipeline does per flush: write to positions, then hand the fixes to the observer. */
function ingest(db: Db, writer: SegmentWriter, fixes: PositionFix[]): void {
  positionWriter(db)(fixes, fixes[0]!.t);
  writer.add(fixes);
}
// speed etc. are float32 in a segment: compare as such
const f32 = (fixes: PositionFix[]) => fixes.map((f) => ({ ...f, ...(f.speed === undefined ? {} : { speed: Math.fround(f.speed) }), ...(f.heading === undefined ? {} : { heading: Math.fround(f.heading) }) }));

describe('position segments', () => {
  it('a unit track from sealed segments and the tail is its fixes in positions, late fixes and a restart included', () => {
    const dir = path.join(tempDir(), 'x');
    let db = openStore(dir);
    let writer = new SegmentWriter(db);
    writer.recover(T0 - MINUTE_MS); // segments begin with this store's first minute
    const units = ['off-1', 'off-2', 'veh-1'];
    for (let s = 0; s < 5 * 60; s++) ingest(db, writer, units.map((u, k) => fix(u, T0 + s * 1000 + k * 7, s)));
    writer.seal(T0 + 3 * MINUTE_MS + 5_000); // minutes 0..2 sealed, 3..4 pending
    expect(sealedThrough(db)).toBe(T0 + 3 * MINUTE_MS);
    ingest(db, writer, [fix('off-1', T0 + 30_500, 999)]); // late, for sealed minute 0: a second part
    ingest(db, writer, [fix('off-1', T0 + 1000, 998)]); // a duplicate of a sealed fix (positions refuses it too)
    const want = (u: string, from: number, to: number) => f32(track(db, u, from, to));
    for (const u of units) expect(unitTrack(db, u, T0, T0 + 10 * MINUTE_MS, writer)).toEqual(want(u, T0, T0 + 10 * MINUTE_MS));
    expect(unitTrack(db, 'off-1', T0 + 20_000, T0 + 200_000, writer)).toEqual(want('off-1', T0 + 20_000, T0 + 200_000));
    writer.seal(T0 + 4 * MINUTE_MS + 5_000);
    expect(db.prepare('SELECT part FROM position_segments WHERE unit_id = ? AND minute = ? ORDER BY part').all('off-1', T0).map((r) => (r as { part: number }).part)).toEqual([0, 1]);
    // without the writer (a tool, or a reader beside the hub) the tail comes from positions
    expect(unitTrack(db, 'off-2', T0, T0 + 10 * MINUTE_MS)).toEqual(want('off-2', T0, T0 + 10 * MINUTE_MS));
    // a restart: minute 4 was pending in memory; recovery seals it from positions
    db.close();
    db = openStore(dir);
    writer = new SegmentWriter(db);
    writer.recover(T0 + 6 * MINUTE_MS);
    expect(sealedThrough(db)).toBe(T0 + 5 * MINUTE_MS);
    for (const u of units) expect(unitTrack(db, u, T0, T0 + 10 * MINUTE_MS, writer)).toEqual(want(u, T0, T0 + 10 * MINUTE_MS));
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${SEGMENT_SQL.range}`).all('a', 1, 2) as Array<{ detail: string }>).map((r) => r.detail).join(' | ');
    expect(plan).toMatch(/^SEARCH position_segments USING PRIMARY KEY \(unit_id=\? AND minute>\? AND minute<\?\)$/);
    db.close();
  });

  it('history from before segments began (a store older than v80) is read from positions', () => {
    const db = openStore(path.join(tempDir(), 'x'));
    const write = positionWriter(db);
    for (let s = 0; s < 150; s++) write([fix('a', T0 + s * 1000, s)], T0 + s * 1000);
    const w = new SegmentWriter(db);
    w.recover(T0 + 150_000); // the hub's first start with segments, after the last fix: they begin with minute 3
    for (let s = 150; s < 200; s++) ingest(db, w, [fix('a', T0 + s * 1000, s)]);
    w.seal(T0 + 200_000);
    expect(db.prepare('SELECT count(*) AS n FROM position_segments').get()).toEqual({ n: 1 }); // minute 2; 3 is still open
    expect(unitTrack(db, 'a', T0, T0 + 300_000, w)).toEqual(f32(track(db, 'a', T0, T0 + 300_000)));
    db.close();
  });

  it('a replay window is every unit\'s fixes in it, in a box when asked, and says when it was cut', () => {
    const db = openStore(path.join(tempDir(), 'x'));
    const w = new SegmentWriter(db);
    w.recover(T0 - MINUTE_MS);
    for (let s = 0; s < 60; s++) ingest(db, w, ['a', 'b'].map((u, k) => fix(u, T0 + s * 1000, s + k * 100_000)));
    const all = replayWindow(db, T0 + 10_000, T0 + 19_999, undefined, 1000);
    expect(all).toMatchObject({ truncated: false });
    expect(all.fixes.map((f) => [f.t, f.unitId])).toEqual([...Array(10).keys()].flatMap((s) => [[T0 + 10_000 + s * 1000, 'a'], [T0 + 10_000 + s * 1000, 'b']]));
    expect(replayWindow(db, T0, T0 + 60_000, [118.69, 31.9, 118.71, 32.01], 1000).fixes.every((f) => f.unitId === 'a')).toBe(true);
    expect(replayWindow(db, T0, T0 + 60_000, undefined, 7)).toMatchObject({ truncated: true, fixes: { length: 7 } });
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${SEGMENT_SQL.window}`).all({ from: 1, to: 2, west: 0, south: 0, east: 1, north: 1, limit: 1 }) as Array<{ detail: string }>).map((r) => r.detail).join(' | ');
    expect(plan).toMatch(/^SEARCH positions USING PRIMARY KEY \(t>\? AND t<\?\)$/); // in key order: no sort
    db.close();
  });
});

describe('position retention', () => {
  it('keeps full rate for the period, then the first fix per unit per 10 s in positions and segments; a second run changes nothing', () => {
    const db = openStore(path.join(tempDir(), 'x'));
    const w = new SegmentWriter(db);
    w.recover(T0 - MINUTE_MS);
    const old = T0;
    const recent = T0 + 40 * 86_400_000;
    for (const base of [old, recent]) for (let s = 0; s < 120; s++) ingest(db, w, ['a', 'b'].map((u) => fix(u, base + s * 1000 + 300, s)));
    w.seal(recent + 10 * MINUTE_MS);
    const before = { recentA: track(db, 'a', recent, recent + 200_000) };
    const now = old + 31 * 86_400_000; // `old` is past 30 days, `recent` is not even here yet
    const run = applyRetention(db, now, DEFAULT_RETENTION);
    expect(run.thinnedFixes).toBe(2 * (120 - 12));
    expect(track(db, 'a', old, old + 200_000).map((f) => f.t - old)).toEqual([...Array(12).keys()].map((k) => k * 10_000 + 300));
    expect(unitTrack(db, 'a', old, old + 200_000, w).map((f) => f.t)).toEqual(track(db, 'a', old, old + 200_000).map((f) => f.t));
    expect(track(db, 'a', recent, recent + 200_000)).toEqual(before.recentA);
    expect(unitTrack(db, 'b', recent, recent + 200_000, w)).toHaveLength(120);
    const count = countPositions(db);
    expect(applyRetention(db, now, DEFAULT_RETENTION)).toMatchObject({ thinnedFixes: 0, rewrittenSegments: 0 });
    expect(countPositions(db)).toBe(count);
    // expiry, when a policy sets it, removes the old minutes outright
    applyRetention(db, now, { ...DEFAULT_RETENTION, keepDays: 30.5 });
    expect(track(db, 'a', old, old + 200_000)).toEqual([]);
    expect(unitTrack(db, 'a', old, old + 200_000)).toEqual([]);
    expect(unitTrack(db, 'a', recent, recent + 200_000)).toHaveLength(120);
    db.close();
  });
});
