// The hub's timed work, on the record: each due row of `scheduled_actions` runs as a command of the
// `system` actor through runCommand (one transaction with its change, events, audit entry), and the
// row is marked done in that same transaction. A hub that dies at the due time therefore either did
// the action (and the row says so) or did nothing (and the row is still pending, run on the next
// start, late rather than never). The command id is derived from the row id, so even a retry that
// somehow reached runCommand twice would be answered from the ledger, not applied again.
import type { z } from 'zod';
import type { Ack } from '../../shared/protocol/commands';
import { DEFAULT_TIME_ZONE } from '../../shared/time';
import type { Db } from '../store/db';
import { dueActions, markActionDone, nextDueAt, scheduleAction, type NewAction, type ScheduledAction } from '../store/schedule';
import { refuse, runCommand, type Actor, type CommandDef, type ScopedEvent } from './commands';

export const SYSTEM_ACTOR: Actor = { id: 'system', role: 'system' };

/** Time and timers, injectable so tests can move time by hand. */
export type Clock = { now(): number; setTimer(fn: () => void, ms: number): () => void };

export const realClock: Clock = {
  now: () => Date.now(),
  setTimer: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref(); // the schedule never keeps a closing hub alive; what is pending waits in the table
    return () => clearTimeout(t);
  },
};

export type SchedulerOptions = {
  db: Db;
  /** the system commands a row's kind may name */
  commands: Record<string, CommandDef<z.ZodType, unknown>>;
  /** the written events of each performed action, for consoles and field devices */
  broadcast: (events: ScopedEvent[]) => void;
  timeZone?: string;
  clock?: Clock;
  log?: (line: string) => void;
  /** the longest the scheduler sleeps without re-reading the table (wall-clock jumps; setTimeout's range) */
  maxSleepMs?: number;
  /** a performed action later than this is logged with its lateness */
  lateLogMs?: number;
  /** actions performed in one turn of the event loop; a long backlog (a hub down for a day) continues on the next turn, so sockets are served meanwhile */
  maxPerTurn?: number;
};

export const scheduledCommandId = (actionId: number) => `scheduled-${actionId}`;

const outcomeOf = (ack: Ack<unknown>) => (ack.ok ? 'accepted' : `${ack.error.code}: ${ack.error.message}`);

export class Scheduler {
  private readonly clock: Clock;
  private readonly log: (line: string) => void;
  private cancelTimer: (() => void) | null = null;
  private armedFor: number | null = null;
  private running = false;
  private stopped = true;
  /** rows whose settlement threw (a bug, not a refusal): not retried in a tight loop by this process */
  private readonly broken = new Set<number>();

  constructor(private readonly opts: SchedulerOptions) {
    this.clock = opts.clock ?? realClock;
    this.log = opts.log ?? ((line) => console.log(line));
  }

  /** Performs whatever fell due while the hub was down, then sleeps until the next due time. */
  start(): void {
    this.stopped = false;
    this.runDue();
  }

  stop(): void {
    this.stopped = true;
    this.disarm();
  }

  /** Queue an action from outside a command (a hub component's observation, e.g. stream health). */
  schedule(action: NewAction): number {
    const id = this.opts.db.transaction(() => scheduleAction(this.opts.db, action, this.clock.now()))();
    this.wake();
    return id;
  }

  /** Re-read the next due time: call after a command that may have scheduled or cancelled actions. */
  wake(): void {
    if (this.stopped || this.running) return;
    const next = nextDueAt(this.opts.db, [...this.broken]);
    if (next !== null && next <= this.clock.now()) {
      this.runDue();
      return;
    }
    if (next === this.armedFor) return;
    this.arm(next);
  }

  /** Performs due pending actions, earliest first, including follow-ups already due (up to maxPerTurn). Returns how many. */
  runDue(): number {
    if (this.running) return 0;
    this.running = true;
    const max = this.opts.maxPerTurn ?? 50;
    let performed = 0;
    try {
      while (performed < max) {
        const due = dueActions(this.opts.db, this.clock.now(), Math.min(64, max - performed), [...this.broken]);
        if (due.length === 0) break;
        for (const action of due) this.perform(action);
        performed += due.length;
      }
    } finally {
      this.running = false;
    }
    if (!this.stopped) this.arm(nextDueAt(this.opts.db, [...this.broken]));
    return performed;
  }

  private perform(action: ScheduledAction): void {
    const { db } = this.opts;
    const now = this.clock.now();
    const raw = { ...action.payload, commandId: scheduledCommandId(action.id), actionId: action.id, dueAt: action.dueAt };
    const settle = (ack: Ack<unknown>) => markActionDone(db, action.id, now, outcomeOf(ack));
    try {
      const def = this.opts.commands[action.kind];
      if (!def) {
        refuse(db, SYSTEM_ACTOR, action.kind, raw, { code: 'not_found', message: `no system command ${action.kind}` }, now, settle);
        return;
      }
      const { ack, events } = runCommand(db, def, SYSTEM_ACTOR, raw, now, { settle, timeZone: this.opts.timeZone ?? DEFAULT_TIME_ZONE });
      const late = now - action.dueAt;
      if (late > (this.opts.lateLogMs ?? 5000)) this.log(`scheduler: ${action.kind} #${action.id} ran ${Math.round(late / 1000)} s late (${outcomeOf(ack)})`);
      this.opts.broadcast(events);
    } catch (e) {
      this.broken.add(action.id);
      this.log(`scheduler: ${action.kind} #${action.id} could not be settled, left pending: ${(e as Error).message}`);
    }
  }

  private arm(next: number | null): void {
    this.disarm();
    if (next === null) return;
    const wait = Math.min(Math.max(0, next - this.clock.now()), this.opts.maxSleepMs ?? 60_000);
    this.armedFor = next;
    this.cancelTimer = this.clock.setTimer(() => {
      this.cancelTimer = null;
      this.armedFor = null;
      this.runDue();
    }, wait);
  }

  private disarm(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.armedFor = null;
  }
}
