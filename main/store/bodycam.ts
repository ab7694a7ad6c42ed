// Body-worn camera telemetry in the store: the latest reading per unit and the recording alerts.
import type { BodycamAlert, BodycamSnapshot, BodycamStatus } from '../../shared/bodycam';
import type { Db, ReadDb } from './db';
import { prepared } from './statements';

export const BODYCAM_SQL = {
  upsert: `INSERT INTO bodycam_status (unit_id, t, received_at, recording, battery_pct, storage_free_mb, last_upload_at)
    VALUES (@unitId, @t, @receivedAt, @recording, @batteryPct, @storageFreeMb, @lastUploadAt)
    ON CONFLICT (unit_id) DO UPDATE SET t = excluded.t, received_at = excluded.received_at, recording = excluded.recording,
      battery_pct = excluded.battery_pct, storage_free_mb = excluded.storage_free_mb, last_upload_at = excluded.last_upload_at`,
  statuses: 'SELECT * FROM bodycam_status',
  /** uses bodycam_alerts_unit_open */
  openOfUnit: 'SELECT * FROM bodycam_alerts WHERE unit_id = ? AND cleared_at IS NULL LIMIT 1',
  /** uses bodycam_alerts_unsettled */
  unsettled: 'SELECT * FROM bodycam_alerts WHERE cleared_at IS NULL OR acknowledged_at IS NULL ORDER BY raised_at',
  find: 'SELECT * FROM bodycam_alerts WHERE id = ?',
  insert: `INSERT INTO bodycam_alerts (id, unit_id, task_id, since, raised_at) VALUES (?, ?, ?, ?, ?)`,
  clear: 'UPDATE bodycam_alerts SET cleared_at = ?, cleared_by = ? WHERE id = ? AND cleared_at IS NULL',
  acknowledge: 'UPDATE bodycam_alerts SET acknowledged_by = ?, acknowledged_at = ? WHERE id = ?',
  /** the task a unit has in hand (accepted, on its way, on site); uses tasks_unit_state */
  taskInHand: "SELECT id FROM tasks WHERE unit_id = ? AND state IN ('accepted', 'en_route', 'arrived') ORDER BY assigned_at DESC LIMIT 1",
} as const;

type StatusRow = {
  unit_id: string; t: number; received_at: number; recording: number; battery_pct: number; storage_free_mb: number; last_upload_at: number | null;
};
type AlertRow = {
  id: string; unit_id: string; task_id: string; since: number; raised_at: number; cleared_at: number | null;
  cleared_by: BodycamAlert['clearedBy']; acknowledged_by: string | null; acknowledged_at: number | null;
};
const statusFromRow = (r: StatusRow): BodycamStatus => ({
  unitId: r.unit_id, t: r.t, receivedAt: r.received_at, recording: r.recording === 1, batteryPct: r.battery_pct,
  storageFreeMb: r.storage_free_mb, lastUploadAt: r.last_upload_at,
});
const alertFromRow = (r: AlertRow): BodycamAlert => ({
  id: r.id, unitId: r.unit_id, taskId: r.task_id, since: r.since, raisedAt: r.raised_at, clearedAt: r.cleared_at, clearedBy: r.cleared_by,
  acknowledgedBy: r.acknowledged_by, acknowledgedAt: r.acknowledged_at,
});

/** One batch's accepted readings, latest per unit, in one transaction. */
export function saveBodycamStatuses(db: Db, statuses: readonly BodycamStatus[]): void {
  const st = prepared(db, BODYCAM_SQL.upsert);
  db.transaction(() => {
    for (const s of statuses) st.run({ ...s, recording: s.recording ? 1 : 0 });
  })();
}

export function listBodycamStatuses(db: ReadDb): BodycamStatus[] {
  return (prepared(db, BODYCAM_SQL.statuses).all() as StatusRow[]).map(statusFromRow);
}

export function taskInHand(db: ReadDb, unitId: string): string | null {
  return (prepared(db, BODYCAM_SQL.taskInHand).get(unitId) as { id: string } | undefined)?.id ?? null;
}

export function openBodycamAlert(db: ReadDb, unitId: string): BodycamAlert | undefined {
  const r = prepared(db, BODYCAM_SQL.openOfUnit).get(unitId) as AlertRow | undefined;
  return r && alertFromRow(r);
}

export function findBodycamAlert(db: ReadDb, id: string): BodycamAlert | undefined {
  const r = prepared(db, BODYCAM_SQL.find).get(id) as AlertRow | undefined;
  return r && alertFromRow(r);
}

export function unsettledBodycamAlerts(db: ReadDb): BodycamAlert[] {
  return (prepared(db, BODYCAM_SQL.unsettled).all() as AlertRow[]).map(alertFromRow);
}

export function insertBodycamAlert(db: Db, a: BodycamAlert): void {
  prepared(db, BODYCAM_SQL.insert).run(a.id, a.unitId, a.taskId, a.since, a.raisedAt);
}

export function clearBodycamAlert(db: Db, id: string, at: number, by: NonNullable<BodycamAlert['clearedBy']>): void {
  prepared(db, BODYCAM_SQL.clear).run(at, by, id);
}

export function acknowledgeBodycamAlert(db: Db, id: string, by: string, at: number): void {
  prepared(db, BODYCAM_SQL.acknowledge).run(by, at, id);
}

export function bodycamSnapshot(db: ReadDb): BodycamSnapshot {
  return { statuses: listBodycamStatuses(db), alerts: unsettledBodycamAlerts(db) };
}
