// Passwords (scrypt), session tokens and device secrets. Tokens are random and stored only as hashes.
// Sessions that begin and end are audited (login, logout, device connect and disconnect) in the same
// transaction that records them. Refusals are audited by the caller, summarised (refusals.ts).
import { createHash, randomBytes, scrypt as scryptCb, scryptSync, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { UserPublic } from '../../shared/domain';
import { appendAudit, type AuditInput } from '../store/audit';
import type { Db } from '../store/db';
import { expireSession, findDevice, findSessionUser, findUserByName, insertSession, type DeviceRecord } from '../store/people';

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, keylen: number, opts: { N: number; r: number; p: number }) => Promise<Buffer>;
const PARAMS = { N: 16384, r: 8, p: 1 };
const SESSION_MS = 12 * 60 * 60 * 1000; // one long shift

/** Format: scrypt$N$r$p$salt$hash (base64), so parameters can be raised later without breaking old hashes. */
const formatHash = (salt: Buffer, key: Buffer) =>
  `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64')}$${key.toString('base64')}`;

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  return formatHash(salt, await scrypt(secret, salt, 32, PARAMS));
}

/** For use inside a synchronous transaction (user creation is rare, so blocking briefly is fine). */
export function hashSecretSync(secret: string): string {
  const salt = randomBytes(16);
  return formatHash(salt, scryptSync(secret, salt, 32, PARAMS));
}

/**
 * A secret the hub generated itself (a device enrolled by code): 32 random bytes, stored as its SHA-256.
 * scrypt exists to slow the guessing of secrets people choose; one of 2^256 cannot be guessed at any
 * speed, and checking it costs microseconds instead of scrypt's tens of milliseconds — which is what
 * lets ten thousand phones reconnect at once after a hub restart (API tokens are kept the same way).
 */
export function generateSecret(): { secret: string; hash: string } {
  const secret = randomBytes(32).toString('base64url');
  return { secret, hash: `sha256$${createHash('sha256').update(secret).digest('base64')}` };
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  if (stored.startsWith('sha256$')) {
    const expected = Buffer.from(stored.slice('sha256$'.length), 'base64');
    return expected.length === 32 && timingSafeEqual(createHash('sha256').update(secret).digest(), expected);
  }
  const [tag, n, r, p, salt, hash] = stored.split('$');
  if (tag !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await scrypt(secret, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p) });
  return timingSafeEqual(key, expected);
}

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

/** What names a session outside the store without being a credential: the hash the store keeps of its token. */
export const sessionId = tokenHash;

export class AuthError extends Error {}

// A constant hash to compare against when the user does not exist, so timing does not reveal usernames.
let dummyHash: Promise<string> | undefined;

/** Where a session came from, for the audit log: the peer address of the connection. */
export type Origin = { address: string | null };

export async function login(db: Db, username: string, password: string, now: number, origin: Origin = { address: null }): Promise<{ user: UserPublic; token: string }> {
  const user = findUserByName(db, username);
  const ok = await verifySecret(password, user?.passwordHash ?? (await (dummyHash ??= hashSecret('x'))));
  if (!user || !ok) throw new AuthError('auth_failed: wrong username or password');
  if (user.disabled) throw new AuthError('auth_failed: this account is disabled');
  const token = randomBytes(32).toString('base64url');
  db.transaction(() => {
    insertSession(db, { tokenHash: tokenHash(token), userId: user.id, at: now, expiresAt: now + SESSION_MS });
    appendAudit(db, {
      actor: user.username, role: user.role, action: 'session:login', target: user.id, payload: { address: origin.address },
      outcome: 'accepted', reason: null, at: now,
    });
  })();
  return { user: { id: user.id, username: user.username, role: user.role }, token };
}

/** Ends the session of this token, so neither it nor the HLS URLs that carry it work again. Idempotent. */
export function logout(db: Db, token: string, now: number, origin: Origin = { address: null }): { ended: boolean } {
  return db.transaction(() => {
    const user = findSessionUser(db, tokenHash(token), now);
    if (!user || !expireSession(db, tokenHash(token), now)) return { ended: false };
    appendAudit(db, {
      actor: user.username, role: user.role, action: 'session:logout', target: user.id, payload: { address: origin.address },
      outcome: 'accepted', reason: null, at: now,
    });
    return { ended: true };
  })();
}

export function resumeSession(db: Db, token: string, now: number): UserPublic {
  const user = findSessionUser(db, tokenHash(token), now);
  if (!user) throw new AuthError('session_expired: log in again');
  return user;
}

export function sessionUser(db: Db, token: string, now: number): UserPublic | undefined {
  return findSessionUser(db, tokenHash(token), now);
}

/** The user of a live session known by its id (see `sessionId`); undefined once it expired or was removed. */
export function sessionUserById(db: Db, id: string, now: number): UserPublic | undefined {
  return findSessionUser(db, id, now);
}

/** How a device session's entries are written: one transaction each (default), or batched (session-audit.ts). */
export type SessionAuditWriter = (entry: AuditInput) => Promise<void> | void;
const writeNow = (db: Db): SessionAuditWriter => (entry) => {
  db.transaction(() => appendAudit(db, entry))();
};

/** Checks a device's secret (and that it is not revoked) without auditing: the throttled part of a device login. */
export async function checkDevice(db: Db, deviceId: string, secret: string): Promise<DeviceRecord> {
  const device = findDevice(db, deviceId);
  const ok = await verifySecret(secret, device?.secretHash ?? (await (dummyHash ??= hashSecret('x'))));
  if (!device || !ok) throw new AuthError('auth_failed: unknown device or wrong secret');
  // Checked after the secret, so that only the device itself learns it was revoked.
  if (device.revokedAt != null) throw new AuthError('auth_failed: this device was revoked; ask an admin to enrol it again');
  return device;
}

/** The audit entry of a device session begun. */
export const deviceSessionBegun = (device: DeviceRecord, now: number, origin: Origin = { address: null }): AuditInput => ({
  actor: device.id, role: 'device', action: 'session:device', target: device.unitId, payload: { address: origin.address, kind: device.kind },
  outcome: 'accepted', reason: null, at: now,
});

export async function authenticateDevice(db: Db, deviceId: string, secret: string, now = Date.now(), origin: Origin = { address: null }, audit: SessionAuditWriter = writeNow(db)): Promise<DeviceRecord> {
  const device = await checkDevice(db, deviceId, secret);
  await audit(deviceSessionBegun(device, now, origin));
  return device;
}

/** A device has no logout: its session ends when its connection does, with socket.io's reason (e.g. "transport close"). */
export function deviceDisconnected(db: Db, deviceId: string, reason: string, now: number, origin: Origin = { address: null }, audit: SessionAuditWriter = writeNow(db)): Promise<void> | void {
  return audit({
    actor: deviceId, role: 'device', action: 'session:device-end', target: null, payload: { address: origin.address, why: reason.slice(0, 200) },
    outcome: 'accepted', reason: null, at: now,
  });
}
