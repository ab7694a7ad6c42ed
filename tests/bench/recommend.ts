// Dispatch recommendation bench (issue 12): how long `units:recommend` takes to rank 20,000 units for
// an incident, against two baselines measured in the same run — ranking every unit by the same rules
// (also the check: its top list must be the same), and one point-to-point search (ngraph.path) per
// candidate instead of one bounded search from the incident.
//
// The store is real (SQLite in a temp dir, the demo city plus load units); statuses come from it per
// request as in the hub. Units stand on the streets: officers near a walking node, vehicles near a driving
// node, 1 % in SOS and 5 % off duty. The spatial index is built before timing (the hub rebuilds it at
// most once a second; its cost is printed apart).
// Wall-clock figures swing with the machine's load; the CPU figure much less.
// Knobs (environment): BENCH_RECOMMEND_UNITS (20000 load units), BENCH_RECOMMEND_QUERIES (1000).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import createGraph from 'ngraph.graph';
import { aStar } from 'ngraph.path';
import type { LngLat, PositionFix } from '../../shared/domain';
import { offsetM } from '../../shared/geo';
import { Recommender } from '../../main/hub/dispatch/recommend';
import { loadRoadGraph, TRAVEL } from '../../main/hub/dispatch/road-graph';
import { loadDemoCity, seedDemo } from '../../main/hub/seed';
import { UnitIndex } from '../../main/hub/spatial';
import { loadUnits } from '../../main/sim/city/load';
import { mulberry32 } from '../../main/sim/city/rng';
import { listAreas, listUnits, setUnitStatus } from '../../main/store/city';
import { openStore } from '../../main/store/db';
import { dispatchStates } from '../../main/store/operations';
import { envInt } from './harness';

const LOAD_UNITS = envInt('BENCH_RECOMMEND_UNITS', 20_000);
const QUERIES = envInt('BENCH_RECOMMEND_QUERIES', 1000);
const GRID: [number, number, number, number] = [118.745, 32.01, 118.80, 32.06];

const pct = (xs: number[], p: number) => xs.slice().sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const round = (x: number) => Math.round(x * 1000) / 1000;

export async function run(): Promise<Record<string, number | string>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiuhua-bench-recommend-'));
  const db = openStore(dir);
  try {
    const city = loadDemoCity();
    const now = Date.now();
    seedDemo(db, city, loadUnits(city, LOAD_UNITS, 7), now);
    let t = performance.now();
    const graph = loadRoadGraph();
    const graphMs = performance.now() - t;

    const rng = mulberry32(12);
    const units = listUnits(db);
    const latest = new Map<string, PositionFix>();
    db.transaction(() => {
      for (const u of units) {
        const net = graph[TRAVEL[u.kind].network];
        const at = offsetM(net.at(rng.int(0, net.size - 1)), rng.range(-20, 20), rng.range(-20, 20));
        latest.set(u.id, { unitId: u.id, t: now - rng.int(0, 60_000), lng: at[0], lat: at[1] });
        const roll = rng.next();
        if (roll < 0.01) setUnitStatus(db, u.id, 'sos');
        else if (roll < 0.06) setUnitStatus(db, u.id, 'off_duty');
      }
    })();
    const index = new UnitIndex(() => latest.values(), { maxStaleMs: Infinity });
    t = performance.now();
    index.nearest(city.center, 1);
    const indexMs = performance.now() - t;

    const deps = {
      graph, areas: listAreas(db), index, latest,
      units: new Map(units.map((u) => [u.id, { kind: u.kind, cellId: u.cellId, postId: u.postId }])),
      states: (ids: readonly string[], incidentId: string | null) => dispatchStates(db, ids, incidentId),
    };
    const recommender = new Recommender(deps);
    const everyone = new Recommender({ ...deps, candidates: units.length });
    const points: LngLat[] = Array.from({ length: QUERIES }, () => [rng.range(GRID[0], GRID[2]), rng.range(GRID[1], GRID[3])]);

    for (const at of points.slice(0, 200)) recommender.recommend({ at, limit: 6, incidentId: null, now }); // warm-up (JIT)
    const ms: number[] = [];
    const cpu = process.cpuUsage();
    const tops: string[][] = [];
    let roads = 0;
    let total = 0;
    for (const at of points) {
      t = performance.now();
      const res = recommender.recommend({ at, limit: 6, incidentId: null, now });
      ms.push(performance.now() - t);
      tops.push(res.suggestions.map((s) => s.unitId));
      roads += res.suggestions.filter((s) => s.how === 'road').length;
      total += res.suggestions.length;
    }
    const { user, system } = process.cpuUsage(cpu);

    // Baseline 1: every unit ranked by the same rules (one search per network, a look-up per unit).
    const allMs: number[] = [];
    let mismatches = 0;
    const checked = Math.min(points.length, 40);
    for (let i = 0; i < checked; i++) {
      t = performance.now();
      const res = everyone.recommend({ at: points[i]!, limit: 6, incidentId: null, now });
      allMs.push(performance.now() - t);
      if (res.suggestions.map((s) => s.unitId).join() !== tops[i]!.join()) mismatches++;
    }

    // Baseline 2: one point-to-point search per candidate (the 200 nearest officers by straight line).
    const walk = graph.walk;
    const g = createGraph<null, number>({ multigraph: true });
    for (let i = 0; i < walk.size; i++) g.addNode(i, null);
    for (const e of walk.edges()) g.addLink(e.from, e.to, e.lengthM);
    const finder = aStar(g, { oriented: true, distance: (_a, _b, link) => link.data });
    const pairMs: number[] = [];
    for (const at of points.slice(0, 3)) {
      const target = walk.snap(at, 150);
      if (!target) continue;
      const near = index.nearest(at, 200, (f) => deps.units.get(f.unitId)?.kind === 'officer');
      t = performance.now();
      for (const n of near) {
        const own = walk.snap([n.fix.lng, n.fix.lat], 150);
        if (own) finder.find(own.node, target.node);
      }
      pairMs.push(performance.now() - t);
    }

    return {
      units: units.length,
      'road graph build, ms (walk + drive)': round(graphMs),
      'walk / drive nodes': `${walk.size} / ${graph.drive.size}`,
      'spatial index build, ms (at most 1/s in the hub)': round(indexMs),
      'recommend p50, ms': round(pct(ms, 0.5)),
      'recommend p99, ms': round(pct(ms, 0.99)),
      'recommend max, ms': round(Math.max(...ms)),
      'recommend mean CPU, ms': round((user + system) / 1000 / points.length),
      'suggestions by road, %': Math.round((100 * roads) / Math.max(1, total)),
      'baseline: rank every unit p50, ms': round(pct(allMs, 0.5)),
      'rank-every-unit / recommend (p50)': round(pct(allMs, 0.5) / pct(ms, 0.5)),
      'top-6 differing from rank-every-unit': `${mismatches} of ${checked}`,
      'baseline: one ngraph.path search per candidate (200 officers), ms': pairMs.length ? round(pct(pairMs, 0.5)) : 'n/a',
    };
  } finally {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
