// Vehicle patrol routes (the "line" of 点线面): walks along real named streets of 2–6 km, staying on
// a street for a while before turning, obeying one-way streets, and spread over the city by
// preferring streets that earlier routes did not already cover.
import type { LngLat, ModeName, Route } from '../../../shared/domain';
import { distanceM } from '../../../shared/geo';
import { pickWeighted, type Rng } from './rng';
import type { RoadEdge, RoadNetwork } from './roads';

const ROUTE_MIN_M = 2000;
const ROUTE_MAX_M = 6000;
const MIN_RUN_BEFORE_TURN_M = 400;
const TURN_CHANCE = 0.3;
const MAX_SHARED = 0.4;

/** Which modes a route runs in, by position: most run by day, some around the clock, a few only at
 * night (night markets, muck trucks) or only when an emergency is declared. */
const MODE_PATTERN: ModeName[][] = [
  ['daily', 'holiday', 'emergency'],
  ['daily', 'night', 'holiday', 'emergency'],
  ['daily', 'holiday', 'emergency'],
  ['night', 'emergency'],
  ['daily', 'holiday', 'emergency'],
  ['holiday', 'emergency'],
  ['daily', 'night', 'holiday', 'emergency'],
  ['daily', 'holiday', 'emergency'],
  ['night', 'holiday', 'emergency'],
  ['emergency'],
];

export function planRoutes(net: RoadNetwork, count: number, rng: Rng): Route[] {
  const used = new Set<RoadEdge>();
  const starts: LngLat[] = [];
  const routes: Route[] = [];
  const startEdges = net.edges.filter((e) => e.rank >= 3);
  for (let attempt = 0; routes.length < count && attempt < count * 200; attempt++) {
    // Of a few random main-street edges, start from the one farthest from earlier starts.
    const sample = Array.from({ length: 12 }, () => rng.pick(startEdges));
    const spread = (e: RoadEdge) => Math.min(Infinity, ...starts.map((s) => distanceM(s, net.nodes[e.from]!.at)));
    const first = sample.reduce((best, e) => (spread(e) > spread(best) ? e : best));
    const walk = walkFrom(net, first, rng.range(2500, 5500), used, rng);
    const lengthM = walk.reduce((s, e) => s + e.lengthM, 0);
    const shared = walk.filter((e) => used.has(e)).length / Math.max(1, walk.length);
    if (lengthM < ROUTE_MIN_M || lengthM > ROUTE_MAX_M || shared > MAX_SHARED) continue;
    walk.forEach((e) => used.add(e));
    starts.push(net.nodes[first.from]!.at);
    routes.push(toRoute(net, walk, routes.length + 1, routes));
  }
  if (routes.length < count) throw new Error(`only ${routes.length} of ${count} patrol routes fit the street network`);
  return routes;
}

function walkFrom(net: RoadNetwork, first: RoadEdge, targetM: number, used: Set<RoadEdge>, rng: Rng): RoadEdge[] {
  const walk: RoadEdge[] = [first];
  const visited = new Set([first.from, first.to]);
  let lengthM = first.lengthM;
  let runM = first.lengthM;
  while (lengthM < targetM) {
    const cur = walk[walk.length - 1]!;
    const options = net.nodes[cur.to]!.out.filter((e) => !visited.has(e.to));
    if (options.length === 0) break;
    const same = options.filter((e) => e.name === cur.name);
    const turning = same.length === 0 || (runM >= MIN_RUN_BEFORE_TURN_M && options.length > same.length && rng.chance(TURN_CHANCE));
    const pool = turning ? options.filter((e) => e.name !== cur.name) : same;
    const next = pickWeighted(pool.length ? pool : options, (e) => e.rank * e.rank * (used.has(e) ? 0.2 : 1), rng);
    runM = next.name === cur.name ? runM + next.lengthM : next.lengthM;
    lengthM += next.lengthM;
    visited.add(next.to);
    walk.push(next);
  }
  return walk;
}

function toRoute(net: RoadNetwork, walk: RoadEdge[], n: number, earlier: Route[]): Route {
  const line: LngLat[] = [net.nodes[walk[0]!.from]!.at, ...walk.map((e) => net.nodes[e.to]!.at)];
  const roads = [...new Set(walk.map((e) => e.name))];
  const base = roads.length === 1 ? `${roads[0]}巡查线` : `${roads[0]}—${roads[roads.length - 1]}巡查线`;
  const dup = earlier.filter((r) => r.name.startsWith(base)).length;
  return {
    id: `route-${String(n).padStart(2, '0')}`,
    name: dup ? `${base}${dup + 1}` : base,
    roads,
    line,
    modes: MODE_PATTERN[(n - 1) % MODE_PATTERN.length]!,
  };
}
