// SOS calls (one-click help) and the units sent to help them.
import type { Role, Sos, SosHelp, UnitStatus } from '../../shared/domain';
import type { Db, ReadDb } from './db';
import { prepared } from './statements';

export const SOS_SQL = {
  insert: `INSERT INTO sos (id, unit_id, lng, lat, note, state, raised_at, updated_at, street_zh, street_en, status_before)
    VALUES (@id, @unitId, @lng, @lat, @note, @state, @raisedAt, @updatedAt, @streetZh, @streetEn, @statusBefore)`,
  find: 'SELECT * FROM sos WHERE id = ?',
  /** uses sos_unit */
  openOfUnit: "SELECT * FROM sos WHERE unit_id = ? AND state != 'resolved' ORDER BY raised_at DESC LIMIT 1",
  active: "SELECT * FROM sos WHERE state != 'resolved' ORDER BY raised_at",
  position: 'UPDATE sos SET lng = ?, lat = ?, note = ?, updated_at = ? WHERE id = ?',
  acknowledge: "UPDATE sos SET state = 'acknowledged', acknowledged_by = ?, acknowledged_at = ?, updated_at = ? WHERE id = ?",
  escalate: 'UPDATE sos SET escalations = escalations + 1, escalated_to = ?, updated_at = ? WHERE id = ?',
  resolve: "UPDATE sos SET state = 'resolved', resolved_by = ?, resolved_at = ?, resolution = ?, updated_at = ? WHERE id = ?",
  linkIncident: 'UPDATE sos SET incident_id = ?, updated_at = ? WHERE id = ?',
  touch: 'UPDATE sos SET updated_at = ? WHERE id = ?',
  insertHelp: `INSERT INTO sos_help (task_id, sos_id, unit_id, unit_name, eta_sec, sent_by, sent_at)
    VALUES (@taskId, @sosId, @unitId, @unitName, @etaSec, @sentBy, @sentAt)`,
  /** uses sos_help_sos */
  helpOf: 'SELECT * FROM sos_help WHERE sos_id = ? ORDER BY sent_at, task_id',
} as const;

type SosRow = {
  id: string; unit_id: string; lng: number; lat: number; note: string; state: Sos['state']; raised_at: number; updated_at: number;
  street_zh: string | null; street_en: string | null; status_before: UnitStatus | null; acknowledged_by: string | null; acknowledged_at: number | null;
  escalations: number; escalated_to: Role | null; incident_id: string | null; resolved_by: string | null; resolved_at: number | null; resolution: string | null;
};
type HelpRow = { task_id: string; sos_id: string; unit_id: string; unit_name: string; eta_sec: number | null; sent_by: string; sent_at: number };

const helpOf = (db: ReadDb, sosId: string): SosHelp[] => (prepared(db, SOS_SQL.helpOf).all(sosId) as HelpRow[]).map((h) => ({
  taskId: h.task_id, unitId: h.unit_id, unitName: h.unit_name, etaSec: h.eta_sec, sentBy: h.sent_by, sentAt: h.sent_at,
}));

const fromRow = (db: ReadDb, r: SosRow): Sos => ({
  id: r.id, unitId: r.unit_id, position: [r.lng, r.lat], note: r.note, state: r.state, raisedAt: r.raised_at, updatedAt: r.updated_at,
  street: r.street_zh !== null ? { zh: r.street_zh, en: r.street_en ?? r.street_zh } : null,
  statusBefore: r.status_before, acknowledgedBy: r.acknowledged_by, acknowledgedAt: r.acknowledged_at,
  escalations: r.escalations, escalatedTo: r.escalated_to, incidentId: r.incident_id, help: helpOf(db, r.id),
  resolvedBy: r.resolved_by, resolvedAt: r.resolved_at, resolution: r.resolution,
});

export function insertSos(db: Db, s: Sos): void {
  prepared(db, SOS_SQL.insert).run({
    id: s.id, unitId: s.unitId, lng: s.position[0], lat: s.position[1], note: s.note, state: s.state, raisedAt: s.raisedAt, updatedAt: s.updatedAt,
    streetZh: s.street?.zh ?? null, streetEn: s.street?.en ?? null, statusBefore: s.statusBefore,
  });
}

export function findSos(db: ReadDb, id: string): Sos | undefined {
  const r = prepared(db, SOS_SQL.find).get(id) as SosRow | undefined;
  return r && fromRow(db, r);
}

/** The unit's SOS that is not resolved yet: a second press updates it rather than opening another. */
export function findOpenSosOfUnit(db: ReadDb, unitId: string): Sos | undefined {
  const r = prepared(db, SOS_SQL.openOfUnit).get(unitId) as SosRow | undefined;
  return r && fromRow(db, r);
}

export function listActiveSos(db: ReadDb): Sos[] {
  return (prepared(db, SOS_SQL.active).all() as SosRow[]).map((r) => fromRow(db, r));
}

/** A repeated press: where the officer is now, and what they added. */
export function updateSosPosition(db: Db, id: string, position: [number, number], note: string, at: number): void {
  prepared(db, SOS_SQL.position).run(position[0], position[1], note, at, id);
}

export function acknowledgeSos(db: Db, id: string, by: string, at: number): void {
  prepared(db, SOS_SQL.acknowledge).run(by, at, at, id);
}

export function escalateSos(db: Db, id: string, to: Role, at: number): void {
  prepared(db, SOS_SQL.escalate).run(to, at, id);
}

export function resolveSos(db: Db, id: string, by: string, note: string, at: number): void {
  prepared(db, SOS_SQL.resolve).run(by, at, note, at, id);
}

export function linkSosIncident(db: Db, id: string, incidentId: string, at: number): void {
  prepared(db, SOS_SQL.linkIncident).run(incidentId, at, id);
}

export function insertSosHelp(db: Db, sosId: string, h: SosHelp): void {
  prepared(db, SOS_SQL.insertHelp).run({ ...h, sosId });
  prepared(db, SOS_SQL.touch).run(h.sentAt, sosId);
}
