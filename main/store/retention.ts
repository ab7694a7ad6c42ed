// Position retention: fixes are kept as received for `fullRateDays`, then thinned to the first fix of
// each unit in each `downsampleMs` interval (in `positions` and in the minute segments alike), and —
// if `keepDays` is set — deleted after that. Applied in time order from a watermark (store_marks), a
// minute of history per transaction, so a run after a long pause does not hold the write lock for
// long, and a second run over the same range does nothing. The audit log is never touched.
import type { RetentionPolicyResult } from '../../shared/protocol/reads';
import type { Db } from './db';
import { FIX_BYTES, MINUTE_MS, readMark, writeMark } from './segments';
import { prepared } from './statements';

export type RetentionPolicy = RetentionPolicyResult;
export const DEFAULT_RETENTION: RetentionPolicy = { fullRateDays: 30, downsampleMs: 10_000, keepDays: null };
const DAY_MS = 86_400_000;
const DOWNSAMPLED_MARK = 'positions_downsampled_through';

export const RETENTION_SQL = {
  // The next minute that holds anything: retention skips the empty stretches (a hub that was off).
  nextFix: 'SELECT min(t) AS t FROM positions WHERE t >= ?',
  nextSegment: 'SELECT min(minute) AS t FROM position_segments WHERE minute >= ?',
  // Every fix of the chunk but the first of its unit in its interval (t is an integer: / divides).
  thin: `DELETE FROM positions WHERE (t, unit_id) IN (
      SELECT t, unit_id FROM (
        SELECT t, unit_id, row_number() OVER (PARTITION BY unit_id, t / CAST(@step AS INTEGER) ORDER BY t) AS k
        FROM positions WHERE t >= @lo AND t < @hi)
      WHERE k > 1)`,
  segmentsOfMinute: 'SELECT unit_id, part, fixes FROM position_segments WHERE minute = ? ORDER BY unit_id, part',
  dropSegment: 'DELETE FROM position_segments WHERE unit_id = ? AND minute = ?',
  putSegment: 'INSERT INTO position_segments (unit_id, minute, part, n, fixes) VALUES (?, ?, 0, ?, ?)',
  expirePositions: 'DELETE FROM positions WHERE t < ?',
  expireSegments: 'DELETE FROM position_segments WHERE minute < ?',
} as const;

/** `more`: the run stopped at its minute budget with older history still to thin (run it again). */
export type RetentionRun = { thinnedFixes: number; rewrittenSegments: number; expiredFixes: number; downsampledThrough: number; more: boolean };

/** Decodes a segment's fixes (the format of segments.ts) only as far as retention needs: t and bytes. */
function thinSegments(parts: Buffer[], minute: number, step: number): { n: number; fixes: Buffer } {
  const seen = new Map<number, Buffer>(); // t → the fix's bytes, first kept
  for (const p of parts) for (let o = 0; o + FIX_BYTES <= p.length; o += FIX_BYTES) {
    const t = minute + p.readUInt16LE(o);
    if (!seen.has(t)) seen.set(t, p.subarray(o, o + FIX_BYTES));
  }
  const kept: Buffer[] = [];
  let bucket = -1;
  for (const t of [...seen.keys()].sort((a, b) => a - b)) {
    const b = Math.floor(t / step);
    if (b === bucket) continue;
    bucket = b;
    kept.push(seen.get(t)!);
  }
  return { n: kept.length, fixes: Buffer.concat(kept) };
}

/**
 * Applies the policy up to `now`. Returns what it did. `maxMinutes` bounds how many minutes of history
 * one call thins (the scheduled run does a bounded slice per system command, see hub/handlers/retention.ts).
 */
export function applyRetention(db: Db, now: number, policy: RetentionPolicy = DEFAULT_RETENTION, maxMinutes = Infinity): RetentionRun {
  const run: RetentionRun = { thinnedFixes: 0, rewrittenSegments: 0, expiredFixes: 0, downsampledThrough: 0, more: false };
  if (policy.keepDays !== null) {
    const cutoff = now - policy.keepDays * DAY_MS;
    db.transaction(() => {
      run.expiredFixes = prepared(db, RETENTION_SQL.expirePositions).run(cutoff).changes;
      prepared(db, RETENTION_SQL.expireSegments).run(cutoff - (cutoff % MINUTE_MS));
    })();
  }
  // Thin whole minutes only, so a segment minute is thinned exactly once.
  const fullFrom = now - policy.fullRateDays * DAY_MS;
  const until = fullFrom - (fullFrom % MINUTE_MS);
  const mark = readMark(db, DOWNSAMPLED_MARK) ?? -Infinity;
  const next = (from: number): number | null => {
    const a = (prepared(db, RETENTION_SQL.nextFix).get(from) as { t: number | null }).t;
    const b = (prepared(db, RETENTION_SQL.nextSegment).get(from) as { t: number | null }).t;
    const t = a === null ? b : b === null ? a : Math.min(a, b);
    return t === null ? null : t - (t % MINUTE_MS);
  };
  let minutesDone = 0;
  let minute = next(Number.isFinite(mark) ? mark : 0);
  for (; minute !== null && minute < until; minute = next(minute + MINUTE_MS)) {
    if (minutesDone++ >= maxMinutes) {
      run.more = true;
      run.downsampledThrough = readMark(db, DOWNSAMPLED_MARK) ?? 0;
      return run;
    }
    const m = minute;
    db.transaction(() => {
      run.thinnedFixes += prepared(db, RETENTION_SQL.thin).run({ lo: m, hi: m + MINUTE_MS, step: policy.downsampleMs }).changes;
      const byUnit = new Map<string, Buffer[]>();
      for (const r of prepared(db, RETENTION_SQL.segmentsOfMinute).all(m) as Array<{ unit_id: string; part: number; fixes: Buffer }>) {
        const list = byUnit.get(r.unit_id);
        if (list) list.push(r.fixes);
        else byUnit.set(r.unit_id, [r.fixes]);
      }
      for (const [unitId, parts] of byUnit) {
        const thinned = thinSegments(parts, m, policy.downsampleMs);
        prepared(db, RETENTION_SQL.dropSegment).run(unitId, m);
        if (thinned.n) prepared(db, RETENTION_SQL.putSegment).run(unitId, m, thinned.n, thinned.fixes);
        run.rewrittenSegments++;
      }
      writeMark(db, DOWNSAMPLED_MARK, m + MINUTE_MS);
    })();
  }
  if (until > mark) db.transaction(() => writeMark(db, DOWNSAMPLED_MARK, until))();
  run.downsampledThrough = Math.max(until, mark);
  return run;
}

