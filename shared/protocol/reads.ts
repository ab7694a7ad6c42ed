// Schemas of the evaluator's read requests on /console (audit timeline, unit track, map replay,
// retention policy): the hub validates with these, clients compile against their z.input types.
import { z } from 'zod';
import { Id, Lat, Lng, type AuditEntry, type PositionFix } from '../domain';
import type { Concern } from '../audit';

export const TIMELINE_PAGE_MAX = 500;
const Time = z.number().int().min(0);
const Key = z.strictObject({ at: z.number().int(), seq: z.number().int().min(0) });
/** At most as many as a scorecard figure names (shared/protocol/scorecard.ts SOURCE_TARGETS_MAX). */
export const TIMELINE_TARGETS_MAX = 200;
export const TimelineTargets = z.array(z.string().min(1).max(64)).min(1).max(TIMELINE_TARGETS_MAX);

export const AuditTimelineRequest = z.strictObject({
  from: Time,
  to: Time,
  /** page forward from here (the previous page's `cursor`); omit both for the first page */
  after: Key.optional(),
  /** page backward from here; `{ at: to, seq: 0 }` gives the last page of the range */
  before: Key.optional(),
  limit: z.number().int().min(1).max(TIMELINE_PAGE_MAX).optional(),
  actor: z.string().min(1).max(64).optional(),
  action: z.string().min(1).max(64).optional(),
  /** every action starting with this, e.g. 'task:' */
  actionPrefix: z.string().regex(/^[a-z][a-z_-]*:?[a-z_-]*$/, 'an action prefix is lower-case letters, _ - and at most one :').max(64).optional(),
  target: z.string().min(1).max(64).optional(),
  /** entries about any of these (e.g. the SOS calls a scorecard figure counted: its source.targets) */
  targets: TimelineTargets.optional(),
  outcome: z.enum(['accepted', 'rejected']).optional(),
  /** free text: a substring of the entry (case-insensitive); bounded, see `truncated` */
  text: z.string().min(2).max(200).optional(),
}).refine((r) => r.from <= r.to, { message: 'from must not be after to', path: ['to'] })
  .refine((r) => !(r.target && r.targets), { message: 'give target or targets, not both', path: ['targets'] })
  .refine((r) => !(r.after && r.before), { message: 'page either after or before, not both', path: ['before'] })
  .refine((r) => !(r.action && r.actionPrefix), { message: 'give action or actionPrefix, not both', path: ['actionPrefix'] });
export type AuditTimelineRequest = z.input<typeof AuditTimelineRequest>;

export type TimelineEntry = AuditEntry & { concerns: Concern | null };
export type AuditTimelineResult = {
  entries: TimelineEntry[];
  /** where the next page in the same direction starts; null when there is none */
  cursor: { at: number; seq: number } | null;
  /** a text search read `scanned` entries (its bound) and stopped before filling the page: go on from `cursor` */
  truncated: boolean;
  scanned: number;
};

export const DAY_MS = 24 * 3_600_000;
export const UnitTrackRequest = z.strictObject({ unitId: Id, from: Time, to: Time })
  .refine((r) => r.from <= r.to && r.to - r.from <= DAY_MS, { message: 'a track covers from ≤ to, at most 24 h', path: ['to'] });
export type UnitTrackRequest = z.input<typeof UnitTrackRequest>;
export type UnitTrackResult = { unitId: string; fixes: PositionFix[] };

export const REPLAY_WINDOW_MAX_MS = 10 * 60_000;
export const REPLAY_FIXES_MAX = 200_000;
export const ReplayWindowRequest = z.strictObject({
  from: Time,
  to: Time,
  /** [west, south, east, north] */
  bbox: z.tuple([Lng, Lat, Lng, Lat]).optional(),
}).refine((r) => r.from <= r.to && r.to - r.from <= REPLAY_WINDOW_MAX_MS, { message: 'a replay window covers from ≤ to, at most 10 min', path: ['to'] });
export type ReplayWindowRequest = z.input<typeof ReplayWindowRequest>;
/** `truncated`: more than REPLAY_FIXES_MAX fixes in the window; the earliest are returned, ask a shorter window. */
export type ReplayWindowResult = { fixes: PositionFix[]; truncated: boolean };

export type RetentionPolicyResult = {
  /** fixes younger than this are kept as received */
  fullRateDays: number;
  /** older fixes: the first fix of each unit in each interval of this many ms is kept, the rest deleted */
  downsampleMs: number;
  /** older than this, nothing is kept (null: kept for ever at the downsampled rate) */
  keepDays: number | null;
};
