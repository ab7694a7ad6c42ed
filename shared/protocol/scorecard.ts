// The star-rating scorecard (千分制): which indicators there are, how much each weighs (data in
// resources/scorecard/scorecard.json, validated here), and the wire types of `score:card` and the exports.
import { z } from 'zod';
import { TIMELINE_TARGETS_MAX, TimelineTargets } from './reads';

/** Every indicator the hub knows how to compute from the record (main/store/scorecard.ts). */
export const IndicatorId = z.enum([
  'checkin_compliance', 'on_post_rate', 'task_ack_in_time', 'task_arrive_in_time', 'task_finish_in_time',
  'sos_ack_in_time', 'camera_availability', 'incident_closure', 'rollcall_answered', 'route_coverage', 'cell_dwell',
  'mode_change_reasons', 'alert_ack_in_time',
]);
export type IndicatorId = z.infer<typeof IndicatorId>;

const Text = z.strictObject({ zh: z.string().min(1), en: z.string().min(1) });

export const ScorecardConfig = z.strictObject({
  version: z.number().int().min(1),
  indicators: z.array(z.strictObject({
    id: IndicatorId,
    weight: z.number().int().min(0).max(1000),
    name: Text,
    /** how it is computed, in words a reviewer can check against the record */
    definition: Text,
  })).min(1),
  /** an SOS counts as answered in time when acknowledged within this many seconds of being raised */
  sosAckTargetSec: z.number().int().min(1),
  /** a fence alert counts as acknowledged in time within this many seconds of being raised */
  alertAckTargetSec: z.number().int().min(1).default(300),
  /** a mode change by a person counts as reasoned when its reason holds at least this many characters, trimmed */
  modeReasonMinChars: z.number().int().min(1).default(2),
  /** star levels: the least total score for each number of stars, highest first */
  stars: z.array(z.strictObject({ stars: z.number().int().min(1).max(5), minScore: z.number().min(0).max(1000) })).min(1),
}).superRefine((c, ctx) => {
  const sum = c.indicators.reduce((s, i) => s + i.weight, 0);
  if (sum !== 1000) ctx.addIssue({ code: 'custom', message: `indicator weights sum to ${sum}, not 1000`, path: ['indicators'] });
  const ids = c.indicators.map((i) => i.id);
  if (new Set(ids).size !== ids.length) ctx.addIssue({ code: 'custom', message: 'an indicator is listed twice', path: ['indicators'] });
  for (let i = 1; i < c.stars.length; i++) {
    if (c.stars[i]!.minScore >= c.stars[i - 1]!.minScore) ctx.addIssue({ code: 'custom', message: 'star thresholds go from highest to lowest', path: ['stars', i] });
  }
});
export type ScorecardConfig = z.infer<typeof ScorecardConfig>;

const Time = z.number().int().min(0);
const MAX_PERIOD_MS = 366 * 24 * 3_600_000;
export const ScoreCardRequest = z.strictObject({ from: Time, to: Time })
  .refine((r) => r.from < r.to && r.to - r.from <= MAX_PERIOD_MS, { message: 'a period has from < to and covers at most 366 days', path: ['to'] });
export type ScoreCardRequest = z.input<typeof ScoreCardRequest>;

/**
 * Where a figure came from: the timeline filter that lists its entries (`action`, `actionPrefix`, and
 * `targets`: the ids the counted entries concern, at most SOURCE_TARGETS_MAX), or the coverage kept as
 * data (`coverage`), which has no audit entries of its own.
 */
export type IndicatorSource = { action?: string; actionPrefix?: string; targets?: string[]; coverage?: 'routes' | 'dwell' };
export const SOURCE_TARGETS_MAX = TIMELINE_TARGETS_MAX;

export type IndicatorScore = {
  id: IndicatorId;
  name: { zh: string; en: string };
  definition: { zh: string; en: string };
  weight: number;
  /** counted events that met the indicator, out of `of`; rate = met / of (null: nothing to count in the period) */
  met: number;
  of: number;
  rate: number | null;
  /** weight × rate, rounded to 0.1; an indicator with nothing to count scores its full weight (nothing was missed) */
  points: number;
  /** e.g. the median SOS acknowledge time, in seconds */
  detail: Record<string, number | null>;
  source: IndicatorSource;
};

export type ScoreCardResult = {
  from: number;
  to: number;
  configVersion: number;
  total: number;
  stars: number;
  indicators: IndicatorScore[];
  /** the same card for the period of the same length just before. `recorded`: false when the record holds
   * nothing in it (e.g. before the hub ran) — its total is then an empty record's full marks, not a score to
   * compare with */
  previous: { from: number; to: number; total: number; stars: number; recorded: boolean };
};

export const ExportFormat = z.enum(['csv', 'pdf']);
export const ExportLang = z.enum(['zh-CN', 'en']);
/** What to export: the scorecard of a period, or the timeline rows of a filter (shared/protocol/reads.ts AuditTimelineRequest, without paging). */
export const ExportRequest = z.strictObject({
  what: z.enum(['timeline', 'scorecard']),
  format: ExportFormat,
  lang: ExportLang.default('zh-CN'),
  from: Time,
  to: Time,
  actor: z.string().min(1).max(64).optional(),
  action: z.string().min(1).max(64).optional(),
  actionPrefix: z.string().regex(/^[a-z][a-z_-]*:?[a-z_-]*$/).max(64).optional(),
  target: z.string().min(1).max(64).optional(),
  targets: TimelineTargets.optional(),
  outcome: z.enum(['accepted', 'rejected']).optional(),
  text: z.string().min(2).max(200).optional(),
}).refine((r) => r.from < r.to, { message: 'from must be before to', path: ['to'] })
  .refine((r) => !(r.target && r.targets), { message: 'give target or targets, not both', path: ['targets'] });
export type ExportRequest = z.input<typeof ExportRequest>;

/** At most this many timeline rows go into one export; `truncated` says when there were more. */
export const EXPORT_ROWS_MAX = 20_000;

export type ExportResult = {
  fileName: string;
  mime: 'text/csv' | 'application/pdf';
  /** the file, base64 */
  data: string;
  rows: number;
  truncated: boolean;
  /** the chain as verified when the file was made, and the signed checkpoint line printed in it */
  chain: { ok: boolean; count: number; headHash: string; firstBad: { seq: number; why: string } | null; checkpoint: string | null; publicKey: string | null };
};

export const AUDIT_RAW_PAGE_MAX = 2000;
export const AuditRawRequest = z.strictObject({ afterSeq: z.number().int().min(0), limit: z.number().int().min(1).max(AUDIT_RAW_PAGE_MAX).optional() });
export type AuditRawRequest = z.input<typeof AuditRawRequest>;
/** `entry`: the stored text the hash covers (rule 2: hash = SHA-256(prevHash ‖ "\n" ‖ UTF-8 of entry)); rule 1 entries predate store v30. */
export type AuditRawResult = { entries: Array<{ seq: number; rule: 1 | 2; entry: string; prevHash: string; hash: string }> };

/** Coverage kept as data (`score:coverage`): periods overlapping [from, to), optionally of one unit. */
export const CoverageRequest = z.strictObject({ from: Time, to: Time, unitId: z.string().min(1).max(64).optional() })
  .refine((r) => r.from < r.to && r.to - r.from <= MAX_PERIOD_MS, { message: 'a period has from < to and covers at most 366 days', path: ['to'] });
export type CoverageRequest = z.input<typeof CoverageRequest>;
/** At most this many rows of each kind in one answer; `truncated` says when there were more. */
export const COVERAGE_ROWS_MAX = 5000;
export type CoverageResult = {
  /** per patrol vehicle and shift period: route pieces (of `pieceM` metres) driven within the corridor */
  routes: Array<{ unitId: string; routeId: string; from: number; to: number; pieces: number; driven: number; share: number }>;
  /** per officer, shift period and cell ('' = in no cell): time between fixes at most `maxGapMs` apart */
  dwell: Array<{ unitId: string; cellId: string; from: number; to: number; shiftId: string | null; assigned: boolean; dwellMs: number }>;
  truncated: boolean;
};

/** The signed checkpoints the hub recorded (`audit:checkpoints`), newest first, and its public key. */
export const CheckpointsRequest = z.strictObject({ limit: z.number().int().min(1).max(200).optional() });
export type CheckpointsRequest = z.input<typeof CheckpointsRequest>;
export type CheckpointsResult = {
  /** "ed25519:<base64url>" of the key beside the database, null when it has never signed; compare it with one noted elsewhere */
  publicKey: string | null;
  /** `seq`: the audit entry that recorded the line (`audit:checkpoint` or `audit:export`) */
  checkpoints: Array<{ seq: number; at: number; actor: string; action: string; line: string }>;
};
