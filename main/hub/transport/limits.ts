// How fast a client may send: a budget per socket, and one per identity (a user or a device) across all
// of its sockets, so that more connections on one credential do not buy more of the hub. A gateway
// batches many units per message, so budgets are per message. A flood is audited as its first refusal
// plus one summary per window per identity (refusals.ts), so it cannot grow the log.
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { CommandError } from '../../../shared/protocol/commands';
import type { RefusalAuditor } from '../refusals';
import type { Socket } from 'socket.io';
import type { Actor } from '../commands';
import type { Limiter } from './guard';

export type MessageBudget = {
  /** messages one socket may send per window */
  perSocket: number;
  /** messages all sockets of one identity may send together per window */
  perIdentity: number;
  /** window length, seconds */
  windowSec: number;
  /**
   * refusals one socket may collect in a window before it is cut: a client that goes on after this many
   * "slow down" answers is not listening, and answering each of its messages costs the hub the time its
   * other clients are waiting for. It may reconnect (and is audited as a summary, like every refusal).
   */
  cutAfterRefusals: number;
  /**
   * the same for a connection on credentials that were cut for flooding a moment ago (backoff.ts
   * `watched`): it has shown it does not listen, so it is cut at its first few refusals. Each return of a
   * flood then costs the hub a few dozen answers per socket, not hundreds (measured in tests/bench/flood.ts).
   */
  cutAfterRefusalsWatched: number;
  /**
   * malformed messages (refused invalid_payload) a watched connection may send in a window before it is
   * cut: the hub's own clients build their payloads from the protocol's schemas, and one back on
   * credentials cut for flooding a moment ago that sends junk is the flood come back (measured in
   * tests/bench/flood.ts: each return of the flood was ~200 malformed commands within the identity's
   * budget). A connection that is not watched is never cut for these (a bad client is answered, refusal
   * by refusal, as tests/integration/bad-input-memory.test.ts checks).
   */
  cutAfterMalformedWatched: number;
};

/** Set at the handshake on a connection whose session or device is watched after a flood cut (backoff.ts). */
export type WatchedData = { watched?: boolean };
const isWatched = (socket: Socket) => (socket.data as WatchedData | undefined)?.watched === true;

export const CONSOLE_BUDGET: MessageBudget = { perSocket: 50, perIdentity: 200, windowSec: 1, cutAfterRefusals: 200, cutAfterRefusalsWatched: 10, cutAfterMalformedWatched: 0 };
// The bench runs 4 gateway connections at 50 messages a second each; a device gets 4 sockets' worth.
export const FIELD_BUDGET: MessageBudget = { perSocket: 100, perIdentity: 400, windowSec: 1, cutAfterRefusals: 400, cutAfterRefusalsWatched: 20, cutAfterMalformedWatched: 0 };

const SLOW_DOWN: CommandError = { code: 'rate_limited', message: 'too many messages; slow down' };
const FLOOD_CUT: CommandError = { code: 'rate_limited', message: 'connection cut: it went on sending after being told to slow down' };
const MALFORMED_CUT: CommandError = { code: 'rate_limited', message: 'connection cut: malformed messages on credentials cut for flooding a moment ago' };
/** The guard (guard.ts) closes the socket once the answers it is owed have gone out. */

/** `onCut`, when given, is told of each cut (the hub starts a back-off for the socket's session or device, backoff.ts). */
export function messageLimiter(budget: MessageBudget, refusals: RefusalAuditor, onCut?: (socket: Socket, actor: Actor) => void): Limiter {
  const bySocket = new RateLimiterMemory({ keyPrefix: 'socket', points: budget.perSocket, duration: budget.windowSec });
  const byIdentity = new RateLimiterMemory({ keyPrefix: 'identity', points: budget.perIdentity, duration: budget.windowSec });
  const refusedBySocket = new RateLimiterMemory({ keyPrefix: 'refused', points: budget.cutAfterRefusals, duration: budget.windowSec });
  const cutSockets = new WeakSet<Socket>();
  // The library rejects with its result (not an Error) when a key is over its budget.
  const within = (p: Promise<unknown>) => p.then(() => true, (e: unknown) => {
    if (e instanceof Error) throw e;
    return false;
  });
  // Counted here, synchronously, not by the async limiters above: the cut must come before the next
  // message of the same read is handled (guard.ts answers those as the cut).
  const malformedBySocket = new WeakMap<Socket, { from: number; count: number }>();
  /** The one cut of a socket: audited, and told to the back-off (`onCut`). */
  const cutNow = (socket: Socket, actor: Actor, event: string, error: CommandError): boolean => {
    if (cutSockets.has(socket) || !socket.connected) return false;
    cutSockets.add(socket);
    refusals.note({ kind: 'flood_cut', actor }, { action: event, error, payload: null });
    onCut?.(socket, actor);
    return true;
  };
  const limiter: Limiter = async (socket, actor, event) => {
    // A message refused by its socket's budget does not count against the identity's.
    if ((await within(bySocket.consume(socket.id))) && (await within(byIdentity.consume(actor.id)))) return null;
    refusals.note({ kind: 'rate_limited', actor }, { action: event, error: SLOW_DOWN, payload: null });
    // Only the refusal that passes the bound cuts (and is audited as the cut): the ones already on their
    // way when it did are answered as refusals while the guard waits to close.
    const refused = await refusedBySocket.consume(socket.id).then((r) => r.consumedPoints, (e: unknown) => {
      if (e instanceof Error) throw e;
      return (e as { consumedPoints: number }).consumedPoints;
    });
    const bound = isWatched(socket) ? budget.cutAfterRefusalsWatched : budget.cutAfterRefusals;
    if (refused > bound && cutNow(socket, actor, event, FLOOD_CUT)) return { error: FLOOD_CUT, cut: true };
    return { error: SLOW_DOWN, cut: false };
  };
  limiter.malformed = (socket, actor, event) => {
    if (!isWatched(socket)) return false;
    const now = Date.now();
    let w = malformedBySocket.get(socket);
    if (!w || now - w.from >= budget.windowSec * 1000) malformedBySocket.set(socket, (w = { from: now, count: 0 }));
    w.count += 1;
    return w.count > budget.cutAfterMalformedWatched && cutNow(socket, actor, event, MALFORMED_CUT);
  };
  return limiter;
}
