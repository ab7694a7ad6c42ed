// Users, sessions and field devices.
import type { Role, UserPublic } from '../../shared/domain';
import type { Db, ReadDb } from './db';
import { prepared } from './statements';

type UserRow = { id: string; username: string; role: Role; password_hash: string; disabled: number };

export function insertUser(db: Db, u: { id: string; username: string; role: Role; passwordHash: string; at: number }): void {
  prepared(db, 'INSERT INTO users (id, username, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?)')
    .run(u.id, u.username, u.role, u.passwordHash, u.at);
}

export function findUserByName(db: ReadDb, username: string): (UserPublic & { passwordHash: string; disabled: boolean }) | undefined {
  const r = prepared(db, 'SELECT * FROM users WHERE username = ?').get(username) as UserRow | undefined;
  return r && { id: r.id, username: r.username, role: r.role, passwordHash: r.password_hash, disabled: r.disabled === 1 };
}

export function countUsers(db: ReadDb): number {
  return (prepared(db, 'SELECT count(*) AS n FROM users').get() as { n: number }).n;
}

export function insertSession(db: Db, s: { tokenHash: string; userId: string; at: number; expiresAt: number }): void {
  prepared(db, 'INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)')
    .run(s.tokenHash, s.userId, s.at, s.expiresAt);
}

/** Ends a session now (logout); the row stays, with its end as its expiry. Returns false if it had already ended. */
export function expireSession(db: Db, tokenHash: string, now: number): boolean {
  return prepared(db, 'UPDATE sessions SET expires_at = ? WHERE token_hash = ? AND expires_at > ?').run(now, tokenHash, now).changes > 0;
}

export function findSessionUser(db: ReadDb, tokenHash: string, now: number): UserPublic | undefined {
  const r = prepared(db, `SELECT u.id, u.username, u.role FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled = 0`).get(tokenHash, now) as UserPublic | undefined;
  return r;
}

export type DeviceRecord = {
  id: string; secretHash: string; kind: 'terminal' | 'gateway'; unitId: string | null;
  /** what the admin called it when enrolling it ("phone of squad 3"); null for devices registered by the CLI */
  label?: string | null;
  /** when it was revoked; a revoked device's secret opens nothing */
  revokedAt?: number | null;
};

export function insertDevice(db: Db, d: DeviceRecord & { at: number }): void {
  prepared(db, 'INSERT INTO devices (id, secret_hash, kind, unit_id, created_at, label) VALUES (?, ?, ?, ?, ?, ?)')
    .run(d.id, d.secretHash, d.kind, d.unitId, d.at, d.label ?? null);
}

type DeviceRow = { id: string; secret_hash: string; kind: 'terminal' | 'gateway'; unit_id: string | null; label: string | null; revoked_at: number | null };
const toDevice = (r: DeviceRow): DeviceRecord => ({ id: r.id, secretHash: r.secret_hash, kind: r.kind, unitId: r.unit_id, label: r.label, revokedAt: r.revoked_at });

export function findDevice(db: ReadDb, id: string): DeviceRecord | undefined {
  const r = prepared(db, 'SELECT id, secret_hash, kind, unit_id, label, revoked_at FROM devices WHERE id = ?').get(id) as DeviceRow | undefined;
  return r && toDevice(r);
}

/** Marks a device revoked; false if it already was. */
export function revokeDevice(db: Db, id: string, at: number): boolean {
  return prepared(db, 'UPDATE devices SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at, id).changes > 0;
}

/** A one-time enrolment code as the store keeps it: its hash, never the code. */
export type EnrolmentCode = {
  id: string; codeHash: string; unitId: string; label: string; createdBy: string; createdAt: number; expiresAt: number;
  usedAt: number | null; deviceId: string | null;
};
type EnrolmentRow = {
  id: string; code_hash: string; unit_id: string; label: string; created_by: string; created_at: number; expires_at: number;
  used_at: number | null; device_id: string | null;
};
const toEnrolment = (r: EnrolmentRow): EnrolmentCode => ({
  id: r.id, codeHash: r.code_hash, unitId: r.unit_id, label: r.label, createdBy: r.created_by, createdAt: r.created_at,
  expiresAt: r.expires_at, usedAt: r.used_at, deviceId: r.device_id,
});

export function insertEnrolmentCode(db: Db, e: Omit<EnrolmentCode, 'usedAt' | 'deviceId'>): void {
  prepared(db, `INSERT INTO enrolment_codes (id, code_hash, unit_id, label, created_by, created_at, expires_at)
    VALUES (?, ?, ?, ?, ?, ?, ?)`).run(e.id, e.codeHash, e.unitId, e.label, e.createdBy, e.createdAt, e.expiresAt);
}

export function findEnrolmentByHash(db: ReadDb, codeHash: string): EnrolmentCode | undefined {
  const r = prepared(db, 'SELECT * FROM enrolment_codes WHERE code_hash = ?').get(codeHash) as EnrolmentRow | undefined;
  return r && toEnrolment(r);
}

export function findEnrolment(db: ReadDb, id: string): EnrolmentCode | undefined {
  const r = prepared(db, 'SELECT * FROM enrolment_codes WHERE id = ?').get(id) as EnrolmentRow | undefined;
  return r && toEnrolment(r);
}

/** Spends a code on the device it made; false if it was spent already (the caller's transaction decides). */
export function spendEnrolmentCode(db: Db, id: string, deviceId: string, at: number): boolean {
  return prepared(db, 'UPDATE enrolment_codes SET used_at = ?, device_id = ? WHERE id = ? AND used_at IS NULL').run(at, deviceId, id).changes > 0;
}

// The admin's account changes (handlers/accounts.ts) and the lists the admin console reads.

export type UserRecord = UserPublic & { disabled: boolean; createdAt: number };

export function findUserById(db: ReadDb, id: string): UserRecord | undefined {
  const r = prepared(db, 'SELECT id, username, role, disabled, created_at FROM users WHERE id = ?').get(id) as
    | { id: string; username: string; role: Role; disabled: number; created_at: number } | undefined;
  return r && { id: r.id, username: r.username, role: r.role, disabled: r.disabled === 1, createdAt: r.created_at };
}

export function listUsers(db: ReadDb): UserRecord[] {
  const rows = prepared(db, 'SELECT id, username, role, disabled, created_at FROM users ORDER BY username').all() as
    { id: string; username: string; role: Role; disabled: number; created_at: number }[];
  return rows.map((r) => ({ id: r.id, username: r.username, role: r.role, disabled: r.disabled === 1, createdAt: r.created_at }));
}

/** Admins who can still sign in: the last one may be neither disabled nor given another role. */
export function countEnabledAdmins(db: ReadDb): number {
  return (prepared(db, "SELECT count(*) AS n FROM users WHERE role = 'admin' AND disabled = 0").get() as { n: number }).n;
}

export function setUserRole(db: Db, id: string, role: Role): void {
  prepared(db, 'UPDATE users SET role = ? WHERE id = ?').run(role, id);
}

export function setUserDisabled(db: Db, id: string, disabled: boolean): void {
  prepared(db, 'UPDATE users SET disabled = ? WHERE id = ?').run(disabled ? 1 : 0, id);
}

export function setUserPassword(db: Db, id: string, passwordHash: string): void {
  prepared(db, 'UPDATE users SET password_hash = ? WHERE id = ?').run(passwordHash, id);
}

export type SessionRecord = { id: string; userId: string; createdAt: number; expiresAt: number };

/** Sessions still running (not expired, not ended), newest first; `id` is the token's hash (auth.sessionId). */
export function listLiveSessions(db: ReadDb, now: number): SessionRecord[] {
  const rows = prepared(db, 'SELECT token_hash, user_id, created_at, expires_at FROM sessions WHERE expires_at > ? ORDER BY created_at DESC').all(now) as
    { token_hash: string; user_id: string; created_at: number; expires_at: number }[];
  return rows.map((r) => ({ id: r.token_hash, userId: r.user_id, createdAt: r.created_at, expiresAt: r.expires_at }));
}

/** Ends every running session of one user now; returns the ids of the sessions it ended. */
export function expireSessionsOfUser(db: Db, userId: string, now: number): string[] {
  const ids = db.prepare('SELECT token_hash FROM sessions WHERE user_id = ? AND expires_at > ?').pluck().all(userId, now) as string[];
  prepared(db, 'UPDATE sessions SET expires_at = ? WHERE user_id = ? AND expires_at > ?').run(now, userId, now);
  return ids;
}

/** Ends every running session except those of one user (who signs the others out); returns the ids it ended. */
export function expireSessionsExceptUser(db: Db, keepUserId: string, now: number): string[] {
  const ids = db.prepare('SELECT token_hash FROM sessions WHERE user_id != ? AND expires_at > ?').pluck().all(keepUserId, now) as string[];
  prepared(db, 'UPDATE sessions SET expires_at = ? WHERE user_id != ? AND expires_at > ?').run(now, keepUserId, now);
  return ids;
}

/** A running session by its id, or undefined once it ended. */
export function findLiveSession(db: ReadDb, id: string, now: number): SessionRecord | undefined {
  const r = prepared(db, 'SELECT token_hash, user_id, created_at, expires_at FROM sessions WHERE token_hash = ? AND expires_at > ?').get(id, now) as
    { token_hash: string; user_id: string; created_at: number; expires_at: number } | undefined;
  return r && { id: r.token_hash, userId: r.user_id, createdAt: r.created_at, expiresAt: r.expires_at };
}

/** Every registered device, without its secret's hash. */
export function listDevices(db: ReadDb): (Omit<DeviceRecord, 'secretHash'> & { createdAt: number })[] {
  const rows = prepared(db, 'SELECT id, kind, unit_id, label, revoked_at, created_at FROM devices ORDER BY id').all() as
    (Omit<DeviceRow, 'secret_hash'> & { created_at: number })[];
  return rows.map((r) => ({ id: r.id, kind: r.kind, unitId: r.unit_id, label: r.label, revokedAt: r.revoked_at, createdAt: r.created_at }));
}
