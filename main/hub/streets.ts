// Where a point is, in words a person says, resolved offline from the city data: the nearest named street
// (the ways of resources/basemap/roads.geojson that carry a `name`) and the grid cell holding the point.
// Incidents are stamped with it when created, an SOS when pressed. One index per roads file.
//
// Named ways are cut into segments; each segment's midpoint goes into a kdbush index. A lookup takes
// the segments whose midpoints are nearest and measures the exact distance from the point to each
// segment (flat-earth, fine at city scale), so the answer is the nearest segment, not the nearest
// sample. A segment is at most MAX_SEGMENT_M long, so its midpoint is within MAX_SEGMENT_M / 2 of every
// point on it: every segment within d of the point has its midpoint within d + MAX_SEGMENT_M / 2.
import fs from 'node:fs';
import KDBush from 'kdbush';
import type { Area, IncidentPlace, LngLat, Polygon } from '../../shared/domain';
import { distanceM, pointInPolygon } from '../../shared/geo';
import { FeatureCollection, prop } from '../sim/city/osm';
import { ROADS_FILE } from './dispatch/road-graph';

const MAX_SEGMENT_M = 40;
/** A street further than this from the point is not "its" street. */
export const STREET_MAX_M = 200;

/** A street's name as the basemap has it, and in English where OpenStreetMap has one (else the same). */
export type StreetName = { zh: string; en: string };
export type NearestStreet = { name: string; en: string; distanceM: number };

type Segment = { name: string; en: string; a: LngLat; b: LngLat };

export class StreetIndex {
  private readonly index: KDBush | null;

  constructor(private readonly segments: Segment[]) {
    if (segments.length === 0) {
      this.index = null;
      return;
    }
    const tree = new KDBush(segments.length, 16);
    for (const s of segments) tree.add((s.a[0] + s.b[0]) / 2, (s.a[1] + s.b[1]) / 2);
    this.index = tree.finish();
  }

  /** The nearest named street within maxM (STREET_MAX_M), with its distance; null when there is none. */
  nearest(p: LngLat, maxM = STREET_MAX_M): NearestStreet | null {
    if (!this.index) return null;
    // Candidates by a box in degrees around p (kdbush's range: no great-circle distances, no sorting —
    // geokdbush's `around` was half of an incident:create's street lookup), a little wider than the
    // radius; the exact distance to each segment decides. Ties go to the segment whose midpoint is
    // nearer, as when the candidates came sorted by that distance.
    const { kx, ky } = metresPerDegree(p);
    const r = (maxM + MAX_SEGMENT_M / 2) * 1.01;
    const ids = this.index.range(p[0] - r / kx, p[1] - r / ky, p[0] + r / kx, p[1] + r / ky);
    let best: Segment | null = null;
    let bestD = Infinity;
    let bestMid = Infinity;
    for (const id of ids) {
      const s = this.segments[id]!;
      const d = flatSegmentDistanceM(p, s.a, s.b, kx, ky);
      if (d > maxM || d > bestD) continue;
      const mid = Math.hypot(((s.a[0] + s.b[0]) / 2 - p[0]) * kx, ((s.a[1] + s.b[1]) / 2 - p[1]) * ky);
      if (d === bestD && mid >= bestMid) continue;
      best = s;
      bestD = d;
      bestMid = mid;
    }
    return best && { name: best.name, en: best.en, distanceM: bestD };
  }

  /** The nearest street's name in both languages (as an SOS records it); null when none is near. */
  nameOf(p: LngLat, maxM = STREET_MAX_M): StreetName | null {
    const s = this.nearest(p, maxM);
    return s && { zh: s.name, en: s.en };
  }
}

/** Metres per degree of longitude and of latitude at p (the local flat projection around p). */
function metresPerDegree(p: LngLat): { kx: number; ky: number } {
  return {
    kx: distanceM([p[0] - 0.0005, p[1]], [p[0] + 0.0005, p[1]]) / 0.001,
    ky: distanceM([p[0], p[1] - 0.0005], [p[0], p[1] + 0.0005]) / 0.001,
  };
}

/** Distance from p to the segment a–b in metres, on a local flat projection around p. */
export function segmentDistanceM(p: LngLat, a: LngLat, b: LngLat): number {
  const { kx, ky } = metresPerDegree(p);
  return flatSegmentDistanceM(p, a, b, kx, ky);
}

function flatSegmentDistanceM(p: LngLat, a: LngLat, b: LngLat, kx: number, ky: number): number {
  const ax = (a[0] - p[0]) * kx;
  const ay = (a[1] - p[1]) * ky;
  const bx = (b[0] - p[0]) * kx;
  const by = (b[1] - p[1]) * ky;
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, -(ax * dx + ay * dy) / len2));
  return Math.hypot(ax + t * dx, ay + t * dy);
}

export function buildStreetIndex(roads: FeatureCollection): StreetIndex {
  const segments: Segment[] = [];
  for (const f of roads.features) {
    const name = prop(f, 'name');
    if (!name) continue;
    const en = prop(f, 'name:en') || name;
    const lines = f.geometry.type === 'LineString' ? [f.geometry.coordinates] : f.geometry.type === 'MultiLineString' ? f.geometry.coordinates : [];
    for (const line of lines as LngLat[][]) {
      for (let i = 1; i < line.length; i++) {
        const a = line[i - 1]!;
        const b = line[i]!;
        const pieces = Math.max(1, Math.ceil(distanceM(a, b) / MAX_SEGMENT_M));
        for (let k = 0; k < pieces; k++) {
          const at = (f0: number): LngLat => [a[0] + (b[0] - a[0]) * f0, a[1] + (b[1] - a[1]) * f0];
          segments.push({ name, en, a: at(k / pieces), b: at((k + 1) / pieces) });
        }
      }
    }
  }
  return new StreetIndex(segments);
}

const loaded = new Map<string, StreetIndex>();

/** The street index of a roads file, built once per file in a process (it never changes); unreadable: no streets. */
export function loadStreetIndex(file: URL | string = ROADS_FILE, log: (line: string) => void = () => {}): StreetIndex {
  const key = String(file);
  const known = loaded.get(key);
  if (known) return known;
  let index: StreetIndex;
  try {
    index = buildStreetIndex(FeatureCollection.parse(JSON.parse(fs.readFileSync(file, 'utf8'))));
  } catch (e) {
    log(`street names not loaded (${(e as Error).message}); places are named by their area alone`);
    index = new StreetIndex([]);
  }
  loaded.set(key, index);
  return index;
}

/** Each area polygon's outer bounding box: a point outside it is in no ring, and most cells are far from the point. */
const outerBoxes = new WeakMap<Polygon, [number, number, number, number]>();
function inOuterBox(p: LngLat, poly: Polygon): boolean {
  let box = outerBoxes.get(poly);
  if (!box) {
    box = [Infinity, Infinity, -Infinity, -Infinity];
    for (const [x, y] of poly.coordinates[0] ?? []) {
      box = [Math.min(box[0], x), Math.min(box[1], y), Math.max(box[2], x), Math.max(box[3], y)];
    }
    outerBoxes.set(poly, box);
  }
  return p[0] >= box[0] && p[0] <= box[2] && p[1] >= box[1] && p[1] <= box[3];
}

/** The street and grid cell (and its district) of a point, as stamped on an incident when it is created. */
export function placeOf(streets: StreetIndex, areas: readonly Area[], p: LngLat): IncidentPlace {
  const street = streets.nearest(p);
  const holding = areas.filter((a) => a.polygon && a.kind !== 'post' && inOuterBox(p, a.polygon) && pointInPolygon(p, a.polygon));
  const cell = holding.find((a) => a.kind === 'cell') ?? null;
  const district = holding.find((a) => a.kind === 'district') ?? null;
  return {
    street: street?.name ?? null, streetM: street ? Math.round(street.distanceM) : null,
    cellId: cell?.id ?? null, districtId: cell?.parentId ?? district?.id ?? null,
  };
}
