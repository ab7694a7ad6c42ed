// The position writer's thread (position-writer.ts): commits the pipeline's batches on a connection of
// its own, so neither the inserts nor the fsync of the commit hold the hub's event loop. A batch comes
// as columns packed in one transferred buffer, and the answer is sent only after COMMIT returned: the
// hub's durable mark moves on that answer alone.
import { parentPort, workerData } from 'node:worker_threads';
import { openWriterConnection } from './db';
import { COLUMNS, type WriteAnswer, type WriteJob } from './position-columns';
import { INSERT_POSITION_SQL } from './positions';

const db = openWriterConnection((workerData as { file: string }).file);
const insert = db.prepare(INSERT_POSITION_SQL);
const orNull = (v: number) => (Number.isNaN(v) ? null : v);
// IMMEDIATE: the write lock is taken at BEGIN, waiting (busy_timeout) while the hub's connection holds it.
const write = db.transaction((units: string[], c: Float64Array, receivedAt: number) => {
  let written = 0;
  for (let i = 0, o = 0; i < units.length; i++, o += COLUMNS) {
    written += insert.run(units[i], c[o], c[o + 1], c[o + 2], orNull(c[o + 3]!), orNull(c[o + 4]!), orNull(c[o + 5]!), receivedAt).changes;
  }
  return written;
}).immediate;

parentPort!.on('message', (job: WriteJob | 'close') => {
  if (job === 'close') {
    db.close();
    parentPort!.close();
    return;
  }
  let answer: WriteAnswer;
  try {
    answer = { id: job.id, written: write(job.units.split('\n'), new Float64Array(job.columns), job.receivedAt) };
  } catch (e) {
    const err = e as Error & { code?: string };
    answer = { id: job.id, error: { message: err.message, code: err.code } };
  }
  parentPort!.postMessage(answer);
});
