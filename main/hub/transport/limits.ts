// How fast a client may send. A gateway batches many units per message, so budgets are per message.
// A flood is audited once a second per socket, not once per message, so it cannot grow the log.
import type { Socket } from 'socket.io';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { CommandError } from '../../../shared/protocol/commands';
import type { Actor } from '../commands';
import type { Limiter, Refuser } from './guard';

const SLOW_DOWN: CommandError = { code: 'rate_limited', message: 'too many messages; slow down' };

export function socketLimiter(opts: { points: number; refuse: Refuser; now?: () => number }): Limiter & { forget(socketId: string): void } {
  const limiter = new RateLimiterMemory({ points: opts.points, duration: 1 });
  const now = opts.now ?? Date.now;
  const lastAudit = new Map<string, number>();
  const limit = async (socket: Socket, actor: Actor, event: string): Promise<CommandError | null> => {
    try {
      await limiter.consume(socket.id);
      return null;
    } catch {
      const t = now();
      if ((lastAudit.get(socket.id) ?? 0) < t - 1000) {
        lastAudit.set(socket.id, t);
        opts.refuse(actor, event, null, SLOW_DOWN);
      }
      return SLOW_DOWN;
    }
  };
  return Object.assign(limit, { forget: (socketId: string) => void lastAudit.delete(socketId) });
}
