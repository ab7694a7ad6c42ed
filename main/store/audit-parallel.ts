// Verify the chain on several cores: it is cut into as many ranges of entry numbers as there are
// threads, each verified by a worker thread on its own read-only connection, and the seams are checked
// when they are joined (joinRanges in audit.ts: the verdict, down to the entry a failure names, is the
// one-thread walk's). It takes every core it is given: the hub's own verify (verify-walk.ts) stays on one
// thread in slices, because on a hub the cores belong to the consoles' requests and the commits; this is
// for `npm run audit -- verify` (--threads 1 walks on one thread) and the bench.
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { AUDIT_SQL, joinRanges, verifyAudit, type Checkpoint, type RangeOutcome, type VerifyResult } from './audit';
import type { RangeJob } from './audit-range-worker';
import type { ReadDb } from './db';
import { prepared } from './statements';

/** Below this many entries a worker's start (loading its code) costs more than it saves: docs/performance.md. */
export const PARALLEL_FROM_ENTRIES = 200_000;

const WORKER = new URL('./audit-range-worker.ts', import.meta.url);

function rangeWorker(job: RangeJob): Promise<RangeOutcome> {
  // Run from source (tsx, as the CLI and the benches run), the worker's TypeScript needs tsx's loader
  // in the worker too: Node 20 applies a parent's --import hooks to a worker's imports only after its
  // entry module has loaded, so the entry registers it itself.
  const worker = WORKER.pathname.endsWith('.ts')
    ? new Worker(`import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(WORKER.href)}, ${JSON.stringify(import.meta.url)}))`, { eval: true, workerData: job })
    : new Worker(WORKER, { workerData: job });
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`audit verify worker exited (${code}) before its answer`)));
  });
}

/**
 * verifyAudit's result, the ranges walked on `threads` threads at once (default: every core). One
 * thread, or a log too short to be worth the workers' start, walks on this thread.
 */
export async function verifyAuditParallel(db: ReadDb, checkpoint?: Checkpoint, threads = os.availableParallelism(), minEntries = PARALLEL_FROM_ENTRIES): Promise<VerifyResult> {
  const last = (prepared(db, AUDIT_SQL.lastSeq).pluck().get() as number | null) ?? 0;
  if (threads < 2 || last < minEntries) return verifyAudit(db, checkpoint);
  const size = Math.ceil(last / threads);
  const jobs: RangeJob[] = Array.from({ length: threads }, (_, i) => ({
    file: db.name, checkpoint, first: i * size + 1,
    // the last range runs on to the head: entries appended while the workers walk are verified too
    last: i === threads - 1 ? null : (i + 1) * size,
  }));
  return joinRanges(db, checkpoint, await Promise.all(jobs.map(rangeWorker)));
}
