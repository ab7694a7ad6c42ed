// Fixed cameras (the "points" of 点线面): at the corners of landmark squares, at the junctions of
// the main named streets, and looking at the parks and sights people crowd into.
import type { Camera, LngLat } from '../../../shared/domain';
import { bearingDeg, distanceM, offsetM } from '../../../shared/geo';
import { inBBox, roundPoint, type BBox } from './bbox';
import { prop, type FeatureCollection } from './osm';
import type { Rng } from './rng';
import type { RoadNetwork, RoadNode, RoadPoint } from './roads';

const FIXED_CAMERAS = 60;
const KEY_CAMERAS = 16;
const JUNCTION_CLUSTER_M = 60;
const MIN_CAMERA_SPACING_M = 250;
const CORNER_OFFSET_M = 30;
const MAX_PLACE_CAMERAS = 12;

/** Squares known by name, found in the data as the junction of two of their streets. */
const LANDMARKS: { name: string; roads: [string, string]; corners: number }[] = [
  { name: '新街口', roads: ['中山路', '汉中路'], corners: 4 },
  { name: '大行宫', roads: ['中山东路', '太平北路'], corners: 2 },
  { name: '三山街', roads: ['中山南路', '升州路'], corners: 2 },
  { name: '汉中门', roads: ['汉中路', '虎踞路'], corners: 2 },
];
const CORNERS: { name: string; east: number; north: number }[] = [
  { name: '东北角', east: 1, north: 1 },
  { name: '西南角', east: -1, north: -1 },
  { name: '西北角', east: -1, north: 1 },
  { name: '东南角', east: 1, north: -1 },
];
const PLACE_KINDS = new Set(['park', 'recreation_ground', 'retail', 'commercial']);
/** Sights that draw the crowds (and so the wall's attention) first; other named places by size. */
const FAMOUS_PLACES = ['夫子庙', '总统府', '中华门城堡', '朝天宫', '莫愁湖公园', '老门东历史文化街区', '白鹭洲公园', '清凉山公园'];
const MAX_PLACE_ROAD_M = 500;

interface Junction {
  nodes: RoadNode[];
  center: LngLat;
  /** street name → highest class rank seen at this junction */
  names: Map<string, number>;
}

interface FixedCameraInput {
  net: RoadNetwork;
  landuse: FeatureCollection;
  walkable: RoadPoint[];
  area: BBox;
  rng: Rng;
}

/** 60 fixed cameras; the first 16 (landmark corners, then the biggest sights) are the key cameras. */
export function placeFixedCameras({ net, landuse, walkable, area, rng }: FixedCameraInput): Camera[] {
  const junctions = findJunctions(net);
  const placed: { at: LngLat; name: string; facing: number }[] = [];
  const free = (p: LngLat, spacing: number) => placed.every((c) => distanceM(c.at, p) >= spacing);

  for (const lm of LANDMARKS) {
    const j = junctions.find((x) => lm.roads.every((r) => x.names.has(r)));
    if (!j) continue;
    for (const corner of CORNERS.slice(0, lm.corners)) {
      const at = roundPoint(offsetM(j.center, corner.east * CORNER_OFFSET_M, corner.north * CORNER_OFFSET_M));
      placed.push({ at, name: `${lm.name}${corner.name}`, facing: alongStreetToward(j, bearingDeg(j.center, at)) });
    }
  }
  const landmarkCount = placed.length;

  for (const place of keyPlaces(landuse, area)) {
    if (placed.length - landmarkCount >= MAX_PLACE_CAMERAS) break;
    const near = nearestPoint(walkable.filter((p) => inBBox(p.at, area)), place.center);
    if (!near || distanceM(near.at, place.center) > MAX_PLACE_ROAD_M || !free(near.at, MIN_CAMERA_SPACING_M / 2)) continue;
    const away = distanceM(place.center, near.at);
    const side = away < 20 ? '' : `${compass8(bearingDeg(place.center, near.at))}侧`;
    const facing = away < 5 ? rng.int(0, 359) : Math.round(bearingDeg(near.at, place.center)) % 360;
    placed.push({ at: roundPoint(near.at), name: `${place.name}${side}`, facing });
  }

  const ranked = [...junctions].sort((a, b) => score(b) - score(a));
  for (const j of ranked) {
    if (placed.length >= FIXED_CAMERAS) break;
    if (!inBBox(j.center, area) || !free(j.center, MIN_CAMERA_SPACING_M)) continue;
    const node = j.nodes.reduce((best, n) => (distanceM(n.at, j.center) < distanceM(best.at, j.center) ? n : best));
    const [a, b] = topNames(j);
    const out = node.out.length ? rng.pick(node.out) : null;
    const facing = out ? Math.round(out.bearing) % 360 : rng.int(0, 359);
    placed.push({ at: node.at, name: uniqueName(`${a}与${b}交叉口`, placed), facing });
  }
  if (placed.length < FIXED_CAMERAS) throw new Error(`only ${placed.length} fixed camera sites found`);

  return placed.map((c, i) => {
    const id = `cam-${String(i + 1).padStart(3, '0')}`;
    return { id, kind: 'fixed', name: c.name, position: c.at, facing: c.facing, unitId: null, sources: [{ kind: 'testsrc', url: `testsrc:${id}` }], key: i < KEY_CAMERAS };
  });
}

/** Nodes where two differently named streets meet, merged when they belong to one crossing
 * (a dual carriageway crossing another is four nodes some tens of metres apart). */
function findJunctions(net: RoadNetwork): Junction[] {
  const out: Junction[] = [];
  for (const node of net.nodes) {
    // Two names on a node of degree two is a street changing its name (often at a bridge), not a crossing.
    if (node.names.size < 2 || node.neighbours.size < 3) continue;
    const j = out.find((x) => distanceM(x.nodes[0]!.at, node.at) <= JUNCTION_CLUSTER_M);
    if (j) j.nodes.push(node);
    else out.push({ nodes: [node], center: node.at, names: new Map() });
  }
  for (const j of out) {
    j.center = roundPoint([avg(j.nodes.map((n) => n.at[0])), avg(j.nodes.map((n) => n.at[1]))]);
    for (const n of j.nodes) for (const [name, rank] of n.rank) j.names.set(name, Math.max(j.names.get(name) ?? 0, rank));
  }
  return out.filter((j) => j.names.size >= 2);
}

const avg = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const topNames = (j: Junction): string[] => [...j.names.entries()].sort((a, b) => b[1] - a[1]).map(([n]) => n);
const score = (j: Junction): number => [...j.names.values()].sort((a, b) => b - a).slice(0, 2).reduce((s, r) => s + r, 0);

/** The bearing of the junction's street that points closest to `want`: a corner camera looks down
 * the street on its side. */
function alongStreetToward(j: Junction, want: number): number {
  const bearings = j.nodes.flatMap((n) => n.out.map((e) => e.bearing));
  const diff = (b: number) => Math.abs(((b - want + 540) % 360) - 180);
  if (bearings.length === 0) return Math.round(want) % 360;
  const best = bearings.reduce((a, b) => (diff(b) < diff(a) ? b : a));
  return Math.round(best) % 360;
}

function compass8(bearing: number): string {
  return ['北', '东北', '东', '东南', '南', '西南', '西', '西北'][Math.round(bearing / 45) % 8]!;
}

function uniqueName(name: string, placed: { name: string }[]): string {
  const n = placed.filter((c) => c.name === name || c.name.startsWith(`${name}（`)).length;
  return n === 0 ? name : `${name}（${n + 1}）`;
}

function nearestPoint(points: RoadPoint[], to: LngLat): RoadPoint | null {
  let best: RoadPoint | null = null;
  let bestD = Infinity;
  for (const p of points) {
    const d = distanceM(p.at, to);
    if (d < bestD) [best, bestD] = [p, d];
  }
  return best;
}

/** Named parks, sights and shopping areas inside the map, the famous ones first. */
function keyPlaces(landuse: FeatureCollection, area: BBox): { name: string; center: LngLat }[] {
  const seen = new Set<string>();
  const places: { name: string; center: LngLat; size: number }[] = [];
  for (const f of landuse.features) {
    const name = prop(f, 'name');
    if (!name || !PLACE_KINDS.has(prop(f, 'kind') ?? '') || !/^[\u4e00-\u9fff0-9]{2,}$/.test(name) || seen.has(name)) continue;
    const ring = f.geometry.type === 'MultiPolygon' ? f.geometry.coordinates[0]?.[0] : f.geometry.type === 'Polygon' ? f.geometry.coordinates[0] : undefined;
    if (!ring || ring.length < 4) continue;
    const center = roundPoint([avg(ring.map((p) => p[0])), avg(ring.map((p) => p[1]))]);
    if (!inBBox(center, area)) continue;
    seen.add(name);
    places.push({ name, center, size: Math.abs(ringArea(ring)) });
  }
  const fame = (name: string) => (FAMOUS_PLACES.includes(name) ? FAMOUS_PLACES.indexOf(name) : FAMOUS_PLACES.length);
  return places.sort((a, b) => fame(a.name) - fame(b.name) || b.size - a.size);
}

function ringArea(ring: [number, number][]): number {
  let a = 0;
  for (let i = 1; i < ring.length; i++) a += ring[i - 1]![0] * ring[i]![1] - ring[i]![0] * ring[i - 1]![1];
  return a / 2;
}
