// After a cut (limits.ts: a socket that went on sending after "slow down"), the reconnects of what flooded
// (a console's session, a device) are refused for a while at the handshake, before any work: no session
// lookup, no secret check, no device audit write, no handlers bound. Without it a flooding identity whose sockets are cut comes straight
// back on its token and floods again, and each cut then buys the hub only the reconnect's cost (measured:
// 2,881 cuts and token reconnects in 11 s, ~225 refused messages per connection). The back-off grows with
// each cut that comes after the last back-off ended (1 s, 2 s, 4 s … up to the maximum) and is forgotten
// after a quiet spell, so one bad burst of a real console costs it a second. Cuts of the identity's other
// sockets while it is backed off (they flood together) do not make it longer.
//
// Once back in, it is watched until its back-off is forgotten (`watched`): its connections are cut at
// far fewer refusals (limits.ts), so that each return of a flood costs the hub a few dozen answers instead
// of hundreds per socket. A console that never went on after "slow down" is never watched.
//
// It is per session or device: other identities are never affected. A console's password login is a new
// session and is not held back (it goes through the login throttle and its scrypt gate instead).

export type FloodBackoffOptions = {
  /** the first back-off, ms (default 1 s) */
  firstMs?: number;
  /** the longest, ms (default 30 s) */
  maxMs?: number;
  /** a cut this long after the last back-off ended starts again from the first (default 60 s) */
  forgetMs?: number;
  /** a refused handshake is answered after the rest of the back-off, but at most this late, ms (default 5 s) */
  holdMs?: number;
  /** refused handshakes one identity may have held at once; the rest are answered at once (default 16) */
  maxHeld?: number;
};

export type FloodBackoff = {
  /** A socket of `identity` was cut for flooding. */
  cut(identity: string, now?: number): void;
  /** ms left of `identity`'s back-off; 0 when it may connect. */
  remaining(identity: string, now?: number): number;
  /** Whether `identity` was cut for flooding and that is not yet forgotten (forgetMs after its last back-off). */
  watched(identity: string, now?: number): boolean;
  /**
   * Answers a refused handshake of `identity` (`answer`) once `waitMs` have passed (at most holdMs), so a
   * client that retries at once retries once per hold instead of spinning handshakes (measured: a
   * refused token handshake cost the hub ~1 ms of CPU, 1,489 of them in 11 s when answered at once). A
   * held handshake is an idle connection and a timer; past maxHeld of one identity, answered at once.
   */
  answerLater(identity: string, waitMs: number, answer: () => void): void;
};

export const BACKOFF_FIRST_MS = 1_000;
export const BACKOFF_MAX_MS = 30_000;
export const BACKOFF_FORGET_MS = 60_000;
export const BACKOFF_HOLD_MS = 5_000;
export const BACKOFF_MAX_HELD = 16;

type State = { until: number; level: number };

export function floodBackoff(opts: FloodBackoffOptions = {}): FloodBackoff {
  const firstMs = opts.firstMs ?? BACKOFF_FIRST_MS;
  const maxMs = opts.maxMs ?? BACKOFF_MAX_MS;
  const forgetMs = opts.forgetMs ?? BACKOFF_FORGET_MS;
  const holdMs = opts.holdMs ?? BACKOFF_HOLD_MS;
  const maxHeld = opts.maxHeld ?? BACKOFF_MAX_HELD;
  const states = new Map<string, State>();
  const held = new Map<string, number>();
  let prunedAt = 0;

  /** Identities whose back-off was forgotten: only those that flooded are kept, and only for a while. */
  const prune = (now: number) => {
    if (now - prunedAt < forgetMs) return;
    prunedAt = now;
    for (const [id, s] of states) if (now - s.until > forgetMs) states.delete(id);
  };

  return {
    cut(identity, now = Date.now()) {
      prune(now);
      const s = states.get(identity);
      if (s && now < s.until) return; // the same episode: its other sockets
      const level = s && now - s.until <= forgetMs ? s.level + 1 : 0;
      states.set(identity, { until: now + Math.min(maxMs, firstMs * 2 ** level), level });
    },
    remaining(identity, now = Date.now()) {
      const s = states.get(identity);
      return s ? Math.max(0, s.until - now) : 0;
    },
    watched(identity, now = Date.now()) {
      const s = states.get(identity);
      return s !== undefined && now - s.until <= forgetMs;
    },
    answerLater(identity, waitMs, answer) {
      const n = held.get(identity) ?? 0;
      const ms = Math.min(waitMs, holdMs);
      if (ms <= 0 || n >= maxHeld) return answer();
      held.set(identity, n + 1);
      setTimeout(() => {
        const left = (held.get(identity) ?? 1) - 1;
        if (left > 0) held.set(identity, left);
        else held.delete(identity);
        answer();
      }, ms).unref();
    },
  };
}

/** The handshake's refusal while backed off, as audited (code rate_limited) … */
export const backoffError = (ms: number) => ({
  code: 'rate_limited' as const,
  message: `connections on these credentials were cut for flooding; try again in ${Math.max(1, Math.ceil(ms / 1000))} s`,
});
/** … and as the client's connect_error says it (code first, as every handshake refusal). */
export const backoffMessage = (ms: number) => `rate_limited: ${backoffError(ms).message}`;
