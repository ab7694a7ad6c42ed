// The socket.io event maps for both namespaces, typed once here and used by hub and clients alike:
// `Server<ConsoleClientEvents, ConsoleServerEvents>` on the hub, `Socket<ConsoleServerEvents, ConsoleClientEvents>`
// in clients. Acks are always the last parameter. Types never replace the hub's runtime validation.
import type { z } from 'zod';
import type {
  Area, AuditEntry, Camera, Incident, StreamSource, ModeChange, ModeName, PositionFix, Route, Sos, Task, Unit, UserPublic,
} from '../domain';
import type { IncidentTrace, PhotoResult } from '../incidents';
import type { VersionedProfile } from '../modes';
import type { AttendanceSnapshot, Shift } from '../attendance';
import type { BodycamAck, BodycamBatch, BodycamSnapshot, BodycamStatus } from '../bodycam';
import type { ModeHere, ModeHereRequest } from './mode-here';
import type { TaskBrief, TaskBriefRequest, UnitProfile, UnitProfileRequest } from './enrol';
import type { Ack, CommandInput, CommandResult, consoleCommands, fieldCommands } from './commands';
import type { HubEvent, PositionBatch, StorageHealth, StreamHealth } from './events';
import type { RecommendRequest, RecommendResult } from './recommend';
import type {
  AuditTimelineRequest, AuditTimelineResult, ReplayWindowRequest, ReplayWindowResult, RetentionPolicyResult,
  UnitTrackRequest, UnitTrackResult,
} from './reads';
import type { DevicesList, PeopleList } from './accounts';
import type { SessionEndReason } from '../accounts';
import type { VoiceClientEvents, VoiceConsoleReads, VoiceServerEvents } from './voice';
import type { HolidayCalendar } from '../calendar';
import type { GridState } from '../grid';
import type { AuditRawRequest, AuditRawResult, CheckpointsRequest, CheckpointsResult, CoverageRequest, CoverageResult, ExportRequest, ExportResult, ScoreCardRequest, ScoreCardResult } from './scorecard';

export const NAMESPACES = { console: '/console', field: '/field' } as const;

/** Handshake `auth` for people: log in with a password, or resume a session with its token. */
export type ConsoleAuth = { username: string; password: string } | { token: string };
/** Handshake `auth` for field devices. */
export type FieldAuth = { deviceId: string; secret: string };

/** `timeZone`: the center's IANA zone, in which consoles show every time. */
export type SessionReady = { token: string; user: UserPublic; headSeq: number; hubTime: number; demo: boolean; timeZone: string };

/** Everything a console needs to draw the city now; events after `headSeq` follow. */
export type Snapshot = {
  headSeq: number;
  hubTime: number;
  /** the newest city-wide mode change */
  mode: ModeChange;
  /** emergencies declared for one area that are in force now */
  areaModes: ModeChange[];
  /** the profile of each mode as the hub uses it now, with its version */
  profiles: Record<ModeName, VersionedProfile>;
  units: Unit[];
  areas: Area[];
  routes: Route[];
  cameras: Camera[];
  incidents: Incident[];
  tasks: Task[];
  sos: Sos[];
  positions: PositionFix[];
  streams: StreamHealth[];
  /** the hub's storage now: a fault while writes fail (absent from hubs before 4 Dec 2026: healthy) */
  storage?: StorageHealth;
  /** shifts around now, open check-in overrides, recent roll-calls, fence alerts not yet settled */
  attendance: AttendanceSnapshot;
  /** each unit's latest body camera reading, and its recording alerts not yet settled */
  bodycam: BodycamSnapshot;
};

export type EventsPage = { events: HubEvent[]; headSeq: number; more: boolean };
/** `legacyCount`: entries written before store v30, checked by the earlier rule (docs/protocol.md). */
/** `checkpoint`: a chain that held, signed by the hub's key and recorded as an `audit:checkpoint` entry (null: broken, or no key) */
export type AuditVerifyResult = { ok: boolean; count: number; headHash: string; firstBad: { seq: number; why: string } | null; legacyCount: number; checkpoint?: string | null };

type CommandHandlers<M extends Record<string, { schema: z.ZodType; result: z.ZodType }>> = {
  [K in keyof M]: (payload: CommandInput<M[K]>, ack: (res: Ack<CommandResult<M[K]>>) => void) => void;
};

export type ConsoleClientEvents = CommandHandlers<typeof consoleCommands> & VoiceClientEvents & VoiceConsoleReads & {
  'state:snapshot': (req: Record<string, never>, ack: (res: Ack<Snapshot>) => void) => void;
  'events:since': (req: { afterSeq: number; limit?: number }, ack: (res: Ack<EventsPage>) => void) => void;
  'audit:verify': (req: Record<string, never>, ack: (res: Ack<AuditVerifyResult>) => void) => void;
  'audit:page': (req: { afterSeq: number; limit?: number }, ack: (res: Ack<{ entries: AuditEntry[] }>) => void) => void;
  'stream:token': (req: { cameraId: string }, ack: (res: Ack<{ url: string }>) => void) => void;
  /** Ends this session: its token stops working and every connection on it is closed, after the ack. */
  'session:logout': (req: Record<string, never>, ack: (res: Ack<{ ended: boolean }>) => void) => void;
  /** ranked units to send to an incident or a point (shared/protocol/recommend.ts) */
  'units:recommend': (req: RecommendRequest, ack: (res: Ack<RecommendResult>) => void) => void;
  /** the evaluator's timeline: filtered, keyset-paged both ways, each entry with what it concerns */
  'audit:timeline': (req: AuditTimelineRequest, ack: (res: Ack<AuditTimelineResult>) => void) => void;
  /** one unit's fixes, at most 24 h */
  'unit:track': (req: UnitTrackRequest, ack: (res: Ack<UnitTrackResult>) => void) => void;
  /** every unit's fixes in a window of at most 10 min (map replay) */
  'replay:window': (req: ReplayWindowRequest, ack: (res: Ack<ReplayWindowResult>) => void) => void;
  /** what is kept of positions and for how long */
  'positions:retention': (req: Record<string, never>, ack: (res: Ack<RetentionPolicyResult>) => void) => void;
  /** one incident's steps, amendments, alerts and escalations in order, with the units' tracks and linked cameras */
  'incident:trace': (req: { incidentId: string }, ack: (res: Ack<IncidentTrace>) => void) => void;
  /** a photo attached to a field report */
  'photo:get': (req: { photoId: string }, ack: (res: Ack<PhotoResult>) => void) => void;
  /** the 1000-point scorecard of a period, with the period before (shared/protocol/scorecard.ts) */
  'score:card': (req: ScoreCardRequest, ack: (res: Ack<ScoreCardResult>) => void) => void;
  /** route coverage and cell dwell per shift period, kept as data (main/hub/coverage.ts) */
  'score:coverage': (req: CoverageRequest, ack: (res: Ack<CoverageResult>) => void) => void;
  /** the timeline or the scorecard as a CSV or PDF file, with the verified chain head and a signed checkpoint; audited */
  'audit:export': (req: ExportRequest, ack: (res: Ack<ExportResult>) => void) => void;
  /** the signed checkpoints the hub recorded, newest first, with its public key */
  'audit:checkpoints': (req: CheckpointsRequest, ack: (res: Ack<CheckpointsResult>) => void) => void;
  /** the stored entries in seq order, as hashed, for a client's own chain check */
  'audit:raw': (req: AuditRawRequest, ack: (res: Ack<AuditRawResult>) => void) => void;
  /** admin: every person with their running sessions (shared/protocol/accounts.ts) */
  'people:list': (req: Record<string, never>, ack: (res: Ack<PeopleList>) => void) => void;
  /** admin: every registered field device, with its connections now */
  'devices:list': (req: Record<string, never>, ack: (res: Ack<DevicesList>) => void) => void;
  /** admin: a source served for a look before the camera is saved (nothing stored) */
  'camera:preview': (req: { source: StreamSource }, ack: (res: Ack<{ cameraId: string; url: string }>) => void) => void;
  /** the holiday calendar the mode schedule switches on, with the version an edit names */
  'calendar:list': (req: Record<string, never>, ack: (res: Ack<HolidayCalendar>) => void) => void;
  /** the grid's cells, posts and routes with the version an edit names (shared/grid.ts) */
  'grid:get': (req: Record<string, never>, ack: (res: Ack<GridState>) => void) => void;
  /** the shifts not yet over, in start order (the first 200, and how many there are) */
  'roster:upcoming': (req: Record<string, never>, ack: (res: Ack<{ shifts: Shift[]; total: number }>) => void) => void;
};

export type ConsoleServerEvents = VoiceServerEvents & {
  'session:ready': (s: SessionReady) => void;
  event: (e: HubEvent) => void;
  'unit:positions': (b: PositionBatch) => void;
  'stream:health': (h: StreamHealth[]) => void;
  /** the hub's storage changed: a fault began, changed kind or path, refused more commands, or ended */
  'hub:storage': (h: StorageHealth) => void;
  /** body camera readings taken since the last one, the latest per unit (at most one message a second) */
  'bodycam:status': (s: BodycamStatus[]) => void;
  /** This console's session has ended (an admin disabled the account, revoked it …); the hub disconnects it next. */
  'session:ended': (e: { reason: SessionEndReason }) => void;
};

/**
 * Why the hub did not take a fix of a valid message: a unit it does not know, a fix time outside
 * [hub now − 24 h, hub now + 2 min], a write backlog at its bound (SQLite failing; send again later),
 * the same fix time as the unit's latest fix (`duplicate`), or a jump from it faster than the unit can
 * move (`implausible_speed`, an outlier; after three in a row the unit is taken to be there).
 */
export type FixRefusal = 'unknown_unit' | 'too_old' | 'in_future' | 'store_backlog' | 'duplicate' | 'implausible_speed';
export type RefusedFix = { unitId: string; t: number; reason: FixRefusal };
/**
 * `refused` lists the first 20 refused fixes, `refusedCount` counts all; both absent when every fix was taken.
 * An ack means accepted, not yet written: the batch's fixes are durable (committed to SQLite) once the
 * connection's durable mark reaches `durableAt`. `durableThrough` is that mark now; `positions:durable`
 * raises it after each write. The mark counts accepted fixes within one connection to one hub process:
 * after a reconnect, a device sends again every fix it did not see become durable (docs/protocol.md).
 */
export type PositionAck = { accepted: number; refused?: RefusedFix[]; refusedCount?: number; durableAt: number; durableThrough: number };
/** Sent to a device after a write commits that held some of its fixes: every fix acked with durableAt ≤ through is durable. */
export type PositionsDurable = { through: number };

export type FieldClientEvents = CommandHandlers<typeof fieldCommands> & VoiceClientEvents & {
  /** High-volume telemetry: no commandId; duplicates (same unit and fix time) are dropped. */
  'unit:position': (batch: PositionBatch, ack?: (res: Ack<PositionAck>) => void) => void;
  /** Body camera telemetry (shared/bodycam.ts): no commandId; each reading checked, refused ones with a reason. */
  'bodycam:report': (batch: BodycamBatch, ack?: (res: Ack<BodycamAck>) => void) => void;
  'events:since': (req: { afterSeq: number; limit?: number }, ack: (res: Ack<EventsPage>) => void) => void;
  'mode:here': (req: ModeHereRequest, ack: (res: Ack<ModeHere>) => void) => void;
  /** the unit's names, cell, post and the posts it may check in at (shared/protocol/enrol.ts) */
  'unit:profile': (req: UnitProfileRequest, ack: (res: Ack<UnitProfile>) => void) => void;
  /** a task of the unit with its incident's category, description, priority and place by name (shared/protocol/enrol.ts) */
  'task:brief': (req: TaskBriefRequest, ack: (res: Ack<TaskBrief>) => void) => void;
};

export type FieldServerEvents = VoiceServerEvents & {
  /**
   * `mode`: the newest city-wide change; `areaModes`: every area emergency in force at `hubTime` (its
   * area, reason, end time), so a device that connects during one knows it without asking; `profiles`:
   * each mode's profile as the hub uses it now (an admin's save reaches devices as profile:updated).
   */
  'session:ready': (s: { deviceId: string; unitIds: string[] | 'any'; headSeq: number; hubTime: number; mode: ModeChange; areaModes: ModeChange[]; profiles: Record<ModeName, VersionedProfile> }) => void;
  event: (e: HubEvent) => void;
  'positions:durable': (d: PositionsDurable) => void;
};
