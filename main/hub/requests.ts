// Read requests (and the position stream), declared like commands (commands.ts): a name, a zod schema,
// the roles that may ask, and a handler. They change nothing, so there is no commandId and no
// transaction; refusals are audited like a refused command.
import type { z } from 'zod';
import type { ActorRole } from '../../shared/domain';
import type { Ack } from '../../shared/protocol/commands';
import type { Db } from '../store/db';
import { refuse, zodMessage, type Actor, type RefusalWriter } from './commands';

export type RequestContext<S> = { db: Db; actor: Actor; now: number; services: S; /** default: `refuse` on db */ refuse?: RefusalWriter };

export type RequestDef<Schema extends z.ZodType, R, S> = {
  name: string;
  schema: Schema;
  roles: readonly ActorRole[];
  /**
   * Optional hand check ahead of `schema` for a hot request: true only for input that `schema` accepts
   * as it is (no default, no transform), which is then handled without zod's parse; false lets zod decide.
   */
  check?: (raw: unknown) => boolean;
  // A method (not a function-typed property), so a table of specific definitions is assignable to
  // RequestTable without a cast: the transport only ever passes what `schema` parsed.
  handle(ctx: RequestContext<S>, req: z.output<Schema>): Ack<R> | Promise<Ack<R>>;
};

/** A table of requests as the transport sees it (the result types erased). */
export type RequestTable<S> = Record<string, RequestDef<z.ZodType, unknown, S>>;

export function answerRequest<Schema extends z.ZodType, R, S>(def: RequestDef<Schema, R, S>, ctx: RequestContext<S>, raw: unknown): Ack<R> | Promise<Ack<R>> {
  const { db, actor, now } = ctx;
  const refuseWith: RefusalWriter = ctx.refuse ?? ((a, action, r, error, t) => refuse(db, a, action, r, error, t));
  if (!def.roles.includes(actor.role)) {
    return refuseWith(actor, def.name, raw, { code: 'forbidden', message: `role ${actor.role} may not ${def.name}` }, now);
  }
  if (def.check?.(raw)) return def.handle(ctx, raw as z.output<Schema>);
  const parsed = def.schema.safeParse(raw);
  if (!parsed.success) return refuseWith(actor, def.name, raw, { code: 'invalid_payload', message: zodMessage(parsed.error) }, now);
  return def.handle(ctx, parsed.data);
}
