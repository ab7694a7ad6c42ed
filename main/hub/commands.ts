// The one path every command takes: role check, validation, idempotency, one transaction holding the
// change + its events + its audit entry + the command ledger row, then the ack (only after the commit).
// Commands that arrive together share that transaction, each in a savepoint of its own (group-commit.ts).
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { ActorRole } from '../../shared/domain';
import { ISSUES_SENT_MAX, type Ack, type CommandError, type ErrorCode, type Issue } from '../../shared/protocol/commands';
import type { HubEvent, HubEventData } from '../../shared/protocol/events';
import { appendAudit } from '../store/audit';
import { canonicalJson } from '../store/canonical';
import type { Db } from '../store/db';
import { describeStorageFault, storageFault } from '../store/faults';
import { appendEvent, findAppliedCommand, recordAppliedCommand } from '../store/log';
import { DEFAULT_TIME_ZONE } from '../../shared/time';

export type Actor = { id: string; role: ActorRole; /** field devices: the units it may speak for */ unitIds?: string[] | 'any' };

/** Thrown by a handler to refuse a command; the transaction rolls back and the refusal is audited. */
export class CommandFailure extends Error {
  /** `issues`: the same refusal as codes and parameters, for a screen to word (bounded when sent: ISSUES_SENT_MAX). */
  constructor(readonly code: ErrorCode, message: string, readonly issues?: readonly Issue[]) {
    super(message);
  }

  /** The refusal as its ack carries it: the English message, and the issues when there are any. */
  toError(): CommandError {
    if (!this.issues || this.issues.length === 0) return { code: this.code, message: this.message };
    const issues = this.issues.slice(0, ISSUES_SENT_MAX);
    return { code: this.code, message: this.message, issues, ...(this.issues.length > issues.length ? { issueCount: this.issues.length } : {}) };
  }
}

export type Emitted = { data: HubEventData; unitId: string | null };
/** `timeZone`: the center's (IANA name), for day boundaries and readable ids; never the machine's. */
export type TxContext = { db: Db; now: number; actor: Actor; timeZone: string };
/** `detail`: what the audit entry records besides the payload (e.g. the state a switch replaced). */
export type HandlerOutput<R> = { result: R; target: string | null; events: Emitted[]; detail?: Record<string, unknown> };
export type Handler<P, R> = (ctx: TxContext, payload: P) => HandlerOutput<R>;

export type CommandDef<S extends z.ZodType, R> = {
  name: string;
  schema: S;
  roles: readonly ActorRole[];
  handler: Handler<z.output<S>, R>;
  /**
   * What the command ledger keeps of the result, when the result holds a secret the store must not
   * (a one-time code, a device secret): a retry of the commandId is answered with this instead.
   */
  ledgerResult?(result: R): R;
};

const MAX_AUDITED_PAYLOAD = 4096;

type Body = () => unknown;
/**
 * `body` in a transaction (a savepoint when one is open), through one wrapper per store: better-sqlite3's
 * `db.transaction(fn)` builds four wrapped functions and their properties on every call, which with a
 * savepoint per command was 1 % of a busy hub.
 */
const wrappers = new WeakMap<Db, ReturnType<Db['transaction']>>();
function atomically<T>(db: Db, body: () => T, mode: 'default' | 'immediate' = 'default'): T {
  let tx = wrappers.get(db);
  if (!tx) wrappers.set(db, (tx = db.transaction((b: Body) => b())));
  return (mode === 'immediate' ? tx.immediate : tx)(body) as T;
}

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

/** Strip passwords and device secrets before they reach the append-only log; an uploaded photo or recording is recorded by its size and hash (the store keeps the bytes). */
function redact(payload: unknown): unknown {
  if (!payload || typeof payload !== 'object') return payload;
  let out = payload as Record<string, unknown>;
  if ('password' in out) out = { ...out, password: '[redacted]' };
  if ('secret' in out) out = { ...out, secret: '[redacted]' };
  for (const key of ['photo', 'audio'] as const) {
    const upload = out[key] as { mime?: unknown; base64?: unknown } | undefined;
    if (upload && typeof upload === 'object' && typeof upload.base64 === 'string') {
      const bytes = Buffer.from(upload.base64, 'base64');
      out = { ...out, [key]: { mime: upload.mime, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') } };
    }
  }
  return out;
}

export function zodMessage(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : 'payload'}: ${i.message}`)
    .join('; ');
}

export function refuse(
  db: Db, actor: Actor, action: string, raw: unknown, error: CommandError, now: number, settle?: (ack: Ack<never>) => void,
): Ack<never> {
  const ack: Ack<never> = { ok: false, error };
  atomically(db, () => {
    appendAudit(db, {
      actor: actor.id, role: actor.role, action, target: null, payload: redact(auditablePayload(raw)),
      outcome: 'rejected', reason: `${error.code}: ${error.message}`, at: now,
    });
    settle?.(ack);
  });
  return ack;
}

/** Writes a refusal to the audit log and returns its ack: `refuse` on this db, or one that summarises floods (refusals.ts). */
export type RefusalWriter = (actor: Actor, action: string, raw: unknown, error: CommandError, now: number) => Ack<never>;

/** Each written event with its scope: the unit it concerns, or null for everyone. */
export type ScopedEvent = { event: HubEvent; unitId: string | null };
export type RunOutcome<R> = { ack: Ack<R>; events: ScopedEvent[] };
export type RunOptions<R> = {
  timeZone?: string;
  /** how refusals are audited (the transport passes one that summarises floods); default: `refuse` row by row */
  refuseWith?: RefusalWriter;
  /**
   * Runs inside the transaction that records the outcome — the change, the refusal, or (for a retry)
   * on its own — so bookkeeping about the command (the scheduler's "done") commits with it or not at all.
   */
  settle?: (ack: Ack<R>) => void;
};

/**
 * One command as the runner takes it: what it is, who sends it, what they sent, and when it arrived.
 * `admitted`: what `admit` made of `raw` already (the transport admits at receipt, dispatch.ts), so the
 * batch does not check and parse it again.
 */
export type CommandCall<R = unknown> = {
  def: CommandDef<z.ZodType, R>; actor: Actor; raw: unknown; now: number; opts?: RunOptions<R>; admitted?: Admitted;
};

/** A command past the role check and its schema: the parsed payload. */
export type Admitted = { payload: { commandId: string } };

/**
 * The first two steps of every command: may this role send it, and is the payload well formed (the
 * schema). Neither reads the store, so the transport runs them as a command arrives, before it joins a
 * commit batch: a refused one then costs the batch nothing and is answered at once (dispatch.ts).
 */
export function admit(def: CommandDef<z.ZodType, unknown>, actor: Actor, raw: unknown): Admitted | { error: CommandError } {
  if (!def.roles.includes(actor.role)) return { error: { code: 'forbidden', message: `role ${actor.role} may not ${def.name}` } };
  const parsed = def.schema.safeParse(raw);
  if (!parsed.success) return { error: { code: 'invalid_payload', message: zodMessage(parsed.error) } };
  return { payload: parsed.data as { commandId: string } };
}

/** The whole batch's transaction ended under it (SQLite rolls back on a full disk, an I/O error): nobody's change stands. */
class BatchAborted extends Error {}

/**
 * Runs commands in one transaction (one commit, one fsync), each in a savepoint of its own: a refused
 * command rolls back only its own change, and what the others did stands. The commands are decided in
 * the order given, so the ledger sees the ones before (a commandId twice in one batch is applied once,
 * the second answered from the ledger) and the audit chain is in that order. The caller acks and
 * broadcasts only after this returns: the commit has happened by then. Throws if the transaction
 * cannot commit; then nothing of any of the commands is kept.
 */
export function runCommands(db: Db, calls: readonly CommandCall[], hooks: { beforeCommit?: (size: number) => void } = {}): RunOutcome<unknown>[] {
  return atomically(db, () => {
    const outcomes = calls.map((call) => {
      const outcome = decide(db, call);
      if (!db.inTransaction) throw new BatchAborted('the batch transaction was rolled back by SQLite');
      return outcome;
    });
    hooks.beforeCommit?.(calls.length);
    return outcomes;
  }, 'immediate');
}

/** One command on its own: a batch of one (the scheduler, tools, tests); throws if the store cannot commit it. */
export function runCommand<S extends z.ZodType, R>(
  db: Db, def: CommandDef<S, R>, actor: Actor, raw: unknown, now = Date.now(), opts: RunOptions<R> = {},
): RunOutcome<R> {
  const call = { def, actor, raw, now, opts } as unknown as CommandCall;
  return runCommands(db, [call])[0] as RunOutcome<R>;
}

/** Decides one command inside the batch's transaction: its change (in a savepoint), or its refusal. */
function decide<R>(db: Db, { def, actor, raw, now, opts = {}, admitted }: CommandCall<R>): RunOutcome<R> {
  const { settle } = opts;
  // With a settle hook the refusal must be written in the same transaction as it, so row by row.
  const refuseWith = (error: CommandError): Ack<never> => (settle
    ? refuse(db, actor, def.name, raw, error, now, settle)
    : (opts.refuseWith ?? ((a, action, r, e, t) => refuse(db, a, action, r, e, t)))(actor, def.name, raw, error, now));
  const admission = admitted ?? admit(def as CommandDef<z.ZodType, unknown>, actor, raw);
  if ('error' in admission) return { ack: refuseWith(admission.error), events: [] };
  const { payload } = admission;
  // The parsed payload, canonically encoded: a retry sends the same command, so the same hash.
  const payloadHash = createHash('sha256').update(canonicalJson(payload)).digest('hex');
  const previous = findAppliedCommand(db, payload.commandId);
  if (previous) {
    if (previous.actor !== actor.id || previous.action !== def.name) {
      const error: CommandError = { code: 'conflict', message: `commandId ${payload.commandId} was already used for another command` };
      return { ack: refuseWith(error), events: [] };
    }
    if (previous.payloadHash !== null && previous.payloadHash !== payloadHash) {
      const error: CommandError = { code: 'conflict', message: `commandId ${payload.commandId} was already used with a different payload` };
      return { ack: refuseWith(error), events: [] };
    }
    const ack: Ack<R> = { ok: true, result: previous.result as R }; // a retry: same answer, no second effect
    if (settle) atomically(db, () => settle(ack));
    return { ack, events: [] };
  }
  try {
    const events = atomically(db, () => {
      const out = def.handler({ db, now, actor, timeZone: opts.timeZone ?? DEFAULT_TIME_ZONE }, payload);
      const written = out.events.map((e) => ({ event: appendEvent(db, now, e.data, e.unitId), unitId: e.unitId }));
      appendAudit(db, {
        actor: actor.id, role: actor.role, action: def.name, target: out.target,
        payload: out.detail ? { ...(redact(payload) as object), detail: out.detail } : redact(payload),
        outcome: 'accepted', reason: null, at: now,
      });
      recordAppliedCommand(db, { commandId: payload.commandId, actor: actor.id, action: def.name, result: def.ledgerResult ? def.ledgerResult(out.result) : out.result, payloadHash, at: now });
      settle?.({ ok: true, result: out.result });
      return { written, result: out.result };
    });
    return { ack: { ok: true, result: events.result }, events: events.written };
  } catch (e) {
    // Rolled back to its savepoint, the batch goes on; rolled back whole (SQLite's own abort), it does not.
    if (!db.inTransaction) throw e;
    const fault = e instanceof CommandFailure ? null : storageFault(e);
    const error: CommandError = e instanceof CommandFailure
      ? e.toError()
      : { code: 'internal', message: fault ? describeStorageFault(fault) : 'the hub could not apply this command; nothing was changed' };
    // A storage fault is the operator's to fix (one line says what); anything else is a bug (the stack).
    if (fault) console.error(`command ${def.name} refused: ${describeStorageFault(fault)} (${(e as { code: string }).code})`);
    else if (!(e instanceof CommandFailure)) console.error(`command ${def.name} failed:`, e);
    return { ack: refuseWith(error), events: [] };
  }
}
