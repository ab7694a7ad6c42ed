// Axis-aligned lng/lat boxes and coordinate rounding shared by the basemap trimmer and the generator.
import type { LngLat } from '../../../shared/domain';

/** [west, south, east, north] */
export type BBox = [number, number, number, number];

/** Six decimals is about 0.1 m: far below GPS noise, and it keeps the files small. */
export const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;
export const roundPoint = (p: readonly [number, number]): LngLat => [round6(p[0]), round6(p[1])];

export function inBBox(p: readonly [number, number], b: BBox): boolean {
  return p[0] >= b[0] && p[0] <= b[2] && p[1] >= b[1] && p[1] <= b[3];
}

export function bboxOf(points: Iterable<readonly [number, number]>): BBox {
  const b: BBox = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of points) {
    b[0] = Math.min(b[0], x);
    b[1] = Math.min(b[1], y);
    b[2] = Math.max(b[2], x);
    b[3] = Math.max(b[3], y);
  }
  return b;
}

export function bboxesIntersect(a: BBox, b: BBox): boolean {
  return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}

export function bboxContains(outer: BBox, inner: BBox): boolean {
  return inner[0] >= outer[0] && inner[1] >= outer[1] && inner[2] <= outer[2] && inner[3] <= outer[3];
}

/** Grow a box by metres on every side. */
export function expandBBoxM(b: BBox, m: number): BBox {
  const dLat = m / 111_195;
  const dLng = m / (111_195 * Math.cos((((b[1] + b[3]) / 2) * Math.PI) / 180));
  return [b[0] - dLng, b[1] - dLat, b[2] + dLng, b[3] + dLat];
}
