// The officers' dots and the vehicles' arrows as numbers for the GPU (unit-dots-layer.ts, unit-arrows-layer.ts draw them): one slot of SLOT_FLOATS floats
// per unit in one Float32Array, written in place when the unit moves or changes look, so a flush costs the
// units it changed and the map's GeoJSON machinery (worker indexing, tile reloads, transfer) is never
// involved. Positions are web-mercator offsets from a fixed origin (float32 holds ~7 digits: whole mercator
// coordinates would be ~2 m apart, visible as jitter close in; offsets within a city are exact to mm).
// Classes follow the same rule as the GeoJSON layers (classOf in unit-feed.ts).
import type { Unit } from '../../../shared/domain';
import type { Track } from '../hub/positions';
import type { AttendanceMark } from '../state/attendance';
import type { UnitClass } from './unit-feed';
import { OFFLINE_AFTER_MS, STALE_AFTER_MS } from './freshness';

/**
 * x, y (mercator offsets from the origin), class index, and a fourth number by kind: an officer's attendance
 * mark index, a vehicle's heading in degrees (its arrow turns with it; vehicles carry no mark).
 */
export const SLOT_FLOATS = 4;

/** The order the shader's colour table is in (unit-dots-layer.ts). */
export const CLASS_INDEX: Record<UnitClass, number> = { sos: 0, offline: 1, stale: 2, on_post: 3, patrolling: 4, on_task: 5, off_duty: 6 };
export const MARK_INDEX: Record<AttendanceMark | '', number> = { '': 0, late: 1, missing: 2, off: 3, on: 4 };

/** Web mercator (0..1 over the world, y down), as maplibre's MercatorCoordinate.fromLngLat. */
export function mercator(lng: number, lat: number): [number, number] {
  return [mercatorX(lng), mercatorY(lat)];
}
export const mercatorX = (lng: number) => (lng + 180) / 360;
export const mercatorY = (lat: number) => (180 - (180 / Math.PI) * Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360))) / 360;

const NO_MARKS: ReadonlyMap<string, AttendanceMark> = new Map();
/** freshness() as a number (0 live, 1 stale, 2 offline), without the string. */
export const freshIndex = (fixT: number, now: number) => (now - fixT > OFFLINE_AFTER_MS ? 2 : now - fixT > STALE_AFTER_MS ? 1 : 0);
const LIVE_CLASS: Record<Unit['status'], number> = { sos: CLASS_INDEX.sos, on_post: CLASS_INDEX.on_post, patrolling: CLASS_INDEX.patrolling, on_task: CLASS_INDEX.on_task, off_duty: CLASS_INDEX.off_duty };
/** CLASS_INDEX[classOf(unit, freshness)] (unit-feed.ts), from freshIndex's number. */
export const classIndex = (status: Unit['status'], fresh: number) => (status === 'sos' ? CLASS_INDEX.sos : fresh === 2 ? CLASS_INDEX.offline : fresh === 1 ? CLASS_INDEX.stale : LIVE_CLASS[status]);

/** The ids of one kind of unit in a units map, found again only when the map is a new one (a snapshot). */
export class KindIds {
  private seen: { units: ReadonlyMap<string, Unit> | null; ids: Set<string> } = { units: null, ids: new Set() };
  constructor(private readonly kind: Unit['kind']) {}
  of(units: ReadonlyMap<string, Unit>): ReadonlySet<string> {
    if (this.seen.units !== units) {
      const ids = new Set<string>();
      for (const u of units.values()) if (u.kind === this.kind) ids.add(u.id);
      this.seen = { units, ids };
    }
    return this.seen.ids;
  }
}

/**
 * The units of `ids` a slot buffer's diff must look at: all of them, or, when `ids` is a set larger than the
 * buffer's kind (`own`) and its `count` slots (`slotIds`) together (the vehicles' buffers are handed every
 * officer a flush moved: ~8,600 of ~9,700 at 20,000 units), those of it that are either — any other would be
 * neither written nor removed. As UnitFeed.visit, without a generator (this runs for every flush's thousands of ids).
 */
export function visitSlots(ids: Iterable<string>, own: ReadonlySet<string>, count: number, slotIds: readonly string[]): Iterable<string> {
  if (!(ids instanceof Set)) return ids;
  const set = ids as ReadonlySet<string>;
  if (set.size <= own.size + count) return set;
  const out: string[] = [];
  for (const id of own) if (set.has(id)) out.push(id);
  for (let s = 0; s < count; s++) {
    const id = slotIds[s]!;
    if (!own.has(id) && set.has(id)) out.push(id);
  }
  return out;
}

export class UnitBuffer {
  /** Slots 0..count-1 are units, packed (a removed unit's slot takes the last unit). */
  data = new Float32Array(SLOT_FLOATS * 1024);
  count = 0;
  /** Where slot s starts in `data`: firstFloat + s * slotFloats (uploadSlots reads them; the trails' buffer differs). */
  readonly slotFloats = SLOT_FLOATS;
  readonly firstFloat = 0;
  /** Each slot's fix as written (lng, lat), to skip the projection for a unit that has not moved. */
  private lngLat = new Float64Array(2 * 1024);
  /** Each slot's fix time and the freshness it was drawn with (0 live, 1 stale, 2 offline), for the sweep. */
  private fixT = new Float64Array(1024);
  private fresh = new Uint8Array(1024);
  /** Bumped when `data` is replaced by a larger array (the GPU buffer must be reallocated). */
  generation = 0;
  private readonly slotOf = new Map<string, number>();
  private ids: string[] = [];
  /**
   * Each slot's unit record, good while the units and marks maps are the ones it was read from (`epochAt`
   * equals `epoch`): the console's units and marks are snapshots (a change comes as a new map), so a flush
   * of units that only moved looks up their track and slot, not their record and mark again.
   */
  private unitAt: Unit[] = [];
  private epochAt = new Uint32Array(1024);
  private epoch = 1;
  private seen: { units: ReadonlyMap<string, Unit> | null; marks: ReadonlyMap<string, AttendanceMark> | null } = { units: null, marks: null };
  private origin: [number, number] | null = null;
  /** The ids of this buffer's kind (visit). */
  private readonly kindIds: KindIds;
  /** The range of slots written since the last takeDirty (what the GPU copy lacks); empty when from > to. */
  private dirtyFrom = Infinity;
  private dirtyTo = -1;

  constructor(private readonly kind: Unit['kind'] = 'officer') {
    this.kindIds = new KindIds(kind);
  }

  /** The origin the offsets are from (set by the first unit written). */
  get originMercator(): readonly [number, number] | null {
    return this.origin;
  }

  /**
   * Bring the slots of `ids` up to date; returns how many slots changed, or null when none did (the shape
   * feedFromPositions expects of a feed). Units that are not of this kind, have no fix, or are gone lose their slot.
   */
  diff(ids: Iterable<string>, units: ReadonlyMap<string, Unit>, tracks: ReadonlyMap<string, Track>, now: number, marks = NO_MARKS): number | null {
    if (units !== this.seen.units || marks !== this.seen.marks) {
      this.seen = { units, marks };
      this.epoch++;
    }
    const { epoch, data, kind } = this;
    const vehicle = kind === 'vehicle';
    let changed = 0;
    for (const id of this.visit(ids, units)) {
      const track = tracks.get(id);
      let slot = this.slotOf.get(id);
      let unit: Unit | undefined;
      let att: number;
      if (slot !== undefined && this.epochAt[slot] === epoch) {
        unit = this.unitAt[slot]!;
        att = vehicle ? 0 : data[slot * SLOT_FLOATS + 3]!;
      } else {
        unit = units.get(id);
        att = vehicle ? 0 : MARK_INDEX[marks.get(id) ?? ''];
      }
      if (!unit || unit.kind !== kind || !track) {
        if (this.remove(id)) changed++;
        continue;
      }
      const fix = track.fix;
      // A vehicle's fourth number is its heading (as float32, so the unchanged test below compares like with like).
      if (vehicle) att = Math.fround(fix.heading ?? 0);
      const fresh = freshIndex(fix.t, now);
      const cls = classIndex(unit.status, fresh);
      let x: number;
      let y: number;
      if (slot !== undefined && this.lngLat[2 * slot] === fix.lng && this.lngLat[2 * slot + 1] === fix.lat) {
        // Not moved (the sweep, a status change): no projection, only the class and mark may have changed.
        const o = slot * SLOT_FLOATS;
        this.fixT[slot] = fix.t;
        this.fresh[slot] = fresh;
        this.unitAt[slot] = unit;
        this.epochAt[slot] = epoch;
        if (data[o + 2] === cls && data[o + 3] === att) continue;
        x = data[o]!;
        y = data[o + 1]!;
      } else {
        const origin = (this.origin ??= mercator(fix.lng, fix.lat));
        x = Math.fround(mercatorX(fix.lng) - origin[0]);
        y = Math.fround(mercatorY(fix.lat) - origin[1]);
      }
      if (slot === undefined) {
        slot = this.count++;
        this.grow();
        this.slotOf.set(id, slot);
        this.ids[slot] = id;
      }
      this.lngLat[2 * slot] = fix.lng;
      this.lngLat[2 * slot + 1] = fix.lat;
      this.fixT[slot] = fix.t;
      this.fresh[slot] = fresh;
      this.unitAt[slot] = unit;
      this.epochAt[slot] = epoch;
      this.put(slot, x, y, cls, att);
      changed++;
    }
    return changed ? changed : null;
  }

  private visit(ids: Iterable<string>, units: ReadonlyMap<string, Unit>): Iterable<string> {
    return visitSlots(ids, this.kindIds.of(units), this.count, this.ids);
  }

  /**
   * The units whose fix has aged into another freshness (live → stale → offline) since they were written: all
   * the periodic sweep needs to look at (the dots carry no age label). A pass over two typed arrays, where
   * diffing every unit costs a projection and four map lookups each.
   */
  due(now: number): string[] {
    const out: string[] = [];
    for (let s = 0; s < this.count; s++) if (freshIndex(this.fixT[s]!, now) !== this.fresh[s]) out.push(this.ids[s]!);
    return out;
  }

  /** The slots written since the last call, for bufferSubData; null when the GPU copy is current. */
  takeDirty(): { from: number; to: number } | null {
    if (this.dirtyFrom > this.dirtyTo) return null;
    const r = { from: this.dirtyFrom, to: Math.min(this.dirtyTo, this.count - 1) };
    this.dirtyFrom = Infinity;
    this.dirtyTo = -1;
    return r.from > r.to ? null : r;
  }

  /** Forget every unit (the layer was re-added). */
  reset(): void {
    this.slotOf.clear();
    this.ids = [];
    this.unitAt = [];
    this.epochAt.fill(0);
    this.count = 0;
    this.dirtyFrom = Infinity;
    this.dirtyTo = -1;
  }

  /**
   * The units drawn under `at` (screen px), nearest first: those within `radiusOf(class)` px of it, measured
   * by `toScreen` (mercator → screen, the map's projection), after a cheap box of half-width `approx.r` in
   * mercator around `approx` — picking on the CPU from the same numbers the GPU draws. Off-duty officers,
   * whom the dots layer does not draw, are never picked; vehicles are drawn (and picked) whatever their class.
   */
  near(at: { x: number; y: number }, radiusOf: (cls: number) => number, toScreen: (mx: number, my: number) => { x: number; y: number }, approx: { mx: number; my: number; r: number }): string[] {
    const origin = this.origin;
    if (!origin) return [];
    const hits: { id: string; d: number }[] = [];
    const d = this.data;
    const skip = this.kind === 'officer' ? CLASS_INDEX.off_duty : -1;
    for (let s = 0; s < this.count; s++) {
      const o = s * SLOT_FLOATS;
      const cls = d[o + 2]!;
      if (cls === skip) continue;
      const mx = d[o]! + origin[0];
      const my = d[o + 1]! + origin[1];
      if (Math.abs(mx - approx.mx) > approx.r || Math.abs(my - approx.my) > approx.r) continue;
      const p = toScreen(mx, my);
      const dist = Math.hypot(p.x - at.x, p.y - at.y);
      if (dist <= radiusOf(cls)) hits.push({ id: this.ids[s]!, d: dist });
    }
    return hits.sort((a, b) => a.d - b.d).map((h) => h.id);
  }

  /** Where a unit is drawn, in mercator, and how (tests and picking): `att` for officers, `heading` for vehicles (0 for the other kind). */
  at(id: string): { mx: number; my: number; cls: number; att: number; heading: number } | null {
    const slot = this.slotOf.get(id);
    if (slot === undefined || !this.origin) return null;
    const o = slot * SLOT_FLOATS;
    const fourth = this.data[o + 3]!;
    const vehicle = this.kind === 'vehicle';
    return { mx: this.data[o]! + this.origin[0], my: this.data[o + 1]! + this.origin[1], cls: this.data[o + 2]!, att: vehicle ? 0 : fourth, heading: vehicle ? fourth : 0 };
  }

  private remove(id: string): boolean {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return false;
    this.slotOf.delete(id);
    const last = --this.count;
    if (slot !== last) {
      const lastId = this.ids[last]!;
      const o = last * SLOT_FLOATS;
      this.put(slot, this.data[o]!, this.data[o + 1]!, this.data[o + 2]!, this.data[o + 3]!);
      this.lngLat[2 * slot] = this.lngLat[2 * last]!;
      this.lngLat[2 * slot + 1] = this.lngLat[2 * last + 1]!;
      this.fixT[slot] = this.fixT[last]!;
      this.fresh[slot] = this.fresh[last]!;
      this.unitAt[slot] = this.unitAt[last]!;
      this.epochAt[slot] = this.epochAt[last]!;
      this.slotOf.set(lastId, slot);
      this.ids[slot] = lastId;
    }
    this.ids.length = last;
    this.unitAt.length = last;
    this.epochAt[last] = 0;
    return true;
  }

  private put(slot: number, x: number, y: number, cls: number, att: number): void {
    const o = slot * SLOT_FLOATS;
    this.data[o] = x;
    this.data[o + 1] = y;
    this.data[o + 2] = cls;
    this.data[o + 3] = att;
    if (slot < this.dirtyFrom) this.dirtyFrom = slot;
    if (slot > this.dirtyTo) this.dirtyTo = slot;
  }

  private grow(): void {
    if (this.count * SLOT_FLOATS <= this.data.length) return;
    const bigger = new Float32Array(this.data.length * 2);
    bigger.set(this.data);
    this.data = bigger;
    const lngLat = new Float64Array(this.lngLat.length * 2);
    lngLat.set(this.lngLat);
    this.lngLat = lngLat;
    const fixT = new Float64Array(this.fixT.length * 2);
    fixT.set(this.fixT);
    this.fixT = fixT;
    const fresh = new Uint8Array(this.fresh.length * 2);
    fresh.set(this.fresh);
    this.fresh = fresh;
    const epochAt = new Uint32Array(this.epochAt.length * 2);
    epochAt.set(this.epochAt);
    this.epochAt = epochAt;
    this.generation++;
  }
}
