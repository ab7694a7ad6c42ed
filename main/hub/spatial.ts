// Where the units are: a spatial index over the latest fix of every unit, for "the n nearest units
// that…" (dispatch recommendations) and "which units are inside this area" (fences, coverage).
//
// kdbush is static (built once, not updated), and that is the point: the position hot path only marks
// the index stale (one boolean per batch), and the index is rebuilt from the pipeline's latest fixes
// when someone asks and it is stale — at most once per `maxStaleMs`. Measured on this machine at
// 20,000 units: a kdbush build takes ~3.5 ms, while rbush's remove + insert for 20,000 moves (one
// second of 1 Hz updates) takes ~36 ms on the hot path, whether anyone asks or not. geokdbush gives
// great-circle k-nearest with a filter on the same index.
import KDBush from 'kdbush';
import { around } from 'geokdbush';
import type { LngLat, Polygon, PositionFix } from '../../shared/domain';
import { distanceM, pointInPolygon } from '../../shared/geo';

export type UnitIndexOptions = {
  /** answers may reflect fixes up to this old (ms); 0 = always rebuild after a change */
  maxStaleMs?: number;
  now?: () => number;
};

export type Nearby = { fix: PositionFix; distanceM: number };

export class UnitIndex {
  private tree: KDBush | null = null;
  private fixes: PositionFix[] = [];
  private stale = true;
  private builtAt = -Infinity;
  private readonly maxStaleMs: number;
  private readonly now: () => number;

  /** `source` is read at rebuild time: the latest fix of every unit. */
  constructor(private readonly source: () => Iterable<PositionFix>, opts: UnitIndexOptions = {}) {
    this.maxStaleMs = opts.maxStaleMs ?? 1000;
    this.now = opts.now ?? Date.now;
  }

  /** Called by the pipeline whenever a unit's latest fix changed. */
  markStale(): void {
    this.stale = true;
  }

  /** How old the fixes behind the next answer may be, at most: the index's age when it is stale. */
  get ageMs(): number {
    return this.stale ? this.now() - this.builtAt : 0;
  }

  /** The `n` units nearest to `point` (great-circle), nearest first, among those `filter` lets through. */
  nearest(point: LngLat, n: number, filter?: (fix: PositionFix) => boolean, maxDistanceM?: number): Nearby[] {
    const tree = this.current();
    if (!tree || n <= 0) return [];
    const fixes = this.fixes;
    const ids = around(tree, point[0], point[1], n, maxDistanceM === undefined ? undefined : maxDistanceM / 1000,
      filter && ((id: number) => filter(fixes[id]!)));
    return ids.map((id) => ({ fix: fixes[id]!, distanceM: distanceM(point, [fixes[id]!.lng, fixes[id]!.lat]) }));
  }

  /** Units whose latest fix lies inside the polygon (holes excluded): candidates from its bounding box, then point-in-polygon. */
  within(polygon: Polygon, filter?: (fix: PositionFix) => boolean): PositionFix[] {
    const tree = this.current();
    if (!tree) return [];
    let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const [x, y] of polygon.coordinates[0]!) {
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
    const out: PositionFix[] = [];
    for (const id of tree.range(minX, minY, maxX, maxY)) {
      const f = this.fixes[id]!;
      if ((!filter || filter(f)) && pointInPolygon([f.lng, f.lat], polygon)) out.push(f);
    }
    return out;
  }

  private current(): KDBush | null {
    const now = this.now();
    if (this.stale && now - this.builtAt >= this.maxStaleMs) {
      this.fixes = [...this.source()];
      this.stale = false;
      this.builtAt = now;
      if (this.fixes.length === 0) {
        this.tree = null;
      } else {
        const tree = new KDBush(this.fixes.length);
        for (const f of this.fixes) tree.add(f.lng, f.lat);
        this.tree = tree.finish();
      }
    }
    return this.tree;
  }
}
