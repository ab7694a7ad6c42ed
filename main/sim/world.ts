// The simulation core: a pure step function over simulated time. `step()` advances one tick and
// returns what the field devices would send in it (fixes and commands); `handleEvent` and `settle`
// feed back what the hub says. No sockets, no clocks, no Math.random: the same seed and the same hub
// replies give the same run, which is how it is tested without a hub.
import type { Area, IncidentCategory, LngLat, ModeName, PositionFix, Task, Unit } from '../../shared/domain';
import type { DemoCity } from '../../shared/city';
import { MODE_PROFILES, type ModeProfile } from '../../shared/modes';
import { offsetM, pointInPolygon } from '../../shared/geo';
import { fieldCommands, type Ack, type CommandInput, type FieldCommandName, type HubEventData } from '../../shared/protocol';
import { forkRng, type Rng } from './city/rng';
import { type Actor, Officer, Vehicle } from './actors';
import { poissonGapMs, weighted } from './draw';
import { CATEGORY_WEIGHTS, FINISH_NOTES, INCIDENT_REPORTS, REFUSAL_REASONS, SOS_NOTES } from './texts';
import { RouteTrack } from './track';
import { BODYCAM_STOP_TIMING, BodyCam, type BodycamStopTiming } from './bodycam';
import type { BodycamReport } from '../../shared/bodycam';

export type SimCommand = { [K in FieldCommandName]: { name: K; unitId: string; payload: CommandInput<(typeof fieldCommands)[K]> } }[FieldCommandName];
export type StepOutput = { at: number; fixes: PositionFix[]; commands: SimCommand[]; bodycam: BodycamReport[] };

export type WorldOptions = {
  city: DemoCity;
  seed: number;
  /** simulated time of the first tick, ms since the epoch */
  startAt: number;
  mode: ModeName;
  /** prefix of every commandId: unique per run, so a rerun with the same seed is not taken for a retry */
  runId: string;
  /** synthetic load units, simulated like the city's but reporting at 1 Hz */
  extraUnits?: readonly Unit[];
  /** simulate only these units (a real device speaks for its own unit only) */
  only?: readonly string[];
  tickMs?: number;
  /** check-in intervals of the city's officers are the mode's divided by this, so the demo shows them soon */
  checkInScale?: number;
  /** multiplies the mode's demoIncidentsPerHour */
  incidentScale?: number;
  sosPerHour?: number;
  /** how often each of the city's officers wanders out of the cell for a while (per hour; the fence watch notices) */
  wanderPerHour?: number;
  /** share of the city's officers whose first check-in comes 12–40 min late (the hub's late and missing rules) */
  lateShare?: number;
  /** share of tasks during which an officer's body camera stops recording for a minute or two (the hub's bodycam_stopped alert) */
  bodycamStopPerTask?: number;
  /** when such a stop begins and how long it lasts (default BODYCAM_STOP_TIMING; tests make it quick) */
  bodycamStopTiming?: BodycamStopTiming;
};

type TaskRun = {
  taskId: string;
  incidentId: string;
  phase: 'deciding' | 'travelling' | 'working';
  decideAt: number;
  refuse: string | null;
};

const DEFAULTS = { tickMs: 250, checkInScale: 6, incidentScale: 1, sosPerHour: 3, wanderPerHour: 0.05, lateShare: 0.05, bodycamStopPerTask: 0.15, bodycamStopTiming: BODYCAM_STOP_TIMING };
/** about a centimetre: what a device sends, not the float noise of the simulation */
const rounded = (p: LngLat): LngLat => [Math.round(p[0] * 1e7) / 1e7, Math.round(p[1] * 1e7) / 1e7];

export class World {
  now: number;
  mode: ModeName;
  readonly actors: Actor[] = [];
  private readonly opts: Required<Omit<WorldOptions, 'extraUnits' | 'only'>>;
  /** the demo city's own units: they report incidents and press SOS; load units only add volume */
  private readonly cityActors: Actor[] = [];
  private readonly byId = new Map<string, Actor>();
  private readonly tasks = new Map<Actor, TaskRun>();
  private readonly queued = new Map<Actor, Task[]>();
  private readonly seenTasks = new Set<string>();
  private readonly incidentAt = new Map<string, LngLat>();
  private readonly activeRoutes = new Set<string>();
  private readonly incidentRng: Rng;
  private readonly sosRng: Rng;
  private nextIncidentAt: number;
  /** area emergencies in force (area id → mode), and when each area's extra incidents come next */
  private readonly areaModes = new Map<string, ModeName>();
  /** each mode's profile as the hub uses it (the shipped ones until the hub says otherwise) */
  private readonly profiles: Record<ModeName, ModeProfile> = { ...MODE_PROFILES };
  private readonly nextAreaIncidentAt = new Map<string, number>();
  private readonly areasById: Map<string, Area>;
  private nextSosAt: number;
  private commandSeq = 0;
  /** the body cameras of the city's foot officers (load units carry none) */
  private readonly cameras: { actor: Actor; cam: BodyCam }[] = [];

  constructor(options: WorldOptions) {
    this.opts = { ...DEFAULTS, ...options };
    const { city, seed, startAt, tickMs } = this.opts;
    this.now = startAt - tickMs;
    this.mode = options.mode;
    this.incidentRng = forkRng(seed, 'sim:incidents');
    this.sosRng = forkRng(seed, 'sim:sos');
    const areas = new Map(city.areas.map((a) => [a.id, a]));
    this.areasById = areas;
    this.setRoutes();
    const tracks = new Map(city.routes.map((r) => [r.id, new RouteTrack(r)]));
    const only = options.only ? new Set(options.only) : null;
    const add = (unit: Unit, load: boolean) => {
      if (only && !only.has(unit.id)) return;
      const rng = forkRng(seed, `sim:unit:${unit.id}`);
      const a: Actor = unit.kind === 'officer'
        ? new Officer(unit, rng, load, areas.get(unit.postId ?? '') ?? null, areas.get(unit.cellId ?? '')?.polygon ?? null, city.center, startAt)
        : new Vehicle(unit, rng, load, tracks.get(unit.routeId ?? '') ?? null, () => this.activeRoutes.has(unit.routeId ?? ''), city.center, startAt);
      a.nextReportAt = startAt + Math.floor(rng.next() * (a.reportEveryMs(tickMs) / tickMs)) * tickMs;
      if (a instanceof Officer && a.post) {
        // A few come late: the first check-in well past the hub's grace, the rest within it.
        const late = !load && rng.chance(this.opts.lateShare);
        const first = late ? rng.range(12, 40) * 60_000 : rng.next() * (load ? this.checkInEveryMs(a) : Math.min(this.checkInEveryMs(a), 5 * 60_000));
        a.nextCheckInAt = startAt + first;
        if (!load && this.opts.wanderPerHour > 0) a.wanderAt(startAt + poissonGapMs(rng, this.opts.wanderPerHour), this.opts.wanderPerHour);
      }
      this.actors.push(a);
      this.byId.set(unit.id, a);
      if (!load) this.cityActors.push(a);
      // Its own Rng: the cameras never change what the units themselves do.
      if (!load && unit.kind === 'officer') this.cameras.push({ actor: a, cam: new BodyCam(unit.id, forkRng(seed, `sim:bodycam:${unit.id}`), startAt, this.opts.bodycamStopPerTask, this.opts.bodycamStopTiming) });
    };
    city.units.forEach((u) => add(u, false));
    options.extraUnits?.forEach((u) => add(u, true));
    // The first incident comes within the first minute, so a fresh demo has something to show.
    this.nextIncidentAt = startAt + this.incidentRng.range(10_000, 40_000);
    this.nextSosAt = startAt + poissonGapMs(this.sosRng, this.opts.sosPerHour);
  }

  /** Advance one tick; what the devices send in it. */
  step(): StepOutput {
    const now = (this.now += this.opts.tickMs);
    const fixes: PositionFix[] = [];
    const commands: SimCommand[] = [];
    this.maybeReportIncident(now, commands);
    this.maybeRaiseSos(now, commands);
    for (const [a, run] of this.tasks) if (run.phase === 'deciding' && run.decideAt <= now) this.decide(a, run, now, commands);
    for (const a of this.actors) {
      if (a.nextReportAt > now) continue;
      a.advance(now);
      this.progress(a, now, commands);
      fixes.push(a.fix(now));
      a.nextReportAt = now + a.reportEveryMs(this.opts.tickMs);
    }
    const bodycam: BodycamReport[] = [];
    for (const { actor, cam } of this.cameras) if (cam.nextReadAt <= now) bodycam.push(cam.read(now, actor.activity, this.opts.tickMs));
    return { at: now, fixes, commands, bodycam };
  }

  /** A hub event for this device: tasks for our units, mode changes, incident positions, resolved SOS. */
  handleEvent(e: HubEventData): void {
    // The simulated city follows the city-wide mode; an area emergency changes that area only.
    if (e.type === 'mode:changed' && e.change.areaId === null) this.setMode(e.change.mode);
    else if (e.type === 'mode:changed' && e.change.areaId !== null) this.setAreaMode(e.change.areaId, e.change.kind === 'switch' ? e.change.mode : null);
    else if (e.type === 'profile:updated') this.syncProfiles({ [e.profile.profile.mode]: e.profile.profile });
    else if (e.type === 'incident:created' || e.type === 'incident:updated') this.incidentAt.set(e.incident.id, e.incident.position);
    else if (e.type === 'task:updated') this.onTask(e.task);
    else if (e.type === 'sos:updated' && e.sos.state === 'resolved') this.onSosResolved(e.sos.unitId);
  }

  /** The hub's answer to a command (or a synthetic failure after the driver gave up retrying). */
  settle(cmd: SimCommand, res: Ack<unknown>): void {
    if (cmd.name === 'incident:report' && res.ok) {
      const r = fieldCommands['incident:report'].result.safeParse(res.result);
      if (r.success) this.incidentAt.set(r.data.incident.id, r.data.incident.position);
    }
    if (!res.ok && cmd.name === 'checkin:create' && (res.error.code === 'outside_fence' || res.error.code === 'implausible_fix')) {
      // GPS scatter put the fix outside the post's fence: step closer and try again shortly, as an officer would.
      const a = this.byId.get(cmd.unitId);
      if (a instanceof Officer) a.nextCheckInAt = Math.min(a.nextCheckInAt, this.now + 30_000);
    }
    if (!res.ok && (cmd.name === 'task:accept' || cmd.name === 'task:depart' || cmd.name === 'task:arrive' || cmd.name === 'task:finish')) {
      // The task was cancelled or reassigned meanwhile: give up on it and go back to duty.
      const a = this.byId.get(cmd.unitId);
      const run = a && this.tasks.get(a);
      if (a && run && run.taskId === cmd.payload.taskId) this.endTask(a, this.now);
    }
  }

  /**
   * The hub's profiles (on every connection, and an admin's save as it happens): the incident rates,
   * check-in intervals and task deadlines the demo's people follow. A changed rate takes effect now.
   */
  syncProfiles(profiles: Partial<Record<ModeName, ModeProfile>>): void {
    const rates = () => [this.incidentsPerHour(), ...[...this.areaModes.keys()].map((id) => this.extraIncidentsPerHour(id))].join();
    const before = rates();
    for (const [mode, p] of Object.entries(profiles) as [ModeName, ModeProfile][]) this.profiles[mode] = p;
    if (rates() === before) return; // the same rates: the seeded incident stream goes on as it was
    const now = Math.max(this.now, this.opts.startAt);
    this.nextIncidentAt = now + poissonGapMs(this.incidentRng, this.incidentsPerHour());
    for (const areaId of this.areaModes.keys()) {
      const extra = this.extraIncidentsPerHour(areaId);
      if (extra > 0) this.nextAreaIncidentAt.set(areaId, now + poissonGapMs(this.incidentRng, extra));
      else this.nextAreaIncidentAt.delete(areaId);
    }
  }

  setMode(mode: ModeName): void {
    if (mode === this.mode) return;
    this.mode = mode;
    this.setRoutes();
    const now = Math.max(this.now, this.opts.startAt);
    this.nextIncidentAt = now + poissonGapMs(this.incidentRng, this.incidentsPerHour());
    for (const a of this.actors) if (a instanceof Officer && a.post) a.nextCheckInAt = Math.min(a.nextCheckInAt, now + a.rng.next() * this.checkInEveryMs(a));
  }

  /**
   * An emergency declared for one area (or its end, `null`): the routes through it that run in an
   * emergency start (more vehicles there), its officers clock in at the emergency's interval, and
   * incidents there come at the emergency profile's rate (an extra stream for the area's share of it).
   */
  setAreaMode(areaId: string, mode: ModeName | null): void {
    if (mode === null) this.areaModes.delete(areaId);
    else this.areaModes.set(areaId, mode);
    this.nextAreaIncidentAt.delete(areaId);
    this.setRoutes();
    const now = Math.max(this.now, this.opts.startAt);
    const extra = this.extraIncidentsPerHour(areaId);
    if (extra > 0) this.nextAreaIncidentAt.set(areaId, now + poissonGapMs(this.incidentRng, extra));
    for (const a of this.actors) {
      if (a instanceof Officer && a.post && this.within(a.post.id, areaId)) a.nextCheckInAt = Math.min(a.nextCheckInAt, now + a.rng.next() * this.checkInEveryMs(a));
    }
  }

  /**
   * The area emergencies in force as the hub lists them when a connection starts (session:ready):
   * those this world does not hold yet begin, those it holds that are not listed have ended. One that
   * is already held as listed is left alone (its incident stream and check-ins are not re-drawn).
   */
  syncAreaModes(inForce: readonly { areaId: string | null; mode: ModeName }[]): void {
    const listed = new Map(inForce.filter((c) => c.areaId !== null).map((c) => [c.areaId!, c.mode]));
    for (const id of [...this.areaModes.keys()]) if (!listed.has(id)) this.setAreaMode(id, null);
    for (const [id, mode] of listed) if (this.areaModes.get(id) !== mode) this.setAreaMode(id, mode);
  }

  /** The mode in force at an area: an emergency declared for it or an area containing it, else the city's. */
  modeAt(areaId: string | null): ModeName {
    for (let a = areaId ? this.areasById.get(areaId) : undefined, hops = 0; a && hops < 8; a = a.parentId ? this.areasById.get(a.parentId) : undefined, hops++) {
      const m = this.areaModes.get(a.id);
      if (m) return m;
    }
    return this.mode;
  }

  /** Whether a route runs now: in the city's mode, or through an area whose declared mode it runs in. */
  routeRuns(routeId: string): boolean {
    return this.activeRoutes.has(routeId);
  }

  private within(areaId: string, ancestorId: string): boolean {
    for (let a = this.areasById.get(areaId), hops = 0; a && hops < 8; a = a.parentId ? this.areasById.get(a.parentId) : undefined, hops++) if (a.id === ancestorId) return true;
    return false;
  }

  /** The city's officers posted in an area (who report its incidents). */
  private actorsIn(areaId: string): Actor[] {
    return this.cityActors.filter((a) => a instanceof Officer && a.post && this.within(a.post.id, areaId));
  }

  /** Incidents per hour the area gets on top of the city's stream: its share of the city's officers times the difference of rates. */
  private extraIncidentsPerHour(areaId: string): number {
    const mode = this.areaModes.get(areaId);
    if (!mode) return 0;
    const officers = this.cityActors.filter((a) => a instanceof Officer && a.post).length;
    const share = officers ? this.actorsIn(areaId).length / officers : 0;
    return Math.max(0, this.profiles[mode].demoIncidentsPerHour - this.profiles[this.mode].demoIncidentsPerHour) * this.opts.incidentScale * share;
  }

  /** True positions (no GPS noise): what the GPS fixes scatter around. */
  positionOf(unitId: string): LngLat | null {
    return this.byId.get(unitId)?.pos ?? null;
  }

  activityOf(unitId: string): Actor['activity'] | null {
    return this.byId.get(unitId)?.activity ?? null;
  }

  private setRoutes(): void {
    this.activeRoutes.clear();
    const declared = [...this.areaModes].map(([id, mode]) => ({ mode, polygon: this.areasById.get(id)?.polygon })).filter((d) => d.polygon);
    for (const r of this.opts.city.routes) {
      const through = declared.some((d) => r.modes.includes(d.mode) && r.line.some((p) => pointInPolygon(p, d.polygon!)));
      if (r.modes.includes(this.mode) || through) this.activeRoutes.add(r.id);
    }
  }

  private incidentsPerHour(): number {
    return this.profiles[this.mode].demoIncidentsPerHour * this.opts.incidentScale;
  }

  private checkInEveryMs(a: Actor): number {
    const mode = a instanceof Officer && a.post ? this.modeAt(a.post.id) : this.mode;
    return (this.profiles[mode].checkInIntervalMin * 60_000) / (a.load ? 1 : this.opts.checkInScale);
  }

  private nextCommandId(): string {
    return `${this.opts.runId}-${(++this.commandSeq).toString().padStart(6, '0')}`;
  }

  /** After moving: check-ins, and the next phase of a task. */
  private progress(a: Actor, now: number, out: SimCommand[]): void {
    if (a instanceof Officer && a.post && now >= a.nextCheckInAt) {
      if (!a.checkInDue && a.activity === 'duty' && !a.wellInsidePost()) a.callHome();
      a.checkInDue = true;
      if (a.activity === 'duty' && a.wellInsidePost()) {
        const f = a.fix(now, false);
        out.push({ name: 'checkin:create', unitId: a.unit.id, payload: { commandId: this.nextCommandId(), unitId: a.unit.id, postId: a.post.id, position: [f.lng, f.lat], fix: { t: f.t, accuracy: f.accuracy ?? 10 } } });
        a.checkInDue = false;
        a.nextCheckInAt = now + this.checkInEveryMs(a) * a.rng.range(0.9, 1.1);
      }
    }
    if (a.legs.length > 0) return;
    const run = this.tasks.get(a);
    if (a.activity === 'task' && run?.phase === 'travelling') {
      out.push({ name: 'task:arrive', unitId: a.unit.id, payload: { commandId: this.nextCommandId(), unitId: a.unit.id, taskId: run.taskId, position: rounded(a.pos) } });
      run.phase = 'working';
      a.legs = [{ kind: 'wait', until: now + a.rng.range(40_000, 240_000) }];
    } else if (a.activity === 'task' && run?.phase === 'working') {
      out.push({ name: 'task:finish', unitId: a.unit.id, payload: { commandId: this.nextCommandId(), unitId: a.unit.id, taskId: run.taskId, note: a.rng.pick(FINISH_NOTES) } });
      this.endTask(a, now);
    } else if (a.activity === 'returning' || a.activity === 'sos') {
      if (a instanceof Vehicle && a.activity === 'returning') a.rejoinRoute();
      a.activity = 'duty';
    }
  }

  /** Help came: the unit goes back to duty without waiting out its own patience. */
  private onSosResolved(unitId: string): void {
    const a = this.byId.get(unitId);
    if (a?.activity !== 'sos') return;
    a.advance(this.now);
    a.legs = [];
    a.activity = 'duty';
  }

  private onTask(task: Task): void {
    const a = this.byId.get(task.unitId);
    if (!a) return;
    if (task.state === 'cancelled') {
      if (this.tasks.get(a)?.taskId === task.id) {
        a.advance(this.now);
        this.endTask(a, this.now);
      }
      this.queued.set(a, (this.queued.get(a) ?? []).filter((t) => t.id !== task.id));
      return;
    }
    if (task.state !== 'assigned' || this.seenTasks.has(task.id)) return;
    this.seenTasks.add(task.id);
    if (this.tasks.has(a)) this.queued.set(a, [...(this.queued.get(a) ?? []), task]);
    else this.startTask(a, task, this.now);
  }

  /** A person reads the task: most accept within a minute, some only after the deadline, a few refuse. */
  private startTask(a: Actor, task: Task, now: number): void {
    const r = a.rng;
    const ackMs = this.profiles[this.mode].taskAckSec * 1000;
    const roll = r.next();
    const delay = roll < 0.08 ? r.range(10_000, 60_000) : roll < 0.2 ? ackMs * r.range(1.05, 1.4) : r.range(5_000, 45_000);
    this.tasks.set(a, { taskId: task.id, incidentId: task.incidentId, phase: 'deciding', decideAt: now + delay, refuse: roll < 0.08 ? r.pick(REFUSAL_REASONS) : null });
  }

  private decide(a: Actor, run: TaskRun, now: number, out: SimCommand[]): void {
    const id = a.unit.id;
    if (run.refuse) {
      out.push({ name: 'task:refuse', unitId: id, payload: { commandId: this.nextCommandId(), unitId: id, taskId: run.taskId, reason: run.refuse } });
      this.tasks.delete(a);
      this.nextQueued(a, now);
      return;
    }
    out.push({ name: 'task:accept', unitId: id, payload: { commandId: this.nextCommandId(), unitId: id, taskId: run.taskId } });
    a.advance(now);
    // Still on its route (on duty, or stopped with an SOS): remember where, to rejoin there.
    if (a instanceof Vehicle && a.activity !== 'returning') a.leaveRoute();
    const target = this.incidentAt.get(run.incidentId) ?? this.guessIncident(a);
    // One in ten takes a while to set off (finishing a conversation, parking the bike).
    const dawdle = a.rng.chance(0.1) ? now + a.rng.range(60_000, 180_000) : undefined;
    // Setting off at once is reported as such (en route); a dawdler just turns up (accepted → arrived).
    if (dawdle === undefined) out.push({ name: 'task:depart', unitId: id, payload: { commandId: this.nextCommandId(), unitId: id, taskId: run.taskId, position: rounded(a.pos) } });
    a.goTo(target, a.travelSpeed(), dawdle);
    a.activity = 'task';
    run.phase = 'travelling';
  }

  /** An incident we never saw (created at a console): somewhere near the unit. */
  private guessIncident(a: Actor): LngLat {
    const d = a.rng.range(100, 400);
    const b = a.rng.range(0, 2 * Math.PI);
    return offsetM(a.pos, d * Math.cos(b), d * Math.sin(b));
  }

  private endTask(a: Actor, now: number): void {
    this.tasks.delete(a);
    a.activity = 'returning';
    a.goTo(a.home(), a instanceof Officer ? a.rng.range(1.1, 1.4) : a.travelSpeed());
    this.nextQueued(a, now);
  }

  private nextQueued(a: Actor, now: number): void {
    const [next, ...rest] = this.queued.get(a) ?? [];
    this.queued.set(a, rest);
    if (next) this.startTask(a, next, now);
  }

  private maybeReportIncident(now: number, out: SimCommand[]): void {
    for (const [areaId, at] of this.nextAreaIncidentAt) {
      if (now < at) continue;
      this.nextAreaIncidentAt.set(areaId, now + poissonGapMs(this.incidentRng, this.extraIncidentsPerHour(areaId)));
      const there = this.actorsIn(areaId);
      if (there.length) this.reportIncident(this.incidentRng.pick(there), now, out);
    }
    if (now < this.nextIncidentAt) return;
    const r = this.incidentRng;
    this.nextIncidentAt = now + poissonGapMs(r, this.incidentsPerHour());
    if (this.cityActors.length === 0) return;
    this.reportIncident(r.pick(this.cityActors), now, out);
  }

  /** An incident a unit comes across near where it is. */
  private reportIncident(a: Actor, now: number, out: SimCommand[]): void {
    const r = this.incidentRng;
    a.advance(now);
    const category: IncidentCategory = weighted(r, CATEGORY_WEIGHTS);
    const d = r.range(10, 60);
    const b = r.range(0, 2 * Math.PI);
    const position = offsetM(a.pos, d * Math.cos(b), d * Math.sin(b));
    const priority = r.chance(0.05) ? 1 : r.chance(0.25) ? 2 : 3;
    out.push({ name: 'incident:report', unitId: a.unit.id, payload: { commandId: this.nextCommandId(), unitId: a.unit.id, category, priority, position: rounded(position), description: r.pick(INCIDENT_REPORTS[category]) } });
  }

  private maybeRaiseSos(now: number, out: SimCommand[]): void {
    if (now < this.nextSosAt) return;
    const r = this.sosRng;
    this.nextSosAt = now + poissonGapMs(r, this.opts.sosPerHour);
    if (this.cityActors.length === 0) return;
    const a = r.pick(this.cityActors);
    const note = r.pick(SOS_NOTES);
    const waitMs = r.range(120_000, 360_000);
    // Someone already busy with a task or an SOS does not press the button again.
    if (a.activity !== 'duty') return;
    a.advance(now);
    out.push({ name: 'sos:raise', unitId: a.unit.id, payload: { commandId: this.nextCommandId(), unitId: a.unit.id, position: rounded(a.pos), note } });
    a.activity = 'sos';
    a.legs = [{ kind: 'wait', until: now + waitMs }];
  }
}
