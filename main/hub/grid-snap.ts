// A drawn patrol route put on the roads (issue 18): each point the admin clicked is snapped to the
// driving network the hub routes on (dispatch/road-graph.ts), refused when it is farther than
// ROUTE_SNAP_MAX_M from any road, and consecutive points are joined by the shortest drive along the
// network (one-way streets one way), so the stored line is one a vehicle can follow. The search is
// the road graph's Dijkstra over reversed edges, with the next hop kept so the path can be walked.
import FlatQueue from 'flatqueue';
import type { LngLat } from '../../shared/domain';
import { distanceM } from '../../shared/geo';
import { ROUTE_SNAP_MAX_M, type GridIssue } from '../../shared/grid';
import type { RoadNetwork } from './dispatch/road-graph';
import { segmentDistanceM, type StreetIndex } from './streets';

/** A snapped route: the line along the roads and the streets it runs on, in order. */
export type SnappedRoute = { line: LngLat[]; roads: string[]; lengthM: number };

/** Nodes are at most 25 m apart along a street: a point within ROUTE_SNAP_MAX_M of a road is within this of a node. */
const NODE_SLACK_M = 13;

/** The path a → b along the network's directed edges (node ids, a first), or null when none is within maxM. */
function pathBetween(net: RoadNetwork, a: number, b: number, maxM: number): number[] | null {
  if (a === b) return [a];
  const { offsets, from, lengthM } = net.into;
  const metres = new Float64Array(net.size).fill(Infinity);
  const next = new Int32Array(net.size).fill(-1);
  const settled = new Uint8Array(net.size);
  const q = new FlatQueue<number>();
  metres[b] = 0;
  q.push(b, 0);
  while (q.length > 0) {
    const d = q.peekValue()!;
    const v = q.pop()!;
    if (settled[v] === 1) continue;
    settled[v] = 1;
    if (v === a) break;
    for (let e = offsets[v]!; e < offsets[v + 1]!; e++) {
      const u = from[e]!;
      const nd = d + lengthM[e]!;
      if (nd <= maxM && nd < metres[u]!) {
        metres[u] = nd;
        next[u] = v;
        q.push(u, nd);
      }
    }
  }
  if (settled[a] !== 1) return null;
  const path = [a];
  for (let v = a; v !== b; v = next[v]!) path.push(next[v]!);
  return path;
}

/** Drops points that lie on the straight line between their neighbours (the network's 25 m pieces). */
function simplify(line: LngLat[]): LngLat[] {
  if (line.length <= 2) return line;
  const out: LngLat[] = [line[0]!];
  for (let i = 1; i < line.length - 1; i++) {
    if (segmentDistanceM(line[i]!, out[out.length - 1]!, line[i + 1]!) > 0.5) out.push(line[i]!);
  }
  out.push(line[line.length - 1]!);
  return out;
}

export function snapRoute(net: RoadNetwork, streets: StreetIndex, drawn: readonly LngLat[]): { ok: true; route: SnappedRoute } | { ok: false; issue: GridIssue } {
  if (net.size === 0) return { ok: false, issue: { code: 'no_roads', params: {} } };
  const nodes: number[] = [];
  for (const [i, p] of drawn.entries()) {
    const s = net.snap(p, ROUTE_SNAP_MAX_M + NODE_SLACK_M);
    const road = streets.nearest(p, ROUTE_SNAP_MAX_M);
    if (!s || (!road && s.distanceM > ROUTE_SNAP_MAX_M)) {
      const far = net.snap(p, 5000);
      // m −1: more than 5 km
      return { ok: false, issue: { code: 'route_point_off_road', params: { point: i + 1, m: far ? Math.round(far.distanceM) : -1, max: ROUTE_SNAP_MAX_M } } };
    }
    nodes.push(s.node);
  }
  const ids: number[] = [nodes[0]!];
  for (let i = 1; i < nodes.length; i++) {
    const straight = distanceM(net.at(nodes[i - 1]!), net.at(nodes[i]!));
    const path = pathBetween(net, nodes[i - 1]!, nodes[i]!, 3 * straight + 1000);
    if (!path) return { ok: false, issue: { code: 'route_no_path', params: { from: i, to: i + 1 } } };
    ids.push(...path.slice(1));
  }
  const full = ids.filter((n, i) => i === 0 || n !== ids[i - 1]).map((n) => net.at(n)).map(([lng, lat]): LngLat => [Math.round(lng * 1e6) / 1e6, Math.round(lat * 1e6) / 1e6]);
  if (full.length < 2) return { ok: false, issue: { code: 'route_one_place', params: {} } };
  const roads: string[] = [];
  for (let i = 0; i < full.length; i++) {
    const name = streets.nearest(full[i]!, 15)?.name;
    if (name && roads[roads.length - 1] !== name && !roads.includes(name)) roads.push(name);
  }
  const lengthM = full.reduce((s, p, i) => (i === 0 ? 0 : s + distanceM(full[i - 1]!, p)), 0);
  return { ok: true, route: { line: simplify(full), roads, lengthM: Math.round(lengthM) } };
}
