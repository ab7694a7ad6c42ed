// The sequenced event log (what consoles resume from) and the applied-command ledger (idempotency).
import type { HubEvent, HubEventData } from '../../shared/protocol/events';
import type { Db, ReadDb } from './db';

/** Scope: the unit an event concerns, so field devices get only their own (null = everyone). */
export function appendEvent(db: Db, at: number, data: HubEventData, unitId: string | null): HubEvent {
  const r = db.prepare('INSERT INTO events (at, type, unit_id, data) VALUES (?, ?, ?, ?)').run(at, data.type, unitId, JSON.stringify(data));
  return { seq: Number(r.lastInsertRowid), at, data };
}

export function eventsAfter(db: ReadDb, afterSeq: number, limit: number): HubEvent[] {
  const rows = db.prepare('SELECT seq, at, data FROM events WHERE seq > ? ORDER BY seq LIMIT ?').all(afterSeq, limit) as Array<{ seq: number; at: number; data: string }>;
  return rows.map((r) => ({ seq: r.seq, at: r.at, data: JSON.parse(r.data) as HubEventData }));
}

/** Events a field device may see: those of its units, and those for everyone. */
export function fieldEventsAfter(db: ReadDb, afterSeq: number, limit: number, unitIds: string[] | 'any'): HubEvent[] {
  if (unitIds === 'any') return eventsAfter(db, afterSeq, limit);
  const rows = db.prepare(
    `SELECT seq, at, data FROM events WHERE seq > ? AND (unit_id IS NULL OR unit_id IN (SELECT value FROM json_each(?)))
     ORDER BY seq LIMIT ?`,
  ).all(afterSeq, JSON.stringify(unitIds), limit) as Array<{ seq: number; at: number; data: string }>;
  return rows.map((r) => ({ seq: r.seq, at: r.at, data: JSON.parse(r.data) as HubEventData }));
}

export function headSeq(db: ReadDb): number {
  return (db.prepare('SELECT coalesce(max(seq), 0) AS s FROM events').get() as { s: number }).s;
}

export type AppliedCommand = { actor: string; action: string; result: unknown; /** null for commands applied before store v50 */ payloadHash: string | null };

export function findAppliedCommand(db: ReadDb, commandId: string): AppliedCommand | undefined {
  const r = db.prepare('SELECT actor, action, result, payload_hash FROM commands WHERE command_id = ?').get(commandId) as
    | { actor: string; action: string; result: string; payload_hash: string | null }
    | undefined;
  return r && { actor: r.actor, action: r.action, result: JSON.parse(r.result), payloadHash: r.payload_hash };
}

export function recordAppliedCommand(db: Db, c: { commandId: string; actor: string; action: string; result: unknown; payloadHash: string; at: number }): void {
  db.prepare('INSERT INTO commands (command_id, actor, action, result, payload_hash, at) VALUES (?, ?, ?, ?, ?, ?)')
    .run(c.commandId, c.actor, c.action, JSON.stringify(c.result), c.payloadHash, c.at);
}
