// A worker thread of verifyAuditParallel (audit-parallel.ts): verifies one range of the chain on its own
// read-only connection (WAL lets readers walk beside each other and beside the writer).
import { parentPort, workerData } from 'node:worker_threads';
import { verifyAuditRange, type Checkpoint } from './audit';
import { openFileReadOnly } from './db';

export type RangeJob = { file: string; checkpoint: Checkpoint | undefined; first: number; last: number | null };

const job = workerData as RangeJob;
const db = openFileReadOnly(job.file);
try {
  parentPort!.postMessage(verifyAuditRange(db, job.checkpoint, job.first, job.last));
} finally {
  db.close();
}
