// WAL checkpoints off the event loop (issue 17 aim 6; not the audit log's signed checkpoints, checkpoint.ts).
// SQLite's automatic checkpoint runs inside whichever COMMIT takes the WAL past wal_autocheckpoint (1,000
// pages): on the hub's connection that is the event loop, copying pages back into the database file and
// syncing it between two group commits, and at 1,000 pages nearly every batch of audit entries copies the
// same index leaves again (docs/performance.md). Instead a thread checkpoints on a connection of its own
// (checkpointer-worker.ts), PASSIVE, every `everyMs`, and the hub's connections (this one here, the
// position writer's in db.ts) checkpoint only past a bound. What is committed does not change: a
// checkpoint only copies committed pages, and synchronous stays FULL on every connection.
//
// The bound. The WAL starts over only when a writer begins after a pass copied every frame; commits back to
// back that never leave such a gap (a tight loop of batches, the position writer catching up) would grow
// it without end. So the hub's connections keep their automatic checkpoint, past WAL_BOUND_PAGES (db.ts)
// rather than 1,000: below it the thread does all the copying; past it the commit that crossed it copies
// what came after the thread's last pass, and the writer's next BEGIN starts the WAL over. A reader's old
// snapshot pins the WAL whatever the mode; that is logged, with the WAL's size, while it lasts.
//
// A dead thread (it failed, or stopped answering for `staleMs`) is noticed: the hub's connection takes
// automatic checkpoints back until a new thread is running, so the WAL is never left without one.
import { Worker } from 'node:worker_threads';
import { WAL_BOUND_PAGES, type Db } from './db';

declare const __XIUHUA_BUNDLE__: boolean | undefined;

/** The thread's and the hub's shared Int32Array, by index. */
export const SHARED = {
  /** passes the thread has run (the watchdog's, and the tests', sign of life) */
  passes: 0,
  /** frames in the WAL at the last pass */
  frames: 1,
  length: 2,
} as const;

/** `synchronous`: the hub connection's (FULL); a checkpoint syncs the files as its commits do. */
export type CheckpointerData = { file: string; everyMs: number; synchronous: number; shared: SharedArrayBuffer };
export type CheckpointerMessage = { ready: true } | { error: string; code?: string };

export type CheckpointerOptions = {
  /** between two passes (default 200 ms) */
  everyMs?: number;
  /** WAL pages past which the hub's connection checkpoints itself (default WAL_BOUND_PAGES; tests set fewer) */
  boundPages?: number;
  /** no pass for this long and the hub's connection checkpoints again itself (default 30 s) */
  staleMs?: number;
  /** a thread that died is started again after this (default 1 s) */
  restartThreadMs?: number;
  log?: (line: string) => void;
};

/** SQLite's own default, what the hub's connection falls back on while no thread runs. */
const AUTOCHECKPOINT_PAGES = 1000;

// As position-writer.ts starts its thread: in the app's bundle the thread's code is a bundle of its own
// (main/launch/build-main.ts); from source (tsx, vitest) the TypeScript file, through tsx's loader.
function startThread(workerData: CheckpointerData): Worker {
  if (typeof __XIUHUA_BUNDLE__ !== 'undefined') return new Worker(new URL('../../dist/main/app/checkpointer.cjs', import.meta.url), { workerData });
  const source = new URL('./checkpointer-worker.ts', import.meta.url);
  return new Worker(`import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(source.href)}, ${JSON.stringify(import.meta.url)}))`, { eval: true, workerData });
}

export class Checkpointer {
  private readonly state = new Int32Array(new SharedArrayBuffer(SHARED.length * 4));
  private readonly everyMs: number;
  private readonly boundPages: number;
  private readonly log: (line: string) => void;
  private worker: Worker | undefined;
  private retry: NodeJS.Timeout | undefined;
  private readonly watchdog: NodeJS.Timeout;
  private lastPasses = -1;
  private lastError = '';
  private closed = false;
  /** while true, the thread checkpoints and the hub's connection only past the bound */
  private running = false;
  private readonly whenRunningWaiters: Array<() => void> = [];

  constructor(private readonly db: Db, private readonly opts: CheckpointerOptions = {}) {
    this.everyMs = opts.everyMs ?? 200;
    this.boundPages = opts.boundPages ?? WAL_BOUND_PAGES;
    this.log = opts.log ?? ((line) => console.log(line));
    this.start();
    const staleMs = opts.staleMs ?? 30_000;
    this.watchdog = setInterval(() => this.check(), staleMs);
    this.watchdog.unref();
  }

  /** Passes the thread has run so far. */
  get passes(): number {
    return Atomics.load(this.state, SHARED.passes);
  }

  /** Frames in the WAL at the thread's last pass. */
  get walFrames(): number {
    return Atomics.load(this.state, SHARED.frames);
  }

  /**
   * Resolves once the thread checkpoints (or the checkpointer is closed). The thread's ready message is
   * taken by the event loop: until it turns, the connection keeps SQLite's checkpoint at 1,000 pages in
   * each commit, so a caller about to run one long synchronous loop of commits (a bench) awaits this first.
   */
  whenRunning(): Promise<void> {
    if (this.running || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.whenRunningWaiters.push(resolve));
  }

  /** Ends the thread (after its pass, if it is in one) and gives the connection its own checkpoints back. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const resolve of this.whenRunningWaiters.splice(0)) resolve();
    clearInterval(this.watchdog);
    clearTimeout(this.retry);
    const ready = this.running;
    this.fallBack();
    const w = this.worker;
    if (!w) return;
    // One still loading its code has no connection to close yet: it is stopped, not waited for.
    if (!ready) return void (await w.terminate());
    const ended = new Promise<void>((resolve) => w.once('exit', () => resolve()));
    w.postMessage('close');
    await ended;
  }

  private start(): void {
    const w = startThread({
      file: this.db.name, everyMs: this.everyMs,
      synchronous: this.db.pragma('synchronous', { simple: true }) as number, shared: this.state.buffer as SharedArrayBuffer,
    });
    this.worker = w;
    w.on('message', (m: CheckpointerMessage) => {
      if ('ready' in m) {
        if (this.closed || this.worker !== w) return;
        this.handOver();
      } else if (m.error !== this.lastError) {
        // A failing checkpoint (disk full, an I/O error) fails at every pass: said once, and again when it changes.
        this.lastError = m.error;
        this.log(`WAL checkpoint failed, will retry: ${m.error}${m.code ? ` (${m.code})` : ''}`);
      }
    });
    const gone = (why: string) => {
      if (this.worker !== w) return;
      this.worker = undefined;
      if (this.closed) return;
      this.fallBack();
      this.log(`the WAL checkpointer thread ${why}; the hub's connection checkpoints until it is started again`);
      this.retry = setTimeout(() => this.start(), this.opts.restartThreadMs ?? 1000);
      this.retry.unref();
    };
    w.on('error', (e) => gone(`failed: ${e.message}`));
    w.on('exit', (code) => gone(`exited (${code})`));
  }

  /** The thread checkpoints; the hub's connection only past the bound. */
  private handOver(): void {
    this.running = true;
    this.db.pragma(`wal_autocheckpoint = ${this.boundPages}`);
    for (const resolve of this.whenRunningWaiters.splice(0)) resolve();
  }

  /** The hub's connection checkpoints itself again (SQLite's automatic checkpoint at 1,000 pages), while no thread does. */
  private fallBack(): void {
    this.running = false;
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  }

  /** The watchdog: a thread that runs no pass for staleMs is as good as dead; one that is behind a reader is said. */
  private check(): void {
    const passes = this.passes;
    if (this.running && passes === this.lastPasses) {
      this.fallBack();
      this.log(`the WAL checkpointer thread ran no checkpoint for ${this.opts.staleMs ?? 30_000} ms; the hub's connection checkpoints until it does`);
    } else if (!this.running && this.worker && passes !== this.lastPasses && this.lastPasses >= 0) {
      this.handOver();
      this.log('the WAL checkpointer thread checkpoints again');
    }
    if (this.running && this.walFrames >= 2 * this.boundPages) {
      // Only a reader on an old snapshot keeps the WAL this long (past the bound a commit copies the rest otherwise).
      this.log(`the WAL holds ${this.walFrames} pages, more than twice its bound: a reader's old snapshot keeps it from being copied back`);
    }
    this.lastPasses = passes;
  }
}

/** The hub's checkpointer for its open, migrated store. */
export function startCheckpointer(db: Db, opts?: CheckpointerOptions): Checkpointer {
  return new Checkpointer(db, opts);
}
