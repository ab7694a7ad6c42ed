// The checkpointer's thread (checkpointer.ts): every few hundred milliseconds a PASSIVE checkpoint on a
// connection of its own copies what the hub's commits put into the WAL back into the database file. PASSIVE
// never waits on a lock and holds none a writer needs, so the commits go on beside it, and the first
// writer to begin after a pass that copied every frame starts the WAL over.
import { parentPort, workerData } from 'node:worker_threads';
import { openCheckpointerConnection } from './db';
import { SHARED, type CheckpointerData, type CheckpointerMessage } from './checkpointer';

const { file, everyMs, synchronous, shared } = workerData as CheckpointerData;
const state = new Int32Array(shared);
const db = openCheckpointerConnection(file, synchronous);
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
const post = (m: CheckpointerMessage) => parentPort!.postMessage(m);

function pass(): void {
  try {
    // log: frames in the WAL since it last started over. A pass copies up to the last commit it saw, and no
    // further than the oldest reader's snapshot.
    const r = checkpoint.get() as { busy: number; log: number; checkpointed: number };
    Atomics.store(state, SHARED.frames, r.log);
  } catch (e) {
    const err = e as Error & { code?: string };
    post({ error: err.message, code: err.code });
  }
  Atomics.add(state, SHARED.passes, 1);
}

const timer = setInterval(pass, everyMs);
parentPort!.on('message', (m: 'close') => {
  if (m !== 'close') return;
  clearInterval(timer);
  db.close();
  parentPort!.close();
});
post({ ready: true });
