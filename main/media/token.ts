// Media tokens: what a console puts in an HLS URL instead of its session token. Short-lived, bound to
// one camera and one session, and signed (HMAC-SHA256) with a key that lives only in this hub process —
// so a leaked URL opens one camera for a few minutes, is no login anywhere, and dies with its session.
// Format: m1.<expiry, base36 ms>.<session id>.<mac, base64url>; the session id is the hash the store
// keeps for the session (never the session token itself).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** How long one media URL is good for. Consoles renew well before (see renderer/src/video/VideoTile.tsx). */
export const MEDIA_TOKEN_TTL_MS = 5 * 60 * 1000;

const VERSION = 'm1';
const SESSION_ID = /^[0-9a-f]{64}$/;

export type MediaTokens = {
  issue(sessionId: string, cameraId: string, now: number): { token: string; expiresAt: number };
  /** The session id the token was issued to, or null when it is forged, expired, or for another camera. */
  verify(token: string, cameraId: string, now: number): string | null;
};

export function createMediaTokens(opts: { key?: Buffer; ttlMs?: number } = {}): MediaTokens {
  const key = opts.key ?? randomBytes(32); // a restart invalidates every media URL; consoles just ask again
  const ttlMs = opts.ttlMs ?? MEDIA_TOKEN_TTL_MS;
  const mac = (sessionId: string, cameraId: string, exp: string) =>
    createHmac('sha256', key).update(`${VERSION}\n${sessionId}\n${cameraId}\n${exp}`).digest();

  return {
    issue(sessionId, cameraId, now) {
      if (!SESSION_ID.test(sessionId)) throw new Error('media token: session id must be a session hash');
      const expiresAt = now + ttlMs;
      const exp = expiresAt.toString(36);
      return { token: `${VERSION}.${exp}.${sessionId}.${mac(sessionId, cameraId, exp).toString('base64url')}`, expiresAt };
    },
    verify(token, cameraId, now) {
      const parts = token.split('.');
      if (parts.length !== 4) return null;
      const [version, exp, sessionId, sig] = parts as [string, string, string, string];
      if (version !== VERSION || !/^[0-9a-z]{1,12}$/.test(exp) || !SESSION_ID.test(sessionId)) return null;
      const given = Buffer.from(sig, 'base64url');
      const expected = mac(sessionId, cameraId, exp);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      return parseInt(exp, 36) > now ? sessionId : null;
    },
  };
}
