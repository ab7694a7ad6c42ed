// The coverage watch: a position observer that keeps, per unit and shift period, the share of its
// route a patrol vehicle drove and the time an officer dwelt in each grid cell (issue 13: "coverage,
// kept as data for the evaluator"). Per fix it does a little geometry on shapes prepared once and
// updates memory; what changed is written by `flush` (a timer in the hub) in transactions of at most
// `batchRows` rows, so the position pipeline's own write is never held up by it.
//
// - A route is cut into pieces of `pieceM` metres along its line; a fix within the mode's route
//   corridor marks the piece its nearest point falls in. Share driven = pieces marked ÷ pieces.
// - Dwell: the time between two fixes of an officer at most `maxGapMs` apart is given to the cell the
//   first was in ('' when in none); a longer gap (no signal, phone off) is given to nobody.
// - Periods are the center day's shift windows (`shiftStartsMin`, the demo roster's 00:00, 08:00,
//   16:00); an officer's dwell carries the id of the rostered shift it fell in, if any, so that the
//   scorecard counts time on shift only.
import type { Area, LngLat, PositionFix, Route, Unit } from '../../shared/domain';
import { startOfCenterDay } from '../../shared/time';
import { shiftAt } from '../store/attendance';
import { writeCoverage, type DwellWrite, type RouteWrite } from '../store/coverage';
import type { Db } from '../store/db';
import { cellDistanceM, prepare, routeDistanceM, type Geometry, type RouteScan } from './fences';
import { modeResolver, type ModeResolver } from './modes';

export type CoverageWatchOptions = {
  db: Db;
  units: Unit[];
  areas: Area[];
  routes: Route[];
  timeZone: string;
  now: () => number;
  /** starts of the shift windows, minutes into the center day, ascending, the first 0 (default 0, 480, 960) */
  shiftStartsMin?: readonly number[];
  /** length of a route piece in metres (default 100) */
  pieceM?: number;
  /** the longest gap between two fixes still counted as dwell (ms, default 120 s) */
  maxGapMs?: number;
  /** the most rows one write transaction holds (default 500) */
  batchRows?: number;
  /** how long the mode's corridor may be reused (ms, default 5 s) */
  refreshMs?: number;
};

type Period = { from: number; to: number };
type Cell = { id: string; g: Geometry; west: number; east: number; south: number; north: number };
type RouteShape = { id: string; g: Geometry; cum: Float64Array; pieces: number };

type VehicleState = { route: RouteShape; /** an edited route, taken at the next period */ next: RouteShape | null; period: Period | null; bits: Uint8Array | null; dirty: boolean; seg: number; scan: RouteScan | null; lastT: number };
type OfficerState = {
  cellId: string | null; period: Period | null; shiftId: string | null; lastT: number; lastCell: Cell | null;
  /** the dwell entry added to last, while `dwell` still holds it (generation `dwellGen`): most fixes add to it again */
  lastDwell: DwellWrite | null; lastDwellGen: number;
};

export class CoverageWatch {
  private cells: Cell[] = [];
  private readonly vehicles = new Map<string, VehicleState>();
  private readonly officers = new Map<string, OfficerState>();
  /** dwell added since the last write, by unit|period|cell */
  private readonly dwell = new Map<string, DwellWrite>();
  /** bumped whenever `dwell` loses or replaces entries (flush): an officer's lastDwell is only good within one */
  private dwellGen = 0;
  /** route periods finished and written: dropped from memory */
  private readonly done: RouteWrite[] = [];
  /** the modes in force at the last refresh: a vehicle's corridor is the one of the mode where it drives */
  private modes: ModeResolver | null = null;
  private refreshedAt = -Infinity;
  /** the center day periodAt last read: [from, to) */
  private day: Period | null = null;
  private readonly starts: readonly number[];
  private readonly pieceM: number;
  private readonly maxGapMs: number;
  /** batches written, for tests and the bench */
  writes = 0;

  constructor(private readonly opts: CoverageWatchOptions) {
    this.starts = opts.shiftStartsMin ?? [0, 480, 960];
    if (this.starts[0] !== 0 || this.starts.some((m, i) => i > 0 && m <= this.starts[i - 1]!) || this.starts.at(-1)! >= 1440) {
      throw new Error(`shift window starts must be ascending minutes of the day from 0: ${this.starts.join(', ')}`);
    }
    this.pieceM = opts.pieceM ?? 100;
    this.maxGapMs = opts.maxGapMs ?? 120_000;
    this.cells = this.prepareCells(opts.areas);
    const routes = new Map(opts.routes.map((r) => [r.id, this.shape(r)]));
    for (const u of opts.units) {
      const route = u.kind === 'vehicle' && u.routeId ? routes.get(u.routeId) : undefined;
      if (route) this.vehicles.set(u.id, { route, next: null, period: null, bits: null, dirty: false, seg: 0, scan: null, lastT: -Infinity });
      else if (u.kind === 'officer') this.officers.set(u.id, { cellId: u.cellId, period: null, shiftId: null, lastT: -Infinity, lastCell: null, lastDwell: null, lastDwellGen: -1 });
    }
  }

  private prepareCells(areas: readonly Area[]): Cell[] {
    return areas.filter((a) => a.kind === 'cell' && a.polygon).map((a) => {
      const ring = a.polygon!.coordinates[0]!;
      const lngs = ring.map((p) => p[0]);
      const lats = ring.map((p) => p[1]);
      return { id: a.id, g: prepare(ring, true), west: Math.min(...lngs), east: Math.max(...lngs), south: Math.min(...lats), north: Math.max(...lats) };
    });
  }

  /**
   * The grid after an admin's edit (server.ts, after the commit). Dwell counts in the new cells from the
   * next fix. A vehicle keeps the route shape its period began with until that period ends (its bits
   * are pieces of that line), and drives the edited one from the next period on.
   */
  setGrid(areas: readonly Area[], routes: readonly Route[]): void {
    this.cells = this.prepareCells(areas);
    for (const o of this.officers.values()) o.lastCell = o.lastCell && (this.cells.find((c) => c.id === o.lastCell!.id) ?? null);
    const byId = new Map(routes.map((r) => [r.id, r]));
    for (const v of this.vehicles.values()) {
      const r = byId.get(v.route.id);
      if (r) v.next = this.shape(r);
    }
  }

  private shape(r: Route): RouteShape {
    const g = prepare(r.line, false);
    const cum = new Float64Array(g.xs.length);
    for (let i = 1; i < g.xs.length; i++) cum[i] = cum[i - 1]! + Math.hypot(g.xs[i]! - g.xs[i - 1]!, g.ys[i]! - g.ys[i - 1]!);
    return { id: r.id, g, cum, pieces: Math.max(1, Math.ceil(cum[cum.length - 1]! / this.pieceM)) };
  }

  /** The shift window containing t. */
  periodAt(t: number): Period {
    // The center day is kept: finding its bounds reads the zone through Intl ten times (~8 µs each here),
    // and every officer enters a window at its first fix — 20,000 units starting at once took seconds.
    let d = this.day;
    if (!d || t < d.from || t >= d.to) {
      const from = startOfCenterDay(t, this.opts.timeZone);
      d = this.day = { from, to: startOfCenterDay(from + 36 * 3_600_000, this.opts.timeZone) };
    }
    const day = d.from;
    const nextDay = d.to;
    const min = (t - day) / 60_000;
    let i = this.starts.length - 1;
    while (this.starts[i]! > min) i--;
    return { from: day + this.starts[i]! * 60_000, to: i + 1 < this.starts.length ? day + this.starts[i + 1]! * 60_000 : nextDay };
  }

  /** The pipeline's observer: one flush's accepted fixes, in arrival order. Memory only. */
  readonly observe = (fixes: readonly PositionFix[]): void => {
    if (fixes.length === 0) return;
    const now = this.opts.now();
    if (now - this.refreshedAt >= (this.opts.refreshMs ?? 5000)) {
      this.modes = modeResolver(this.opts.db, now);
      this.refreshedAt = now;
    }
    // Officers first: most units are (a unit is in one map at most, so the order changes nothing else).
    for (const f of fixes) {
      const o = this.officers.get(f.unitId);
      if (o) this.dwellFix(f, o);
      else {
        const v = this.vehicles.get(f.unitId);
        if (v) this.drive(f, v);
      }
    }
  };

  private drive(f: PositionFix, v: VehicleState): void {
    if (f.t <= v.lastT) return; // late history: the tracks are kept, coverage goes forward
    v.lastT = f.t;
    if (!v.period || f.t >= v.period.to || f.t < v.period.from) {
      this.retire(f.unitId, v);
      if (v.next) [v.route, v.next, v.seg, v.scan] = [v.next, null, 0, null];
      v.period = this.periodAt(f.t);
      v.bits = new Uint8Array(Math.ceil(v.route.pieces / 8));
    }
    const { g, cum } = v.route;
    const p: LngLat = [f.lng, f.lat];
    const corridorM = this.modes!.atPoint(p).profile.fence.routeCorridorM;
    const r = routeDistanceM(g, p, v.seg, corridorM, v.scan);
    [v.seg, v.scan] = [r.seg, r.scan];
    if (r.d > corridorM) return;
    // where along the line the nearest point is: the matched segment's start plus the projection on it
    const x = (p[0] - g.lng0) * g.kx, y = (p[1] - g.lat0) * g.ky;
    const i = r.seg;
    const dx = g.xs[i + 1]! - g.xs[i]!, dy = g.ys[i + 1]! - g.ys[i]!;
    const len2 = dx * dx + dy * dy;
    const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((x - g.xs[i]!) * dx + (y - g.ys[i]!) * dy) / len2));
    const piece = Math.min(v.route.pieces - 1, Math.floor((cum[i]! + t * Math.sqrt(len2)) / this.pieceM));
    const mask = 1 << (piece & 7);
    if (!(v.bits![piece >> 3]! & mask)) {
      v.bits![piece >> 3]! |= mask;
      v.dirty = true;
    }
  }

  /** A period the vehicle left: written with the next flush, then forgotten. */
  private retire(unitId: string, v: VehicleState): void {
    if (v.period && v.bits && v.dirty) this.done.push({ unitId, from: v.period.from, to: v.period.to, routeId: v.route.id, pieces: v.route.pieces, visited: v.bits });
    v.dirty = false;
  }

  private dwellFix(f: PositionFix, o: OfficerState): void {
    if (f.t <= o.lastT) return;
    const gap = f.t - o.lastT;
    if (gap <= this.maxGapMs && o.period) {
      // the gap belongs to where the last fix was; a gap across the window's end is split at it
      const cell = o.lastCell?.id ?? '';
      const end = o.period.to;
      this.addDwell(f.unitId, o, cell, Math.min(f.t, end) - o.lastT);
      if (f.t > end) {
        this.enter(f.unitId, o, end);
        this.addDwell(f.unitId, o, cell, f.t - end);
      }
    }
    o.lastT = f.t;
    if (!o.period || f.t >= o.period.to || f.t < o.period.from) this.enter(f.unitId, o, f.t);
    o.lastCell = this.cellOf([f.lng, f.lat], o.lastCell);
  }

  private enter(unitId: string, o: OfficerState, t: number): void {
    o.period = this.periodAt(t);
    // once per officer and window: whether the dwell is time on a rostered shift
    o.shiftId = shiftAt(this.opts.db, unitId, t)?.id ?? null;
  }

  private addDwell(unitId: string, o: OfficerState, cellId: string, ms: number): void {
    if (ms <= 0 || !o.period) return;
    // The entry of the last fix is the one the key below would find (same unit, period and cell, and
    // `dwell` unchanged since): no key string built and hashed per fix.
    const last = o.lastDwell;
    if (last && o.lastDwellGen === this.dwellGen && last.from === o.period.from && last.cellId === cellId) {
      last.ms += ms;
      return;
    }
    const key = `${unitId}|${o.period.from}|${cellId}`;
    let d = this.dwell.get(key);
    if (d) d.ms += ms;
    else this.dwell.set(key, (d = { unitId, from: o.period.from, to: o.period.to, cellId, shiftId: o.shiftId, assigned: cellId !== '' && cellId === o.cellId, ms }));
    o.lastDwell = d;
    o.lastDwellGen = this.dwellGen;
  }

  /** The cell a point is in: the last one first (an officer mostly stays), then by bounding box. */
  private cellOf(p: LngLat, last: Cell | null): Cell | null {
    if (last && cellDistanceM(last.g, p, false) < 0) return last;
    for (const c of this.cells) {
      if (c === last || p[0] < c.west || p[0] > c.east || p[1] < c.south || p[1] > c.north) continue;
      if (cellDistanceM(c.g, p, false) < 0) return c;
    }
    return null;
  }

  /** Rows waiting to be written. */
  pending(): number {
    let n = this.dwell.size + this.done.length;
    for (const v of this.vehicles.values()) if (v.dirty) n++;
    return n;
  }

  /** Writes what changed, `batchRows` rows per transaction. A failed batch stays in memory for the next flush. */
  flush(now = this.opts.now()): number {
    const routes: RouteWrite[] = this.done.splice(0);
    const live: VehicleState[] = [];
    for (const [unitId, v] of this.vehicles) {
      if (v.dirty && v.period && v.bits) {
        routes.push({ unitId, from: v.period.from, to: v.period.to, routeId: v.route.id, pieces: v.route.pieces, visited: v.bits.slice() });
        live.push(v);
      }
    }
    const dwell = [...this.dwell.values()];
    this.dwell.clear();
    this.dwellGen++;
    for (const v of live) v.dirty = false;
    const batch = this.opts.batchRows ?? 500;
    let written = 0;
    try {
      while (written < routes.length + dwell.length) {
        const r = routes.slice(Math.min(written, routes.length), Math.min(written + batch, routes.length));
        const d = dwell.slice(Math.max(0, written - routes.length), Math.max(0, written + batch - routes.length));
        writeCoverage(this.opts.db, r, d, now);
        written += r.length + d.length;
        this.writes++;
      }
    } catch (e) {
      // what was not written is put back: route bits are whole (OR-ed on write), dwell is added again
      for (const r of routes.slice(Math.min(written, routes.length))) this.done.push(r);
      for (const d of dwell.slice(Math.max(0, written - routes.length))) {
        const key = `${d.unitId}|${d.from}|${d.cellId}`;
        const kept = this.dwell.get(key);
        if (kept) kept.ms += d.ms;
        else this.dwell.set(key, d);
      }
      this.dwellGen++; // entries put back may be other objects than an officer's lastDwell
      throw e;
    }
    return written;
  }
}
