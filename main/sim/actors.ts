// The people and vehicles of the simulation. An actor is moved only when it reports (advance(now)),
// which is all anyone can observe; between reports it follows a plan of legs (walk to a point, wait).
// Everything it decides is drawn from its own seeded Rng, so one unit's tasks never reshuffle another's.
import type { Area, LngLat, Polygon, PositionFix, Unit } from '../../shared/domain';
import { bearingDeg, distanceM, offsetM, pointInPolygon } from '../../shared/geo';
import type { Rng } from './city/rng';
import { gaussian, poissonGapMs } from './draw';
import type { RouteTrack } from './track';

export type Leg = { kind: 'walk'; to: LngLat; speed: number } | { kind: 'wait'; until: number };
/** duty: holding a post or driving a route; task: working a task; sos: waiting for help; returning: back to duty. */
export type Activity = 'duty' | 'task' | 'sos' | 'returning';

/** GPS as phones and vehicle terminals deliver it: a few metres of scatter, now and then a jump. */
const GPS_SIGMA_M = { officer: 3, vehicle: 2.5 } as const;
const GPS_OUTLIER_P = 0.004;

const round7 = (x: number) => Math.round(x * 1e7) / 1e7;

export abstract class Actor {
  heading = 0;
  speed = 0;
  legs: Leg[] = [];
  activity: Activity = 'duty';
  nextReportAt = 0;

  protected constructor(
    readonly unit: Unit,
    readonly rng: Rng,
    /** a synthetic load unit: reports at exactly 1 Hz */
    readonly load: boolean,
    public pos: LngLat,
    /** simulated time the actor has been moved to */
    public at: number,
  ) {}

  /** What the actor does on duty when it has no legs left: plan more, or move itself; returns the time reached. */
  protected abstract duty(t: number, now: number): number;
  /** Where it goes back to after a task. */
  abstract home(): LngLat;
  abstract travelSpeed(): number;
  /** ms until the next report, before quantisation to the tick */
  protected abstract reportGapMs(): number;

  advance(now: number): void {
    let t = this.at;
    // Each pass finishes a leg or reaches `now`; the bound only guards against a planner that adds nothing.
    for (let pass = 0; t < now && pass < 1000; pass++) {
      const leg = this.legs[0];
      if (leg) t = this.runLeg(leg, t, now);
      else if (this.activity === 'duty') t = this.duty(t, now);
      else {
        this.speed = 0;
        t = now;
      }
    }
    this.at = now;
  }

  private runLeg(leg: Leg, t: number, now: number): number {
    if (leg.kind === 'wait') {
      this.speed = 0;
      if (leg.until > now) return now;
      this.legs.shift();
      return Math.max(t, leg.until);
    }
    const d = distanceM(this.pos, leg.to);
    if (d > 0.05) this.heading = bearingDeg(this.pos, leg.to);
    this.speed = leg.speed;
    const reach = ((now - t) / 1000) * leg.speed;
    if (reach >= d) {
      this.pos = leg.to;
      this.legs.shift();
      return t + (d / leg.speed) * 1000;
    }
    const f = reach / d;
    this.pos = [this.pos[0] + (leg.to[0] - this.pos[0]) * f, this.pos[1] + (leg.to[1] - this.pos[1]) * f];
    return now;
  }

  /** Head somewhere now, replacing whatever was planned. */
  goTo(to: LngLat, speed: number, delayUntil?: number): void {
    this.legs = delayUntil ? [{ kind: 'wait', until: delayUntil }, { kind: 'walk', to, speed }] : [{ kind: 'walk', to, speed }];
  }

  reportEveryMs(tickMs: number): number {
    const gap = this.load ? 1000 : this.reportGapMs();
    return Math.max(tickMs, Math.round(gap / tickMs) * tickMs);
  }

  /** A position as the device's GPS would give it. */
  fix(now: number, outliers = true): PositionFix {
    const r = this.rng;
    let e = gaussian(r) * GPS_SIGMA_M[this.unit.kind];
    let n = gaussian(r) * GPS_SIGMA_M[this.unit.kind];
    let accuracy = Math.round(r.range(3, this.unit.kind === 'officer' ? 12 : 8));
    if (outliers && r.chance(GPS_OUTLIER_P)) {
      const far = r.range(30, 150);
      const a = r.range(0, 2 * Math.PI);
      e = far * Math.cos(a);
      n = far * Math.sin(a);
      accuracy = Math.round(r.range(15, 60));
    }
    const [lng, lat] = offsetM(this.pos, e, n);
    const f: PositionFix = { unitId: this.unit.id, t: now, lng: round7(lng), lat: round7(lat), accuracy };
    if (this.speed > 0.2) {
      f.speed = Math.round(Math.max(0, this.speed + gaussian(r) * 0.3) * 10) / 10;
      f.heading = Math.round(this.heading) % 360;
    } else f.speed = 0;
    return f;
  }
}

/** A point drawn uniformly inside a polygon (rejection from its bounding box). */
function pointInCell(rng: Rng, cell: Polygon): LngLat | null {
  const ring = cell.coordinates[0]!;
  let [w, s, e, n] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of ring) {
    w = Math.min(w, x);
    e = Math.max(e, x);
    s = Math.min(s, y);
    n = Math.max(n, y);
  }
  for (let i = 0; i < 20; i++) {
    const p: LngLat = [rng.range(w, e), rng.range(s, n)];
    if (pointInPolygon(p, cell)) return p;
  }
  return null;
}

/**
 * A foot officer holds a post: ambles within its radius and pauses, and now and then patrols the cell
 * (a few waypoints, then back). Cells are convex (grid squares), so walking straight between two points
 * inside one never leaves it.
 */
export class Officer extends Actor {
  /** the check-in is due: go back to the post and clock in there */
  checkInDue = false;
  nextCheckInAt = Infinity;
  private waypointsLeft = 0;
  /** when the officer next wanders out of the cell (a fence alert for the demo), and how often */
  private nextWanderAt = Infinity;
  private wanderPerHour = 0;
  private readonly base: LngLat;

  constructor(unit: Unit, rng: Rng, load: boolean, readonly post: Area | null, readonly cell: Polygon | null, fallback: LngLat, now: number) {
    const base = post?.center ?? (cell ? pointInCell(rng, cell) : null) ?? fallback;
    super(unit, rng, load, base, now);
    this.base = base;
    const start = this.holdPoint();
    if (start) this.pos = start;
  }

  home(): LngLat {
    return this.base;
  }

  travelSpeed(): number {
    return this.rng.range(1.3, 1.8);
  }

  atPost(): boolean {
    return this.post !== null && distanceM(this.pos, this.post.center) <= (this.post.radiusM ?? 30);
  }

  /** Far enough inside the post's fence that GPS scatter (3 σ) cannot put the check-in's fix outside it. */
  wellInsidePost(): boolean {
    return this.post !== null && distanceM(this.pos, this.post.center) <= Math.max(5, (this.post.radiusM ?? 30) - 3 * GPS_SIGMA_M.officer - 3);
  }

  /** Stop patrolling and head for the post (a check-in is due). */
  callHome(): void {
    this.waypointsLeft = 0;
    this.legs = [{ kind: 'walk', to: this.base, speed: this.rng.range(1.1, 1.4) }];
  }

  protected reportGapMs(): number {
    return this.speed > 0.2 ? this.rng.range(1000, 3000) : this.rng.range(3000, 5000);
  }

  wanderAt(at: number, perHour: number): void {
    this.nextWanderAt = at;
    this.wanderPerHour = perHour;
  }

  protected duty(t: number): number {
    const r = this.rng;
    if (t >= this.nextWanderAt && this.cell) {
      // Off somewhere 600 m away (outside any 400 m cell from inside it), a few minutes there, then back.
      const a = r.range(0, 2 * Math.PI);
      this.nextWanderAt = t + poissonGapMs(r, this.wanderPerHour);
      this.waypointsLeft = 0;
      this.legs.push(
        { kind: 'walk', to: offsetM(this.base, 600 * Math.cos(a), 600 * Math.sin(a)), speed: r.range(1.2, 1.5) },
        { kind: 'wait', until: t + r.range(9, 14) * 60_000 },
        { kind: 'walk', to: this.base, speed: r.range(1.2, 1.5) },
      );
      return t;
    }
    const nearBase = distanceM(this.pos, this.base) <= (this.post?.radiusM ?? 40);
    if (this.waypointsLeft > 0 && this.cell) {
      this.waypointsLeft--;
      const p = pointInCell(r, this.cell);
      if (p) this.legs.push({ kind: 'walk', to: p, speed: r.range(1.0, 1.5) });
      this.legs.push({ kind: 'wait', until: t + r.range(5_000, 40_000) });
    } else if (!nearBase) {
      this.legs.push({ kind: 'walk', to: this.base, speed: r.range(1.1, 1.4) }, { kind: 'wait', until: t + r.range(5_000, 20_000) });
    } else if (this.cell && (!this.post || r.chance(0.06))) {
      this.waypointsLeft = r.int(1, 3);
      this.legs.push({ kind: 'wait', until: t + r.range(2_000, 10_000) });
    } else {
      const p = this.holdPoint();
      if (p) this.legs.push({ kind: 'walk', to: p, speed: r.range(0.4, 0.9) });
      this.legs.push({ kind: 'wait', until: t + r.range(15_000, 90_000) });
    }
    return t;
  }

  /** A spot within the post radius (and inside the cell) to stand at. */
  private holdPoint(): LngLat | null {
    if (!this.post) return null;
    const radius = (this.post.radiusM ?? 30) * 0.8;
    for (let i = 0; i < 10; i++) {
      const d = Math.sqrt(this.rng.next()) * radius;
      const a = this.rng.range(0, 2 * Math.PI);
      const p = offsetM(this.post.center, d * Math.cos(a), d * Math.sin(a));
      if (!this.cell || pointInPolygon(p, this.cell)) return p;
    }
    return null;
  }
}

/**
 * A patrol vehicle drives its route at 20–40 km/h with stops (lights, a look around), looping if the
 * route is closed and turning round at the ends if not; it parks where it is while its route is not
 * patrolled in the current mode.
 */
export class Vehicle extends Actor {
  private s: number;
  private dir: 1 | -1;
  private cruise = 0;
  private toStop = 0;
  private stopUntil = 0;
  /** where on the route it left for a task, to rejoin there */
  private leftAt = 0;

  constructor(unit: Unit, rng: Rng, load: boolean, readonly track: RouteTrack | null, private readonly routeActive: () => boolean, fallback: LngLat, now: number) {
    const s = track ? rng.range(0, track.length) : 0;
    super(unit, rng, load, track ? track.at(s).at : fallback, now);
    this.s = s;
    this.dir = track && !track.loop && rng.chance(0.5) ? -1 : 1;
    this.newStretch();
  }

  home(): LngLat {
    return this.track ? this.track.at(this.leftAt).at : this.pos;
  }

  travelSpeed(): number {
    return this.rng.range(8, 11);
  }

  /** Leaving the route (task): remember where, to come back there. */
  leaveRoute(): void {
    this.leftAt = this.s;
  }

  rejoinRoute(): void {
    if (!this.track) return;
    this.s = this.leftAt;
    this.pos = this.track.at(this.s).at;
  }

  protected reportGapMs(): number {
    return this.rng.range(1000, 2000);
  }

  private newStretch(): void {
    this.cruise = this.rng.range(5.5, 11.1);
    this.toStop = this.rng.range(200, 900);
  }

  protected duty(t: number, now: number): number {
    const track = this.track;
    if (!track || track.length === 0 || !this.routeActive()) {
      this.speed = 0;
      return now;
    }
    if (this.stopUntil > t) {
      this.speed = 0;
      return Math.min(this.stopUntil, now);
    }
    const toEnd = this.dir > 0 ? track.length - this.s : this.s;
    const reach = ((now - t) / 1000) * this.cruise;
    const go = Math.min(reach, this.toStop, toEnd);
    this.s += this.dir * go;
    this.toStop -= go;
    this.speed = this.cruise;
    const here = track.at(this.s);
    this.pos = here.at;
    this.heading = this.dir > 0 ? here.heading : (here.heading + 180) % 360;
    const tReached = go === reach ? now : t + (go / this.cruise) * 1000;
    if (go === toEnd && go < reach) {
      if (track.loop) this.s = this.dir > 0 ? 0 : track.length;
      else {
        this.dir = this.dir > 0 ? -1 : 1;
        this.stopUntil = tReached + this.rng.range(20_000, 60_000);
      }
    } else if (this.toStop <= 0) {
      // Mostly traffic lights; one stop in ten is a longer look around.
      this.stopUntil = tReached + (this.rng.chance(0.1) ? this.rng.range(60_000, 180_000) : this.rng.range(5_000, 40_000));
      this.newStretch();
    }
    return tReached;
  }
}
