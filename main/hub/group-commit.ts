// Group commit: with synchronous=FULL every commit waits for an fsync, so one transaction per command
// caps a hub at a few hundred commands a second whatever its CPU. Commands that arrive while the hub is
// busy (a commit in progress blocks the event loop, and socket messages queue up meanwhile) are
// collected and run together, in arrival order, in one transaction (runCommands: a savepoint each, so
// every command keeps its own outcome). Each is answered only after that transaction has committed,
// and its events are broadcast only then. A batch is cut when the event loop turns (setImmediate runs
// after the I/O that delivered the messages) or at `maxBatch`, so no command waits for a timer.
import type { Db } from '../store/db';
import { describeStorageFault, storageFault } from '../store/faults';
import { runCommands, type CommandCall, type RunOutcome } from './commands';

export type GroupCommitOptions = {
  /** one transaction per command, run as it arrives (the baseline the bench compares with) */
  perCommand?: boolean;
  /** commands in one transaction at most; more wait for the next turn (default 128: a batch blocks the event loop while it runs) */
  maxBatch?: number;
  /** called inside each batch's transaction just before it commits, with its size (tests, figures) */
  beforeCommit?: (size: number) => void;
  /** told of every batch: committed, or failed (the storage watch opens and closes its fault from these) */
  onBatch?: (result: { committed: true } | { committed: false; error: unknown; size: number }) => void;
  log?: (line: string) => void;
};

export type CommandRunner = {
  /** Runs the command in the next batch; `done` is called once, after the batch has committed. */
  submit<R>(call: CommandCall<R>, done: (outcome: RunOutcome<R>) => void): void;
  /** Commits whatever is queued now and refuses what comes later (the hub is closing). */
  close(): void;
};

type Queued = { call: CommandCall; done: (outcome: RunOutcome<unknown>) => void };

const NOT_COMMITTED: RunOutcome<never> = { ack: { ok: false, error: { code: 'internal', message: 'the hub could not record this command; nothing was changed' } }, events: [] };
const CLOSING: RunOutcome<never> = { ack: { ok: false, error: { code: 'internal', message: 'the hub is stopping; nothing was changed' } }, events: [] };

export function createCommandRunner(db: Db, opts: GroupCommitOptions = {}): CommandRunner {
  const maxBatch = opts.perCommand ? 1 : Math.max(1, opts.maxBatch ?? 128);
  const log = opts.log ?? ((line: string) => console.error(line));
  const hooks = { beforeCommit: opts.beforeCommit };
  let queue: Queued[] = [];
  let scheduled: NodeJS.Immediate | null = null;
  let closed = false;

  function commit(batch: Queued[]): void {
    let outcomes: RunOutcome<unknown>[];
    try {
      outcomes = runCommands(db, batch.map((q) => q.call), hooks);
      opts.onBatch?.({ committed: true });
    } catch (e) {
      opts.onBatch?.({ committed: false, error: e, size: batch.length });
      // A full or failing disk is the operator's to fix (one line says what); anything else is a bug (the stack).
      const fault = storageFault(e);
      log(fault ? `a batch of ${batch.length} command(s) was not committed: ${describeStorageFault(fault)} (${(e as { code?: string }).code})`
        : `a batch of ${batch.length} command(s) could not be committed: ${(e as Error)?.stack ?? String(e)}`);
      const answer: RunOutcome<never> = fault ? { ack: { ok: false, error: { code: 'internal', message: describeStorageFault(fault) } }, events: [] } : NOT_COMMITTED;
      outcomes = batch.map(() => answer);
    }
    // In arrival order, so acks and broadcasts (event seq) come out in commit order.
    batch.forEach((q, i) => {
      try {
        q.done(outcomes[i]!);
      } catch (e) {
        log(`answering a committed command failed: ${(e as Error)?.stack ?? String(e)}`);
      }
    });
  }

  function flush(): void {
    scheduled = null;
    const batch = queue.length > maxBatch ? queue.splice(0, maxBatch) : queue;
    if (batch === queue) queue = [];
    // What is left waits for the next turn, so sockets are read (and answered) between batches.
    if (queue.length) scheduled = setImmediate(flush);
    commit(batch);
  }

  return {
    submit(call, done) {
      const q = { call, done } as unknown as Queued;
      if (closed) {
        done(CLOSING);
      } else if (opts.perCommand) {
        commit([q]);
      } else {
        queue.push(q);
        scheduled ??= setImmediate(flush);
      }
    },
    close() {
      closed = true;
      if (scheduled) clearImmediate(scheduled);
      scheduled = null;
      while (queue.length) commit(queue.splice(0, maxBatch));
    },
  };
}
