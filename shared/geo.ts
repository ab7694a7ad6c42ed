// Small geometry helpers on WGS84 lng/lat, good for city scale (a few km); no dependency needed.
import type { LngLat, Polygon } from './domain';

/** mean earth radius, metres */
export const EARTH_RADIUS_M = 6_371_008.8;
const R = EARTH_RADIUS_M;
const rad = (d: number) => (d * Math.PI) / 180;

export function distanceM(a: LngLat, b: LngLat): number {
  const dLat = rad(b[1] - a[1]);
  const dLng = rad(b[0] - a[0]);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a[1])) * Math.cos(rad(b[1])) * Math.sin(dLng / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Initial bearing from a to b, degrees clockwise from north, in [0, 360). */
export function bearingDeg(a: LngLat, b: LngLat): number {
  const y = Math.sin(rad(b[0] - a[0])) * Math.cos(rad(b[1]));
  const x = Math.cos(rad(a[1])) * Math.sin(rad(b[1])) - Math.sin(rad(a[1])) * Math.cos(rad(b[1])) * Math.cos(rad(b[0] - a[0]));
  return ((Math.atan2(y, x) * 180) / Math.PI + 360) % 360;
}

/** Move from p by metres east and north (flat-earth approximation, fine under ~10 km). */
export function offsetM(p: LngLat, eastM: number, northM: number): LngLat {
  const dLat = northM / R;
  const dLng = eastM / (R * Math.cos(rad(p[1])));
  return [p[0] + (dLng * 180) / Math.PI, p[1] + (dLat * 180) / Math.PI];
}

/** Ray casting over the outer ring and holes. */
export function pointInPolygon(p: LngLat, poly: Polygon): boolean {
  let inside = false;
  poly.coordinates.forEach((ring, i) => {
    if (ringContains(ring, p)) inside = i === 0 ? true : false;
  });
  return inside;
}

function ringContains(ring: LngLat[], [x, y]: LngLat): boolean {
  let c = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) c = !c;
  }
  return c;
}

/** Length of a polyline in metres. */
export function lineLengthM(line: LngLat[]): number {
  let d = 0;
  for (let i = 1; i < line.length; i++) d += distanceM(line[i - 1]!, line[i]!);
  return d;
}

/** The point at distance `d` metres along a polyline (clamped), with the heading of that segment. */
export function alongLine(line: LngLat[], d: number): { at: LngLat; heading: number } {
  let rest = Math.max(0, d);
  for (let i = 1; i < line.length; i++) {
    const a = line[i - 1]!;
    const b = line[i]!;
    const seg = distanceM(a, b);
    if (rest <= seg || i === line.length - 1) {
      const f = seg === 0 ? 0 : Math.min(1, rest / seg);
      return { at: [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f], heading: bearingDeg(a, b) };
    }
    rest -= seg;
  }
  const only = line[0]!;
  return { at: only, heading: 0 };
}
