// Binds a namespace's tables (commands and requests) to a socket through the guard: the one place an
// inbound event meets the command path (commands.ts) or the request path (requests.ts).
import type { Socket } from 'socket.io';
import type { z } from 'zod';
import type { Db } from '../../store/db';
import { admit, refuse, type Actor, type CommandDef, type RefusalWriter, type ScopedEvent } from '../commands';
import type { CommandRunner } from '../group-commit';
import { answerRequest, type RequestTable } from '../requests';
import type { HubServices } from '../services';
import type { Guard } from './guard';

export type CommandTable = Record<string, CommandDef<z.ZodType, unknown>>;

export type DispatchDeps = {
  db: Db;
  /** where commands are run: batched into shared transactions (group-commit.ts) */
  commands: CommandRunner;
  guard: Guard;
  services: HubServices;
  broadcast: (events: ScopedEvent[]) => void;
  /** how refusals are audited (the composition root passes one that summarises floods) */
  refuse?: RefusalWriter;
  /** the center's time zone, for handlers that read days and clock times */
  timeZone: string;
  /** called after a command committed, with its result (e.g. the media gateway picks up a changed camera) */
  afterCommit?: (name: string, result: unknown) => void;
};

export function bindTables(deps: DispatchDeps, socket: Socket, actor: () => Actor, commands: CommandTable, requests: RequestTable<HubServices>, nsp: string): void {
  const { db, guard, services, broadcast } = deps;
  guard.refuseUnknown(socket, actor, nsp);
  for (const def of Object.values(commands)) {
    guard.on(socket, actor, def.name, (payload, ack) => {
      const now = Date.now();
      // The role and the schema at receipt (commands.ts `admit`): a refused command never joins the commit
      // batch, so a flood of malformed ones costs the other consoles' batch nothing, and its refusal is
      // answered (and audited, summarised by `deps.refuse`) now, which lets the guard count it (limits.ts).
      const admitted = admit(def, actor(), payload);
      if ('error' in admitted) {
        ack(deps.refuse ? deps.refuse(actor(), def.name, payload, admitted.error, now) : refuse(db, actor(), def.name, payload, admitted.error, now));
        return;
      }
      const call = { def, actor: actor(), raw: payload, now, admitted, opts: { timeZone: deps.timeZone, refuseWith: deps.refuse } };
      deps.commands.submit(call, ({ ack: res, events }) => {
        ack(res); // the transaction has committed (or the refusal has been audited) by now
        broadcast(events);
        if (res.ok) deps.afterCommit?.(def.name, res.result);
      });
    });
  }
  for (const def of Object.values(requests)) {
    guard.on(socket, actor, def.name, async (payload, ack) => {
      ack(await answerRequest(def, { db, actor: actor(), now: Date.now(), services, refuse: deps.refuse }, payload));
    });
  }
}
