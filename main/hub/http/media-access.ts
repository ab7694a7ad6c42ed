// Who may fetch /media/<camera>/...: the holder of a media token for that camera whose session is still
// live. The console gets such a URL from `stream:token`; the session token never goes into a URL.
import type { Db } from '../../store/db';
import { createMediaTokens, type MediaTokens } from '../../media/token';
import { sessionId, sessionUserById } from '../auth';

export type MediaAccess = {
  /** `path` is the gateway's '/media/<id>/index.m3u8'; the answer is `path?token=<media token>` and its expiry */
  sign(path: string, sessionToken: string, cameraId: string, now: number): { path: string; expiresAt: number };
  authorize(token: string, cameraId: string): boolean;
};

export function createMediaAccess(db: Db, tokens: MediaTokens = createMediaTokens()): MediaAccess {
  return {
    sign(path, sessionToken, cameraId, now) {
      const { token, expiresAt } = tokens.issue(sessionId(sessionToken), cameraId, now);
      return { path: `${path}?token=${encodeURIComponent(token)}`, expiresAt };
    },
    authorize(token, cameraId) {
      const now = Date.now();
      const session = tokens.verify(token, cameraId, now);
      // A logged-out, expired or disabled session's tokens stop working at once, not at their own expiry.
      return session !== null && sessionUserById(db, session, now) !== undefined;
    },
  };
}
