// The console's picture of the hub: what the snapshot gave plus every sequenced event applied in order.
// Collections are replaced (not mutated) when they change so React can compare by identity.
import type { AlertKind, Area, Camera, Incident, ModeChange, ModeName, Route, Sos, Task, Unit, UserPublic } from '../../../shared/domain';
import { unitCameraLinks } from '../../../shared/domain';
import type { VersionedProfile } from '../../../shared/modes';
// The center's time zone until the hub says otherwise (session:ready carries the real one).
import { DEFAULT_TIME_ZONE } from '../../../shared/time';
import { HEALTHY_STORAGE, type HubEvent, type HubEventData, type Snapshot, type StorageHealth, type StreamHealth } from '../../../shared/protocol';
import type { FenceAlert, OverrideRequest, RollCall, Shift } from '../../../shared/attendance';
import type { BodycamAlert, BodycamStatus } from '../../../shared/bodycam';

export type ConnectionStatus = 'signed_out' | 'connecting' | 'live' | 'reconnecting' | 'offline';

/** Why the console is not (or no longer) connected, in words the login screen and header can show. */
export type ConnectionProblem =
  | { kind: 'unreachable'; detail: string } // wrong URL, hub not running, network gone
  | { kind: 'auth_failed'; detail: string } // wrong username or password
  | { kind: 'session_expired'; detail: string } // token refused after the hub came back
  | { kind: 'session_ended'; detail: string } // an admin ended it; detail is the reason (shared/accounts.ts SessionEndReason)
  | { kind: 'other'; detail: string };

export type Connection = {
  status: ConnectionStatus;
  /** hub URL (origin) this console talks to */
  url: string;
  /** when the current status began (ms since epoch, local clock) */
  since: number;
  problem: ConnectionProblem | null;
};

/**
 * Something the operator must notice: an alert the hub raised (camera down, geofence, missed check-in,
 * overdue task) or a check-in made away from its post. A camera that recovers clears its camera_down.
 */
export type ConsoleAlert = {
  id: string;
  at: number;
  kind: AlertKind | 'checkin_off_site';
  /** the camera, unit or task it concerns */
  subjectId: string;
  postId: string | null;
  /** the hub's own words (hub alerts); null when the console words it (check-ins) */
  message: { zh: string; en: string } | null;
};

/** A command made while the hub was away, waiting to be sent (in order, with its commandId) on return. */
export type QueuedCommand = { commandId: string; name: string; since: number };


export type HubState = {
  connection: Connection;
  /** IANA zone every time a person reads is shown in (the center's, not the browser's) */
  timeZone: string;
  user: UserPublic | null;
  demo: boolean;
  /** hub clock minus local clock, ms; position ages are measured on the hub's clock */
  clockSkewMs: number;
  /** newest sequence number applied; every event up to it has been applied exactly once */
  lastSeq: number;
  /** true once a snapshot has been loaded in this session */
  ready: boolean;
  /** the newest city-wide mode change */
  mode: ModeChange | null;
  /** emergencies declared for one area, in force (ended ones are removed) */
  areaModes: readonly ModeChange[];
  /** the hub's profile of each mode, with its version; null until the first snapshot */
  profiles: Record<ModeName, VersionedProfile> | null;
  units: ReadonlyMap<string, Unit>;
  areas: ReadonlyMap<string, Area>;
  routes: ReadonlyMap<string, Route>;
  cameras: ReadonlyMap<string, Camera>;
  incidents: ReadonlyMap<string, Incident>;
  tasks: ReadonlyMap<string, Task>;
  sos: ReadonlyMap<string, Sos>;
  streams: ReadonlyMap<string, StreamHealth>;
  /** the hub's storage now: a fault while its writes fail (live state, like stream health) */
  storage: StorageHealth;
  alerts: readonly ConsoleAlert[];
  queued: readonly QueuedCommand[];
  /** shifts around now (the roster), open check-in overrides, recent roll-calls, fence alerts not yet settled */
  shifts: ReadonlyMap<string, Shift>;
  overrides: ReadonlyMap<string, OverrideRequest>;
  rollCalls: ReadonlyMap<string, RollCall>;
  fences: ReadonlyMap<string, FenceAlert>;
  /** each unit's latest body camera reading (by unit id), and its alerts not yet both cleared and acknowledged (by id) */
  bodycam: ReadonlyMap<string, BodycamStatus>;
  bodycamAlerts: ReadonlyMap<string, BodycamAlert>;
};

const byId = <T extends { id: string }>(xs: readonly T[]) => new Map(xs.map((x) => [x.id, x]));

export function emptyState(url: string): HubState {
  return {
    connection: { status: 'signed_out', url, since: Date.now(), problem: null },
    user: null, demo: false, timeZone: DEFAULT_TIME_ZONE, clockSkewMs: 0, lastSeq: 0, ready: false, mode: null, areaModes: [], profiles: null,
    units: new Map(), areas: new Map(), routes: new Map(), cameras: new Map(),
    incidents: new Map(), tasks: new Map(), sos: new Map(), streams: new Map(), storage: HEALTHY_STORAGE, alerts: [], queued: [],
    shifts: new Map(), overrides: new Map(), rollCalls: new Map(), fences: new Map(),
    bodycam: new Map(), bodycamAlerts: new Map(),
  };
}

/** Replace everything the snapshot carries; sequence position moves to the snapshot's head. */
export function fromSnapshot(s: HubState, snap: Snapshot): HubState {
  return {
    ...s,
    ready: true,
    lastSeq: snap.headSeq,
    mode: snap.mode,
    areaModes: snap.areaModes,
    profiles: snap.profiles,
    units: byId(snap.units),
    areas: byId(snap.areas),
    routes: byId(snap.routes),
    cameras: byId(snap.cameras),
    incidents: byId(snap.incidents),
    tasks: byId(snap.tasks),
    sos: byId(snap.sos),
    streams: new Map(snap.streams.map((h) => [h.cameraId, h])),
    storage: snap.storage ?? HEALTHY_STORAGE,
    shifts: byId(snap.attendance?.shifts ?? []),
    overrides: byId(snap.attendance?.overrides ?? []),
    rollCalls: byId(snap.attendance?.rollCalls ?? []),
    fences: byId(snap.attendance?.fences ?? []),
    bodycam: new Map((snap.bodycam?.statuses ?? []).map((b) => [b.unitId, b])),
    bodycamAlerts: byId((snap.bodycam?.alerts ?? []).filter((a) => !settledBodycam(a))),
  };
}

const settledBodycam = (a: BodycamAlert) => a.clearedAt !== null && a.acknowledgedAt !== null;

function drop<T>(m: ReadonlyMap<string, T>, id: string): Map<string, T> {
  const next = new Map(m);
  next.delete(id);
  return next;
}

function put<T extends { id: string }>(m: ReadonlyMap<string, T>, x: T): Map<string, T> {
  const next = new Map(m);
  next.set(x.id, x);
  return next;
}

const MAX_ALERTS = 50;
/**
 * Alerts that end earlier ones of the same subject. A camera back, position writes recovered or caught
 * up take the alert they answer away and are not shown themselves; position writes failing replace
 * "behind" (the hub raises one of the two at a time).
 */
const ENDS: Partial<Record<AlertKind, { ends: AlertKind; shown: boolean }>> = {
  camera_recovered: { ends: 'camera_down', shown: false },
  positions_recovered: { ends: 'positions_backlog', shown: false },
  positions_caught_up: { ends: 'positions_slow', shown: false },
  positions_backlog: { ends: 'positions_slow', shown: true },
};

/** Apply one domain event. The caller guarantees `e.seq === s.lastSeq + 1`. */
export function applyEvent(s: HubState, e: HubEvent): HubState {
  return { ...applyData(s, e.data, e.at), lastSeq: e.seq };
}

function applyData(s: HubState, d: HubEventData, at: number): HubState {
  switch (d.type) {
    case 'incident:created':
    case 'incident:updated':
      return { ...s, incidents: put(s.incidents, d.incident) };
    case 'task:updated':
      return { ...s, tasks: put(s.tasks, d.task) };
    case 'sos:raised':
      return { ...s, sos: put(s.sos, d.sos) };
    case 'sos:updated': {
      // Answered: its "still unacknowledged" reminders have done their job.
      const alerts = d.sos.state === 'raised' ? s.alerts : s.alerts.filter((x) => !(x.kind === 'sos_unacknowledged' && x.subjectId === d.sos.unitId));
      return { ...s, sos: put(s.sos, d.sos), alerts };
    }
    case 'mode:changed': {
      // A city-wide change is the city's mode; an area emergency overlays one area and leaves the rest.
      if (d.change.areaId === null) return { ...s, mode: d.change };
      const others = s.areaModes.filter((c) => c.areaId !== d.change.areaId);
      return { ...s, areaModes: d.change.kind === 'switch' ? [...others, d.change] : others };
    }
    case 'profile:updated':
      // An admin's save: that mode's rules follow the new version from now on, here as on the hub.
      if (!s.profiles || s.profiles[d.profile.profile.mode].version >= d.profile.version) return s;
      return { ...s, profiles: { ...s.profiles, [d.profile.profile.mode]: d.profile } };
    case 'unit:status': {
      const unit = s.units.get(d.unitId);
      return unit ? { ...s, units: put(s.units, { ...unit, status: d.status }) } : s;
    }
    case 'checkin:recorded': {
      if (d.checkIn.onSite) return s;
      const alert: ConsoleAlert = { id: d.checkIn.id, at, kind: 'checkin_off_site', subjectId: d.checkIn.unitId, postId: d.checkIn.postId, message: null };
      return { ...s, alerts: [alert, ...s.alerts].slice(0, MAX_ALERTS) };
    }
    case 'alert:raised': {
      const a = d.alert;
      const end = ENDS[a.kind];
      const rest = end ? s.alerts.filter((x) => !(x.kind === end.ends && x.subjectId === a.subjectId)) : s.alerts;
      if (end && !end.shown) return { ...s, alerts: rest };
      const alert: ConsoleAlert = { id: a.id, at: a.at, kind: a.kind, subjectId: a.subjectId, postId: null, message: a.message };
      return { ...s, alerts: [alert, ...rest].slice(0, MAX_ALERTS) };
    }
    case 'shift:updated':
      return { ...s, shifts: put(s.shifts, d.shift) };
    case 'override:updated': {
      // Decided: its "asks for a manual check-in" notice has been answered.
      if (d.override.state === 'requested') return { ...s, overrides: put(s.overrides, d.override) };
      return { ...s, overrides: drop(s.overrides, d.override.id), alerts: s.alerts.filter((x) => x.id !== `alert-${d.override.id}`) };
    }
    case 'rollcall:updated':
      return { ...s, rollCalls: put(s.rollCalls, d.rollCall) };
    case 'camera:updated': {
      // Its units' link to it follows, by the hub's own rule (a body camera handed to another officer).
      let units = s.units;
      for (const l of unitCameraLinks(s.units.values(), d.camera)) {
        const u = units.get(l.unitId);
        if (u) units = put(units, { ...u, cameraId: l.cameraId });
      }
      return { ...s, cameras: put(s.cameras, d.camera), units };
    }
    case 'grid:changed': {
      // An admin's grid edit: the saved cells, posts and routes replace theirs, the retired ones leave the map.
      let areas: ReadonlyMap<string, Area> = s.areas;
      let routes: ReadonlyMap<string, Route> = s.routes;
      for (const a of d.areas) areas = put(areas, a);
      for (const r of d.routes) routes = put(routes, r);
      for (const id of d.retired.areaIds) areas = drop(areas, id);
      for (const id of d.retired.routeIds) routes = drop(routes, id);
      return { ...s, areas, routes };
    }
    case 'fence:updated': {
      const f = d.fence;
      // Back inside: the alarm clears itself; the row stays until an operator acknowledges it.
      const alerts = f.clearedAt !== null ? s.alerts.filter((x) => x.id !== f.id) : s.alerts;
      const settled = f.clearedAt !== null && f.acknowledgedAt !== null;
      return { ...s, alerts, fences: settled ? drop(s.fences, f.id) : put(s.fences, f) };
    }
    case 'bodycam:alert': {
      // Its notice (alert:raised) goes once an operator has acknowledged it; the unit panel shows it until then.
      const b = d.alert;
      const alerts = b.acknowledgedAt !== null ? s.alerts.filter((x) => x.id !== b.id) : s.alerts;
      return { ...s, alerts, bodycamAlerts: settledBodycam(b) ? drop(s.bodycamAlerts, b.id) : put(s.bodycamAlerts, b) };
    }
    default:
      // An event type this console does not know (a newer hub): its seq still counts as applied.
      return s;
  }
}

export function applyStreamHealth(s: HubState, hs: readonly StreamHealth[]): HubState {
  if (hs.length === 0) return s;
  const streams = new Map(s.streams);
  for (const h of hs) streams.set(h.cameraId, h);
  return { ...s, streams };
}

/** Body camera readings, merged by unit (the hub sends those that changed, at most once a second). */
export function applyBodycamStatus(s: HubState, xs: readonly BodycamStatus[]): HubState {
  if (xs.length === 0) return s;
  const bodycam = new Map(s.bodycam);
  for (const x of xs) if ((bodycam.get(x.unitId)?.t ?? -Infinity) < x.t) bodycam.set(x.unitId, x);
  return { ...s, bodycam };
}
