// How fast a client may send: a budget per socket, and one per identity (a user or a device) across all
// of its sockets, so that more connections on one credential do not buy more of the hub. A gateway
// batches many units per message, so budgets are per message. A flood is audited as its first refusal
// plus one summary per window per identity (refusals.ts), so it cannot grow the log.
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { CommandError } from '../../../shared/protocol/commands';
import type { RefusalAuditor } from '../refusals';
import type { Limiter } from './guard';

export type MessageBudget = {
  /** messages one socket may send per window */
  perSocket: number;
  /** messages all sockets of one identity may send together per window */
  perIdentity: number;
  /** window length, seconds */
  windowSec: number;
};

export const CONSOLE_BUDGET: MessageBudget = { perSocket: 50, perIdentity: 200, windowSec: 1 };
// The bench runs 4 gateway connections at 50 messages a second each; a device gets 4 sockets' worth.
export const FIELD_BUDGET: MessageBudget = { perSocket: 100, perIdentity: 400, windowSec: 1 };

const SLOW_DOWN: CommandError = { code: 'rate_limited', message: 'too many messages; slow down' };

export function messageLimiter(budget: MessageBudget, refusals: RefusalAuditor): Limiter {
  const bySocket = new RateLimiterMemory({ keyPrefix: 'socket', points: budget.perSocket, duration: budget.windowSec });
  const byIdentity = new RateLimiterMemory({ keyPrefix: 'identity', points: budget.perIdentity, duration: budget.windowSec });
  // The library rejects with its result (not an Error) when a key is over its budget.
  const within = (p: Promise<unknown>) => p.then(() => true, (e: unknown) => {
    if (e instanceof Error) throw e;
    return false;
  });
  return async (socket, actor, event) => {
    // A message refused by its socket's budget does not count against the identity's.
    if ((await within(bySocket.consume(socket.id))) && (await within(byIdentity.consume(actor.id)))) return null;
    refusals.note({ kind: 'rate_limited', actor }, { action: event, error: SLOW_DOWN, payload: null });
    return SLOW_DOWN;
  };
}
