// Every client→hub command: its payload schema, who may send it, and what its ack carries.
// The hub validates with these schemas at the boundary; clients compile against the inferred types.
import { z } from 'zod';
import {
  AlarmOrigin, Area, Camera, CameraOrigin, CheckIn, ConsoleOrigin, Id, Incident, IncidentAmendment, IncidentCategory, LngLat, ModeChange, ModeName,
  PhoneOrigin, Priority, Role, Route, Sos, SubtypeId, Task, UserPublic,
} from '../domain';
import { CellInput, GridImport, PostInput, RouteInput } from '../grid';
import { PhotoUpload } from '../incidents';
import { CheckFix, FenceAlert, OverrideRequest, RollCall } from '../attendance';
import { PASSWORD_MAX, USERNAME } from '../accounts';
import { CenterDate, HolidayCalendar } from '../calendar';
import { BodycamAlert } from '../bodycam';
import { ModeProfile, VersionedProfile } from '../modes';

/** Client-made id that makes a command idempotent: the hub applies a given id at most once. */
export const CommandId = z.string().min(8).max(64).regex(/^[A-Za-z0-9_-]+$/);
const cmd = <T extends z.ZodRawShape>(shape: T) => z.strictObject({ commandId: CommandId, ...shape });
const text = (max: number) => z.string().trim().max(max);
/** What a console may give as an incident's source: its own map point, a camera (linked), a citizen's call, an alarm. */
const ConsoleSource = z.discriminatedUnion('kind', [ConsoleOrigin, CameraOrigin, PhoneOrigin, AlarmOrigin]);
/** A duty manager may send a unit in SOS or off duty, with a reason (audited). */
const Override = z.strictObject({ reason: text(500).min(2) }).optional();

export const ErrorCode = z.enum([
  'invalid_payload', // failed validation; message says which field
  'forbidden', // role may not send this command
  'not_found', // a referenced id does not exist
  'conflict', // the state does not allow it (e.g. finishing a cancelled task)
  'rate_limited', // too many messages from this socket
  'internal', // the hub failed; nothing was applied
  'outside_fence', // a check-in or roll-call answer from outside the post's fence or the cell
  'implausible_fix', // the fix cannot vouch for where the unit is (too inaccurate, too old, an impossible jump)
  'weak_password', // a new password breaks a rule (shared/accounts.ts); message starts with the rule's key
]);
export type ErrorCode = z.infer<typeof ErrorCode>;
/** A parameter of an issue: what a screen puts into its words (a name, an id, a number). */
export type IssueParams = Record<string, string | number>;
/**
 * One thing wrong with what was sent, as a stable code and its parameters (shared/grid.ts GridIssue,
 * shared/roster.ts RosterIssue): a screen words it in its person's language (i18n `refusals.<code>`),
 * while `message` keeps the hub's English, which the audit records. Where in a file: a CSV's `row`
 * (its line, 1 the header) and `column`; a GeoJSON file's `feature` (from 1) with its kind and name.
 */
export type Issue = {
  code: string;
  params: IssueParams;
  row?: number;
  column?: string;
  feature?: { n: number; kind?: string; name?: string };
};
/** At most this many issues ride on one refusal (`issueCount` says how many there were). */
export const ISSUES_SENT_MAX = 500;
/** `issues`: the refusal in codes, when the hub can say it so (always for the grid's edits and the roster import). */
export type CommandError = { code: ErrorCode; message: string; issues?: Issue[]; issueCount?: number };
export type Ack<R> = { ok: true; result: R } | { ok: false; error: CommandError };

/** Console (people) commands. `roles` is enforced by the hub for every event. */
export const consoleCommands = {
  'incident:create': {
    roles: ['operator', 'duty_manager'],
    // `source` absent: the operator's own map point (what older clients and the simulator mean).
    schema: cmd({
      category: IncidentCategory, subtype: SubtypeId.nullable().default(null), priority: Priority, position: LngLat, description: text(2000),
      source: ConsoleSource.default({ kind: 'console' }),
    }),
    result: z.object({ incident: Incident }),
  },
  'incident:amend': {
    roles: ['operator', 'duty_manager'],
    // A correction or addition: appended with its reason; the facts entered before stay as they were.
    schema: cmd({ incidentId: Id, reason: text(500).min(2), text: text(2000).min(1) }),
    result: z.object({ amendment: IncidentAmendment, incident: Incident }),
  },
  'incident:close': {
    roles: ['operator', 'duty_manager'],
    schema: cmd({ incidentId: Id, resolution: text(2000).min(1) }),
    result: z.object({ incident: Incident }),
  },
  'task:assign': {
    roles: ['operator', 'duty_manager'],
    // `override`: a duty manager may send a unit in SOS or off duty, with a reason (audited).
    schema: cmd({ incidentId: Id, unitId: Id, note: text(1000).default(''), override: Override }),
    result: z.object({ task: Task }),
  },
  'task:reassign': {
    roles: ['operator', 'duty_manager'],
    // Cancels the open task and assigns its incident to `unitId` in one transaction, under the same guardrails as task:assign.
    schema: cmd({ taskId: Id, unitId: Id, reason: text(1000).min(1), note: text(1000).default(''), override: Override }),
    result: z.object({ cancelled: Task, task: Task }),
  },
  'task:cancel': {
    roles: ['operator', 'duty_manager'],
    schema: cmd({ taskId: Id, reason: text(1000).min(1) }),
    result: z.object({ task: Task }),
  },
  'sos:acknowledge': {
    roles: ['operator', 'duty_manager'],
    schema: cmd({ sosId: Id }),
    result: z.object({ sos: Sos }),
  },
  'sos:resolve': {
    roles: ['operator', 'duty_manager'],
    schema: cmd({ sosId: Id, note: text(1000).min(1) }),
    result: z.object({ sos: Sos }),
  },
  'sos:assist': {
    roles: ['operator', 'duty_manager'],
    // Sends a unit to help: a task on the SOS's incident (made with the first unit sent), in one transaction.
    // `etaSec`: the travel time units:recommend gave for it, which the officer in trouble is told.
    schema: cmd({ sosId: Id, unitId: Id, etaSec: z.number().int().min(0).max(86_400).nullable().default(null), note: text(1000).default('') }),
    result: z.object({ sos: Sos, task: Task }),
  },
  'mode:switch': {
    roles: ['duty_manager', 'admin'],
    // City-wide, or (emergency only) one area; `endsAt` ends it by itself (ms since the epoch).
    schema: cmd({ mode: ModeName, reason: text(500).min(2), areaId: Id.nullable().default(null), endsAt: z.number().int().positive().nullable().default(null) }),
    result: z.object({ change: ModeChange }),
  },
  'mode:end': {
    roles: ['duty_manager', 'admin'],
    // Ends an emergency, city-wide (the mode it replaced returns) or in one area.
    schema: cmd({ areaId: Id.nullable().default(null), reason: text(500).min(2) }),
    result: z.object({ change: ModeChange }),
  },
  // The holiday calendar (shared/calendar.ts). `baseVersion`: the calendar version the edit was made
  // against (calendar:list); another edit in between makes it a conflict, to be read again and redone.
  // Adding a day the calendar has replaces what it said of it (e.g. confirms an estimated date).
  'calendar:add': {
    roles: ['duty_manager', 'admin'],
    schema: cmd({
      baseVersion: z.number().int().min(0), date: CenterDate, reason: text(500).min(2),
      name: z.strictObject({ zh: text(60).min(1), en: text(60).min(1) }), estimated: z.boolean().default(false),
    }),
    result: z.object({ calendar: HolidayCalendar }),
  },
  'calendar:remove': {
    roles: ['duty_manager', 'admin'],
    schema: cmd({ baseVersion: z.number().int().min(0), date: CenterDate, reason: text(500).min(2) }),
    result: z.object({ calendar: HolidayCalendar }),
  },
  // A mode's profile (shared/modes.ts), whole, as a new version; the old versions stay, so the record
  // says which one every past decision used. `baseVersion`: the version the edit was made from (the
  // snapshot's profiles, kept current by profile:updated); a save in between makes it a conflict. The
  // hub also checks the bounds and the wall's cameras (profileIssues): its message starts with the
  // problem's key (ProfileProblem), which the admin screen words.
  'profile:save': {
    roles: ['admin'],
    schema: cmd({ mode: ModeName, baseVersion: z.number().int().min(1), profile: ModeProfile, reason: text(500).min(2) }),
    result: z.object({ profile: VersionedProfile }),
  },
  'user:create': {
    roles: ['admin'],
    // The password's rules (length, common, the username inside) are the hub's `weak_password`, not a schema error.
    schema: cmd({ username: z.string().regex(USERNAME), role: Role, password: z.string().max(PASSWORD_MAX) }),
    result: z.object({ user: UserPublic }),
  },
  // Account changes. Those that end a person's sessions list them (`endedSessions`, session ids): the hub
  // sends each console on them `session:ended` and disconnects it once the change has committed.
  'user:set-role': {
    roles: ['admin'],
    schema: cmd({ userId: Id, role: Role }),
    result: z.object({ user: UserPublic, endedSessions: z.array(z.string()) }),
  },
  'user:disable': {
    roles: ['admin'],
    schema: cmd({ userId: Id, reason: text(500).min(2) }),
    result: z.object({ user: UserPublic, endedSessions: z.array(z.string()) }),
  },
  'user:enable': {
    roles: ['admin'],
    schema: cmd({ userId: Id }),
    result: z.object({ user: UserPublic }),
  },
  'user:reset-password': {
    roles: ['admin'],
    schema: cmd({ userId: Id, password: z.string().max(PASSWORD_MAX) }),
    result: z.object({ user: UserPublic, endedSessions: z.array(z.string()) }),
  },
  'session:revoke': {
    roles: ['admin'],
    schema: cmd({ sessionId: z.string().regex(/^[0-9a-f]{64}$/, 'a session id is 64 hex digits') }),
    result: z.object({ endedSessions: z.array(z.string()) }),
  },
  'session:revoke-all': {
    roles: ['admin'],
    // Signs out everyone but the admin who sends it (all of their own sessions stay).
    schema: cmd({ reason: text(500).min(2) }),
    result: z.object({ endedSessions: z.array(z.string()) }),
  },
  'device:register': {
    roles: ['admin'],
    // A device with a secret chosen by its installer (a gateway, a terminal set up by hand; `npm run devices -- add`).
    schema: cmd({
      deviceId: Id, kind: z.enum(['terminal', 'gateway']), unitId: Id.nullable().default(null), secret: z.string().min(12).max(200),
    }).refine((p) => (p.kind === 'terminal') === (p.unitId !== null), { message: 'a terminal speaks for one unit (unitId); a gateway for any (unitId null)', path: ['unitId'] }),
    result: z.object({ device: z.object({ id: Id, kind: z.enum(['terminal', 'gateway']), unitId: Id.nullable() }) }),
  },
  'camera:upsert': {
    roles: ['admin'],
    // A vehicle or body camera on a unit of the wrong kind is refused as invalid_payload, the message
    // starting with the problem's key (CameraUnitProblem), which the admin screen words.
    schema: cmd({ camera: Camera }),
    result: z.object({ camera: Camera }),
  },
  'checkin:override': {
    roles: ['operator', 'duty_manager'],
    // Grants (the check-in is recorded as made by override) or refuses an officer's request, with a note.
    schema: cmd({ requestId: Id, grant: z.boolean(), note: text(500).min(2) }),
    result: z.object({ override: OverrideRequest, checkIn: CheckIn.nullable() }),
  },
  'rollcall:start': {
    roles: ['operator', 'duty_manager'],
    // Officers named by hand (`unitIds`), or `count` drawn at random by the hub among those on duty in `areaId` (null: city-wide).
    schema: cmd({
      unitIds: z.array(Id).min(1).max(50).optional(), count: z.number().int().min(1).max(50).optional(),
      areaId: Id.nullable().default(null), answerWithinMin: z.number().int().min(1).max(60),
    }).refine((p) => (p.unitIds === undefined) !== (p.count === undefined), 'give either unitIds or count'),
    result: z.object({ rollCall: RollCall }),
  },
  'fence:acknowledge': {
    roles: ['operator', 'duty_manager'],
    schema: cmd({ alertId: Id }),
    result: z.object({ fence: FenceAlert }),
  },
  'bodycam:acknowledge': {
    roles: ['operator', 'duty_manager'],
    schema: cmd({ alertId: Id }),
    result: z.object({ alert: BodycamAlert }),
  },
  'roster:import': {
    roles: ['admin'],
    // CSV with the header unit_id,post_id,date,start,end (center time; an end at or before the start is the next day).
    schema: cmd({ csv: z.string().min(1).max(2_000_000) }),
    result: z.object({ imported: z.number().int() }),
  },
  'device:enrol': {
    roles: ['admin'],
    // A one-time code (10 minutes, single use) a phone exchanges by POST /api/enrol for its own secret.
    // `code` is null in the answer to a retry: the hub keeps only its hash, so a lost code means a new one.
    schema: cmd({ unitId: Id, label: text(100).default('') }),
    result: z.object({ enrolmentId: Id, unitId: Id, code: z.string().nullable(), expiresAt: z.number().int(), hubUrl: z.string() }),
  },
  'device:revoke': {
    roles: ['admin'],
    // Its connections are closed after the commit and its secret refused from then on.
    schema: cmd({ deviceId: Id, reason: text(500).min(2) }),
    result: z.object({ deviceId: Id, revokedAt: z.number().int() }),
  },
  // The grid (shared/grid.ts). `baseVersion`: the grid version the edit was made against (grid:get);
  // another edit in between makes it a conflict, to be read again and redone. A save without an id
  // creates; with the id of a live cell, post or route it edits it. A delete retires it (the record
  // still points at it) and is refused while units are assigned to it or a post still stands in a cell.
  'cell:save': {
    roles: ['admin'],
    schema: cmd({ baseVersion: z.number().int().min(1), cell: CellInput }),
    result: z.object({ area: Area, gridVersion: z.number().int() }),
  },
  'cell:delete': {
    roles: ['admin'],
    schema: cmd({ baseVersion: z.number().int().min(1), cellId: Id }),
    result: z.object({ id: Id, gridVersion: z.number().int() }),
  },
  'post:save': {
    roles: ['admin'],
    schema: cmd({ baseVersion: z.number().int().min(1), post: PostInput }),
    result: z.object({ area: Area, gridVersion: z.number().int() }),
  },
  'post:delete': {
    roles: ['admin'],
    schema: cmd({ baseVersion: z.number().int().min(1), postId: Id }),
    result: z.object({ id: Id, gridVersion: z.number().int() }),
  },
  'route:save': {
    roles: ['admin'],
    // The line is stored snapped to the roads (main/hub/grid-snap.ts); the answer carries the snapped one.
    schema: cmd({ baseVersion: z.number().int().min(1), route: RouteInput }),
    result: z.object({ route: Route, gridVersion: z.number().int() }),
  },
  'route:delete': {
    roles: ['admin'],
    schema: cmd({ baseVersion: z.number().int().min(1), routeId: Id }),
    result: z.object({ id: Id, gridVersion: z.number().int() }),
  },
  'grid:import': {
    roles: ['admin'],
    // GeoJSON as grid:get exports it (shared/grid.ts gridToGeoJSON): every feature is checked, and one
    // refused feature refuses the import (the message lists each, by its place in the file); one version.
    schema: cmd({ baseVersion: z.number().int().min(1), collection: GridImport }),
    result: z.object({ gridVersion: z.number().int(), cells: z.number().int(), posts: z.number().int(), routes: z.number().int() }),
  },
} as const;

/** Field-device commands. A device speaks for its own unit; a gateway device (the simulator) for any unit. */
export const fieldCommands = {
  'checkin:create': {
    // Accepted only inside the post's fence with a plausible fix (its time and accuracy; docs/protocol.md).
    schema: cmd({ unitId: Id, postId: Id, position: LngLat, fix: CheckFix }),
    result: z.object({ checkIn: CheckIn }),
  },
  // Each step is stamped with where the unit was (required on the move and on arrival, given when known otherwise).
  'task:accept': { schema: cmd({ unitId: Id, taskId: Id, position: LngLat.optional() }), result: z.object({ task: Task }) },
  'task:refuse': { schema: cmd({ unitId: Id, taskId: Id, reason: text(500).min(1), position: LngLat.optional() }), result: z.object({ task: Task }) },
  'task:depart': { schema: cmd({ unitId: Id, taskId: Id, position: LngLat }), result: z.object({ task: Task }) },
  'checkin:override-request': {
    // A refused check-in: ask the console to accept it anyway, saying why (no signal, post moved …).
    schema: cmd({ unitId: Id, postId: Id, position: LngLat, reason: text(500).min(2), refusal: text(500).default('') }),
    result: z.object({ override: OverrideRequest }),
  },
  'rollcall:answer': {
    schema: cmd({ unitId: Id, rollCallId: Id, position: LngLat, fix: CheckFix }),
    result: z.object({ rollCall: RollCall }),
  },
  'task:arrive': { schema: cmd({ unitId: Id, taskId: Id, position: LngLat }), result: z.object({ task: Task }) },
  'task:finish': { schema: cmd({ unitId: Id, taskId: Id, note: text(2000).default(''), position: LngLat.optional() }), result: z.object({ task: Task }) },
  'sos:raise': { schema: cmd({ unitId: Id, position: LngLat, note: text(500).default('') }), result: z.object({ sos: Sos }) },
  'incident:report': {
    schema: cmd({
      unitId: Id, category: IncidentCategory, subtype: SubtypeId.nullable().default(null), priority: Priority, position: LngLat,
      description: text(2000), photo: PhotoUpload.optional(),
    }),
    result: z.object({ incident: Incident }),
  },
} as const;

export type ConsoleCommandName = keyof typeof consoleCommands;
export type FieldCommandName = keyof typeof fieldCommands;
export type CommandInput<C extends { schema: z.ZodType }> = z.input<C['schema']>;
export type CommandPayload<C extends { schema: z.ZodType }> = z.output<C['schema']>;
export type CommandResult<C extends { result: z.ZodType }> = z.infer<C['result']>;
