// The sequenced event log (what consoles resume from) and the applied-command ledger (idempotency).
import { CONSOLE_ONLY_EVENTS, type HubEvent, type HubEventData } from '../../shared/protocol/events';
import type { Db, ReadDb } from './db';
import { prepared } from './statements';

// Field devices never read the consoles' own events (constant names, not input).
const FOR_FIELD = `type NOT IN (${CONSOLE_ONLY_EVENTS.map((t) => `'${t}'`).join(', ')})`;

/** The store's own SQL, exported so query-plan tests read what actually runs. */
export const LOG_SQL = {
  appendEvent: 'INSERT INTO events (at, type, unit_id, data) VALUES (?, ?, ?, ?)',
  eventsAfter: 'SELECT seq, at, data FROM events WHERE seq > ? ORDER BY seq LIMIT ?',
  fieldEventsAfter: `SELECT seq, at, data FROM events WHERE seq > ? AND (unit_id IS NULL OR unit_id IN (SELECT value FROM json_each(?)))
     AND ${FOR_FIELD} ORDER BY seq LIMIT ?`,
  gatewayEventsAfter: `SELECT seq, at, data FROM events WHERE seq > ? AND ${FOR_FIELD} ORDER BY seq LIMIT ?`,
  // seq starts at 1, so (at, seq) > (from, 0) includes every event at `from`.
  eventsBetween: 'SELECT seq, at, data FROM events WHERE (at, seq) > (@afterAt, @afterSeq) AND at < @to ORDER BY at, seq LIMIT @limit',
  headSeq: 'SELECT coalesce(max(seq), 0) AS s FROM events',
  findCommand: 'SELECT actor, action, result, payload_hash FROM commands WHERE command_id = ?',
  recordCommand: 'INSERT INTO commands (command_id, actor, action, result, payload_hash, at) VALUES (?, ?, ?, ?, ?, ?)',
} as const;

type EventRow = { seq: number; at: number; data: string };
const toEvent = (r: EventRow): HubEvent => ({ seq: r.seq, at: r.at, data: JSON.parse(r.data) as HubEventData });

/** Scope: the unit an event concerns, so field devices get only their own (null = everyone). */
export function appendEvent(db: Db, at: number, data: HubEventData, unitId: string | null): HubEvent {
  const r = prepared(db, LOG_SQL.appendEvent).run(at, data.type, unitId, JSON.stringify(data));
  return { seq: Number(r.lastInsertRowid), at, data };
}

export function eventsAfter(db: ReadDb, afterSeq: number, limit: number): HubEvent[] {
  return (prepared(db, LOG_SQL.eventsAfter).all(afterSeq, limit) as EventRow[]).map(toEvent);
}

/** Events a field device may see: those of its units, and those for everyone but the consoles' own. */
export function fieldEventsAfter(db: ReadDb, afterSeq: number, limit: number, unitIds: string[] | 'any'): HubEvent[] {
  if (unitIds === 'any') return (prepared(db, LOG_SQL.gatewayEventsAfter).all(afterSeq, limit) as EventRow[]).map(toEvent);
  return (prepared(db, LOG_SQL.fieldEventsAfter).all(afterSeq, JSON.stringify(unitIds), limit) as EventRow[]).map(toEvent);
}

/** What the hub broadcast between two times (from ≤ at < to), keyset-paged over (at, seq). */
export function eventsBetween(db: ReadDb, q: { from: number; to: number; after?: { at: number; seq: number }; limit: number }): HubEvent[] {
  const after = q.after ?? { at: q.from, seq: 0 };
  return (prepared(db, LOG_SQL.eventsBetween).all({ afterAt: after.at, afterSeq: after.seq, to: q.to, limit: q.limit }) as EventRow[]).map(toEvent);
}

export function headSeq(db: ReadDb): number {
  return (prepared(db, LOG_SQL.headSeq).get() as { s: number }).s;
}

export type AppliedCommand = { actor: string; action: string; result: unknown; /** null for commands applied before store v50 */ payloadHash: string | null };

export function findAppliedCommand(db: ReadDb, commandId: string): AppliedCommand | undefined {
  const r = prepared(db, LOG_SQL.findCommand).get(commandId) as
    | { actor: string; action: string; result: string; payload_hash: string | null }
    | undefined;
  return r && { actor: r.actor, action: r.action, result: JSON.parse(r.result), payloadHash: r.payload_hash };
}

export function recordAppliedCommand(db: Db, c: { commandId: string; actor: string; action: string; result: unknown; payloadHash: string; at: number }): void {
  prepared(db, LOG_SQL.recordCommand).run(c.commandId, c.actor, c.action, JSON.stringify(c.result), c.payloadHash, c.at);
}
