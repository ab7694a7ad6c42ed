// The city's street network for travel times, built once at hub start from resources/basemap/roads.geojson:
// a walking network (every street but the elevated expressways, both directions) for officers on foot,
// and a driving network (motor roads, one-way streets one way) for vehicles.
//
// Ways join where they share a vertex (OSM junctions are shared nodes; the file keeps their coordinates
// to 6 decimals). Segments are cut into pieces of at most MAX_PIECE_M so that snapping a point to its
// nearest node (kdbush + geokdbush) lands within a few metres of where it is along the street.
//
// Search is one single-source Dijkstra from the incident, bounded by a cost, over the *reversed* edges:
// what it finds is the cost from every node *to* the incident, which is what a one-way street needs;
// it is resumable, and runs only as far as the candidates looked up need.
// Neither ngraph.path (point-to-point only) nor graphology-shortest-path (whole paths to every node, no
// bound) offers that, so the loop is ours over typed arrays, on flatqueue's binary heap.
import fs from 'node:fs';
import KDBush from 'kdbush';
import { around } from 'geokdbush';
import FlatQueue from 'flatqueue';
import type { LngLat, UnitKind } from '../../../shared/domain';
import { distanceM } from '../../../shared/geo';
import { FeatureCollection, prop } from '../../sim/city/osm';

export const ROADS_FILE = new URL('../../../resources/basemap/roads.geojson', import.meta.url);

export type NetworkName = 'walk' | 'drive';
/** How each kind of unit travels, and how fast in the city (m/s). */
export const TRAVEL: Readonly<Record<UnitKind, { network: NetworkName; speedMs: number }>> = {
  officer: { network: 'walk', speedMs: 1.3 },
  vehicle: { network: 'drive', speedMs: 8 },
};

const NOT_WALKED = new Set(['trunk', 'trunk_link', 'motorway', 'motorway_link']);
const NOT_DRIVEN = new Set(['footway', 'pedestrian', 'path', 'steps', 'track', 'cycleway', 'bridleway', 'corridor']);
const MAX_PIECE_M = 25;

export type Snapped = { node: number; distanceM: number };

export class RoadNetwork {
  private readonly index: KDBush | null;

  /**
   * `into[v]` lists the edges u→v: `from` and `lengthM` in `into.offsets[v] … into.offsets[v + 1]`.
   * Nodes are `lng[i], lat[i]`.
   */
  constructor(
    readonly name: NetworkName,
    readonly lng: Float64Array,
    readonly lat: Float64Array,
    readonly into: { offsets: Uint32Array; from: Uint32Array; lengthM: Float64Array },
  ) {
    if (lng.length === 0) {
      this.index = null;
    } else {
      // Small leaves: a snap asks for one node, and each leaf it opens costs a haversine per point.
      const tree = new KDBush(lng.length, 16);
      for (let i = 0; i < lng.length; i++) tree.add(lng[i]!, lat[i]!);
      this.index = tree.finish();
    }
  }

  get size(): number {
    return this.lng.length;
  }

  at(node: number): LngLat {
    return [this.lng[node]!, this.lat[node]!];
  }

  /** The nearest node to `p` within `maxM`, or null: the point is off this network. */
  snap(p: LngLat, maxM: number): Snapped | null {
    if (!this.index) return null;
    const [id] = around(this.index, p[0], p[1], 1, maxM / 1000);
    if (id === undefined) return null;
    return { node: id, distanceM: distanceM(p, this.at(id)) };
  }

  /** Every directed edge, for tests and references: `from → to`, metres. */
  *edges(): Generator<{ from: number; to: number; lengthM: number }> {
    const { offsets, from, lengthM } = this.into;
    for (let v = 0; v < this.size; v++) {
      for (let e = offsets[v]!; e < offsets[v + 1]!; e++) yield { from: from[e]!, to: v, lengthM: lengthM[e]! };
    }
  }

  /** A search for costs to `target`, exact up to `maxM`, run only as far as the nodes asked for need. */
  searchTo(target: number, maxM: number): CostSearch {
    return new CostSearch(this.into, this.size, target, maxM);
  }
}

/**
 * Dijkstra from one node over reversed edges, resumable: `metresFrom(node)` runs the search on until that
 * node is settled (or the bound or the network is exhausted), so a request pays for the nearest
 * candidates' neighbourhood, not for the whole city.
 */
export class CostSearch {
  /** the bound stopped the search somewhere: a node not reached may be further than `maxM`, not cut off */
  cut = false;
  private readonly metres: Float64Array;
  private readonly settled: Uint8Array;
  private readonly queue = new FlatQueue<number>();

  constructor(private readonly into: RoadNetwork['into'], size: number, target: number, private readonly maxM: number) {
    this.metres = new Float64Array(size).fill(Infinity);
    this.settled = new Uint8Array(size);
    this.metres[target] = 0;
    this.queue.push(target, 0);
  }

  /** Metres from `node` to the target along the network; Infinity when further than the bound or not connected. */
  metresFrom(node: number): number {
    const { offsets, from, lengthM } = this.into;
    const { metres, settled, queue: q } = this;
    while (settled[node] === 0 && q.length > 0) {
      const d = q.peekValue()!;
      const v = q.pop()!;
      if (settled[v] === 1) continue; // an older, longer entry for a node already settled
      settled[v] = 1;
      for (let e = offsets[v]!; e < offsets[v + 1]!; e++) {
        const u = from[e]!;
        const nd = d + lengthM[e]!;
        if (nd > this.maxM) {
          this.cut = true;
        } else if (nd < metres[u]!) {
          metres[u] = nd;
          q.push(u, nd);
        }
      }
    }
    return settled[node] === 1 ? metres[node]! : Infinity;
  }
}

export type RoadGraph = Record<NetworkName, RoadNetwork>;

/** Builds both networks from a roads GeoJSON (LineStrings with OSM `highway` and `oneway`). */
export function buildRoadGraph(roads: FeatureCollection): RoadGraph {
  const walk = new NetworkBuilder('walk');
  const drive = new NetworkBuilder('drive');
  for (const f of roads.features) {
    if (f.geometry.type !== 'LineString') continue;
    const highway = prop(f, 'highway') ?? '';
    const ow = prop(f, 'oneway');
    const line = f.geometry.coordinates as LngLat[];
    if (!NOT_WALKED.has(highway)) walk.addWay(line, 'both');
    if (!NOT_DRIVEN.has(highway)) drive.addWay(line, ow === 'yes' || ow === 'true' || ow === '1' ? 'forward' : ow === '-1' ? 'backward' : 'both');
  }
  return { walk: walk.finish(), drive: drive.finish() };
}

const loaded = new Map<string, RoadGraph>();

/**
 * The city's road graph from the roads file; an unreadable file gives empty networks (every estimate
 * then straight-line). The graph never changes once built, so hubs in one process share it per file.
 */
export function loadRoadGraph(file: URL | string = ROADS_FILE, log: (line: string) => void = () => {}): RoadGraph {
  const key = String(file);
  const known = loaded.get(key);
  if (known) return known;
  try {
    const graph = buildRoadGraph(FeatureCollection.parse(JSON.parse(fs.readFileSync(file, 'utf8'))));
    loaded.set(key, graph);
    return graph;
  } catch (e) {
    log(`road graph not loaded (${(e as Error).message}); travel times fall back to straight lines`);
    return buildRoadGraph({ type: 'FeatureCollection', features: [] });
  }
}

class NetworkBuilder {
  private readonly lng: number[] = [];
  private readonly lat: number[] = [];
  private readonly byCoord = new Map<string, number>();
  private readonly edgeFrom: number[] = [];
  private readonly edgeTo: number[] = [];
  private readonly edgeLen: number[] = [];

  constructor(private readonly name: NetworkName) {}

  addWay(line: LngLat[], oneway: 'forward' | 'backward' | 'both'): void {
    for (let i = 1; i < line.length; i++) {
      const a = this.shared(line[i - 1]!);
      const b = this.shared(line[i]!);
      if (a === b) continue;
      const pa = line[i - 1]!;
      const pb = line[i]!;
      const pieces = Math.max(1, Math.ceil(distanceM(pa, pb) / MAX_PIECE_M));
      let prev = a;
      for (let k = 1; k <= pieces; k++) {
        const next = k === pieces ? b : this.node(pa[0] + ((pb[0] - pa[0]) * k) / pieces, pa[1] + ((pb[1] - pa[1]) * k) / pieces);
        const len = distanceM([this.lng[prev]!, this.lat[prev]!], [this.lng[next]!, this.lat[next]!]);
        if (oneway !== 'backward') this.edge(prev, next, len);
        if (oneway !== 'forward') this.edge(next, prev, len);
        prev = next;
      }
    }
  }

  finish(): RoadNetwork {
    const n = this.lng.length;
    const offsets = new Uint32Array(n + 1);
    for (const to of this.edgeTo) offsets[to + 1]!++;
    for (let v = 0; v < n; v++) offsets[v + 1]! += offsets[v]!;
    const fill = offsets.slice(0, n);
    const from = new Uint32Array(this.edgeTo.length);
    const lengthM = new Float64Array(this.edgeTo.length);
    this.edgeTo.forEach((to, e) => {
      const at = fill[to]!++;
      from[at] = this.edgeFrom[e]!;
      lengthM[at] = this.edgeLen[e]!;
    });
    return new RoadNetwork(this.name, Float64Array.from(this.lng), Float64Array.from(this.lat), { offsets, from, lengthM });
  }

  /** A way vertex: ways that share the coordinate share the node (a junction). */
  private shared(p: LngLat): number {
    const key = `${p[0].toFixed(6)},${p[1].toFixed(6)}`;
    let id = this.byCoord.get(key);
    if (id === undefined) {
      id = this.node(p[0], p[1]);
      this.byCoord.set(key, id);
    }
    return id;
  }

  private node(lng: number, lat: number): number {
    this.lng.push(lng);
    this.lat.push(lat);
    return this.lng.length - 1;
  }

  private edge(from: number, to: number, lengthM: number): void {
    this.edgeFrom.push(from);
    this.edgeTo.push(to);
    this.edgeLen.push(lengthM);
  }
}
