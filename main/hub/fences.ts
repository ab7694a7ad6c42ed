// The fence watch (电子围栏): a position observer that holds each officer on duty to the assigned grid
// cell and each patrol vehicle to its route corridor. Per fix it does a few float operations on
// geometry prepared once (a cell's ring in local metres; a route's segments, searched near the last
// matched one), keeps a small state per unit in memory, and touches the store only when a unit's
// state changes: a breach or a return is queued as a system command (fence:breach / fence:return),
// so the alert and its clearing are on the record like every other change.
//
// Hysteresis: a unit counts as out only beyond the fence by the mode's margin, and as back only inside
// it by the margin; in between (GPS noise at the edge) its state stays as it was. It must be out for
// the mode's time before the alert is raised; coming back sooner raises nothing.
import type { Area, LngLat, PositionFix, Route, Unit } from '../../shared/domain';
import type { ModeProfile } from '../../shared/modes';
import { activeFenceAlerts, unitsCheckedInAt } from '../store/attendance';
import type { Db } from '../store/db';
import { gridVersion } from '../store/grid';
import { FENCE_BREACH, FENCE_RETURN } from './handlers/attendance';
import { modeResolver, type ModeResolver } from './modes';
import type { NewAction } from '../store/schedule';

type FenceRules = ModeProfile['fence'];
type Phase = 'in' | 'pending' | 'alerted';
type Watched = {
  unit: Unit;
  kind: 'cell' | 'route';
  areaId: string;
  geometry: Geometry;
  phase: Phase;
  /** fix time of the first fix out (pending, alerted) */
  since: number;
  lastT: number;
  /** the route segment matched last, and the last full scan (routes) */
  seg: number;
  scan: RouteScan | null;
  /** whether its status (and, for a cell, its check-in) holds it to a fence, as of refresh `dutyGen` */
  held: boolean;
  dutyGen: number;
};

/** Geometry in local metres around its own origin (equirectangular: fine at city scale). */
export type Geometry = { lng0: number; lat0: number; kx: number; ky: number; xs: Float64Array; ys: Float64Array; closed: boolean };

const M_PER_DEG = 111_320;

export function prepare(points: LngLat[], closed: boolean): Geometry {
  const [lng0, lat0] = points[0]!;
  const kx = M_PER_DEG * Math.cos((lat0 * Math.PI) / 180);
  const xs = new Float64Array(points.length);
  const ys = new Float64Array(points.length);
  points.forEach(([lng, lat], i) => {
    xs[i] = (lng - lng0) * kx;
    ys[i] = (lat - lat0) * M_PER_DEG;
  });
  return { lng0, lat0, kx, ky: M_PER_DEG, xs, ys, closed };
}

function segDistance(g: Geometry, i: number, x: number, y: number): number {
  const ax = g.xs[i]!, ay = g.ys[i]!, bx = g.xs[i + 1]!, by = g.ys[i + 1]!;
  const dx = bx - ax, dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / len2));
  const px = ax + t * dx - x, py = ay + t * dy - y;
  return Math.sqrt(px * px + py * py);
}

/**
 * Signed distance to a cell's ring in metres: negative inside, positive outside. Inside, the distance
 * is only worked out when `depth` asks for it (an alerted unit coming back); otherwise -0.001 (the
 * usual case, an officer inside the cell, costs one crossing test per edge).
 */
export function cellDistanceM(g: Geometry, p: LngLat, depth = true): number {
  const x = (p[0] - g.lng0) * g.kx;
  const y = (p[1] - g.lat0) * g.ky;
  let inside = false;
  const n = g.xs.length;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = g.xs[i]!, yi = g.ys[i]!, xj = g.xs[j]!, yj = g.ys[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  if (inside && !depth) return -0.001;
  let d = Infinity;
  for (let i = 0; i < n - 1; i++) d = Math.min(d, segDistance(g, i, x, y));
  return inside ? -d : d;
}

/** Where the last full scan of a route was made and what it found: until the unit has moved that far, it cannot be nearer. */
export type RouteScan = { x: number; y: number; d: number };

/**
 * Distance to a route line in metres, searching near the segment matched last; the whole line only
 * when that is farther than `within` — and not again while the unit is still too far to have come
 * back (a vehicle far off its route costs one scan per `d − within` metres moved, not one per fix).
 */
export function routeDistanceM(g: Geometry, p: LngLat, near: number, within: number, scan: RouteScan | null): { d: number; seg: number; scan: RouteScan | null } {
  const x = (p[0] - g.lng0) * g.kx;
  const y = (p[1] - g.lat0) * g.ky;
  const last = g.xs.length - 2;
  let best = Infinity;
  let seg = near;
  for (let i = Math.max(0, near - 2); i <= Math.min(last, near + 2); i++) {
    const d = segDistance(g, i, x, y);
    if (d < best) [best, seg] = [d, i];
  }
  if (best <= within) return { d: best, seg, scan: null };
  if (scan) {
    const moved = Math.hypot(x - scan.x, y - scan.y);
    if (scan.d - moved > within) return { d: Math.min(best, scan.d - moved), seg, scan };
  }
  for (let i = 0; i <= last; i++) {
    const d = segDistance(g, i, x, y);
    if (d < best) [best, seg] = [d, i];
  }
  return { d: best, seg, scan: { x, y, d: best } };
}

export type FenceWatchOptions = {
  db: Db;
  units: Unit[];
  areas: Area[];
  routes: Route[];
  /** queue a system command now (the scheduler's schedule) */
  schedule: (action: NewAction) => void;
  now: () => number;
  /** how long the on-duty set, unit statuses and rules may be reused (ms; default 5 s) */
  refreshMs?: number;
};

export class FenceWatch {
  private readonly watched = new Map<string, Watched>();
  private onDuty = new Set<string>();
  private status = new Map<string, Unit['status']>();
  /** the modes in force at the last refresh: the city's, and each area emergency's inside its area */
  private modes: ModeResolver | null = null;
  private routeModes = new Map<string, readonly string[]>();
  private refreshedAt = -Infinity;
  /** counts refreshes: a unit's `held` is worked out once per refresh, not per fix */
  private refreshGen = 0;
  /** the grid version the fences are drawn from: a breach or return records it */
  private gridVersion: number;
  /** state changes queued, for tests and the bench */
  changes = 0;

  constructor(private readonly opts: FenceWatchOptions) {
    this.gridVersion = gridVersion(opts.db);
    this.place(opts.units, opts.areas, opts.routes);
    // What is open in the store is alerted: a restarted hub clears it when the unit returns, and does not raise it twice.
    for (const f of activeFenceAlerts(opts.db)) {
      const w = this.watched.get(f.unitId);
      if (w && w.kind === f.kind && f.clearedAt === null) [w.phase, w.since] = ['alerted', f.since];
    }
  }

  /** Draws each unit's fence from the grid; a unit already watched keeps its state (in, pending, alerted). */
  private place(units: readonly Unit[], areas: readonly Area[], routes: readonly Route[]): void {
    const cells = new Map(areas.filter((a) => a.kind === 'cell' && a.polygon).map((a) => [a.id, a]));
    const byId = new Map(routes.map((r) => [r.id, r]));
    this.routeModes = new Map(routes.map((r) => [r.id, r.modes]));
    for (const u of units) {
      const cell = u.kind === 'officer' && u.cellId ? cells.get(u.cellId) : undefined;
      const route = u.kind === 'vehicle' && u.routeId ? byId.get(u.routeId) : undefined;
      const kept = this.watched.get(u.id);
      if (kept && (cell || route)) {
        kept.geometry = cell ? prepare(cell.polygon!.coordinates[0]!, true) : prepare(route!.line, false);
        [kept.seg, kept.scan] = [0, null];
      } else if (cell) this.add(u, 'cell', cell.id, prepare(cell.polygon!.coordinates[0]!, true));
      else if (route) this.add(u, 'route', route.id, prepare(route.line, false));
    }
  }

  /** The grid after an admin's edit (server.ts, after the commit): fences are redrawn, from the next fix on. */
  setGrid(areas: readonly Area[], routes: readonly Route[], version: number): void {
    this.place([...this.watched.values()].map((w) => w.unit), areas, routes);
    this.gridVersion = version;
  }

  private add(unit: Unit, kind: Watched['kind'], areaId: string, geometry: Geometry): void {
    this.watched.set(unit.id, { unit, kind, areaId, geometry, phase: 'in', since: 0, lastT: -Infinity, seg: 0, scan: null, held: false, dutyGen: -1 });
  }

  /** The pipeline's observer: one flush's accepted fixes, in arrival order. */
  readonly observe = (fixes: readonly PositionFix[]): void => {
    if (fixes.length === 0) return;
    const now = this.opts.now();
    if (now - this.refreshedAt >= (this.opts.refreshMs ?? 5000)) this.refresh(now);
    const modes = this.modes!;
    for (const f of fixes) {
      const w = this.watched.get(f.unitId);
      if (!w || f.t <= w.lastT) continue; // history arriving late is not where the unit is now
      w.lastT = f.t;
      const p: LngLat = [f.lng, f.lat];
      // An officer is held by the rules of the assigned cell's mode; a vehicle by those where it is now
      // (an area emergency tightens the corridor, and may run other routes, inside that area only).
      const inForce = w.kind === 'cell' ? modes.at(w.areaId) : modes.atPoint(p);
      const rules: FenceRules = inForce.profile.fence;
      if (!this.applies(w, inForce.mode)) {
        // Off duty, on a task, or a route not run in this mode: nothing to hold it to; an open alert clears.
        if (w.phase === 'alerted') this.returned(w, now);
        w.phase = 'in';
        continue;
      }
      let out: number;
      let margin: number;
      let limitMs: number;
      if (w.kind === 'cell') {
        out = cellDistanceM(w.geometry, p, w.phase === 'alerted');
        margin = rules.cellMarginM;
        limitMs = rules.cellOutsideSec * 1000;
      } else {
        // A lower bound is enough while it is far: it only decides "out", which needs no exact figure.
        const r = routeDistanceM(w.geometry, p, w.seg, rules.routeCorridorM + rules.routeMarginM, w.scan);
        [w.seg, w.scan] = [r.seg, r.scan];
        out = r.d - rules.routeCorridorM;
        margin = rules.routeMarginM;
        limitMs = rules.routeOffSec * 1000;
      }
      if (w.phase === 'in') {
        if (out > margin) [w.phase, w.since] = ['pending', f.t];
      } else if (w.phase === 'pending') {
        if (out <= 0) w.phase = 'in'; // back before the limit: nothing happened
        else if (f.t - w.since >= limitMs) {
          this.opts.schedule({
            kind: FENCE_BREACH, subject: `fence:${w.unit.id}`, dueAt: now, cause: `fences: ${w.kind} left`,
            payload: { unitId: w.unit.id, kind: w.kind, areaId: w.areaId, since: w.since, position: p, gridVersion: this.gridVersion },
          });
          w.phase = 'alerted'; // only once queued: a store that failed is asked again at the next fix
          this.changes++;
        }
      } else if (out < -margin) {
        this.returned(w, now);
        w.phase = 'in';
      }
    }
  };

  private returned(w: Watched, now: number): void {
    this.opts.schedule({ kind: FENCE_RETURN, subject: `fence:${w.unit.id}`, dueAt: now, cause: `fences: ${w.kind} back`, payload: { unitId: w.unit.id, kind: w.kind, areaId: w.areaId, gridVersion: this.gridVersion } });
    this.changes++;
  }

  private applies(w: Watched, mode: string): boolean {
    if (w.dutyGen !== this.refreshGen) {
      // what it depends on changes only at a refresh
      const status = this.status.get(w.unit.id) ?? w.unit.status;
      w.held = status !== 'on_task' && status !== 'sos' && status !== 'off_duty' && (w.kind !== 'cell' || this.onDuty.has(w.unit.id));
      w.dutyGen = this.refreshGen;
    }
    if (!w.held) return false;
    if (w.kind === 'cell') return true;
    return this.routeModes.get(w.areaId)?.includes(mode) ?? false;
  }

  /** Re-reads, at most every refreshMs, what changes by commands: who is checked in, unit statuses, the mode and its rules. */
  private refresh(now: number): void {
    const { db } = this.opts;
    this.onDuty = unitsCheckedInAt(db, now);
    this.status = new Map((db.prepare('SELECT id, status FROM units').all() as { id: string; status: Unit['status'] }[]).map((r) => [r.id, r.status]));
    this.modes = modeResolver(db, now);
    this.refreshedAt = now;
    this.refreshGen++;
  }
}
