// The vehicles' trails as numbers for the GPU (unit-trails-layer.ts draws them), as UnitBuffer holds their
// arrows: one slot per vehicle of TRAIL_POINTS points (the most the position store keeps of a trail), each
// point x, y (web-mercator offsets from a fixed origin, for float32's sake, as UnitBuffer's) and the trail's
// class index, -1 for a point the trail does not have yet. A flush rewrites the slots of the vehicles it moved
// (a trail slides: its points move down one and the new fix comes last, so only that one is read) and
// the layer uploads the range written with bufferSubData; no GeoJSON, no worker, no tile reloads.
// Which trails are drawn, and in what class, follows the GeoJSON trails feed (UnitFeed('vehicle', true)):
// every vehicle with a trail of two points or more, whatever its class.
import type { Unit } from '../../../shared/domain';
import { TRAIL_POINTS, type Track } from '../hub/positions';
import { KindIds, classIndex, freshIndex, mercator, mercatorX, mercatorY, visitSlots } from './unit-buffer';

/** x, y, class index (NO_POINT where the trail has no point). */
export const POINT_FLOATS = 3;
export const TRAIL_SLOT_FLOATS = TRAIL_POINTS * POINT_FLOATS;
export const NO_POINT = -1;
/**
 * One point's room before slot 0 and one after the last slot: the layer reads each segment with the point
 * before it and the one after (three attributes on the same buffer, a point apart), so the first segment's
 * "before" and the last's "after" must lie inside the buffer. Their contents are never drawn.
 */
const PAD = POINT_FLOATS;

export class TrailBuffer {
  /** PAD, then slots 0..count-1 (packed: a removed vehicle's slot takes the last one), then room for PAD. */
  data: Float32Array;
  count = 0;
  /** Where slot s starts in `data` (uploadSlots reads them). */
  readonly slotFloats = TRAIL_SLOT_FLOATS;
  readonly firstFloat = PAD;
  /** Bumped when `data` is replaced by a larger array (the GPU buffer must be reallocated). */
  generation = 0;
  private capacity = 0;
  /** Each slot's newest point as written (the store's own array for it), to find it again when the trail slides. */
  private newest: (readonly [number, number] | undefined)[] = [];
  /** How many of each slot's points are the trail's. */
  private length = new Uint8Array(0);
  /** Each slot's fix time and the freshness it was drawn with (0 live, 1 stale, 2 offline), for the sweep. */
  private fixT = new Float64Array(0);
  private fresh = new Uint8Array(0);
  private readonly slotOf = new Map<string, number>();
  private ids: string[] = [];
  private origin: [number, number] | null = null;
  private readonly vehicles = new KindIds('vehicle');
  /** The range of slots written since the last takeDirty; empty when from > to. */
  private dirtyFrom = Infinity;
  private dirtyTo = -1;

  constructor(capacity = 256) {
    this.data = new Float32Array(0);
    this.resize(capacity);
  }

  get originMercator(): readonly [number, number] | null {
    return this.origin;
  }

  /**
   * Bring the slots of `ids` up to date; returns how many slots changed, or null when none did (the shape
   * feedFromPositions expects of a feed). A vehicle without a record, without a fix or with a trail of one
   * point has no slot (the GeoJSON feed sends no line for it either).
   */
  diff(ids: Iterable<string>, units: ReadonlyMap<string, Unit>, tracks: ReadonlyMap<string, Track>, now: number): number | null {
    let changed = 0;
    for (const id of visitSlots(ids, this.vehicles.of(units), this.count, this.ids)) {
      const unit = units.get(id);
      const track = tracks.get(id);
      if (!unit || unit.kind !== 'vehicle' || !track || track.trail.length < 2) {
        if (this.remove(id)) changed++;
        continue;
      }
      const fresh = freshIndex(track.fix.t, now);
      let slot = this.slotOf.get(id);
      if (slot === undefined) {
        slot = this.count++;
        if (this.count > this.capacity) this.resize(this.capacity * 2);
        this.slotOf.set(id, slot);
        this.ids[slot] = id;
        this.length[slot] = 0;
        this.newest[slot] = undefined;
      }
      this.fixT[slot] = track.fix.t;
      this.fresh[slot] = fresh;
      if (this.write(slot, track.trail, classIndex(unit.status, fresh))) changed++;
    }
    return changed ? changed : null;
  }

  /** The vehicles whose fix aged into another freshness since they were written (their trail's colour changes). */
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

  /** Forget every trail (the layer was re-added). */
  reset(): void {
    this.slotOf.clear();
    this.ids = [];
    this.newest = [];
    this.count = 0;
    this.dirtyFrom = Infinity;
    this.dirtyTo = -1;
  }

  /** A vehicle's trail as drawn, in mercator, oldest point first, and its class (tests). */
  at(id: string): { points: [number, number][]; cls: number } | null {
    const slot = this.slotOf.get(id);
    if (slot === undefined || !this.origin) return null;
    const o = PAD + slot * TRAIL_SLOT_FLOATS;
    const points: [number, number][] = [];
    for (let i = 0; i < TRAIL_POINTS && this.data[o + i * POINT_FLOATS + 2] !== NO_POINT; i++) {
      points.push([this.data[o + i * POINT_FLOATS]! + this.origin[0], this.data[o + i * POINT_FLOATS + 1]! + this.origin[1]]);
    }
    return { points, cls: this.data[o + 2]! };
  }

  /**
   * Write `trail` (the store's, oldest first) into `slot` in class `cls`; false when the slot already holds
   * exactly that. Only the points added since the last write are read and projected: the store appends one
   * point object per fix to the same array and drops the oldest past TRAIL_POINTS (a trail started again
   * after a gap is a new array, holding none of the old points), so the newest point written, found again in
   * the trail by identity, says how many are new and how many slid off. Reading every point of every moved
   * trail instead (eight small arrays scattered over the heap) cost ~1.3 µs a vehicle in Node, 1.6 ms a flush.
   */
  private write(slot: number, trail: readonly (readonly [number, number])[], cls: number): boolean {
    const data = this.data;
    const o = PAD + slot * TRAIL_SLOT_FLOATS;
    const n = Math.min(trail.length, TRAIL_POINTS);
    const first = trail.length - n;
    const had = this.length[slot]!;
    const newest = this.newest[slot];
    let at = -1;
    if (had > 0 && newest) for (let j = n - 1; j >= 0 && at < 0; j--) if (trail[first + j] === newest) at = j;
    // The slot's points that are still the trail's (its first `keep` points once `had - keep` slid off).
    const keep = at + 1 <= had ? at + 1 : 0;
    if (keep === n && had === n) {
      if (data[o + 2] === cls) return false;
      for (let i = 0; i < n; i++) data[o + i * POINT_FLOATS + 2] = cls;
      this.mark(slot);
      return true;
    }
    if (keep > 0 && had > keep) data.copyWithin(o, o + (had - keep) * POINT_FLOATS, o + had * POINT_FLOATS);
    for (let i = keep; i < n; i++) {
      const point = trail[first + i]!;
      const origin = (this.origin ??= mercator(point[0], point[1]));
      data[o + i * POINT_FLOATS] = Math.fround(mercatorX(point[0]) - origin[0]);
      data[o + i * POINT_FLOATS + 1] = Math.fround(mercatorY(point[1]) - origin[1]);
    }
    for (let i = 0; i < n; i++) data[o + i * POINT_FLOATS + 2] = cls;
    for (let i = n; i < TRAIL_POINTS; i++) data[o + i * POINT_FLOATS + 2] = NO_POINT;
    this.length[slot] = n;
    this.newest[slot] = trail[first + n - 1];
    this.mark(slot);
    return true;
  }

  private remove(id: string): boolean {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return false;
    this.slotOf.delete(id);
    const last = --this.count;
    if (slot !== last) {
      const lastId = this.ids[last]!;
      const from = PAD + last * TRAIL_SLOT_FLOATS;
      this.data.copyWithin(PAD + slot * TRAIL_SLOT_FLOATS, from, from + TRAIL_SLOT_FLOATS);
      this.newest[slot] = this.newest[last];
      this.length[slot] = this.length[last]!;
      this.fixT[slot] = this.fixT[last]!;
      this.fresh[slot] = this.fresh[last]!;
      this.slotOf.set(lastId, slot);
      this.ids[slot] = lastId;
      this.mark(slot);
    }
    this.ids.length = last;
    this.newest.length = last;
    return true;
  }

  private mark(slot: number): void {
    if (slot < this.dirtyFrom) this.dirtyFrom = slot;
    if (slot > this.dirtyTo) this.dirtyTo = slot;
  }

  private resize(capacity: number): void {
    const grow = <T extends Float32Array | Float64Array | Uint8Array>(old: T, make: (n: number) => T, n: number): T => {
      const next = make(n);
      next.set(old);
      return next;
    };
    this.data = grow(this.data, (k) => new Float32Array(k), PAD + capacity * TRAIL_SLOT_FLOATS + PAD);
    this.length = grow(this.length, (k) => new Uint8Array(k), capacity);
    this.fixT = grow(this.fixT, (k) => new Float64Array(k), capacity);
    this.fresh = grow(this.fresh, (k) => new Uint8Array(k), capacity);
    this.capacity = capacity;
    this.generation++;
  }
}
