// The counts behind the scorecard (千分制), read from the record for a period [from, to): each is one
// query that starts from an index on the period's time (migration 0120) and looks up what it needs per
// row through another index, so a card costs what happened in the period, not the size of the store.
import { coverageTotals, type CoverageTotals } from './coverage';
import type { ReadDb } from './db';
import { prepared } from './statements';

/** The store's own SQL, exported so query-plan tests read what actually runs. */
export const SCORECARD_SQL = {
  // Whether the record holds anything in the period at all (nothing before the hub ran): by the audit log's time index.
  recorded: 'SELECT 1 AS any FROM audit_log WHERE at >= @from AND at < @to LIMIT 1',
  checkIns: 'SELECT count(*) AS n, coalesce(sum(on_site), 0) AS onSite FROM check_ins WHERE at >= @from AND at < @to',
  // What was broadcast is the record of alerts: a missed check-in of an off-duty unit raised none.
  alertsOfKind: `SELECT count(*) AS n FROM events
    WHERE type = 'alert:raised' AND at >= @from AND at < @to AND json_extract(data, '$.alert.kind') = @kind`,
  // A task's finish deadline is kept with its scheduled deadline action (store v70), not in tasks. A step
  // still within its deadline at @now is neither met nor missed yet: it is not counted (`…Due` counts the decided).
  tasks: `WITH t AS (
      SELECT t.id, t.ack_deadline, t.arrive_deadline,
        (SELECT min(json_extract(a.payload, '$.deadline')) FROM scheduled_actions a WHERE a.subject = t.id AND a.kind = 'task:finish-overdue') AS finish_deadline
      FROM tasks t WHERE t.assigned_at >= @from AND t.assigned_at < @to),
    m AS MATERIALIZED (
      SELECT t.*,
        EXISTS (SELECT 1 FROM task_steps s WHERE s.task_id = t.id AND s.state = 'accepted' AND s.at <= t.ack_deadline) AS acked,
        EXISTS (SELECT 1 FROM task_steps s WHERE s.task_id = t.id AND s.state = 'arrived' AND s.at <= t.arrive_deadline) AS arrived,
        EXISTS (SELECT 1 FROM task_steps s WHERE s.task_id = t.id AND s.state = 'finished' AND s.at <= t.finish_deadline) AS finished
      FROM t)
    SELECT count(*) AS n,
      coalesce(sum(acked), 0) AS acked, coalesce(sum(acked OR ack_deadline <= @now), 0) AS ackDue,
      coalesce(sum(arrived), 0) AS arrived, coalesce(sum(arrived OR arrive_deadline <= @now), 0) AS arriveDue,
      coalesce(sum(finished), 0) AS finished, coalesce(sum(finished OR coalesce(finish_deadline, 0) <= @now), 0) AS finishDue
    FROM m`,
  sos: `SELECT s.id, s.raised_at AS raisedAt,
      (SELECT min(a.at) FROM audit_log a WHERE a.target = s.id AND a.action = 'sos:acknowledge' AND a.outcome = 'accepted') AS ackedAt
    FROM sos s WHERE s.raised_at >= @from AND s.raised_at < @to`,
  keyCameras: 'SELECT id FROM cameras WHERE key = 1 ORDER BY id',
  // A key camera's down and recovery alerts are system commands that target it (main/hub/alerts.ts).
  cameraStateBefore: `SELECT action FROM audit_log WHERE target = @camera AND at < @from AND action IN ('camera:stale', 'camera:recovered')
    ORDER BY at DESC LIMIT 1`,
  cameraChanges: `SELECT at, action FROM audit_log WHERE target = @camera AND at >= @from AND at < @to AND action IN ('camera:stale', 'camera:recovered')
    ORDER BY at`,
  // How long each step took, for the medians shown beside the in-time rates.
  taskTimes: `SELECT
      (SELECT min(s.at) FROM task_steps s WHERE s.task_id = t.id AND s.state = 'accepted') - t.assigned_at AS ackMs,
      (SELECT min(s.at) FROM task_steps s WHERE s.task_id = t.id AND s.state = 'arrived') - t.assigned_at AS arriveMs,
      (SELECT min(s.at) FROM task_steps s WHERE s.task_id = t.id AND s.state = 'finished') - t.assigned_at AS finishMs
    FROM tasks t WHERE t.assigned_at >= @from AND t.assigned_at < @to`,
  rollCalls: `SELECT coalesce(sum(t.state = 'answered'), 0) AS answered, coalesce(sum(t.state = 'missed'), 0) AS missed,
      coalesce(sum(t.state = 'pending'), 0) AS pending
    FROM roll_calls r JOIN roll_call_targets t ON t.roll_call_id = r.id WHERE r.at >= @from AND r.at < @to`,
  // Changes by people must say why; the schedule's own switches are counted apart.
  modeChanges: `SELECT coalesce(sum(by <> 'system'), 0) AS byPeople,
      coalesce(sum(by <> 'system' AND length(trim(reason)) >= @minChars), 0) AS withReason, coalesce(sum(by = 'system'), 0) AS scheduled
    FROM mode_changes WHERE at >= @from AND at < @to`,
  fenceAlerts: 'SELECT id, raised_at AS raisedAt, acknowledged_at AS ackedAt FROM fence_alerts WHERE raised_at >= @from AND raised_at < @to',
  incidents: `SELECT count(*) AS n,
      coalesce(sum(EXISTS (SELECT 1 FROM audit_log a WHERE a.target = i.id AND a.action = 'incident:close' AND a.outcome = 'accepted' AND a.at < @to)), 0) AS closed
    FROM incidents i WHERE i.created_at >= @from AND i.created_at < @to`,
} as const;

/** `now`: what is still within its deadline then is pending, not missed. */
export type Period = { from: number; to: number; now: number };

export type ScorecardCounts = {
  /** the audit log has an entry in the period: false when nothing was recorded then (e.g. before the hub ran) */
  recorded: boolean;
  checkIns: { n: number; onSite: number; missed: number };
  /** n assigned; met per step, and how many were decided by `now` (met, or past their deadline) */
  tasks: { n: number; acked: number; ackDue: number; arrived: number; arriveDue: number; finished: number; finishDue: number };
  /** each SOS raised in the period: when, and when first acknowledged (null: never) */
  sos: Array<{ id: string; raisedAt: number; ackedAt: number | null }>;
  cameras: { keyCameras: number; downMs: number };
  incidents: { n: number; closed: number };
  /** time from assignment to each task's first accepted / arrived / finished step (null: not yet) */
  taskTimes: Array<{ ackMs: number | null; arriveMs: number | null; finishMs: number | null }>;
  /** the targets of roll-calls started in the period, by how they stand */
  rollCalls: { answered: number; missed: number; pending: number };
  modeChanges: { byPeople: number; withReason: number; scheduled: number };
  /** fence alerts raised in the period and when first acknowledged (null: never) */
  fenceAlerts: Array<{ id: string; raisedAt: number; ackedAt: number | null }>;
  coverage: CoverageTotals;
};

/** How long each key camera was down within the period: from its down alert to its recovery alert. */
function cameraDowntime(db: ReadDb, p: Period): { keyCameras: number; downMs: number } {
  const cameras = prepared(db, SCORECARD_SQL.keyCameras).all() as Array<{ id: string }>;
  let downMs = 0;
  for (const { id } of cameras) {
    const before = prepared(db, SCORECARD_SQL.cameraStateBefore).get({ camera: id, from: p.from }) as { action: string } | undefined;
    let downSince: number | null = before?.action === 'camera:stale' ? p.from : null;
    for (const c of prepared(db, SCORECARD_SQL.cameraChanges).all({ camera: id, from: p.from, to: p.to }) as Array<{ at: number; action: string }>) {
      if (c.action === 'camera:stale' && downSince === null) downSince = c.at;
      else if (c.action === 'camera:recovered' && downSince !== null) {
        downMs += c.at - downSince;
        downSince = null;
      }
    }
    if (downSince !== null) downMs += p.to - downSince;
  }
  return { keyCameras: cameras.length, downMs };
}

/** `minReasonChars`: the least a mode change's reason must hold, trimmed, to count as one. */
export function scorecardCounts(db: ReadDb, p: Period, minReasonChars = 2): ScorecardCounts {
  const period = { from: p.from, to: p.to };
  const checkIns = prepared(db, SCORECARD_SQL.checkIns).get(period) as { n: number; onSite: number };
  const missed = (prepared(db, SCORECARD_SQL.alertsOfKind).get({ ...period, kind: 'checkin_missed' }) as { n: number }).n;
  return {
    recorded: prepared(db, SCORECARD_SQL.recorded).get(period) !== undefined,
    checkIns: { ...checkIns, missed },
    tasks: prepared(db, SCORECARD_SQL.tasks).get({ ...period, now: p.now }) as ScorecardCounts['tasks'],
    sos: prepared(db, SCORECARD_SQL.sos).all(period) as ScorecardCounts['sos'],
    cameras: cameraDowntime(db, p),
    incidents: prepared(db, SCORECARD_SQL.incidents).get(period) as ScorecardCounts['incidents'],
    taskTimes: prepared(db, SCORECARD_SQL.taskTimes).all(period) as ScorecardCounts['taskTimes'],
    rollCalls: prepared(db, SCORECARD_SQL.rollCalls).get(period) as ScorecardCounts['rollCalls'],
    modeChanges: prepared(db, SCORECARD_SQL.modeChanges).get({ ...period, minChars: minReasonChars }) as ScorecardCounts['modeChanges'],
    fenceAlerts: prepared(db, SCORECARD_SQL.fenceAlerts).all(period) as ScorecardCounts['fenceAlerts'],
    coverage: coverageTotals(db, p),
  };
}
