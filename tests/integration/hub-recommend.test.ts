// `units:recommend` on a real hub: positions fed through a field gateway, ranking checked against an
// independent reference (ngraph.path, one point-to-point search per unit over the same streets), the
// guardrails (SOS, off duty, already sent), the straight-line fallback, and who may ask.
import fc from 'fast-check';
import createGraph, { type Graph } from 'ngraph.graph';
import { aStar, type PathFinder } from 'ngraph.path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Area, LngLat, Unit, UnitKind } from '../../shared/domain';
import { distanceM, offsetM, pointInPolygon } from '../../shared/geo';
import type { RecommendResult } from '../../shared/protocol/recommend';
import { LOAD_PENALTY_SEC, MAX_ETA_SEC, MAX_SNAP_M, OWN_AREA_BONUS_SEC } from '../../main/hub/dispatch/recommend';
import { loadRoadGraph, TRAVEL, type RoadNetwork } from '../../main/hub/dispatch/road-graph';
import { auditPage } from '../../main/store/audit';
import { listUnits, setUnitStatus } from '../../main/store/city';
import { countOpenTasksOfUnit } from '../../main/store/operations';
import { ask, askPatiently, cid, closeClients, consoleClient, fieldClient, hubSnapshot, NANJING, startTestHub, type FieldClient } from './hub-fixture';

let hub: Awaited<ReturnType<typeof startTestHub>>;
let areas: Area[];
let units: Unit[];
/** where the test put each unit that reports */
const placed = new Map<string, LngLat>();
/** the time of the newest fix the test gave each unit */
const lastFixT = new Map<string, number>();
const graph = loadRoadGraph();

// The demo city's grid, where the property test drops incidents: [west, south, east, north].
const GRID: [number, number, number, number] = [118.745, 32.01, 118.80, 32.06];
const SOS_UNITS = ['off-003', 'off-004'];
const OFF_DUTY = ['off-005', 'off-006'];
const BUSY = ['off-007', 'off-008', 'veh-03'];

const login = async (username: string) => (await consoleClient(hub.url, { username, password: 'demo' })).socket;

async function feed(gw: FieldClient, fixes: Array<{ unitId: string; at: LngLat }>): Promise<void> {
  const t = Date.now();
  const res = await ask(gw, 'unit:position', { fixes: fixes.map((f) => ({ unitId: f.unitId, t, lng: f.at[0], lat: f.at[1] })) });
  expect(res.ok, res.error?.message).toBe(true);
  expect(res.result.accepted).toBe(fixes.length);
  for (const f of fixes) { placed.set(f.unitId, f.at); lastFixT.set(f.unitId, t); }
}

/**
 * Moves a unit far in a moment: one fix there is an impossible jump (refused as an outlier), so the test
 * sends what a device really there sends, a fix a second, until the hub takes the unit to be there.
 */
async function relocate(gw: FieldClient, unitId: string, at: LngLat): Promise<void> {
  // All five after the unit's newest fix: one older than it is history, not a move, and it takes four in
  // a row to re-anchor. Dating them from "now − 5 s" alone failed when the test ran within 5 s of feeding
  // the unit (a quiet machine): too few were newer and the unit stayed where it was.
  const t = Math.max(Date.now() - 5000, (lastFixT.get(unitId) ?? 0) + 1000);
  const fixes = [0, 1, 2, 3, 4].map((i) => ({ unitId, t: t + i * 1000, lng: at[0], lat: at[1] }));
  lastFixT.set(unitId, t + 4000);
  const res = await ask(gw, 'unit:position', { fixes });
  expect(res.ok, res.error?.message).toBe(true);
  expect(res.result.accepted).toBeGreaterThan(0);
  placed.set(unitId, at);
}

async function incidentAt(at: LngLat): Promise<string> {
  const res = await ask(await login('operator'), 'incident:create', { commandId: cid(), category: 'parking', priority: 2, position: at, description: '违停' });
  expect(res.ok, res.error?.message).toBe(true);
  return res.result.incident.id as string;
}

beforeAll(async () => {
  // maxStaleMs 0: a fix fed just before a request is in the index that answers it. Four candidates
  // of each kind to start with: the candidate set has to grow in most requests, and must still be exact.
  hub = await startTestHub({ positions: { index: { maxStaleMs: 0 } }, recommendCandidates: 4 });
  const snap = await hubSnapshot(hub.url);
  areas = snap.areas;
  units = snap.units;
  const officers = units.filter((u) => u.kind === 'officer').slice(0, 45);
  const vehicles = units.filter((u) => u.kind === 'vehicle').slice(0, 15);
  const spots = fc.sample(fc.tuple(fc.double({ min: GRID[0], max: GRID[2], noNaN: true }), fc.double({ min: GRID[1], max: GRID[3], noNaN: true })), { seed: 12, numRuns: 60 });
  const gw = await fieldClient(hub.url);
  // A third of the officers stand near their own post (so that own-post and own-cell bonuses matter), the rest anywhere.
  const nearPost = (u: Unit, i: number): LngLat => {
    const post = areas.find((a) => a.id === u.postId)!;
    return offsetM(post.center, (spots[i]![0] - GRID[0]) * 5000 - 150, (spots[i]![1] - GRID[1]) * 5000 - 150);
  };
  await feed(gw, [...officers, ...vehicles].map((u, i) => ({ unitId: u.id, at: i < 15 ? nearPost(u, i) : (spots[i] as LngLat) })));
  for (const unitId of SOS_UNITS) expect((await ask(gw, 'sos:raise', { commandId: cid(), unitId, position: placed.get(unitId)! })).ok).toBe(true);
  for (const unitId of OFF_DUTY) setUnitStatus(hub.db, unitId, 'off_duty');
  const busyOn = await incidentAt(NANJING);
  const op = await login('operator');
  for (const unitId of BUSY) expect((await ask(op, 'task:assign', { commandId: cid(), incidentId: busyOn, unitId })).ok).toBe(true);
});
afterAll(() => hub.close());
afterEach(closeClients);

// ---- the reference: brute-force snapping, one ngraph.path search per unit ----

type Ref = { graph: Graph<LngLat, number>; finder: PathFinder<LngLat> };
const refs = new Map<RoadNetwork, Ref>();
function refOf(net: RoadNetwork): Ref {
  let r = refs.get(net);
  if (!r) {
    const g = createGraph<LngLat, number>({ multigraph: true });
    for (let i = 0; i < net.size; i++) g.addNode(i, net.at(i));
    for (const e of net.edges()) g.addLink(e.from, e.to, e.lengthM);
    r = { graph: g, finder: aStar(g, { oriented: true, distance: (_a, _b, link) => link.data }) };
    refs.set(net, r);
  }
  return r;
}

function nearestNode(net: RoadNetwork, p: LngLat): { node: number; d: number } | null {
  let best = { node: -1, d: Infinity };
  for (let i = 0; i < net.size; i++) {
    const d = distanceM(p, net.at(i));
    if (d < best.d) best = { node: i, d };
  }
  return best.d <= MAX_SNAP_M ? best : null;
}
const snaps = new Map<string, { node: number; d: number } | null>();
const snapOnce = (net: RoadNetwork, p: LngLat) => {
  const key = `${net.name}:${p.join(',')}`;
  if (!snaps.has(key)) snaps.set(key, nearestNode(net, p));
  return snaps.get(key)!;
};

/** Metres along the path ngraph.path finds from `from` to `to`, or Infinity. */
function pathMetres(net: RoadNetwork, from: number, to: number): number {
  if (from === to) return 0;
  const { graph: g, finder } = refOf(net);
  const nodes = finder.find(from, to); // from `to` back to `from`
  if (nodes.length === 0) return Infinity;
  let m = 0;
  for (let i = nodes.length - 1; i > 0; i--) {
    const a = nodes[i]!.id;
    const b = nodes[i - 1]!.id;
    let best = Infinity;
    g.forEachLinkedNode(a, (_n, link) => {
      if (link.fromId === a && link.toId === b) best = Math.min(best, link.data);
    }, true);
    m += best;
  }
  return m;
}

function referenceEta(kind: UnitKind, from: LngLat, to: LngLat): { etaSec: number; how: 'road' | 'straight_line' } {
  const { network, speedMs } = TRAVEL[kind];
  const net = graph[network];
  const straight = distanceM(from, to) / speedMs;
  const target = snapOnce(net, to);
  const own = snapOnce(net, from);
  if (!target || !own) return { etaSec: straight, how: 'straight_line' };
  const m = pathMetres(net, own.node, target.node);
  if (m > MAX_ETA_SEC * speedMs) return { etaSec: Math.max(straight, MAX_ETA_SEC), how: 'straight_line' };
  return { etaSec: (own.d + m + target.d) / speedMs, how: 'road' };
}

function referenceRanking(at: LngLat, limit: number): Array<{ unitId: string; etaSec: number; how: string }> {
  const status = new Map(listUnits(hub.db).map((u) => [u.id, u.status]));
  const cell = areas.find((a) => a.kind === 'cell' && a.polygon && pointInPolygon(at, a.polygon))?.id;
  const rows = units.filter((u) => placed.has(u.id) && status.get(u.id) !== 'sos' && status.get(u.id) !== 'off_duty').map((u) => {
    const e = referenceEta(u.kind, placed.get(u.id)!, at);
    const post = u.postId ? areas.find((a) => a.id === u.postId) : undefined;
    const own = (cell !== undefined && u.cellId === cell) || (post !== undefined && distanceM(post.center, at) <= post.radiusM!);
    const tasks = countOpenTasksOfUnit(hub.db, u.id);
    return { unitId: u.id, etaSec: e.etaSec, how: e.how, busy: tasks > 0, score: e.etaSec - (own ? OWN_AREA_BONUS_SEC : 0) + LOAD_PENALTY_SEC * tasks };
  });
  rows.sort((a, b) => (a.busy !== b.busy ? (a.busy ? 1 : -1) : a.score - b.score || (a.unitId < b.unitId ? -1 : 1)));
  return rows.slice(0, limit);
}

const recommend = async (payload: unknown, as = 'operator'): Promise<RecommendResult> => {
  const res = await askPatiently(await login(as), 'units:recommend', payload);
  expect(res.ok, res.error?.message).toBe(true);
  return res.result as RecommendResult;
};

describe('units:recommend', () => {
  it('ranks like one independent shortest-path search per unit, for any incident point', async () => {
    const op = await login('operator');
    const anywhere = fc.tuple(fc.double({ min: GRID[0], max: GRID[2], noNaN: true }), fc.double({ min: GRID[1], max: GRID[3], noNaN: true }));
    const near = (points: LngLat[]) => fc.tuple(fc.constantFrom(...points), fc.double({ min: -250, max: 250, noNaN: true }), fc.double({ min: -250, max: 250, noNaN: true }))
      .map(([p, e, n]) => offsetM(p, e, n));
    const posts = units.filter((u) => u.kind === 'officer').slice(0, 15).map((u) => areas.find((a) => a.id === u.postId)!.center);
    await fc.assert(fc.asyncProperty(
      fc.oneof(anywhere, near([...placed.values()]), near(posts)), fc.integer({ min: 1, max: 20 }),
      async (point, limit) => {
        const at = point as LngLat;
        const res = await askPatiently(op, 'units:recommend', { position: at, limit });
        expect(res.ok, res.error?.message).toBe(true);
        const got = (res.result as RecommendResult).suggestions;
        const want = referenceRanking(at, limit);
        expect(got.map((s) => s.unitId)).toEqual(want.map((s) => s.unitId));
        got.forEach((s, i) => {
          expect(s.how).toBe(want[i]!.how);
          expect(Math.abs(s.etaSec - want[i]!.etaSec)).toBeLessThanOrEqual(1);
        });
      },
    ), { numRuns: 20, seed: 20271201 });
  }, 120_000);

  it('never suggests a unit in SOS or off duty, even on the spot; says how many it left out', async () => {
    for (const unitId of [...SOS_UNITS, ...OFF_DUTY]) {
      const res = await recommend({ position: placed.get(unitId)!, limit: 20 });
      expect(res.suggestions.map((s) => s.unitId)).not.toContain(unitId);
      expect(res.suggestions.length).toBe(20);
      expect(res.excluded.sos).toBe(SOS_UNITS.length);
      expect(res.excluded.off_duty).toBe(OFF_DUTY.length);
    }
  });

  it('by incident: a unit already on it is left out; free units come first and each says why', async () => {
    const at = placed.get('off-010')!;
    const incidentId = await incidentAt(at);
    const op = await login('operator');
    expect((await ask(op, 'task:assign', { commandId: cid(), incidentId, unitId: 'off-010' })).ok).toBe(true);
    const res = await recommend({ incidentId, limit: 20 });
    expect(res.at).toEqual(at);
    expect(res.suggestions.map((s) => s.unitId)).not.toContain('off-010');
    expect(res.excluded.already_assigned).toBe(1);
    const busy = res.suggestions.map((s) => s.reasons[0]!.key === 'recommend.busy');
    expect(busy).toEqual([...busy].sort((a, b) => Number(a) - Number(b)));
    for (const s of res.suggestions) {
      expect(s.reasons[0]!.key).toMatch(/^recommend\.(free|busy)$/);
      expect(s.reasons).toContainEqual({ key: 'recommend.eta', params: { min: Math.max(1, Math.ceil(s.etaSec / 60)) } });
    }
  });

  it('the incident in a unit\'s own post and cell earns it the bonus, and the reasons name them', async () => {
    const unit = units.find((u) => u.id === 'off-001')!;
    const post = areas.find((a) => a.id === unit.postId)!;
    const res = await recommend({ position: post.center, limit: 20 });
    const mine = res.suggestions.find((s) => s.unitId === unit.id);
    expect(mine?.reasons).toEqual(expect.arrayContaining([
      { key: 'recommend.own_post', params: { post: post.id } }, { key: 'recommend.own_cell', params: { cell: unit.cellId } },
    ]));
    expect(Math.abs(mine!.score - (mine!.etaSec - OWN_AREA_BONUS_SEC))).toBeLessThanOrEqual(1); // both rounded
  });

  it('off the road network it falls back to a straight line, and says so', async () => {
    const offMap: LngLat = [118.62, 32.16]; // far outside the streets the hub knows
    const res = await recommend({ position: offMap });
    expect(res.suggestions.length).toBe(6);
    for (const s of res.suggestions) {
      expect(s.how).toBe('straight_line');
      expect(s.reasons).toContainEqual({ key: 'recommend.straight_line', params: { why: 'incident_off_road' } });
    }
    const gw = await fieldClient(hub.url);
    await relocate(gw, 'off-040', [118.9, 32.1]);
    const far = await recommend({ position: NANJING, limit: 20 });
    expect(far.suggestions.find((s) => s.unitId === 'off-040')).toBeUndefined(); // 15 km on foot: not among the 20
    const nearIt = await recommend({ position: [118.899, 32.1], limit: 1 });
    expect(nearIt.suggestions[0]).toMatchObject({ unitId: 'off-040', how: 'straight_line' });
    expect(nearIt.suggestions[0]!.reasons).toContainEqual({ key: 'recommend.straight_line', params: { why: 'incident_off_road' } });
    await relocate(gw, 'off-040', placed.get('off-041') ?? NANJING);
  });

  it('operators, duty managers and evaluators may ask; admins and field devices may not, and the refusals are audited', async () => {
    for (const who of ['operator', 'manager', 'evaluator']) expect((await recommend({ position: NANJING }, who)).suggestions.length).toBeGreaterThan(0);
    expect((await ask(await login('admin'), 'units:recommend', { position: NANJING })).error?.code).toBe('forbidden');
    const gw = await fieldClient(hub.url);
    expect((await ask(gw, 'units:recommend', { position: NANJING })).error?.code).toBe('forbidden');
    const refused = auditPage(hub.db, 0, 1_000_000).filter((e) => e.action === 'units:recommend' && e.outcome === 'rejected');
    expect(refused.map((e) => e.role)).toEqual(expect.arrayContaining(['admin', 'device']));
    const bad = await ask(await login('operator'), 'units:recommend', { position: NANJING, incidentId: 'I-1', limit: 99 });
    expect(bad.error?.code).toBe('invalid_payload');
    expect((await ask(await login('operator'), 'units:recommend', { incidentId: 'I-nope' })).error?.code).toBe('not_found');
  });
});
