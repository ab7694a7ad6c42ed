// Attendance and fences in the store: shifts, check-in overrides, roll-calls, fence alerts.
import type { AttendanceSnapshot, FenceAlert, OverrideRequest, RollCall, Shift } from '../../shared/attendance';
import type { LngLat } from '../../shared/domain';
import type { Db, ReadDb } from './db';
import { prepared } from './statements';

/** The hot queries (each check-in, each fence re-read, each check-in's speed rule), exported so the query-plan test reads this SQL. */
export const ATTENDANCE_SQL = {
  shiftAt: 'SELECT * FROM shifts WHERE unit_id = ? AND starts_at <= ? AND ends_at > ? ORDER BY starts_at LIMIT 1',
  checkedInAt: "SELECT unit_id FROM shifts WHERE starts_at <= ? AND starts_at > ? AND ends_at > ? AND state = 'on_duty'",
  lastFixBefore: 'SELECT t, lng, lat, accuracy FROM positions WHERE t BETWEEN ? AND ? AND unit_id = ? ORDER BY t DESC LIMIT 1',
} as const;

type ShiftRow = {
  id: string; unit_id: string; post_id: string; cell_id: string | null; starts_at: number; ends_at: number;
  state: Shift['state']; checked_in_at: number | null; via: Shift['via']; source: Shift['source'];
};
const shiftFromRow = (r: ShiftRow): Shift => ({
  id: r.id, unitId: r.unit_id, postId: r.post_id, cellId: r.cell_id, startsAt: r.starts_at, endsAt: r.ends_at,
  state: r.state, checkedInAt: r.checked_in_at, via: r.via, source: r.source,
});

/** Inserts a shift unless one with its id exists; returns whether it was new. */
export function insertShift(db: Db, s: Shift, at: number): boolean {
  return db.prepare(
    `INSERT OR IGNORE INTO shifts (id, unit_id, post_id, cell_id, starts_at, ends_at, state, checked_in_at, via, source, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(s.id, s.unitId, s.postId, s.cellId, s.startsAt, s.endsAt, s.state, s.checkedInAt, s.via, s.source, at).changes === 1;
}

export function findShift(db: ReadDb, id: string): Shift | undefined {
  const r = db.prepare('SELECT * FROM shifts WHERE id = ?').get(id) as ShiftRow | undefined;
  return r && shiftFromRow(r);
}

/** The shift a unit is on at t (started, not ended); the earliest if two overlap. */
export function shiftAt(db: ReadDb, unitId: string, t: number): Shift | undefined {
  const r = prepared(db, ATTENDANCE_SQL.shiftAt).get(unitId, t, t) as ShiftRow | undefined;
  return r && shiftFromRow(r);
}

/** The unit's shift at t, or the next one starting within `aheadMs` (an officer may check in a little early). */
export function shiftForCheckIn(db: ReadDb, unitId: string, t: number, aheadMs: number): Shift | undefined {
  const r = prepared(db, ATTENDANCE_SQL.shiftAt).get(unitId, t + aheadMs, t) as ShiftRow | undefined;
  return r && shiftFromRow(r);
}

export function hasShifts(db: ReadDb, unitId: string): boolean {
  return db.prepare('SELECT 1 FROM shifts WHERE unit_id = ? LIMIT 1').get(unitId) !== undefined;
}

/** Shifts overlapping [from, to), in start order. */
export function shiftsBetween(db: ReadDb, from: number, to: number): Shift[] {
  // starts_at > from - 2 days bounds the scan to the index range; no shift is longer than a day.
  return (db.prepare('SELECT * FROM shifts WHERE starts_at < ? AND starts_at > ? AND ends_at > ? ORDER BY starts_at, unit_id')
    .all(to, from - 2 * 86_400_000, from) as ShiftRow[]).map(shiftFromRow);
}

/** The shifts not yet over at `now` (under way or to come), in start order: the first `limit`, and how many there are. */
export function upcomingShifts(db: ReadDb, now: number, limit: number): { shifts: Shift[]; total: number } {
  // As in shiftsBetween: starts_at > now - 2 days keeps the scan on the index; no shift is longer than a day.
  const where = 'FROM shifts WHERE starts_at > ? AND ends_at > ?';
  const shifts = (db.prepare(`SELECT * ${where} ORDER BY starts_at, unit_id LIMIT ?`).all(now - 2 * 86_400_000, now, limit) as ShiftRow[]).map(shiftFromRow);
  const total = db.prepare(`SELECT count(*) ${where}`).pluck().get(now - 2 * 86_400_000, now) as number;
  return { shifts, total };
}

/** Units whose shift at t is checked in: who counts as on duty. */
export function unitsCheckedInAt(db: ReadDb, t: number): Set<string> {
  const rows = prepared(db, ATTENDANCE_SQL.checkedInAt).all(t, t - 2 * 86_400_000, t) as { unit_id: string }[];
  return new Set(rows.map((r) => r.unit_id));
}

export function markShift(db: Db, id: string, state: Shift['state'], checkedIn?: { at: number; via: 'fence' | 'override' }): void {
  if (checkedIn) db.prepare('UPDATE shifts SET state = ?, checked_in_at = ?, via = ? WHERE id = ?').run(state, checkedIn.at, checkedIn.via, id);
  else db.prepare('UPDATE shifts SET state = ? WHERE id = ?').run(state, id);
}

/** A unit's shifts overlapping [from, to) (to refuse an overlapping import). */
export function unitShiftsOverlapping(db: ReadDb, unitId: string, from: number, to: number): Shift[] {
  return (db.prepare('SELECT * FROM shifts WHERE unit_id = ? AND starts_at < ? AND ends_at > ?').all(unitId, to, from) as ShiftRow[]).map(shiftFromRow);
}

type OverrideRow = {
  id: string; unit_id: string; post_id: string; shift_id: string | null; lng: number; lat: number; reason: string; refusal: string;
  at: number; state: OverrideRequest['state']; decided_by: string | null; decided_at: number | null; note: string | null;
};
const overrideFromRow = (r: OverrideRow): OverrideRequest => ({
  id: r.id, unitId: r.unit_id, postId: r.post_id, shiftId: r.shift_id, position: [r.lng, r.lat], reason: r.reason, refusal: r.refusal,
  at: r.at, state: r.state, decidedBy: r.decided_by, decidedAt: r.decided_at, note: r.note,
});

export function insertOverride(db: Db, o: OverrideRequest): void {
  db.prepare(
    `INSERT INTO checkin_overrides (id, unit_id, post_id, shift_id, lng, lat, reason, refusal, at, state, decided_by, decided_at, note)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(o.id, o.unitId, o.postId, o.shiftId, o.position[0], o.position[1], o.reason, o.refusal, o.at, o.state, o.decidedBy, o.decidedAt, o.note);
}

export function findOverride(db: ReadDb, id: string): OverrideRequest | undefined {
  const r = db.prepare('SELECT * FROM checkin_overrides WHERE id = ?').get(id) as OverrideRow | undefined;
  return r && overrideFromRow(r);
}

export function decideOverride(db: Db, id: string, state: 'granted' | 'refused', by: string, at: number, note: string): void {
  db.prepare('UPDATE checkin_overrides SET state = ?, decided_by = ?, decided_at = ?, note = ? WHERE id = ?').run(state, by, at, note, id);
}

export function openOverrides(db: ReadDb): OverrideRequest[] {
  return (db.prepare("SELECT * FROM checkin_overrides WHERE state = 'requested' ORDER BY at").all() as OverrideRow[]).map(overrideFromRow);
}

type RollCallRow = { id: string; by: string; at: number; deadline: number; area_id: string | null; pick: RollCall['pick']; seed: string | null; closed: number };
type TargetRow = { unit_id: string; state: RollCall['targets'][number]['state']; answered_at: number | null };

export function insertRollCall(db: Db, r: RollCall): void {
  db.prepare('INSERT INTO roll_calls (id, by, at, deadline, area_id, pick, seed, closed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run(r.id, r.by, r.at, r.deadline, r.areaId, r.pick, r.seed, r.closed ? 1 : 0);
  const t = db.prepare('INSERT INTO roll_call_targets (roll_call_id, unit_id, state) VALUES (?, ?, ?)');
  for (const x of r.targets) t.run(r.id, x.unitId, x.state);
}

export function findRollCall(db: ReadDb, id: string): RollCall | undefined {
  const r = db.prepare('SELECT * FROM roll_calls WHERE id = ?').get(id) as RollCallRow | undefined;
  if (!r) return undefined;
  const targets = db.prepare('SELECT unit_id, state, answered_at FROM roll_call_targets WHERE roll_call_id = ? ORDER BY unit_id').all(id) as TargetRow[];
  return {
    id: r.id, by: r.by, at: r.at, deadline: r.deadline, areaId: r.area_id, pick: r.pick, seed: r.seed, closed: r.closed === 1,
    targets: targets.map((x) => ({ unitId: x.unit_id, state: x.state, answeredAt: x.answered_at })),
  };
}

export function answerRollCall(db: Db, id: string, unitId: string, at: number, p: LngLat): void {
  db.prepare("UPDATE roll_call_targets SET state = 'answered', answered_at = ?, lng = ?, lat = ? WHERE roll_call_id = ? AND unit_id = ?").run(at, p[0], p[1], id, unitId);
}

/** Closes a roll-call: whoever has not answered is missed. Returns those missed. */
export function closeRollCall(db: Db, id: string): string[] {
  const missed = (db.prepare("SELECT unit_id FROM roll_call_targets WHERE roll_call_id = ? AND state = 'pending' ORDER BY unit_id").all(id) as { unit_id: string }[]).map((r) => r.unit_id);
  db.prepare("UPDATE roll_call_targets SET state = 'missed' WHERE roll_call_id = ? AND state = 'pending'").run(id);
  db.prepare('UPDATE roll_calls SET closed = 1 WHERE id = ?').run(id);
  return missed;
}

/** Roll-calls still open, and those closed since `since` (the console shows the last results). */
export function recentRollCalls(db: ReadDb, since: number): RollCall[] {
  const ids = db.prepare('SELECT id FROM roll_calls WHERE closed = 0 OR deadline >= ? ORDER BY at').all(since) as { id: string }[];
  return ids.map((r) => findRollCall(db, r.id)!);
}

type FenceRow = {
  id: string; unit_id: string; kind: FenceAlert['kind']; area_id: string; raised_at: number; lng: number; lat: number; since: number;
  cleared_at: number | null; acknowledged_by: string | null; acknowledged_at: number | null;
};
const fenceFromRow = (r: FenceRow): FenceAlert => ({
  id: r.id, unitId: r.unit_id, kind: r.kind, areaId: r.area_id, raisedAt: r.raised_at, position: [r.lng, r.lat], since: r.since,
  clearedAt: r.cleared_at, acknowledgedBy: r.acknowledged_by, acknowledgedAt: r.acknowledged_at,
});

export function insertFenceAlert(db: Db, f: FenceAlert): void {
  db.prepare(
    `INSERT INTO fence_alerts (id, unit_id, kind, area_id, raised_at, lng, lat, since, cleared_at, acknowledged_by, acknowledged_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(f.id, f.unitId, f.kind, f.areaId, f.raisedAt, f.position[0], f.position[1], f.since, f.clearedAt, f.acknowledgedBy, f.acknowledgedAt);
}

export function openFenceAlert(db: ReadDb, unitId: string, kind: FenceAlert['kind']): FenceAlert | undefined {
  const r = db.prepare('SELECT * FROM fence_alerts WHERE unit_id = ? AND kind = ? AND cleared_at IS NULL').get(unitId, kind) as FenceRow | undefined;
  return r && fenceFromRow(r);
}

export function findFenceAlert(db: ReadDb, id: string): FenceAlert | undefined {
  const r = db.prepare('SELECT * FROM fence_alerts WHERE id = ?').get(id) as FenceRow | undefined;
  return r && fenceFromRow(r);
}

export function clearFenceAlert(db: Db, id: string, at: number): void {
  db.prepare('UPDATE fence_alerts SET cleared_at = ? WHERE id = ?').run(at, id);
}

export function acknowledgeFenceAlert(db: Db, id: string, by: string, at: number): void {
  db.prepare('UPDATE fence_alerts SET acknowledged_by = ?, acknowledged_at = ? WHERE id = ?').run(by, at, id);
}

/** Open fence alerts, and those cleared but not yet acknowledged (an operator still has to see them). */
export function activeFenceAlerts(db: ReadDb): FenceAlert[] {
  return (db.prepare('SELECT * FROM fence_alerts WHERE cleared_at IS NULL OR acknowledged_at IS NULL ORDER BY raised_at').all() as FenceRow[]).map(fenceFromRow);
}

/** The unit's latest stored fix at or before t, within `windowMs` (positions are keyed by time first). */
export function lastFixBefore(db: ReadDb, unitId: string, t: number, windowMs: number): { t: number; position: LngLat; accuracy: number | null } | null {
  const r = prepared(db, ATTENDANCE_SQL.lastFixBefore).get(t - windowMs, t, unitId) as { t: number; lng: number; lat: number; accuracy: number | null } | undefined;
  return r ? { t: r.t, position: [r.lng, r.lat], accuracy: r.accuracy } : null;
}

/** The shifts a console holds: from 12 h back to 24 h ahead of now. */
export const SNAPSHOT_SHIFTS_BEHIND_MS = 12 * 3600_000;
export const SNAPSHOT_SHIFTS_AHEAD_MS = 24 * 3600_000;

/** What a console draws attendance from: shifts from 12 h back to 24 h ahead, open overrides, recent roll-calls, active fence alerts. */
export function attendanceSnapshot(db: ReadDb, now: number): AttendanceSnapshot {
  return {
    shifts: shiftsBetween(db, now - SNAPSHOT_SHIFTS_BEHIND_MS, now + SNAPSHOT_SHIFTS_AHEAD_MS),
    overrides: openOverrides(db),
    rollCalls: recentRollCalls(db, now - 3600_000),
    fences: activeFenceAlerts(db),
  };
}
