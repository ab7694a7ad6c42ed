// The street network from roads.geojson: named streets as a directed graph (one-way streets one way),
// with way ends that meet within a few metres snapped together, since OSM ways of one street do not
// always share their end node.
import type { LngLat } from '../../../shared/domain';
import { bearingDeg, distanceM } from '../../../shared/geo';
import { inBBox, roundPoint, type BBox } from './bbox';
import { prop, type FeatureCollection } from './osm';

/** How important a street is, from its OSM highway class. */
const CLASS_RANK: Readonly<Record<string, number>> = {
  trunk: 6, primary: 5, secondary: 4, tertiary: 3, unclassified: 2, residential: 2,
  primary_link: 2, secondary_link: 2, tertiary_link: 2, living_street: 1, pedestrian: 1, service: 1,
};
/** Streets a patrol vehicle drives: the elevated expressways (trunk) and footpaths are left out. */
const DRIVABLE = new Set(['primary', 'secondary', 'tertiary', 'unclassified', 'residential', 'living_street', 'primary_link', 'secondary_link', 'tertiary_link']);
/** Streets officers walk: everything named except the expressways and stairs. */
const WALKABLE = new Set([...DRIVABLE, 'pedestrian', 'footway', 'service', 'path']);

const SNAP_M = 4;

export interface RoadEdge {
  from: number;
  to: number;
  name: string;
  rank: number;
  lengthM: number;
  bearing: number;
}
export interface RoadNode {
  id: number;
  at: LngLat;
  out: RoadEdge[];
  /** names of every street touching this node, in or out */
  names: Set<string>;
  /** nodes linked to this one in either direction: three or more make a junction */
  neighbours: Set<number>;
  rank: Map<string, number>;
}
export interface RoadNetwork {
  nodes: RoadNode[];
  edges: RoadEdge[];
}

interface NamedWay {
  name: string;
  rank: number;
  highway: string;
  oneway: 'forward' | 'backward' | 'both';
  line: LngLat[];
}

/** The street's Chinese name as a sign would show it. OSM has a few names that are not usable for
 * that: two names joined with ';' (keep the first), an English-only name, one with broken encoding. */
export function streetName(raw: string | null): string | null {
  const name = raw?.split(';')[0]?.trim();
  return name && /[\u4e00-\u9fff]/.test(name) && !name.includes('\ufffd') ? name : null;
}

function namedWays(roads: FeatureCollection): NamedWay[] {
  const out: NamedWay[] = [];
  for (const f of roads.features) {
    const name = streetName(prop(f, 'name'));
    const highway = prop(f, 'highway') ?? '';
    if (!name || f.geometry.type !== 'LineString') continue;
    const ow = prop(f, 'oneway');
    const oneway = ow === 'yes' || ow === 'true' || ow === '1' ? 'forward' : ow === '-1' ? 'backward' : 'both';
    out.push({ name, rank: CLASS_RANK[highway] ?? 1, highway, oneway, line: f.geometry.coordinates.map(roundPoint) });
  }
  return out;
}

/** Vehicle network inside `area`: only edges with both ends in it, so routes never leave the map. */
export function buildDrivableNetwork(roads: FeatureCollection, area: BBox): RoadNetwork {
  const nodes: RoadNode[] = [];
  const edges: RoadEdge[] = [];
  const hash = new Map<string, number[]>();
  const key = (x: number, y: number) => `${x},${y}`;
  const nodeAt = (p: LngLat): RoadNode => {
    const hx = Math.floor(p[0] / 1e-4);
    const hy = Math.floor(p[1] / 1e-4);
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        for (const id of hash.get(key(hx + dx, hy + dy)) ?? []) {
          if (distanceM(nodes[id]!.at, p) <= SNAP_M) return nodes[id]!;
        }
      }
    }
    const node: RoadNode = { id: nodes.length, at: p, out: [], names: new Set(), neighbours: new Set(), rank: new Map() };
    nodes.push(node);
    const k = key(hx, hy);
    const bucket = hash.get(k);
    if (bucket) bucket.push(node.id);
    else hash.set(k, [node.id]);
    return node;
  };
  const link = (a: RoadNode, b: RoadNode, way: NamedWay) => {
    const e: RoadEdge = { from: a.id, to: b.id, name: way.name, rank: way.rank, lengthM: distanceM(a.at, b.at), bearing: bearingDeg(a.at, b.at) };
    a.out.push(e);
    edges.push(e);
  };
  for (const way of namedWays(roads)) {
    if (!DRIVABLE.has(way.highway)) continue;
    for (let i = 1; i < way.line.length; i++) {
      const [p, q] = [way.line[i - 1]!, way.line[i]!];
      if (!inBBox(p, area) || !inBBox(q, area)) continue;
      const [a, b] = [nodeAt(p), nodeAt(q)];
      if (a === b) continue;
      a.neighbours.add(b.id);
      b.neighbours.add(a.id);
      for (const n of [a, b]) {
        n.names.add(way.name);
        n.rank.set(way.name, Math.max(n.rank.get(way.name) ?? 0, way.rank));
      }
      if (way.oneway !== 'backward') link(a, b, way);
      if (way.oneway !== 'forward') link(b, a, way);
    }
  }
  return { nodes, edges };
}

export interface RoadPoint {
  at: LngLat;
  name: string;
  rank: number;
}

/** Points on walkable named streets (vertices and segment midpoints), where posts can stand. */
export function walkablePoints(roads: FeatureCollection): RoadPoint[] {
  const out: RoadPoint[] = [];
  for (const way of namedWays(roads)) {
    if (!WALKABLE.has(way.highway)) continue;
    way.line.forEach((p, i) => {
      out.push({ at: p, name: way.name, rank: way.rank });
      const q = way.line[i + 1];
      if (q) out.push({ at: roundPoint([(p[0] + q[0]) / 2, (p[1] + q[1]) / 2]), name: way.name, rank: way.rank });
    });
  }
  return out;
}

/** Metres of walkable named street per grid cell, to tell which cells have a city in them. */
export function walkableSegments(roads: FeatureCollection): { mid: LngLat; lengthM: number }[] {
  const out: { mid: LngLat; lengthM: number }[] = [];
  for (const way of namedWays(roads)) {
    if (!WALKABLE.has(way.highway)) continue;
    for (let i = 1; i < way.line.length; i++) {
      const [p, q] = [way.line[i - 1]!, way.line[i]!];
      out.push({ mid: [(p[0] + q[0]) / 2, (p[1] + q[1]) / 2], lengthM: distanceM(p, q) });
    }
  }
  return out;
}
