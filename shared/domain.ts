// Domain schemas: the single source of the wire types (z.infer), shared by hub, renderer and field code.
import { z } from 'zod';

export const Id = z.string().min(1).max(64).regex(/^[A-Za-z0-9_.:-]+$/, 'ids use letters, digits and _ . : -');
export const Lng = z.number().gte(-180).lte(180);
export const Lat = z.number().gte(-90).lte(90);
export const LngLat = z.tuple([Lng, Lat]);
export type LngLat = z.infer<typeof LngLat>;

export const Role = z.enum(['operator', 'duty_manager', 'evaluator', 'admin']);
export type Role = z.infer<typeof Role>;
/** Who can act: a person with a console role, or a field device. */
export type ActorRole = Role | 'device' | 'system';

export const ModeName = z.enum(['daily', 'night', 'holiday', 'emergency']);
export type ModeName = z.infer<typeof ModeName>;

export const UnitKind = z.enum(['officer', 'vehicle']);
export type UnitKind = z.infer<typeof UnitKind>;
/** What the unit is doing, as the hub knows it. "Stale" and "offline" are derived from position age, not stored. */
export const UnitStatus = z.enum(['on_post', 'patrolling', 'on_task', 'sos', 'off_duty']);
export type UnitStatus = z.infer<typeof UnitStatus>;

export const Unit = z.object({
  id: Id,
  kind: UnitKind,
  name: z.string(),
  badge: z.string().nullable(), // officers
  plate: z.string().nullable(), // vehicles
  squad: z.string().nullable(),
  cellId: Id.nullable(),
  postId: Id.nullable(),
  routeId: Id.nullable(),
  cameraId: Id.nullable(),
  status: UnitStatus,
});
export type Unit = z.infer<typeof Unit>;

export const AreaKind = z.enum(['district', 'cell', 'post']);
export type AreaKind = z.infer<typeof AreaKind>;
export const Polygon = z.object({ type: z.literal('Polygon'), coordinates: z.array(z.array(LngLat).min(4)).min(1) });
export type Polygon = z.infer<typeof Polygon>;
export const Area = z.object({
  id: Id,
  kind: AreaKind,
  name: z.string(),
  parentId: Id.nullable(),
  /** districts and cells: a polygon; posts: a point with a radius (metres) that counts as "at the post" */
  polygon: Polygon.nullable(),
  center: LngLat,
  radiusM: z.number().positive().nullable(),
});
export type Area = z.infer<typeof Area>;

export const Route = z.object({
  id: Id,
  name: z.string(),
  roads: z.array(z.string()),
  line: z.array(LngLat).min(2),
  /** modes in which this route is patrolled */
  modes: z.array(ModeName),
});
export type Route = z.infer<typeof Route>;

export const CameraKind = z.enum(['fixed', 'vehicle', 'body']);
export type CameraKind = z.infer<typeof CameraKind>;
/**
 * URL schemes each pulled kind may use. Anything else (ffmpeg's `concat:`, `subfile:`, `data:`, a bare
 * word, a leading `-` that ffmpeg would read as an option) is refused here, before the hub stores it.
 */
const SOURCE_SCHEMES = { hls: ['http:', 'https:'], rtsp: ['rtsp:', 'rtsps:'], rtmp: ['rtmp:', 'rtmps:'] } as const;
const hasControl = (s: string) => [...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
/** An absolute path (POSIX, or a Windows drive), no `.`/`..` segments. The hub also keeps it inside its data folder. */
const ABSOLUTE_PATH = /^(\/|[A-Za-z]:[\\/])/;
const DOT_SEGMENT = /(^|[\\/])\.\.?([\\/]|$)/;

function sourceProblem(kind: keyof typeof SOURCE_SCHEMES | 'file' | 'testsrc', url: string): string | null {
  if (url.length === 0) return 'a source needs a url';
  if (url.startsWith('-')) return 'a source may not start with "-"';
  if (kind === 'testsrc') return /^testsrc:[A-Za-z0-9_.:-]*$/.test(url) ? null : 'a test source is "testsrc:<name>"';
  if (kind === 'file') {
    if (hasControl(url)) return 'a file path may not hold control characters';
    if (!ABSOLUTE_PATH.test(url)) return 'a file source is an absolute path';
    return DOT_SEGMENT.test(url) ? 'a file path may not hold "." or ".." segments' : null;
  }
  if (/\s/.test(url) || hasControl(url)) return 'a URL may not hold spaces or control characters';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not a URL';
  }
  const allowed: readonly string[] = SOURCE_SCHEMES[kind];
  if (!allowed.includes(parsed.protocol)) return `a ${kind} source is a ${allowed.map((s) => s.slice(0, -1)).join(' or ')} URL`;
  return parsed.hostname === '' ? 'a URL needs a host' : null;
}

export const StreamSource = z.object({
  kind: z.enum(['hls', 'rtsp', 'rtmp', 'file', 'testsrc']),
  url: z.string().max(2048),
}).superRefine((s, ctx) => {
  const problem = sourceProblem(s.kind, s.url);
  if (problem) ctx.addIssue({ code: 'custom', path: ['url'], message: problem });
});
export type StreamSource = z.infer<typeof StreamSource>;
export const Camera = z.object({
  id: Id,
  kind: CameraKind,
  name: z.string().min(1).max(100),
  position: LngLat.nullable(), // fixed cameras
  facing: z.number().min(0).lt(360).nullable(), // degrees clockwise from north
  unitId: Id.nullable(), // vehicle and body cameras ride with a unit
  sources: z.array(StreamSource).min(1),
  key: z.boolean(), // key cameras raise alerts when they fail
});
export type Camera = z.infer<typeof Camera>;

/**
 * Why a camera may not ride with a unit of this kind, as the code of the hub's refusal issue (params: the
 * unit): a vehicle camera goes on a vehicle, a body-worn camera on an officer on foot.
 */
export const CameraUnitProblem = z.enum(['vehicle_camera_needs_vehicle', 'body_camera_needs_officer']);
export type CameraUnitProblem = z.infer<typeof CameraUnitProblem>;
export function cameraUnitProblem(camera: CameraKind, unit: UnitKind): CameraUnitProblem | null {
  if (camera === 'vehicle' && unit !== 'vehicle') return 'vehicle_camera_needs_vehicle';
  if (camera === 'body' && unit !== 'officer') return 'body_camera_needs_officer';
  return null;
}

/**
 * What a saved camera changes in its units' `cameraId` (the link the SOS screen, the unit's panel and the
 * trace follow to a unit's own camera): the unit it rides on or is worn by names it, and a unit that named
 * it and no longer carries it names none. The hub stores these with the camera; a console applies them
 * when it hears `camera:updated`, so both keep the same links.
 */
export function unitCameraLinks(units: Iterable<Pick<Unit, 'id' | 'cameraId'>>, camera: Pick<Camera, 'id' | 'unitId'>): { unitId: string; cameraId: string | null }[] {
  const out: { unitId: string; cameraId: string | null }[] = [];
  for (const u of units) {
    if (u.id === camera.unitId) {
      if (u.cameraId !== camera.id) out.push({ unitId: u.id, cameraId: camera.id });
    } else if (u.cameraId === camera.id) {
      out.push({ unitId: u.id, cameraId: null });
    }
  }
  return out;
}

export const IncidentCategory = z.enum([
  'cityscape', 'advertising', 'lighting', 'sanitation', 'muck', 'greening', 'parking', 'municipal', 'planning', 'drainage',
]);
export type IncidentCategory = z.infer<typeof IncidentCategory>;
/** The ten city-management categories, in the order the trade lists them. */
export const INCIDENT_CATEGORY_LABELS: Record<IncidentCategory, { zh: string; en: string }> = {
  cityscape: { zh: '市容', en: 'Cityscape' },
  advertising: { zh: '广告', en: 'Advertising' },
  lighting: { zh: '城市照明', en: 'Street lighting' },
  sanitation: { zh: '环卫', en: 'Sanitation' },
  muck: { zh: '渣土', en: 'Muck haulage' },
  greening: { zh: '园林绿化', en: 'Greening' },
  parking: { zh: '停车', en: 'Parking' },
  municipal: { zh: '市政', en: 'Municipal works' },
  planning: { zh: '规划', en: 'Planning' },
  drainage: { zh: '排水', en: 'Drainage' },
};

export const Priority = z.union([z.literal(1), z.literal(2), z.literal(3)]); // 1 = urgent
export const IncidentState = z.enum(['open', 'dispatched', 'resolved', 'closed']);
/** Sub-type ids (resources/incidents/categories.json): lower-case words joined by '-'. */
export const SubtypeId = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'a sub-type id is lower-case letters, digits and -');
/** An attached photo (stored by the hub; consoles fetch it with `photo:get`). */
export const PhotoId = z.string().regex(/^P-[0-9a-f]{32}$/, 'a photo id is P- and 32 hex digits');

/**
 * Where an incident came from, as entered: an operator's map point ('console'), a camera's panel (that
 * camera linked), a citizen's phone call (caller and what they said), a field unit's report (with an
 * optional photo), an alarm (an SOS, a fence, a camera). 'sim' is what old records of the simulator hold.
 */
export const ConsoleOrigin = z.strictObject({ kind: z.literal('console') });
export const CameraOrigin = z.strictObject({ kind: z.literal('camera'), cameraId: Id });
export const PhoneOrigin = z.strictObject({
  kind: z.literal('phone'),
  callerName: z.string().trim().min(1).max(100),
  callerNumber: z.string().trim().regex(/^\+?[0-9 -]{3,24}$/, 'a phone number is digits, spaces, - and an optional +'),
  text: z.string().trim().max(2000),
});
/** An alarm turned into an incident: an SOS (its id), a fence alert (the unit), a camera's alarm (the camera). */
export const AlarmOrigin = z.strictObject({ kind: z.literal('alarm'), alarm: z.enum(['sos', 'fence', 'camera']), subjectId: Id });
export const IncidentOrigin = z.discriminatedUnion('kind', [
  ConsoleOrigin,
  CameraOrigin,
  PhoneOrigin,
  z.strictObject({ kind: z.literal('field'), unitId: Id.nullable(), photoId: PhotoId.nullable() }),
  AlarmOrigin,
  z.strictObject({ kind: z.literal('sim') }),
]);
export type IncidentOrigin = z.infer<typeof IncidentOrigin>;
export type IncidentSource = IncidentOrigin['kind'];

/** Where it is, resolved by the hub from the city data when the incident is created (offline). */
export const IncidentPlace = z.object({
  /** the nearest named street, and how far it is (metres); null when none is within reach */
  street: z.string().nullable(),
  streetM: z.number().nullable(),
  /** the grid cell holding the point, and its district; null outside the grid */
  cellId: Id.nullable(),
  districtId: Id.nullable(),
});
export type IncidentPlace = z.infer<typeof IncidentPlace>;

export const Incident = z.object({
  id: Id,
  category: IncidentCategory,
  /** a sub-type of the category (null: not given; records before sub-types) */
  subtype: SubtypeId.nullable(),
  priority: Priority,
  state: IncidentState,
  position: LngLat,
  description: z.string(),
  source: IncidentOrigin,
  place: IncidentPlace,
  /** how many amendments have been appended (the trace holds them) */
  amendments: z.number().int().min(0),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
export type Incident = z.infer<typeof Incident>;

/** A correction or addition to an incident's facts: appended with a reason, never edited. */
export const IncidentAmendment = z.object({
  id: z.number().int().positive(),
  incidentId: Id,
  actor: z.string(),
  role: z.string(),
  at: z.number().int(),
  reason: z.string(),
  text: z.string(),
});
export type IncidentAmendment = z.infer<typeof IncidentAmendment>;

/** assigned → accepted (or refused) → en route → arrived (on scene) → finished; cancelled by a console at any open step. */
export const TaskState = z.enum(['assigned', 'accepted', 'en_route', 'arrived', 'finished', 'refused', 'cancelled']);
/** The states in which a task is still open (the unit is on it). */
export const OPEN_TASK_STATES = ['assigned', 'accepted', 'en_route', 'arrived'] as const satisfies readonly z.infer<typeof TaskState>[];
export type TaskState = z.infer<typeof TaskState>;
export const Task = z.object({
  id: Id,
  incidentId: Id,
  unitId: Id,
  state: TaskState,
  note: z.string(),
  assignedAt: z.number().int(),
  ackDeadline: z.number().int(),
  arriveDeadline: z.number().int(),
  /** null on tasks from before it was kept */
  finishDeadline: z.number().int().nullable(),
  updatedAt: z.number().int(),
});
export type Task = z.infer<typeof Task>;

export const SosState = z.enum(['raised', 'acknowledged', 'resolved']);
/** A unit sent to help: its task, and the travel time the operator was shown when sending it. */
export const SosHelp = z.object({
  taskId: Id,
  unitId: Id,
  unitName: z.string(),
  etaSec: z.number().int().min(0).nullable(),
  sentBy: z.string(),
  sentAt: z.number().int(),
});
export type SosHelp = z.infer<typeof SosHelp>;
export const Sos = z.object({
  id: Id,
  unitId: Id,
  position: LngLat,
  note: z.string(),
  state: SosState,
  raisedAt: z.number().int(),
  updatedAt: z.number().int(),
  /** the nearest named road where it was pressed, resolved offline by the hub; null when none is near */
  street: z.object({ zh: z.string(), en: z.string() }).nullable(),
  /** the unit's status before the press: it returns to it when the SOS is resolved */
  statusBefore: UnitStatus.nullable(),
  acknowledgedBy: z.string().nullable(),
  acknowledgedAt: z.number().int().nullable(),
  /** escalation steps run while nobody acknowledged, and the role the last one alerted */
  escalations: z.number().int().min(0),
  escalatedTo: Role.nullable(),
  /** the incident the help tasks are given on (made with the first unit sent) */
  incidentId: Id.nullable(),
  help: z.array(SosHelp),
  resolvedBy: z.string().nullable(),
  resolvedAt: z.number().int().nullable(),
  resolution: z.string().nullable(),
});
export type Sos = z.infer<typeof Sos>;

export const CheckIn = z.object({
  id: Id,
  unitId: Id,
  postId: Id,
  position: LngLat,
  at: z.number().int(),
  /** within the post's radius */
  onSite: z.boolean(),
  /** accepted by a person (checkin:override) rather than by the fence: who granted it */
  overrideBy: z.string().optional(),
});
export type CheckIn = z.infer<typeof CheckIn>;

/** One GPS fix. Time is the device's fix time in ms since the epoch. Strict like commands: an unknown key is refused, not carried. */
export const PositionFix = z.strictObject({
  unitId: Id,
  t: z.number().int().positive(),
  lng: Lng,
  lat: Lat,
  speed: z.number().min(0).max(100).optional(), // m/s
  heading: z.number().min(0).lt(360).optional(),
  accuracy: z.number().min(0).max(10_000).optional(), // metres
});
export type PositionFix = z.infer<typeof PositionFix>;

/**
 * One switch in the record. City-wide when `areaId` is null; for an area only an emergency can be
 * declared (and ended: `kind: 'end'`). `from` is the mode it replaced there; `endsAt` when it returns
 * by itself; `profileVersion` which version of the mode's profile its rules use.
 */
export const ModeChange = z.object({
  mode: ModeName,
  reason: z.string(),
  areaId: Id.nullable(),
  by: z.string(),
  at: z.number().int(),
  kind: z.enum(['switch', 'end']),
  from: ModeName.nullable(),
  endsAt: z.number().int().nullable(),
  profileVersion: z.number().int().positive(),
});
export type ModeChange = z.infer<typeof ModeChange>;

export const UserPublic = z.object({ id: Id, username: z.string(), role: Role });
export type UserPublic = z.infer<typeof UserPublic>;

export const AuditOutcome = z.enum(['accepted', 'rejected']);
export const AuditEntry = z.object({
  seq: z.number().int().positive(),
  at: z.number().int(),
  actor: z.string(),
  role: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  payload: z.unknown(),
  outcome: AuditOutcome,
  reason: z.string().nullable(),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/** Something an operator must notice now. Raised by the hub (camera down, later geofence, missed check-in, overdue task). */
export const AlertKind = z.enum([
  'camera_down', 'camera_recovered', 'geofence', 'checkin_missed', 'task_overdue', 'sos_unacknowledged',
  // raised by the position pipeline: position writes failing (and recovered), writes behind the fixes
  // coming in (and caught up), and a device whose clock is off
  'positions_backlog', 'positions_recovered', 'positions_slow', 'positions_caught_up', 'device_clock',
  // attendance: a shift not checked in after the grace (late) and after the limit (missing), a roll-call unanswered, an override asked for
  'attendance_late', 'attendance_missing', 'rollcall_missed', 'override_requested',
  // a body-worn camera not recording while its unit has a task in hand
  'bodycam_stopped',
  // the hub's storage failed (disk full, read-only, busy, damaged) and has recovered: how long, what was refused
  'storage_recovered',
]);
export type AlertKind = z.infer<typeof AlertKind>;
export const Alert = z.object({
  id: z.string(),
  kind: AlertKind,
  /** the camera, unit or task it concerns */
  subjectId: z.string(),
  message: z.object({ zh: z.string(), en: z.string() }),
  at: z.number().int(),
  /** the role an escalation step is addressed to; absent: every console */
  notify: Role.optional(),
});
export type Alert = z.infer<typeof Alert>;
