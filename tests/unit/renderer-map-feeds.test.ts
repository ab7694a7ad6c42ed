// What the console's map feeds send to their sources, without a browser: the cameras' diff (only what
// changed goes to the map) and the units' flush path (feedFromPositions, the code the map bench runs).
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { GeoJSONSourceDiff } from 'maplibre-gl';
import type { Camera, Unit } from '../../shared/domain';
import type { StreamHealth } from '../../shared/protocol';
import { PositionStore } from '../../renderer/src/hub/positions';
import { CameraFeed } from '../../renderer/src/map/camera-feed';
import { FULL_MIN_UNITS, FULL_SHARE, LABELS_ALL_FROM_ZOOM, LabelsView, NO_EXCEPTIONS, UnitFeed, VEHICLE_LABELS_FROM_ZOOM, feedFromPositions } from '../../renderer/src/map/unit-feed';
import type { AttendanceMark } from '../../renderer/src/state/attendance';
import { CLASS_INDEX, MARK_INDEX, UnitBuffer, mercator } from '../../renderer/src/map/unit-buffer';
import { TrailBuffer } from '../../renderer/src/map/trail-buffer';
import { TRAIL_GAP_MS, TRAIL_POINTS } from '../../renderer/src/hub/positions';

const T = 1_800_000_000_000;
const immediate = { request: (cb: () => void) => cb(), now: () => Date.now() };
const camera = (id: string, over: Partial<Camera> = {}): Camera => ({
  id, kind: 'fixed', name: id, position: [118.78, 32.04], facing: 90, unitId: null, sources: [{ kind: 'testsrc', url: '' }], key: false, ...over,
});
const officer = (id: string): Unit => ({ id, kind: 'officer', name: id, badge: null, plate: null, squad: null, cellId: null, postId: null, routeId: null, cameraId: null, status: 'patrolling' });
const vehicle = (id: string): Unit => ({ ...officer(id), kind: 'vehicle' });
/** A map that counts its look-ups (what a diff costs per unit it visits). */
class Counted<K, V> extends Map<K, V> {
  gets = 0;
  override get(k: K): V | undefined {
    this.gets++;
    return super.get(k);
  }
}
const sentIds = (d: GeoJSONSourceDiff | null) => (d ? [...(d.add ?? []).map((f) => f.id), ...(d.update ?? []).map((u) => u.id), ...(d.remove ?? [])] : []);

afterEach(() => {
  vi.useRealTimers();
});

describe('the cameras feed', () => {
  const cameras = new Map([camera('c1'), camera('c2'), camera('b1', { kind: 'body', position: null, facing: null, unitId: 'u1' })].map((c) => [c.id, c]));

  it('adds every camera once, then sends nothing while nothing changes, and only the camera whose unit moved when one does', () => {
    const store = new PositionStore(300, immediate);
    store.merge([{ unitId: 'u1', t: T, lng: 118.79, lat: 32.05, heading: 10 }]);
    const feed = new CameraFeed();
    const first = feed.diff(cameras, new Map(), store, true);
    expect(first?.add?.map((f) => f.id)).toEqual(['c1', 'c2', 'b1']);
    expect(first?.add?.[2]).toMatchObject({ geometry: { coordinates: [118.79, 32.05] }, properties: { id: 'b1', kind: 'body', look: 'unknown', facing: 10 } });
    // The moving cameras' refresh with nothing changed: no diff at all (the old layer re-sent all three).
    expect(feed.diff(cameras, new Map(), store, true)).toBeNull();
    store.merge([{ unitId: 'u1', t: T + 1000, lng: 118.791, lat: 32.05, heading: 10 }]);
    const moved = feed.diff(cameras, new Map(), store, true);
    expect(sentIds(moved)).toEqual(['b1']);
    expect(moved?.update?.[0]).toEqual({ id: 'b1', newGeometry: { type: 'Point', coordinates: [118.791, 32.05] } });
  });

  it('sends a changed look as a property change, a camera gone or without a place as a removal', () => {
    const store = new PositionStore(300, immediate);
    store.merge([{ unitId: 'u1', t: T, lng: 118.79, lat: 32.05 }]);
    const feed = new CameraFeed();
    feed.diff(cameras, new Map(), store, true);
    const down: StreamHealth = { cameraId: 'c2', state: 'down', reason: 'gone', bitrateKbps: null, segmentAgeMs: null, since: T };
    expect(feed.diff(cameras, new Map([['c2', down]]), store, true)?.update).toEqual([{ id: 'c2', addOrUpdateProperties: [{ key: 'look', value: 'offline' }] }]);
    // The hub out of reach: every look is unknown again.
    expect(sentIds(feed.diff(cameras, new Map([['c2', down]]), store, false))).toEqual(['c2']);
    const fewer = new Map([...cameras].filter(([id]) => id !== 'c1'));
    expect(feed.diff(fewer, new Map([['c2', down]]), store, false)?.remove).toEqual(['c1']);
    store.clear();
    expect(feed.diff(fewer, new Map([['c2', down]]), store, false)?.remove).toEqual(['b1']);
  });
});

describe('the units feed', () => {
  it('sends each flush only the units it changed, and the sweep re-evaluates every unit\'s age', () => {
    vi.useFakeTimers({ now: T });
    const store = new PositionStore(300, immediate);
    const units = new Map(['a', 'b', 'c'].map((id) => [id, officer(id)]));
    const marks = new Map<string, AttendanceMark>([['b', 'late']]);
    const sent: GeoJSONSourceDiff[] = [];
    const stop = feedFromPositions(new UnitFeed('officer'), { positions: store, units: () => units, marks: () => marks, now: () => Date.now() }, (d) => {
      sent.push(d);
    }, 5000);
    store.merge(['a', 'b', 'c'].map((unitId) => ({ unitId, t: T, lng: 118.78, lat: 32.04 })));
    vi.advanceTimersByTime(300);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.add?.map((f) => [f.id, f.properties?.att])).toEqual([['a', ''], ['b', 'late'], ['c', '']]);
    store.merge([{ unitId: 'b', t: T + 400, lng: 118.781, lat: 32.04 }]);
    vi.advanceTimersByTime(300);
    expect(sentIds(sent[1]!)).toEqual(['b']);
    // No fix for 40 s: the sweep (every 5 s) turns all three stale.
    vi.advanceTimersByTime(40_000);
    const stale = sent.slice(2).flatMap((d) => d.add ?? []).filter((f) => f.properties?.cls === 'stale');
    expect([...new Set(stale.map((f) => f.id))].sort()).toEqual(['a', 'b', 'c']);
    const n = sent.length;
    stop();
    vi.advanceTimersByTime(20_000);
    store.merge([{ unitId: 'a', t: T + 60_000, lng: 118.79, lat: 32.04 }]);
    vi.advanceTimersByTime(300);
    expect(sent).toHaveLength(n);
  });

  it('keeps one diff in flight: what changes meanwhile goes in one diff when the map has the last, each unit once, where it is now', async () => {
    vi.useFakeTimers({ now: T });
    const store = new PositionStore(300, immediate);
    const units = new Map(['a', 'b', 'c'].map((id) => [id, officer(id)]));
    const sent: GeoJSONSourceDiff[] = [];
    let land = () => undefined as void;
    const stop = feedFromPositions(new UnitFeed('officer'), { positions: store, units: () => units, marks: () => new Map(), now: () => Date.now() }, (d) => {
      sent.push(d);
      return new Promise<void>((resolve) => (land = resolve));
    });
    store.merge(['a', 'b', 'c'].map((unitId) => ({ unitId, t: T, lng: 118.78, lat: 32.04 })));
    vi.advanceTimersByTime(300);
    expect(sent).toHaveLength(1);
    // Two flushes while the map's worker still has the first diff: nothing is sent.
    store.merge([{ unitId: 'a', t: T + 400, lng: 118.781, lat: 32.04 }, { unitId: 'b', t: T + 400, lng: 118.781, lat: 32.04 }]);
    vi.advanceTimersByTime(300);
    store.merge([{ unitId: 'a', t: T + 800, lng: 118.782, lat: 32.04 }]);
    vi.advanceTimersByTime(300);
    expect(sent).toHaveLength(1);
    land();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toHaveLength(2);
    // Whole features in `add` (each replaces the one with its id), never `update`: maplibre's worker applies
    // updates in time quadratic in their number (unit-feed.ts).
    expect(sent[1]).toEqual({ remove: [], add: [
      { type: 'Feature', id: 'a', geometry: { type: 'Point', coordinates: [118.782, 32.04] }, properties: { id: 'a', cls: 'patrolling', ago: '', name: 'a', att: '' } },
      { type: 'Feature', id: 'b', geometry: { type: 'Point', coordinates: [118.781, 32.04] }, properties: { id: 'b', cls: 'patrolling', ago: '', name: 'b', att: '' } },
    ] });
    stop();
  });

  it('replaces the whole source when a flush changes more than a quarter of a large one, and sends a diff otherwise', () => {
    const n = FULL_MIN_UNITS * 2;
    const store = new PositionStore(300, immediate);
    const ids = Array.from({ length: n }, (_, i) => 'u' + i);
    const units = new Map(ids.map((id) => [id, officer(id)]));
    store.merge(ids.map((unitId, i) => ({ unitId, t: T, lng: 118.7 + i * 1e-5, lat: 32.04 })));
    const feed = new UnitFeed('officer');
    expect(feed.diff(ids, units, store.all(), T)?.removeAll).toBe(true); // the first fill is one too
    const move = (k: number, t: number) => {
      const moved = ids.slice(0, k);
      store.merge(moved.map((unitId, i) => ({ unitId, t, lng: 118.8 + i * 1e-5, lat: 32 + (t - T) / 1e5 })));
      return feed.diff(moved, units, store.all(), t);
    };
    const few = move(Math.floor(n * FULL_SHARE), T + 1000);
    expect(few?.removeAll).toBeUndefined();
    expect(few?.add).toHaveLength(Math.floor(n * FULL_SHARE));
    const many = move(Math.floor(n * FULL_SHARE) + 1, T + 2000);
    expect(many?.removeAll).toBe(true);
    expect(many?.add).toHaveLength(n);
    // Every unit where it is now, the moved and the unmoved ones.
    const at = new Map(many!.add!.map((f) => [f.id, (f.geometry as GeoJSON.Point).coordinates]));
    expect(at.get('u0')).toEqual([118.8, 32.02]);
    expect(at.get(ids[n - 1]!)).toEqual([118.7 + (n - 1) * 1e-5, 32.04]);
  });

  it('gives only vehicles a heading: an officer turning on the spot sends nothing, a vehicle turning sends its heading', () => {
    const store = new PositionStore(300, immediate);
    const units = new Map([officer('a'), { ...officer('v'), kind: 'vehicle' as const }].map((u) => [u.id, u]));
    const officers = new UnitFeed('officer');
    const vehicles = new UnitFeed('vehicle');
    store.merge([{ unitId: 'a', t: T, lng: 118.78, lat: 32.04, heading: 10 }, { unitId: 'v', t: T, lng: 118.78, lat: 32.04, heading: 10 }]);
    expect(officers.diff(['a'], units, store.all(), T)?.add?.[0]?.properties).not.toHaveProperty('heading');
    expect(vehicles.diff(['v'], units, store.all(), T)?.add?.[0]?.properties).toMatchObject({ heading: 10 });
    store.merge([{ unitId: 'a', t: T + 1000, lng: 118.78, lat: 32.04, heading: 90 }, { unitId: 'v', t: T + 1000, lng: 118.78, lat: 32.04, heading: 90 }]);
    expect(officers.diff(['a'], units, store.all(), T + 1000)).toBeNull();
    expect(vehicles.diff(['v'], units, store.all(), T + 1000)?.add?.map((f) => f.properties)).toEqual([{ id: 'v', cls: 'patrolling', ago: '', heading: 90, name: 'v' }]);
  });

  it('sends a trail only its colour, its points shared with the store\'s trail but not the list the store appends to', () => {
    const store = new PositionStore(300, immediate);
    const units = new Map([vehicle('v')].map((u) => [u.id, u]));
    store.merge([{ unitId: 'v', t: T, lng: 118.78, lat: 32.04 }, { unitId: 'v', t: T + 1000, lng: 118.781, lat: 32.04 }]);
    const trails = new UnitFeed('vehicle', true);
    const f = trails.diff(['v'], units, store.all(), T + 1000)!.add![0]!;
    expect(f.properties).toEqual({ cls: 'patrolling' });
    const line = (f.geometry as GeoJSON.LineString).coordinates;
    expect(line).toEqual([[118.78, 32.04], [118.781, 32.04]]);
    store.merge([{ unitId: 'v', t: T + 2000, lng: 118.782, lat: 32.04 }]);
    expect(line).toHaveLength(2); // what the map holds did not change under it
    expect(trails.diff(['v'], units, store.all(), T + 2000)!.add![0]!.geometry).toEqual({ type: 'LineString', coordinates: [[118.78, 32.04], [118.781, 32.04], [118.782, 32.04]] });
  });

  it('keeps the vehicles of a 20,000-unit city (2,500, one in eight) on diffs: a flush moving half of them sends that half', () => {
    const n = 2500;
    const store = new PositionStore(300, immediate);
    const ids = Array.from({ length: n }, (_, i) => 'v' + i);
    const units = new Map(ids.map((id) => [id, vehicle(id)]));
    store.merge(ids.map((unitId, i) => ({ unitId, t: T, lng: 118.7 + i * 1e-5, lat: 32.04 })));
    const feed = new UnitFeed('vehicle');
    feed.diff(ids, units, store.all(), T);
    const half = ids.slice(0, n / 2);
    store.merge(half.map((unitId, i) => ({ unitId, t: T + 1000, lng: 118.8 + i * 1e-5, lat: 32.05 })));
    const d = feed.diff(half, units, store.all(), T + 1000);
    expect(d?.removeAll).toBeUndefined();
    expect(d?.add).toHaveLength(n / 2);
  });

  it('a vehicles\' feed handed a flush of mostly officers looks up only the vehicles and what it shows, and sweeps only those', () => {
    const store = new PositionStore(300, immediate);
    const ids = Array.from({ length: 800 }, (_, i) => 'u' + i);
    const units = new Counted(ids.map((id, i) => [id, i % 8 === 0 ? vehicle(id) : officer(id)] as const));
    store.merge(ids.map((unitId, i) => ({ unitId, t: T, lng: 118.7 + i * 1e-5, lat: 32.04 })));
    const feed = new UnitFeed('vehicle');
    expect(feed.diff(new Set(ids), units, store.all(), T)?.add).toHaveLength(100);
    store.merge(ids.map((unitId, i) => ({ unitId, t: T + 1000, lng: 118.8 + i * 1e-5, lat: 32.04 })));
    units.gets = 0;
    const d = feed.diff(new Set(ids), units, store.all(), T + 1000);
    expect(d?.add?.map((f) => f.id)).toEqual(ids.filter((_, i) => i % 8 === 0));
    expect(units.gets).toBe(100);
    // The sweep (ages) re-diffs what the source holds, not every unit the store has.
    expect([...feed.due()]).toEqual(ids.filter((_, i) => i % 8 === 0));
  });
});

describe('the officers\' labels and badges source beside the dots layer (LabelsView)', () => {
  const CITY = { west: 118.7, east: 118.9, south: 31.9, north: 32.1 };
  const setup = () => {
    const store = new PositionStore(300, immediate);
    const ids = Array.from({ length: 1000 }, (_, i) => 'u' + i);
    const units = new Counted(ids.map((id) => [id, officer(id)] as const));
    // Two exceptions (late, missing), one on post (its badge only close in).
    const marks = new Map<string, AttendanceMark>([['u1', 'late'], ['u2', 'missing'], ['u3', 'on']]);
    store.merge(ids.map((unitId, i) => ({ unitId, t: T, lng: 118.7 + i * 1e-4, lat: 32.04 })));
    const view = new LabelsView();
    view.take(13, CITY);
    return { store, ids, units, marks, view, feed: new UnitFeed('officer', false, view) };
  };

  it('holds the exceptions at every zoom and every officer in view from zoom 15', () => {
    const { store, ids, units, marks, view, feed } = setup();
    expect(sentIds(feed.diff(new Set(ids), units, store.all(), T, marks)).sort()).toEqual(['u1', 'u2']);
    // Close in on the first hundred metres: the officers there come, whatever their mark.
    expect(view.take(LABELS_ALL_FROM_ZOOM + 1, { west: 118.7, east: 118.70105, south: 32.03, north: 32.05 })).toBe(true);
    const d = feed.diff(new Set(ids), units, store.all(), T, marks)!;
    expect(d.add!.map((f) => f.id)).toEqual(Array.from({ length: 16 }, (_, i) => 'u' + i).filter((id) => id !== 'u1' && id !== 'u2'));
    // Back out: they go, the exceptions stay.
    expect(view.take(13, CITY)).toBe(true);
    expect(feed.diff(new Set(ids), units, store.all(), T, marks)!.remove).toHaveLength(14);
  });

  it('below zoom 15 a flush and the sweep look up only the exceptions and what the source holds, not every officer moved', () => {
    vi.useFakeTimers({ now: T });
    const { store, ids, units, marks, feed } = setup();
    const sent: GeoJSONSourceDiff[] = [];
    let current = marks;
    const stop = feedFromPositions(feed, { positions: store, units: () => units, marks: () => current, now: () => Date.now() }, (d) => {
      sent.push(d);
    }, 5000);
    expect(sentIds(sent[0]!).sort()).toEqual(['u1', 'u2']);
    units.gets = 0;
    store.merge(ids.map((unitId, i) => ({ unitId, t: T + 100, lng: 118.71 + i * 1e-4, lat: 32.04 })));
    vi.advanceTimersByTime(300);
    expect(sentIds(sent[1]!).sort()).toEqual(['u1', 'u2']);
    expect(units.gets).toBe(2);
    // A mark turning into an exception brings its officer (the console re-diffs the officers whose mark changed).
    current = new Map(marks).set('u3', 'off');
    expect(sentIds(feed.diff(new Set(['u3']), units, store.all(), Date.now(), current))).toEqual(['u3']);
    // The sweep (ages): only the three held.
    units.gets = 0;
    vi.advanceTimersByTime(40_000);
    expect(units.gets).toBe(3 * 8);
    expect(sent.at(-1)!.add!.map((f) => f.properties?.ago).sort()).toEqual(['40s', '40s', '40s']);
    stop();
  });
});

describe('the officers\' dots buffer (what the dots layer draws)', () => {
  const at = (b: UnitBuffer, id: string) => {
    const s = b.at(id);
    return s && { lng: s.mx * 360 - 180, cls: s.cls, att: s.att };
  };

  it('writes only the slots of units that changed, and says which range the GPU copy lacks', () => {
    const store = new PositionStore(300, immediate);
    const ids = ['a', 'b', 'c', 'd'];
    const units = new Map(ids.map((id) => [id, officer(id)]));
    store.merge(ids.map((unitId, i) => ({ unitId, t: T, lng: 118.78 + i * 1e-3, lat: 32.04 })));
    const buffer = new UnitBuffer('officer');
    expect(buffer.diff(ids, units, store.all(), T)).toBe(4);
    expect(buffer.takeDirty()).toEqual({ from: 0, to: 3 });
    expect(buffer.takeDirty()).toBeNull();
    // Nothing changed: nothing written.
    expect(buffer.diff(ids, units, store.all(), T)).toBeNull();
    store.merge([{ unitId: 'c', t: T + 1000, lng: 118.79, lat: 32.04 }]);
    expect(buffer.diff(['c'], units, store.all(), T + 1000)).toBe(1);
    expect(buffer.takeDirty()).toEqual({ from: 2, to: 2 });
    expect(at(buffer, 'c')!.lng).toBeCloseTo(118.79, 9);
  });

  it('reads a unit\'s record and mark once per units and marks maps: a flush of units that only moved looks up neither', () => {
    const store = new PositionStore(300, immediate);
    const ids = ['a', 'b', 'c'];
    const units = new Counted(ids.map((id) => [id, officer(id)] as const));
    const marks = new Counted<string, AttendanceMark>([['b', 'late']]);
    store.merge(ids.map((unitId, i) => ({ unitId, t: T, lng: 118.78 + i * 1e-3, lat: 32.04 })));
    const buffer = new UnitBuffer('officer');
    buffer.diff(ids, units, store.all(), T, marks);
    expect([units.gets, marks.gets]).toEqual([3, 3]);
    store.merge(ids.map((unitId, i) => ({ unitId, t: T + 1000, lng: 118.79 + i * 1e-3, lat: 32.04 })));
    expect(buffer.diff(ids, units, store.all(), T + 1000, marks)).toBe(3);
    expect([units.gets, marks.gets]).toEqual([3, 3]);
    expect(at(buffer, 'b')).toMatchObject({ att: MARK_INDEX.late });
    // A unit's status changed (a new units map): read again, drawn with it.
    const sos = new Counted([...units].map(([id, u]) => [id, id === 'a' ? { ...u, status: 'sos' as const } : u] as const));
    expect(buffer.diff(['a'], sos, store.all(), T + 1000, marks)).toBe(1);
    expect(at(buffer, 'a')).toMatchObject({ cls: CLASS_INDEX.sos });
    const none = new Map<string, AttendanceMark>();
    expect(buffer.diff(['b'], sos, store.all(), T + 1000, none)).toBe(1);
    expect(at(buffer, 'b')).toMatchObject({ att: MARK_INDEX[''] });
  });

  it('holds positions as offsets exact to well under a metre, where whole mercator floats would be ~2 m apart', () => {
    const store = new PositionStore(300, immediate);
    const units = new Map([officer('a'), officer('b')].map((u) => [u.id, u]));
    // 1e-6 degrees is ~0.1 m: two officers that close must stay apart and in order.
    store.merge([{ unitId: 'a', t: T, lng: 118.78, lat: 32.04 }, { unitId: 'b', t: T, lng: 118.780001, lat: 32.04 }]);
    const buffer = new UnitBuffer('officer');
    buffer.diff(['a', 'b'], units, store.all(), T);
    expect((at(buffer, 'b')!.lng - at(buffer, 'a')!.lng) * 1e6).toBeCloseTo(1, 2);
    expect(Math.fround(mercator(118.780001, 32.04)[0]) - Math.fround(mercator(118.78, 32.04)[0])).toBe(0);
  });

  it('classes as the GeoJSON layers do (SOS, stale, offline, off duty, marks), and gives a gone unit\'s slot to the last one', () => {
    const store = new PositionStore(300, immediate);
    const units = new Map<string, Unit>([officer('a'), { ...officer('s'), status: 'sos' as const }, { ...officer('o'), status: 'off_duty' as const }, { ...officer('v'), kind: 'vehicle' as const }].map((u) => [u.id, u]));
    store.merge([...units.keys()].map((unitId) => ({ unitId, t: T, lng: 118.78, lat: 32.04 })));
    const buffer = new UnitBuffer('officer');
    const marks = new Map<string, AttendanceMark>([['a', 'late']]);
    buffer.diff(units.keys(), units, store.all(), T, marks);
    expect(buffer.count).toBe(3); // no vehicle
    expect(at(buffer, 'a')).toMatchObject({ cls: CLASS_INDEX.patrolling, att: MARK_INDEX.late });
    expect(at(buffer, 's')).toMatchObject({ cls: CLASS_INDEX.sos });
    expect(at(buffer, 'o')).toMatchObject({ cls: CLASS_INDEX.off_duty });
    buffer.diff(['a'], units, store.all(), T + 60_000, marks);
    expect(at(buffer, 'a')).toMatchObject({ cls: CLASS_INDEX.stale });
    buffer.diff(['a', 's'], units, store.all(), T + 6 * 60_000, marks);
    expect(at(buffer, 'a')).toMatchObject({ cls: CLASS_INDEX.offline });
    expect(at(buffer, 's')).toMatchObject({ cls: CLASS_INDEX.sos }); // SOS beats age
    buffer.takeDirty();
    const fewer = new Map([...units].filter(([id]) => id !== 'a'));
    expect(buffer.diff(['a'], fewer, store.all(), T + 6 * 60_000, marks)).toBe(1);
    expect(buffer.count).toBe(2);
    expect(at(buffer, 'a')).toBeNull();
    // 'o' (the last slot) moved into 'a''s slot 0: that slot is what the GPU copy lacks.
    expect(buffer.takeDirty()).toEqual({ from: 0, to: 0 });
    expect(at(buffer, 'o')).toMatchObject({ cls: CLASS_INDEX.off_duty });
  });

  it('sweeps only the units whose fix aged into another freshness, and the sweep redraws them stale', () => {
    vi.useFakeTimers({ now: T });
    const store = new PositionStore(300, immediate);
    const units = new Map(['a', 'b'].map((id) => [id, officer(id)]));
    const buffer = new UnitBuffer('officer');
    let repaints = 0;
    const stop = feedFromPositions(buffer, { positions: store, units: () => units, marks: () => new Map(), now: () => Date.now() }, () => {
      repaints++;
    }, 5000);
    store.merge([{ unitId: 'a', t: T, lng: 118.78, lat: 32.04 }, { unitId: 'b', t: T, lng: 118.79, lat: 32.04 }]);
    vi.advanceTimersByTime(300);
    expect(repaints).toBe(1);
    expect(buffer.due(T + 20_000)).toEqual([]);
    // b keeps reporting, a stops: at 35 s only a is due, and the sweep draws it stale.
    store.merge([{ unitId: 'b', t: T + 20_000, lng: 118.79, lat: 32.04 }]);
    vi.advanceTimersByTime(20_000);
    expect(buffer.due(T + 35_000)).toEqual(['a']);
    vi.advanceTimersByTime(15_000);
    expect(at(buffer, 'a')).toMatchObject({ cls: CLASS_INDEX.stale });
    expect(at(buffer, 'b')).toMatchObject({ cls: CLASS_INDEX.patrolling });
    expect(buffer.due(Date.now())).toEqual([]);
    stop();
  });

  it('picks on the CPU: the drawn units within the radius of a point, nearest first, never an off-duty one', () => {
    const store = new PositionStore(300, immediate);
    const units = new Map<string, Unit>([officer('a'), officer('b'), { ...officer('o'), status: 'off_duty' as const }, officer('far')].map((u) => [u.id, u]));
    store.merge([
      { unitId: 'a', t: T, lng: 118.78, lat: 32.04 }, { unitId: 'b', t: T, lng: 118.7801, lat: 32.04 },
      { unitId: 'o', t: T, lng: 118.78005, lat: 32.04 }, { unitId: 'far', t: T, lng: 118.79, lat: 32.04 },
    ]);
    const buffer = new UnitBuffer('officer');
    buffer.diff(units.keys(), units, store.all(), T);
    // A screen 1 px per 1e-9 of mercator around a's position (b is ~280 px east of a).
    const [ax, ay] = mercator(118.78, 32.04);
    const toScreen = (mx: number, my: number) => ({ x: (mx - ax) * 1e9, y: (my - ay) * 1e9 });
    const bx = toScreen(...mercator(118.7801, 32.04)).x;
    const near = (x: number, r: number) => buffer.near({ x, y: 0 }, () => r, toScreen, { mx: ax + x / 1e9, my: ay, r: 1e-4 });
    expect(near(0, 5)).toEqual(['a']);
    expect(near(bx * 0.6, bx)).toEqual(['b', 'a']);
    expect(near(bx / 2, 1)).toEqual([]); // 'o' stands there, off duty, not drawn
  });
});

describe('the vehicles\' arrows buffer (what the arrows layer draws)', () => {
  const setup = () => {
    const store = new PositionStore(300, immediate);
    const units = new Map<string, Unit>([vehicle('v1'), { ...vehicle('v2'), status: 'off_duty' as const }, officer('o1')].map((u) => [u.id, u]));
    store.merge([
      { unitId: 'v1', t: T, lng: 118.78, lat: 32.04, heading: 90 }, { unitId: 'v2', t: T, lng: 118.7801, lat: 32.04, heading: 33.3 },
      { unitId: 'o1', t: T, lng: 118.78, lat: 32.04, heading: 10 },
    ]);
    const buffer = new UnitBuffer('vehicle');
    buffer.diff(units.keys(), units, store.all(), T);
    return { store, units, buffer };
  };

  it('holds each vehicle\'s heading as its fourth number (no mark), and a vehicle turning on the spot rewrites only its slot', () => {
    const { store, units, buffer } = setup();
    expect(buffer.count).toBe(2); // no officer
    expect(buffer.at('v1')).toMatchObject({ cls: CLASS_INDEX.patrolling, heading: 90, att: 0 });
    expect(buffer.at('v2')!.heading).toBeCloseTo(33.3, 4);
    buffer.takeDirty();
    // Nothing changed: nothing written (the heading compares as the float32 it is stored as).
    expect(buffer.diff(['v1', 'v2'], units, store.all(), T)).toBeNull();
    store.merge([{ unitId: 'v2', t: T + 1000, lng: 118.7801, lat: 32.04, heading: 200 }]);
    expect(buffer.diff(['v1', 'v2'], units, store.all(), T + 1000)).toBe(1);
    expect(buffer.takeDirty()).toEqual({ from: 1, to: 1 });
    expect(buffer.at('v2')!.heading).toBe(200);
    // An officer's buffer still holds marks there, never a heading.
    const officers = new UnitBuffer('officer');
    officers.diff(units.keys(), units, store.all(), T, new Map([['o1', 'late']]));
    expect(officers.at('o1')).toMatchObject({ att: MARK_INDEX.late, heading: 0 });
  });

  it('picks every drawn vehicle, an off-duty one too (the arrows layer draws every class, as the symbol layer did)', () => {
    const { buffer } = setup();
    const [ax, ay] = mercator(118.78, 32.04);
    const toScreen = (mx: number, my: number) => ({ x: (mx - ax) * 1e9, y: (my - ay) * 1e9 });
    const bx = toScreen(...mercator(118.7801, 32.04)).x;
    const near = (x: number, r: number) => buffer.near({ x, y: 0 }, () => r, toScreen, { mx: ax + x / 1e9, my: ay, r: 1e-4 });
    expect(near(bx, 5)).toEqual(['v2']);
    expect(near(0, 5)).toEqual(['v1']);
  });
});

describe('the vehicles\' labels source beside the arrows layer (LabelsView from zoom 14, no exceptions)', () => {
  it('holds no vehicle below zoom 14 and every vehicle in view from it', () => {
    const store = new PositionStore(300, immediate);
    const ids = Array.from({ length: 100 }, (_, i) => 'v' + i);
    const units = new Map(ids.map((id) => [id, vehicle(id)] as const));
    store.merge(ids.map((unitId, i) => ({ unitId, t: T, lng: 118.7 + i * 1e-4, lat: 32.04, heading: 0 })));
    const view = new LabelsView(VEHICLE_LABELS_FROM_ZOOM, NO_EXCEPTIONS);
    const feed = new UnitFeed('vehicle', false, view);
    view.take(13, { west: 118.7, east: 118.9, south: 31.9, north: 32.1 });
    // Marks never keep a vehicle (an officer's 'late' is no exception here, nor are vehicles visited for it).
    expect(feed.diff(new Set(ids), units, store.all(), T, new Map([['v5', 'late']]))).toBeNull();
    expect(view.take(VEHICLE_LABELS_FROM_ZOOM, { west: 118.7, east: 118.70105, south: 32.03, north: 32.05 })).toBe(true);
    expect(sentIds(feed.diff(new Set(ids), units, store.all(), T))).toEqual(Array.from({ length: 16 }, (_, i) => 'v' + i));
  });
});

describe('the vehicles\' arrows buffer handed a flush of mostly officers', () => {
  it('looks up only the vehicles and its slots, and still frees the slot of a vehicle gone from the units', () => {
    const store = new PositionStore(300, immediate);
    const ids = Array.from({ length: 800 }, (_, i) => 'u' + i);
    const units = new Counted(ids.map((id, i) => [id, i % 8 === 0 ? vehicle(id) : officer(id)] as const));
    store.merge(ids.map((unitId, i) => ({ unitId, t: T, lng: 118.7 + i * 1e-5, lat: 32.04, heading: 0 })));
    const buffer = new UnitBuffer('vehicle');
    expect(buffer.diff(new Set(ids), units, store.all(), T)).toBe(100);
    store.merge(ids.map((unitId, i) => ({ unitId, t: T + 1000, lng: 118.8 + i * 1e-5, lat: 32.04, heading: 0 })));
    const tracks = new Counted([...store.all()]);
    expect(buffer.diff(new Set(ids), units, tracks, T + 1000)).toBe(100);
    expect(tracks.gets).toBe(100);
    // A vehicle gone (a new units map without it): its slot goes, though it is not of the kind in that map.
    const fewer = new Map([...units].filter(([id]) => id !== 'u0'));
    expect(buffer.diff(new Set(ids), fewer, store.all(), T + 1000)).toBe(1);
    expect(buffer.count).toBe(99);
    expect(buffer.at('u0')).toBeNull();
  });
});

describe('the vehicles\' trails buffer (what the trails layer draws)', () => {
  /** A slot's points back in lng/lat (the buffer holds mercator offsets). */
  const lngLats = (b: TrailBuffer, id: string) => b.at(id)?.points.map(([mx, my]) => {
    const lat = (360 / Math.PI) * Math.atan(Math.exp(((180 - my * 360) * Math.PI) / 180)) - 90;
    return [mx * 360 - 180, lat];
  });
  const step = (store: PositionStore, id: string, k: number) => store.merge([{ unitId: id, t: T + k * 1000, lng: 118.78 + k * 1e-4, lat: 32.04 + (k % 3) * 1e-4 }]);

  it('holds every vehicle\'s trail the GeoJSON trails feed sends, in its class, the same points in the same order', () => {
    const store = new PositionStore(300, immediate);
    const units = new Map<string, Unit>([vehicle('v1'), { ...vehicle('v2'), status: 'on_task' as const }, vehicle('v3'), officer('o1')].map((u) => [u.id, u]));
    for (let k = 0; k < 12; k++) {
      step(store, 'v1', k);
      if (k < 3) step(store, 'v2', k);
      step(store, 'o1', k);
    }
    step(store, 'v3', 0); // one point: no line
    const now = T + 12_000;
    const buffer = new TrailBuffer();
    expect(buffer.diff(units.keys(), units, store.all(), now)).toBe(2);
    const feed = new UnitFeed('vehicle', true);
    const lines = new Map((feed.diff(units.keys(), units, store.all(), now)!.add ?? []).map((f) => [f.id, f]));
    expect([...lines.keys()].sort()).toEqual(['v1', 'v2']);
    for (const id of ['v1', 'v2']) {
      const coords = (lines.get(id)!.geometry as GeoJSON.LineString).coordinates;
      const got = lngLats(buffer, id)!;
      expect(got.length).toBe(coords.length);
      got.forEach((p, i) => {
        expect(p[0]).toBeCloseTo(coords[i]![0]!, 9);
        expect(p[1]).toBeCloseTo(coords[i]![1]!, 9);
      });
    }
    expect(lngLats(buffer, 'v1')!.length).toBe(TRAIL_POINTS);
    expect(buffer.at('v1')!.cls).toBe(CLASS_INDEX.patrolling);
    expect(buffer.at('v2')!.cls).toBe(CLASS_INDEX.on_task);
    expect(buffer.at('v3')).toBeNull();
    expect(buffer.at('o1')).toBeNull();
  });

  it('rewrites only the slot of a trail that slid or changed class, and sweeps the ones that aged', () => {
    const store = new PositionStore(300, immediate);
    const units = new Map(['v1', 'v2', 'v3'].map((id) => [id, vehicle(id)] as const));
    for (let k = 0; k < 10; k++) for (const id of units.keys()) step(store, id, k);
    const buffer = new TrailBuffer();
    buffer.diff(units.keys(), units, store.all(), T + 10_000);
    expect(buffer.takeDirty()).toEqual({ from: 0, to: 2 });
    expect(buffer.diff(units.keys(), units, store.all(), T + 10_000)).toBeNull();
    // v2 moves: its trail slides by one (the oldest point goes, the new one comes last).
    step(store, 'v2', 10);
    expect(buffer.diff(units.keys(), units, store.all(), T + 10_000)).toBe(1);
    expect(buffer.takeDirty()).toEqual({ from: 1, to: 1 });
    expect(lngLats(buffer, 'v2')!.map((p) => p[0])).toEqual(Array.from({ length: TRAIL_POINTS }, (_, i) => expect.closeTo(118.78 + (3 + i) * 1e-4, 9)));
    // v3 goes SOS (a new units map): drawn in that class, where it was.
    const sos = new Map([...units, ['v3', { ...vehicle('v3'), status: 'sos' as const }]]);
    expect(buffer.diff(['v3'], sos, store.all(), T + 10_000)).toBe(1);
    expect(buffer.at('v3')!.cls).toBe(CLASS_INDEX.sos);
    expect(buffer.takeDirty()).toEqual({ from: 2, to: 2 });
    // Time passes with no fix: the sweep names the trails whose fix aged into stale, and redraws them so.
    expect(buffer.due(T + 10_000)).toEqual([]);
    const later = T + 10_000 + 60_000;
    expect(buffer.due(later).sort()).toEqual(['v1', 'v2', 'v3']);
    buffer.diff(buffer.due(later), sos, store.all(), later);
    expect(buffer.at('v1')!.cls).not.toBe(CLASS_INDEX.patrolling);
    expect(buffer.at('v3')!.cls).toBe(CLASS_INDEX.sos);
  });

  it('follows the store\'s trail through a stop (new fixes at the same spot) and through several fixes between writes', () => {
    const store = new PositionStore(300, immediate);
    const units = new Map([['v1', vehicle('v1')] as const]);
    const buffer = new TrailBuffer();
    const feed = new UnitFeed('vehicle', true);
    const fix = (k: number, lng: number) => store.merge([{ unitId: 'v1', t: T + k * 1000, lng, lat: 32.04 }]);
    let k = 0;
    const check = () => {
      buffer.diff(['v1'], units, store.all(), T + k * 1000);
      const want = store.get('v1')!.trail;
      expect(lngLats(buffer, 'v1')!.map((p) => p[0])).toEqual(want.map((p) => expect.closeTo(p[0], 7))); // float32 offsets: ~1 cm
      feed.diff(['v1'], units, store.all(), T + k * 1000);
    };
    for (; k < 6; k++) fix(k, 118.78 + k * 1e-4);
    check();
    for (; k < 16; k++) {
      fix(k, 118.79); // standing: the same spot, the oldest points sliding off
      check();
    }
    for (; k < 30; k += 3) {
      fix(k, 118.8 + k * 1e-4);
      fix(k + 1, 118.8 + (k + 1) * 1e-4);
      fix(k + 2, 118.8 + (k + 2) * 1e-4); // three fixes between two writes
      check();
    }
  });

  it('frees the slot of a trail that broke (a gap starts it again from one point) or a vehicle gone, the last slot taking its place', () => {
    const store = new PositionStore(300, immediate);
    const units = new Map(['v1', 'v2', 'v3'].map((id) => [id, vehicle(id)] as const));
    for (let k = 0; k < 4; k++) for (const id of units.keys()) step(store, id, k);
    const buffer = new TrailBuffer();
    buffer.diff(units.keys(), units, store.all(), T + 4000);
    buffer.takeDirty();
    const v3 = lngLats(buffer, 'v3');
    store.merge([{ unitId: 'v1', t: T + 3000 + TRAIL_GAP_MS + 1, lng: 118.9, lat: 32.1 }]);
    expect(buffer.diff(['v1'], units, store.all(), T + 4000)).toBe(1);
    expect(buffer.count).toBe(2);
    expect(buffer.at('v1')).toBeNull();
    expect(lngLats(buffer, 'v3')).toEqual(v3);
    expect(buffer.takeDirty()).toEqual({ from: 0, to: 0 });
    const fewer = new Map([...units].filter(([id]) => id !== 'v2'));
    expect(buffer.diff(['v2'], fewer, store.all(), T + 4000)).toBe(1);
    expect(buffer.count).toBe(1);
  });

  it('handed a flush of mostly officers, looks up only the vehicles and its slots; grows past its first capacity', () => {
    const store = new PositionStore(300, immediate);
    const ids = Array.from({ length: 4000 }, (_, i) => 'u' + i);
    const units = new Map(ids.map((id, i) => [id, i % 8 === 0 ? vehicle(id) : officer(id)] as const));
    for (let k = 0; k < 2; k++) store.merge(ids.map((unitId, i) => ({ unitId, t: T + k * 1000, lng: 118.7 + i * 1e-5 + k * 1e-4, lat: 32.04 })));
    const buffer = new TrailBuffer();
    expect(buffer.diff(new Set(ids), units, store.all(), T + 1000)).toBe(500);
    expect(buffer.generation).toBeGreaterThan(1);
    store.merge(ids.map((unitId, i) => ({ unitId, t: T + 2000, lng: 118.8 + i * 1e-5, lat: 32.04 })));
    const tracks = new Counted([...store.all()]);
    expect(buffer.diff(new Set(ids), units, tracks, T + 2000)).toBe(500);
    expect(tracks.gets).toBe(500);
    expect(lngLats(buffer, 'u8')!.at(-1)![0]).toBeCloseTo(118.8 + 8e-5, 7); // float32 offsets 0.1° from the origin: ~1 cm
  });
});
