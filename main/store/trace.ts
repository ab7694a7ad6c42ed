// What the incident trace reads besides the domain tables: who recorded the incident's own commands
// (the audit log, by target), and the alerts raised about its tasks (the event log, from its creation on).
import type { Alert } from '../../shared/domain';
import type { ReadDb } from './db';
import { prepared } from './statements';

export const TRACE_SQL = {
  /** accepted commands on one target, oldest first (audit_log_target_at) */
  commandsOn: `SELECT actor, action, at FROM audit_log WHERE target = ? AND outcome = 'accepted' AND action IN (SELECT value FROM json_each(?)) ORDER BY at, seq`,
  /** alerts since a time (events_at), filtered to the subjects asked for */
  alertsSince: `SELECT at, data FROM events WHERE at >= ? AND type = 'alert:raised'
    AND json_extract(data, '$.alert.subjectId') IN (SELECT value FROM json_each(?)) ORDER BY at, seq`,
} as const;

export function commandsOn(db: ReadDb, target: string, actions: readonly string[]): Array<{ actor: string; action: string; at: number }> {
  return prepared(db, TRACE_SQL.commandsOn).all(target, JSON.stringify(actions)) as Array<{ actor: string; action: string; at: number }>;
}

export function alertsAbout(db: ReadDb, subjectIds: readonly string[], since: number): Alert[] {
  if (subjectIds.length === 0) return [];
  return (prepared(db, TRACE_SQL.alertsSince).all(since, JSON.stringify(subjectIds)) as Array<{ data: string }>)
    .map((r) => (JSON.parse(r.data) as { alert: Alert }).alert);
}
