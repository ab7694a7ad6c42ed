// Users, sessions and field devices.
import type { Role, UserPublic } from '../../shared/domain';
import type { Db, ReadDb } from './db';

type UserRow = { id: string; username: string; role: Role; password_hash: string; disabled: number };

export function insertUser(db: Db, u: { id: string; username: string; role: Role; passwordHash: string; at: number }): void {
  db.prepare('INSERT INTO users (id, username, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?)')
    .run(u.id, u.username, u.role, u.passwordHash, u.at);
}

export function findUserByName(db: ReadDb, username: string): (UserPublic & { passwordHash: string; disabled: boolean }) | undefined {
  const r = db.prepare('SELECT * FROM users WHERE username = ?').get(username) as UserRow | undefined;
  return r && { id: r.id, username: r.username, role: r.role, passwordHash: r.password_hash, disabled: r.disabled === 1 };
}

export function countUsers(db: ReadDb): number {
  return (db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;
}

export function insertSession(db: Db, s: { tokenHash: string; userId: string; at: number; expiresAt: number }): void {
  db.prepare('INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)')
    .run(s.tokenHash, s.userId, s.at, s.expiresAt);
}

/** Ends a session now (logout); the row stays, with its end as its expiry. Returns false if it had already ended. */
export function expireSession(db: Db, tokenHash: string, now: number): boolean {
  return db.prepare('UPDATE sessions SET expires_at = ? WHERE token_hash = ? AND expires_at > ?').run(now, tokenHash, now).changes > 0;
}

export function findSessionUser(db: ReadDb, tokenHash: string, now: number): UserPublic | undefined {
  const r = db.prepare(
    `SELECT u.id, u.username, u.role FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled = 0`,
  ).get(tokenHash, now) as UserPublic | undefined;
  return r;
}

export type DeviceRecord = { id: string; secretHash: string; kind: 'terminal' | 'gateway'; unitId: string | null };

export function insertDevice(db: Db, d: DeviceRecord & { at: number }): void {
  db.prepare('INSERT INTO devices (id, secret_hash, kind, unit_id, created_at) VALUES (?, ?, ?, ?, ?)')
    .run(d.id, d.secretHash, d.kind, d.unitId, d.at);
}

export function findDevice(db: ReadDb, id: string): DeviceRecord | undefined {
  const r = db.prepare('SELECT id, secret_hash, kind, unit_id FROM devices WHERE id = ?').get(id) as
    | { id: string; secret_hash: string; kind: 'terminal' | 'gateway'; unit_id: string | null }
    | undefined;
  return r && { id: r.id, secretHash: r.secret_hash, kind: r.kind, unitId: r.unit_id };
}
