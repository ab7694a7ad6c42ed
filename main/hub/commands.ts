// The one path every command takes: role check, validation, idempotency, one transaction holding the
// change + its events + its audit entry + the command ledger row, then the ack (only after the commit).
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { ActorRole } from '../../shared/domain';
import type { Ack, CommandError, ErrorCode } from '../../shared/protocol/commands';
import type { HubEvent, HubEventData } from '../../shared/protocol/events';
import { appendAudit } from '../store/audit';
import { canonicalJson } from '../store/canonical';
import type { Db } from '../store/db';
import { appendEvent, findAppliedCommand, recordAppliedCommand } from '../store/log';

export type Actor = { id: string; role: ActorRole; /** field devices: the units it may speak for */ unitIds?: string[] | 'any' };

/** Thrown by a handler to refuse a command; the transaction rolls back and the refusal is audited. */
export class CommandFailure extends Error {
  constructor(readonly code: ErrorCode, message: string) {
    super(message);
  }
}

export type Emitted = { data: HubEventData; unitId: string | null };
export type TxContext = { db: Db; now: number; actor: Actor };
/** `detail`: what the audit entry records besides the payload (e.g. the state a switch replaced). */
export type HandlerOutput<R> = { result: R; target: string | null; events: Emitted[]; detail?: Record<string, unknown> };
export type Handler<P, R> = (ctx: TxContext, payload: P) => HandlerOutput<R>;

export type CommandDef<S extends z.ZodType, R> = {
  name: string;
  schema: S;
  roles: readonly ActorRole[];
  handler: Handler<z.output<S>, R>;
};

const MAX_AUDITED_PAYLOAD = 4096;

/** Summarise a refused payload for the audit log without letting a hostile client fill it. */
function auditablePayload(raw: unknown): unknown {
  let text: string;
  try {
    text = JSON.stringify(raw) ?? 'undefined';
  } catch {
    return { unserialisable: true };
  }
  return text.length > MAX_AUDITED_PAYLOAD ? { truncated: text.slice(0, MAX_AUDITED_PAYLOAD) } : raw;
}

/** Strip secrets before they reach the append-only log. */
function redact(payload: unknown): unknown {
  if (payload && typeof payload === 'object' && 'password' in payload) return { ...payload, password: '[redacted]' };
  return payload;
}

export function zodMessage(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : 'payload'}: ${i.message}`)
    .join('; ');
}

export function refuse(db: Db, actor: Actor, action: string, raw: unknown, error: CommandError, now: number): Ack<never> {
  db.transaction(() =>
    appendAudit(db, {
      actor: actor.id, role: actor.role, action, target: null, payload: redact(auditablePayload(raw)),
      outcome: 'rejected', reason: `${error.code}: ${error.message}`, at: now,
    }),
  )();
  return { ok: false, error };
}

/** Writes a refusal to the audit log and returns its ack: `refuse` on this db, or one that summarises floods (refusals.ts). */
export type RefusalWriter = (actor: Actor, action: string, raw: unknown, error: CommandError, now: number) => Ack<never>;

/** Each written event with its scope: the unit it concerns, or null for everyone. */
export type ScopedEvent = { event: HubEvent; unitId: string | null };
export type RunOutcome<R> = { ack: Ack<R>; events: ScopedEvent[] };

export function runCommand<S extends z.ZodType, R>(
  db: Db, def: CommandDef<S, R>, actor: Actor, raw: unknown, now = Date.now(),
  refuseWith: RefusalWriter = (a, action, r, error, t) => refuse(db, a, action, r, error, t),
): RunOutcome<R> {
  if (!def.roles.includes(actor.role)) {
    return { ack: refuseWith(actor, def.name, raw, { code: 'forbidden', message: `role ${actor.role} may not ${def.name}` }, now), events: [] };
  }
  const parsed = def.schema.safeParse(raw);
  if (!parsed.success) {
    return { ack: refuseWith(actor, def.name, raw, { code: 'invalid_payload', message: zodMessage(parsed.error) }, now), events: [] };
  }
  const payload = parsed.data as z.output<S> & { commandId: string };
  // The parsed payload, canonically encoded: a retry sends the same command, so the same hash.
  const payloadHash = createHash('sha256').update(canonicalJson(payload)).digest('hex');
  const previous = findAppliedCommand(db, payload.commandId);
  if (previous) {
    if (previous.actor !== actor.id || previous.action !== def.name) {
      const error: CommandError = { code: 'conflict', message: `commandId ${payload.commandId} was already used for another command` };
      return { ack: refuseWith(actor, def.name, raw, error, now), events: [] };
    }
    if (previous.payloadHash !== null && previous.payloadHash !== payloadHash) {
      const error: CommandError = { code: 'conflict', message: `commandId ${payload.commandId} was already used with a different payload` };
      return { ack: refuseWith(actor, def.name, raw, error, now), events: [] };
    }
    return { ack: { ok: true, result: previous.result as R }, events: [] }; // a retry: same answer, no second effect
  }
  try {
    const events = db.transaction(() => {
      const out = def.handler({ db, now, actor }, payload);
      const written = out.events.map((e) => ({ event: appendEvent(db, now, e.data, e.unitId), unitId: e.unitId }));
      appendAudit(db, {
        actor: actor.id, role: actor.role, action: def.name, target: out.target,
        payload: out.detail ? { ...(redact(payload) as object), detail: out.detail } : redact(payload),
        outcome: 'accepted', reason: null, at: now,
      });
      recordAppliedCommand(db, { commandId: payload.commandId, actor: actor.id, action: def.name, result: out.result, payloadHash, at: now });
      return { written, result: out.result };
    })();
    return { ack: { ok: true, result: events.result }, events: events.written };
  } catch (e) {
    const error: CommandError = e instanceof CommandFailure
      ? { code: e.code, message: e.message }
      : { code: 'internal', message: 'the hub could not apply this command; nothing was changed' };
    if (!(e instanceof CommandFailure)) console.error(`command ${def.name} failed:`, e);
    return { ack: refuseWith(actor, def.name, raw, error, now), events: [] };
  }
}
