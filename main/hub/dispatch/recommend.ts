// Which units to send: candidates from the spatial index of latest fixes, ranked by road travel time.
//
// Rules, in order: a unit in SOS or off duty is never suggested, nor one without a fix in the last
// RECOMMEND_FIX_MAX_AGE_MS, nor one already on this incident; free units come before busy ones; then the
// score: ETA − OWN_AREA_BONUS_SEC if the incident is in the unit's own post or cell, + LOAD_PENALTY_SEC
// per open task.
//
// Cost: per request one bounded Dijkstra per network (from the incident, over reversed edges), run on
// only as far as the candidates looked up need. Candidates are the CANDIDATES nearest of each kind by straight line,
// plus every unit of the incident's cell. The answer is exact, not a heuristic cut: a unit left out
// is at least D away in a straight line (D = the furthest candidate of its kind), so it needs at least
// D / speed seconds by any road and has no own-area bonus; when the list's worst score is not below
// that bound (or the list is short, or holds a busy unit), the candidate set grows and the ranking runs again.
import type { Area, LngLat, PositionFix, UnitKind } from '../../../shared/domain';
import { distanceM, pointInPolygon } from '../../../shared/geo';
import { RECOMMEND_FIX_MAX_AGE_MS, type Recommendation, type RecommendReason, type RecommendResult } from '../../../shared/protocol/recommend';
import type { DispatchState } from '../../store/operations';
import type { UnitIndex } from '../spatial';
import { TRAVEL, type CostSearch, type NetworkName, type RoadGraph, type Snapped } from './road-graph';

/** Measured (tests/bench/recommend.ts): 64 needs half the CPU of 200 at 20,000 units, and grows rarely. */
export const CANDIDATES = 64;
/** The road search stops at this many seconds of travel; beyond it the estimate is a lower bound. */
export const MAX_ETA_SEC = 30 * 60;
/** A point further than this from every node of a network is off it. */
export const MAX_SNAP_M = 150;
export const OWN_AREA_BONUS_SEC = 120;
export const LOAD_PENALTY_SEC = 300;
/** A fix older than this is mentioned in the reasons (the console shows such a unit as stale). */
const OLD_FIX_MS = 30_000;
const KINDS: readonly UnitKind[] = ['officer', 'vehicle'];

/** What a unit is, as seeded: its kind and the post and cell it answers for (these do not change at run time). */
export type UnitFacts = { kind: UnitKind; cellId: string | null; postId: string | null };

export type RecommenderDeps = {
  graph: RoadGraph;
  areas: readonly Area[];
  units: ReadonlyMap<string, UnitFacts>;
  index: UnitIndex;
  latest: ReadonlyMap<string, PositionFix>;
  /** status and load now (the store) */
  states: (unitIds: readonly string[], incidentId: string | null) => Map<string, DispatchState>;
  /** nearest units of each kind taken first (default CANDIDATES; the bench sets every unit to rank them all) */
  candidates?: number;
};

export type RecommendQuery = { at: LngLat; limit: number; incidentId: string | null; now: number };

/** `raw`: the unrounded score the ranking and its bound use. */
type Ranked = Recommendation & { busy: boolean; raw: number };

/** The estimate for one unit at `from` travelling to the point the fields were searched from. */
export type Estimate = { etaSec: number; distanceM: number; how: 'road' | 'straight_line'; why?: string };

/** Road estimate of a unit of `kind` at `from`, given the incident's snap and the cost field from it (both lazily made). */
export function estimate(graph: RoadGraph, kind: UnitKind, from: LngLat, to: LngLat, target: Snapped | null, search: () => CostSearch): Estimate {
  const { network, speedMs } = TRAVEL[kind];
  const straight = distanceM(from, to);
  const line = (why: string, etaSec = straight / speedMs): Estimate => ({ etaSec, distanceM: straight, how: 'straight_line', why });
  if (!target) return line('incident_off_road');
  const own = graph[network].snap(from, MAX_SNAP_M);
  if (!own) return line('unit_off_road');
  const s = search();
  const metres = s.metresFrom(own.node);
  // Not reached within the bound: by road it takes longer than MAX_ETA_SEC, or there is no road path at all.
  if (metres === Infinity) return line(s.cut ? 'beyond_search' : 'no_road_path', Math.max(straight / speedMs, MAX_ETA_SEC));
  const d = own.distanceM + metres + target.distanceM;
  return { etaSec: d / speedMs, distanceM: d, how: 'road' };
}

export class Recommender {
  private cells: Area[] = [];
  private posts: Area[] = [];
  private readonly byArea = new Map<string, string[]>();

  constructor(private readonly deps: RecommenderDeps) {
    this.setAreas(deps.areas);
    for (const [id, u] of deps.units) {
      for (const area of [u.cellId, u.postId]) {
        if (!area) continue;
        const list = this.byArea.get(area);
        if (list) list.push(id);
        else this.byArea.set(area, [id]);
      }
    }
  }

  /** The grid after an admin's edit (server.ts, after the commit): which cell and posts an incident lies in. */
  setAreas(areas: readonly Area[]): void {
    this.cells = areas.filter((a) => a.kind === 'cell' && a.polygon);
    this.posts = areas.filter((a) => a.kind === 'post' && a.radiusM !== null);
  }

  recommend(q: RecommendQuery): RecommendResult {
    const { graph, units, index, latest } = this.deps;
    const cell = this.cells.find((c) => pointInPolygon(q.at, c.polygon!))?.id ?? null;
    const posts = new Set(this.posts.filter((p) => distanceM(p.center, q.at) <= p.radiusM!).map((p) => p.id));

    // One snap and at most one search per network, made when a candidate first needs it.
    const targets = new Map<NetworkName, Snapped | null>();
    const searches = new Map<NetworkName, CostSearch>();
    const targetOf = (n: NetworkName) => {
      if (!targets.has(n)) targets.set(n, graph[n].snap(q.at, MAX_SNAP_M));
      return targets.get(n)!;
    };
    const searchOf = (n: NetworkName, kind: UnitKind) => () => {
      let s = searches.get(n);
      if (!s) searches.set(n, (s = graph[n].searchTo(targetOf(n)!.node, MAX_ETA_SEC * TRAVEL[kind].speedMs)));
      return s;
    };

    const first = this.deps.candidates ?? CANDIDATES;
    const want: Record<UnitKind, number> = { officer: first, vehicle: first };
    const states = new Map<string, DispatchState>();
    const ranked = new Map<string, Ranked>();
    for (;;) {
      // Everyone who would get the own-area bonus is a candidate, wherever they are.
      const considered = new Set<string>([cell, ...posts].flatMap((a) => (a && this.byArea.get(a)) || []));
      const bound: Record<UnitKind, number> = { officer: Infinity, vehicle: Infinity };
      for (const kind of KINDS) {
        const near = index.nearest(q.at, want[kind], (f) => units.get(f.unitId)?.kind === kind);
        for (const n of near) considered.add(n.fix.unitId);
        if (near.length === want[kind]) bound[kind] = near[near.length - 1]!.distanceM / TRAVEL[kind].speedMs;
      }
      const unknown = [...considered].filter((id) => !states.has(id));
      if (unknown.length) for (const [id, s] of this.deps.states(unknown, q.incidentId)) states.set(id, s);

      const excluded = { stale: 0, sos: 0, off_duty: 0, already_assigned: 0 };
      const list: Ranked[] = [];
      for (const id of considered) {
        const facts = units.get(id);
        const state = states.get(id);
        if (!facts || !state) continue;
        const fix = latest.get(id);
        if (state.status === 'sos') excluded.sos++;
        else if (state.status === 'off_duty') excluded.off_duty++;
        else if (!fix || q.now - fix.t > RECOMMEND_FIX_MAX_AGE_MS) excluded.stale++;
        else if (state.onIncident) excluded.already_assigned++;
        else {
          let r = ranked.get(id);
          if (r === undefined) {
            const { network } = TRAVEL[facts.kind];
            const target = targetOf(network);
            r = this.rank(id, facts, state, fix, q, cell, posts, estimate(graph, facts.kind, [fix.lng, fix.lat], q.at, target, searchOf(network, facts.kind)));
            ranked.set(id, r);
          }
          list.push(r);
        }
      }
      list.sort(compareRanked);
      const top = list.slice(0, q.limit);
      const worst = top.length === q.limit && !top.some((r) => r.busy) ? top[top.length - 1]!.raw : Infinity;
      const grow = KINDS.filter((k) => bound[k] !== Infinity && worst >= bound[k]);
      if (grow.length === 0) {
        return { at: q.at, suggestions: top.map(({ busy: _busy, raw: _raw, ...r }) => r), excluded };
      }
      for (const k of grow) want[k] *= 4;
    }
  }

  private rank(
    unitId: string, facts: UnitFacts, state: DispatchState, fix: PositionFix, q: RecommendQuery, cell: string | null, posts: Set<string>, e: Estimate,
  ): Ranked {
    const reasons: RecommendReason[] = [];
    const busy = state.openTasks > 0;
    reasons.push(busy ? { key: 'recommend.busy', params: { tasks: state.openTasks } } : { key: 'recommend.free' });
    reasons.push({ key: 'recommend.eta', params: { min: Math.max(1, Math.ceil(e.etaSec / 60)) } });
    if (e.how === 'straight_line') reasons.push({ key: 'recommend.straight_line', params: { why: e.why! } });
    const ownPost = facts.postId !== null && posts.has(facts.postId);
    const ownCell = cell !== null && facts.cellId === cell;
    if (ownPost) reasons.push({ key: 'recommend.own_post', params: { post: facts.postId! } });
    if (ownCell) reasons.push({ key: 'recommend.own_cell', params: { cell: cell! } });
    const age = q.now - fix.t;
    if (age > OLD_FIX_MS) reasons.push({ key: 'recommend.old_fix', params: { sec: Math.round(age / 1000) } });
    const score = e.etaSec - (ownPost || ownCell ? OWN_AREA_BONUS_SEC : 0) + LOAD_PENALTY_SEC * state.openTasks;
    return { unitId, etaSec: Math.round(e.etaSec), distanceM: Math.round(e.distanceM), how: e.how, reasons, score: Math.round(score * 10) / 10, busy, raw: score };
  }
}

/** Free before busy, then lower score, then unit id (so that equal scores rank the same every time). */
export function compareRanked(a: { busy: boolean; raw: number; unitId: string }, b: { busy: boolean; raw: number; unitId: string }): number {
  if (a.busy !== b.busy) return a.busy ? 1 : -1;
  return a.raw - b.raw || (a.unitId < b.unitId ? -1 : a.unitId > b.unitId ? 1 : 0);
}
