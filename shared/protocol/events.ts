// Hub→client events. Domain events carry a sequence number from the hub's event log: a client that
// reconnects asks for everything after the last number it saw (`events:since`). Positions and stream
// health are live state, not history: on reconnect the client takes a fresh snapshot of them instead.
import { z } from 'zod';
import { Alert, Area, Camera, CheckIn, Id, Incident, ModeChange, Route, Sos, Task, UnitStatus } from '../domain';
import type { PositionFix } from '../domain';
import { FenceAlert, OverrideRequest, RollCall, Shift } from '../attendance';
import { HolidayCalendar } from '../calendar';
import { BodycamAlert } from '../bodycam';
import { VersionedProfile } from '../modes';

export const HubEventData = z.discriminatedUnion('type', [
  z.object({ type: z.literal('incident:created'), incident: Incident }),
  z.object({ type: z.literal('incident:updated'), incident: Incident }),
  z.object({ type: z.literal('task:updated'), task: Task }),
  z.object({ type: z.literal('sos:raised'), sos: Sos }),
  z.object({ type: z.literal('sos:updated'), sos: Sos }),
  z.object({ type: z.literal('mode:changed'), change: ModeChange }),
  z.object({ type: z.literal('checkin:recorded'), checkIn: CheckIn }),
  z.object({ type: z.literal('unit:status'), unitId: Id, status: UnitStatus }),
  z.object({ type: z.literal('alert:raised'), alert: Alert }),
  z.object({ type: z.literal('shift:updated'), shift: Shift }),
  z.object({ type: z.literal('override:updated'), override: OverrideRequest }),
  z.object({ type: z.literal('rollcall:updated'), rollCall: RollCall }),
  z.object({ type: z.literal('fence:updated'), fence: FenceAlert }),
  /** the holiday calendar after an edit, whole (it is a few dozen days) */
  z.object({ type: z.literal('calendar:changed'), calendar: HolidayCalendar }),
  z.object({ type: z.literal('camera:updated'), camera: Camera }),
  z.object({ type: z.literal('bodycam:alert'), alert: BodycamAlert }),
  /** an admin saved a new version of a mode's profile: it is the one in force for that mode from now on */
  z.object({ type: z.literal('profile:updated'), profile: VersionedProfile, reason: z.string() }),
  /** an admin's grid edit: the cells, posts and routes it saved (whole), those it retired, and the new grid version */
  z.object({
    type: z.literal('grid:changed'), version: z.number().int(), areas: z.array(Area), routes: z.array(Route),
    retired: z.object({ areaIds: z.array(Id), routeIds: z.array(Id) }),
  }),
]);
export type HubEventData = z.infer<typeof HubEventData>;
export type HubEventType = HubEventData['type'];

/** Events for consoles only: a camera's sources may carry a stream's credentials, which no field device needs; a profile's edit is the consoles' (a field page asks mode:here). */
export const CONSOLE_ONLY_EVENTS: readonly HubEventType[] = ['camera:updated'];

/** A sequenced event as it travels: `seq` increases by one per event, hub-wide. */
export type HubEvent = { seq: number; at: number; data: HubEventData };

export type PositionBatch = { fixes: PositionFix[] };

export const StreamState = z.enum(['up', 'starting', 'down', 'idle']);
export type StreamHealth = {
  cameraId: string;
  state: z.infer<typeof StreamState>;
  reason: string | null;
  bitrateKbps: number | null;
  /** age of the newest segment in ms when last measured; null when none yet */
  segmentAgeMs: number | null;
  since: number;
};

/** What went wrong with the hub's storage, by name (main/store/faults.ts reads it off SQLite's error codes). */
export const StorageFault = z.enum(['full', 'io', 'readonly', 'busy', 'corrupt']);
export type StorageFault = z.infer<typeof StorageFault>;

/**
 * The hub's storage as it is now (live state, like stream health): a fault from the first write that
 * failed until the next one that succeeded on the same path. While it lasts, commands are refused (nothing
 * of them is stored; each may be sent again with its commandId) and fixes are kept in memory, not marked
 * durable. `paths`: which writers fail (commands, positions).
 */
export type StorageHealth = {
  fault: StorageFault | null;
  /** when the first write of this fault failed; null while the storage is healthy */
  since: number | null;
  /** SQLite's code for the latest failure, e.g. SQLITE_FULL */
  code: string | null;
  paths: Array<'commands' | 'positions'>;
  /** commands refused since the fault began */
  refused: number;
};
export const HEALTHY_STORAGE: StorageHealth = { fault: null, since: null, code: null, paths: [], refused: 0 };
