// The durable schedule of the hub's own (system) commands: what is due when, and what became of it.
import type { Db, ReadDb } from './db';
import { prepared } from './statements';

export type ActionState = 'pending' | 'done' | 'cancelled';

export type ScheduledAction = {
  id: number;
  /** the system command to run */
  kind: string;
  /** what it concerns (a task, a camera), so a later change can cancel it; null for none */
  subject: string | null;
  payload: Record<string, unknown>;
  dueAt: number;
  createdAt: number;
  /** who or what scheduled it: the command (actor and action) or the hub component */
  cause: string;
  state: ActionState;
  doneAt: number | null;
  /** 'accepted', or the refusal ('conflict: …'), or why it was cancelled */
  outcome: string | null;
};

export type NewAction = { kind: string; subject: string | null; payload: Record<string, unknown>; dueAt: number; cause: string };

type Row = {
  id: number; kind: string; subject: string | null; payload: string; due_at: number; created_at: number;
  cause: string; state: ActionState; done_at: number | null; outcome: string | null;
};
const fromRow = (r: Row): ScheduledAction => ({
  id: r.id, kind: r.kind, subject: r.subject, payload: JSON.parse(r.payload) as Record<string, unknown>, dueAt: r.due_at,
  createdAt: r.created_at, cause: r.cause, state: r.state, doneAt: r.done_at, outcome: r.outcome,
});

/** The hot queries, exported so the query-plan test reads this SQL and not a copy. */
export const SCHEDULE_SQL = {
  due: `SELECT * FROM scheduled_actions WHERE state = 'pending' AND due_at <= ? AND id NOT IN (SELECT value FROM json_each(?))
     ORDER BY due_at, id LIMIT ?`,
  nextDue: "SELECT min(due_at) AS t FROM scheduled_actions WHERE state = 'pending' AND id NOT IN (SELECT value FROM json_each(?))",
  cancel: `UPDATE scheduled_actions SET state = 'cancelled', done_at = ?, outcome = ?
     WHERE subject = ? AND kind IN (SELECT value FROM json_each(?)) AND state = 'pending'`,
  lastAbout: `SELECT * FROM scheduled_actions WHERE subject = ? AND kind IN (SELECT value FROM json_each(?)) AND state != 'cancelled'
     ORDER BY id DESC LIMIT 1`,
} as const;

/** Queue an action. Call inside the transaction of the change that calls for it. */
export function scheduleAction(db: Db, a: NewAction, at: number): number {
  const r = prepared(db, 'INSERT INTO scheduled_actions (kind, subject, payload, due_at, created_at, cause) VALUES (?, ?, ?, ?, ?, ?)')
    .run(a.kind, a.subject, JSON.stringify(a.payload), a.dueAt, at, a.cause);
  return Number(r.lastInsertRowid);
}

/** Pending actions due by `now`, earliest first (ties in the order they were scheduled), except those in `skip`. */
export function dueActions(db: ReadDb, now: number, limit: number, skip: readonly number[] = []): ScheduledAction[] {
  return (prepared(db, SCHEDULE_SQL.due).all(now, JSON.stringify(skip), limit) as Row[]).map(fromRow);
}

export function nextDueAt(db: ReadDb, skip: readonly number[] = []): number | null {
  return (prepared(db, SCHEDULE_SQL.nextDue).get(JSON.stringify(skip)) as { t: number | null }).t;
}

/** Settle a pending action. Call inside the transaction of the command that performed it. */
export function markActionDone(db: Db, id: number, at: number, outcome: string): void {
  const r = prepared(db, "UPDATE scheduled_actions SET state = 'done', done_at = ?, outcome = ? WHERE id = ? AND state = 'pending'").run(at, outcome, id);
  // Another settlement got there first: abort the whole transaction rather than perform it twice.
  if (r.changes !== 1) throw new Error(`scheduled action ${id} is no longer pending`);
}

/** Cancel the pending actions of these kinds about a subject; returns how many were pending. */
export function cancelActions(db: Db, subject: string, kinds: readonly string[], at: number, why: string): number {
  return prepared(db, SCHEDULE_SQL.cancel).run(at, why, subject, JSON.stringify(kinds)).changes;
}

/** The latest action of these kinds about a subject that was not cancelled (pending or done). */
export function lastActionAbout(db: ReadDb, subject: string, kinds: readonly string[]): ScheduledAction | undefined {
  const r = prepared(db, SCHEDULE_SQL.lastAbout).get(subject, JSON.stringify(kinds)) as Row | undefined;
  return r && fromRow(r);
}

export function pendingActionsOfKind(db: ReadDb, kind: string): ScheduledAction[] {
  return (prepared(db, "SELECT * FROM scheduled_actions WHERE state = 'pending' AND kind = ? ORDER BY due_at, id").all(kind) as Row[]).map(fromRow);
}

/** Cancel one pending action by id; returns whether it was pending. */
export function cancelAction(db: Db, id: number, at: number, why: string): boolean {
  return prepared(db, "UPDATE scheduled_actions SET state = 'cancelled', done_at = ?, outcome = ? WHERE id = ? AND state = 'pending'").run(at, why, id).changes === 1;
}

export function findAction(db: ReadDb, id: number): ScheduledAction | undefined {
  const r = prepared(db, 'SELECT * FROM scheduled_actions WHERE id = ?').get(id) as Row | undefined;
  return r && fromRow(r);
}

export function listActions(db: ReadDb, afterId = 0, limit = 1000): ScheduledAction[] {
  return (prepared(db, 'SELECT * FROM scheduled_actions WHERE id > ? ORDER BY id LIMIT ?').all(afterId, limit) as Row[]).map(fromRow);
}
