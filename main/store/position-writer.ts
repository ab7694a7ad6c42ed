// Positions are committed by a thread of their own (position-writer-worker.ts) on its own connection:
// the inserts, the COMMIT's fsync and the WAL checkpoints they trigger leave the hub's event loop, which
// keeps the fan-out, the acks and the commands. One batch is in the thread at a time (the pipeline waits
// for its answer before sending the next); the answer says how it went, and only a commit's answer lets
// the pipeline move the durable mark.
import { Worker } from 'node:worker_threads';
import type { PositionFix } from '../../shared/domain';
import { packFixes, type WriteAnswer, type WriteJob } from './position-columns';

declare const __XIUHUA_BUNDLE__: boolean | undefined;

/** A failed write as the thread reported it (SQLite's code kept: SQLITE_FULL, SQLITE_IOERR_…). */
export class PositionWriteError extends Error {
  constructor(message: string, readonly code?: string) {
    super(message);
  }
}

// In the app's bundle (main/launch/build-main.ts) the thread's code is a bundle of its own beside the hub's;
// from source (tsx, vitest) it is the TypeScript file, loaded through tsx's loader registered in the thread
// (Node 20 applies a parent's --import hooks to a worker only after its entry module has loaded).
function startThread(file: string): Worker {
  if (typeof __XIUHUA_BUNDLE__ !== 'undefined') return new Worker(new URL('../../dist/main/app/position-writer.cjs', import.meta.url), { workerData: { file } });
  const source = new URL('./position-writer-worker.ts', import.meta.url);
  return new Worker(`import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(source.href)}, ${JSON.stringify(import.meta.url)}))`, { eval: true, workerData: { file } });
}

export class PositionWriterThread {
  private worker: Worker | undefined;
  private readonly waiting = new Map<number, { resolve: (written: number) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private closed = false;

  /** `file`: the store's database file (db.name), open and migrated by the hub. */
  constructor(private readonly file: string) {}

  /** Commits the first n fixes; resolves with how many were new (duplicates are ignored) once committed. */
  write(fixes: readonly PositionFix[], n: number, receivedAt: number): Promise<number> {
    if (this.closed) return Promise.reject(new PositionWriteError('the position writer is closed'));
    const w = (this.worker ??= this.start());
    const id = this.nextId++;
    const { units, columns } = packFixes(fixes, n);
    const job: WriteJob = { id, units, columns, receivedAt };
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      w.postMessage(job, [columns]);
    });
  }

  private start(): Worker {
    const w = startThread(this.file);
    w.on('message', (a: WriteAnswer) => {
      const p = this.waiting.get(a.id);
      if (!p) return;
      this.waiting.delete(a.id);
      if ('error' in a) p.reject(new PositionWriteError(a.error.message, a.error.code));
      else p.resolve(a.written);
    });
    // A thread that dies (it failed to open the store, say) fails what it had; the next write starts another.
    const gone = (why: string) => {
      if (this.worker === w) this.worker = undefined;
      for (const p of this.waiting.values()) p.reject(new PositionWriteError(`the position writer thread ${why}`));
      this.waiting.clear();
    };
    w.on('error', (e) => gone(`failed: ${e.message}`));
    w.on('exit', (code) => gone(`exited (${code})`));
    return w;
  }

  /** After the last write's answer: the thread closes its connection and ends. */
  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    if (!w) return;
    const ended = new Promise<void>((resolve) => w.once('exit', () => resolve()));
    w.postMessage('close');
    await ended;
  }
}
