// Passwords (scrypt), session tokens and device secrets. Tokens are random and stored only as hashes.
import { createHash, randomBytes, scrypt as scryptCb, scryptSync, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { UserPublic } from '../../shared/domain';
import type { Db } from '../store/db';
import { findDevice, findSessionUser, findUserByName, insertSession, type DeviceRecord } from '../store/people';

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

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
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

export async function login(db: Db, username: string, password: string, now: number): Promise<{ user: UserPublic; token: string }> {
  const user = findUserByName(db, username);
  const ok = await verifySecret(password, user?.passwordHash ?? (await (dummyHash ??= hashSecret('x'))));
  if (!user || !ok) throw new AuthError('auth_failed: wrong username or password');
  if (user.disabled) throw new AuthError('auth_failed: this account is disabled');
  const token = randomBytes(32).toString('base64url');
  insertSession(db, { tokenHash: tokenHash(token), userId: user.id, at: now, expiresAt: now + SESSION_MS });
  return { user: { id: user.id, username: user.username, role: user.role }, token };
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

export async function authenticateDevice(db: Db, deviceId: string, secret: string): Promise<DeviceRecord> {
  const device = findDevice(db, deviceId);
  const ok = await verifySecret(secret, device?.secretHash ?? (await (dummyHash ??= hashSecret('x'))));
  if (!device || !ok) throw new AuthError('auth_failed: unknown device or wrong secret');
  return device;
}
