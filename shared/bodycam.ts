// Body-worn cameras (执法记录仪) as telemetry of the unit that wears one: recording or not, battery,
// storage left, last upload. The field side reports it (a phone for its unit, a gateway for any), the hub
// keeps the latest per unit and alerts when a camera stops recording while its unit works a task.
import { z } from 'zod';
import { Id } from './domain';

const Reading = z.strictObject({
  unitId: Id,
  /** when the camera was read (device clock, ms since the epoch) */
  t: z.number().int().positive(),
  recording: z.boolean(),
  batteryPct: z.number().int().min(0).max(100),
  /** storage left on the camera, MB (a recorder holds at most a few hundred GB) */
  storageFreeMb: z.number().int().min(0).max(4_000_000),
  /** when the camera last finished uploading its footage (device clock); null: never since it was issued */
  lastUploadAt: z.number().int().positive().nullable(),
});

export const BodycamReport = Reading.refine((r) => r.lastUploadAt === null || r.lastUploadAt <= r.t, {
  message: 'lastUploadAt is after the reading it comes with', path: ['lastUploadAt'],
});
export type BodycamReport = z.infer<typeof BodycamReport>;
export const BodycamBatch = z.strictObject({ reports: z.array(BodycamReport).min(1).max(5000) });
export type BodycamBatch = z.infer<typeof BodycamBatch>;

/** The latest reading of a unit's camera as the hub keeps it: `receivedAt` is on the hub's clock. */
export const BodycamStatus = Reading.extend({ receivedAt: z.number().int() });
export type BodycamStatus = z.infer<typeof BodycamStatus>;

/**
 * Why the hub did not take a reading of a valid message: a unit it does not know, a time outside
 * [hub now − 24 h, hub now + 2 min], older than (or as old as) the unit's latest reading, or sooner than
 * BODYCAM_RULES.minGapMs after it (a camera is read every half minute or so; more is a runaway device).
 */
export type BodycamRefusal = 'unknown_unit' | 'too_old' | 'in_future' | 'out_of_order' | 'too_frequent';
export type BodycamAck = { accepted: number; refused?: { unitId: string; t: number; reason: BodycamRefusal }[] };

export const BODYCAM_RULES = {
  minGapMs: 5_000,
  maxAgeMs: 24 * 3600_000,
  maxAheadMs: 2 * 60_000,
  /** a reading older than this (hub clock) is shown as stale: the figures are what was, not what is */
  staleAfterMs: 3 * 60_000,
} as const;

/** A camera that stopped recording while its unit had a task in hand. Cleared when it records again (or the task is over). */
export const BodycamAlert = z.object({
  id: Id,
  unitId: Id,
  taskId: Id,
  /** the reading time of the first report that said it was not recording */
  since: z.number().int(),
  raisedAt: z.number().int(),
  clearedAt: z.number().int().nullable(),
  clearedBy: z.enum(['recording', 'task_over']).nullable(),
  acknowledgedBy: z.string().nullable(),
  acknowledgedAt: z.number().int().nullable(),
});
export type BodycamAlert = z.infer<typeof BodycamAlert>;

export type BodycamSnapshot = { statuses: BodycamStatus[]; alerts: BodycamAlert[] };

/**
 * What a newer reading means for the unit's alert: raise one (not recording, a task in hand, none open),
 * clear the open one (recording again, or no task any more), or nothing.
 */
export function bodycamAlertStep(s: { recording: boolean; taskId: string | null; alertOpen: boolean }): 'raise' | 'clear_recording' | 'clear_task_over' | null {
  if (s.alertOpen) {
    if (s.recording) return 'clear_recording';
    if (s.taskId === null) return 'clear_task_over';
    return null;
  }
  return !s.recording && s.taskId !== null ? 'raise' : null;
}

/** How old a reading is on the hub's clock, and whether that is too old to stand for now. */
export function bodycamAge(status: Pick<BodycamStatus, 'receivedAt'>, hubNow: number): { ageMs: number; stale: boolean } {
  const ageMs = Math.max(0, hubNow - status.receivedAt);
  return { ageMs, stale: ageMs > BODYCAM_RULES.staleAfterMs };
}
