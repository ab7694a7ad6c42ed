// The WAL checkpointer (main/store/checkpointer.ts): a thread copying the WAL back keeps it bounded under
// sustained commits with gaps between them, and the connection's own checkpoint past the bound keeps it
// bounded when commits leave no gap; without them the same commits grow it without end. Close ends the
// thread; a dead thread gives the connection its own checkpoints back. Every wait is on state (the
// thread's pass count, a log line, a pragma), never on time.
import fs from 'node:fs';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { startCheckpointer, type Checkpointer } from '../../main/store/checkpointer';
import { DB_FILE, openStore, openWriterConnection, WAL_BOUND_PAGES, type Db } from '../../main/store/db';
import { tempDir } from '../integration/hub-fixture';

const ROWS = 40; // a transaction's pages: ~one leaf per 3,000-byte row
const open: Array<{ db: Db; ck?: Checkpointer }> = [];
afterEach(async () => {
  for (const { db, ck } of open.splice(0)) {
    await ck?.close();
    if (db.open) db.close();
  }
});

function store(): Db {
  const db = openStore(path.join(tempDir(), 'x'));
  db.exec('CREATE TABLE scratch (v BLOB)');
  db.pragma('synchronous = OFF'); // no fsync (the thread takes the connection's): thousands of commits stay quick on a busy disk
  open.push({ db });
  return db;
}

function checkpointer(db: Db, opts: Parameters<typeof startCheckpointer>[1]): Checkpointer {
  const ck = startCheckpointer(db, { log: () => {}, ...opts });
  open.find((o) => o.db === db)!.ck = ck;
  return ck;
}

const insert = (db: Db) => db.prepare(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
  INSERT INTO scratch (v) SELECT randomblob(3000) FROM n`);
const commit = (db: Db, ins: ReturnType<typeof insert>) => db.transaction(() => ins.run(ROWS))();
const walBytes = (db: Db) => fs.statSync(`${db.name}-wal`).size;
const frameBytes = (db: Db) => (db.pragma('page_size', { simple: true }) as number) + 24;

async function until(what: () => boolean, label: string): Promise<void> {
  for (let i = 0; !what(); i++) {
    if (i > 20_000) throw new Error(`gave up waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('the WAL checkpointer', () => {
  it('keeps the WAL bounded while commits leave gaps; without it the same commits grow the WAL', async () => {
    const run = async (db: Db, between: () => Promise<void>) => {
      const ins = insert(db);
      for (let burst = 0; burst < 20; burst++) {
        for (let t = 0; t < 5; t++) commit(db, ins);
        await between();
      }
    };
    const bare = store();
    bare.pragma('wal_autocheckpoint = 0'); // no checkpoint at all
    await run(bare, async () => {});
    const written = walBytes(bare) / frameBytes(bare); // nothing started it over: every frame of the 100 commits
    expect(written).toBeGreaterThan(100 * ROWS);

    const db = store();
    // the bound well above a burst (5 commits): every restart here is the thread's
    const ck = checkpointer(db, { everyMs: 5, boundPages: 20 * ROWS });
    await until(() => ck.passes > 0, 'the first pass');
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(20 * ROWS);
    // After each burst of 5 commits, two passes: the second ends in a gap, so the next commit starts the WAL over.
    await run(db, async () => {
      const p = ck.passes;
      await until(() => ck.passes >= p + 2, 'two passes');
    });
    // below the bound: the thread started it over each time, not the connection's own checkpoint past the bound
    expect(walBytes(db) / frameBytes(db)).toBeLessThan(20 * ROWS);
    expect(written).toBeGreaterThan(4 * 20 * ROWS);
    expect(db.prepare('SELECT count(*) FROM scratch').pluck().get()).toBe(100 * ROWS);
  });

  it('past the bound the connection checkpoints itself: a WAL that no pass could start over stays bounded', async () => {
    // The thread runs no pass here (its first is a billion ms away): the worst case of commits back to back,
    // which no pass could end between. Without the bound the same commits grow the WAL to every frame.
    const run = (db: Db) => {
      const ins = insert(db);
      for (let t = 0; t < 100; t++) commit(db, ins);
      return walBytes(db) / frameBytes(db);
    };
    const bare = store();
    bare.pragma('wal_autocheckpoint = 0');
    const everything = run(bare);
    expect(everything).toBeGreaterThan(100 * ROWS);

    const db = store();
    const boundPages = 4 * ROWS;
    checkpointer(db, { everyMs: 1e9, boundPages });
    await until(() => db.pragma('wal_autocheckpoint', { simple: true }) === boundPages, 'the thread ready');
    // the commit that crosses the bound copies the WAL back, the next starts it over: at most two commits past it
    expect(run(db)).toBeLessThanOrEqual(boundPages + 2 * (ROWS + 2) + 1);
    expect(everything).toBeGreaterThan(10 * boundPages);
  });

  it('says when its thread has taken over: until the event loop turns, commits still checkpoint themselves', async () => {
    const db = store();
    const ck = checkpointer(db, { everyMs: 5 });
    // a synchronous loop of commits right after the start: the thread's ready message waits for the event loop
    for (let t = 0; t < 3; t++) commit(db, insert(db));
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    await ck.whenRunning();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(WAL_BOUND_PAGES);
    await ck.whenRunning(); // at once, once running
    await ck.close();
    await ck.whenRunning(); // and once closed (not left pending)
    const never = store();
    const closedEarly = checkpointer(never, { everyMs: 5 });
    const waiting = closedEarly.whenRunning();
    await closedEarly.close();
    await waiting; // resolved by the close, though the thread never took over
  });

  it('gives the position writer\'s connection the same bound', () => {
    const db = store();
    const writer = openWriterConnection(db.name);
    expect(writer.pragma('wal_autocheckpoint', { simple: true })).toBe(WAL_BOUND_PAGES);
    writer.close();
  });

  it('ends its thread on close and gives the connection its own checkpoints back', async () => {
    const db = store();
    const ck = checkpointer(db, { everyMs: 5 });
    await until(() => ck.passes > 0, 'the first pass');
    const worker = (ck as unknown as { worker: Worker }).worker;
    let exited = false;
    worker.once('exit', () => (exited = true));
    await ck.close(); // resolves once the thread has exited
    expect(exited).toBe(true);
    const passes = ck.passes;
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    commit(db, insert(db));
    expect(ck.passes).toBe(passes);
    db.close();
    expect(fs.existsSync(path.join(path.dirname(db.name), `${DB_FILE}-wal`))).toBe(false); // the last close copied it back
  });

  it('notices a thread that died: the connection checkpoints itself until a new thread runs', async () => {
    const db = store();
    const lines: string[] = [];
    const ck = startCheckpointer(db, { everyMs: 5, restartThreadMs: 10, log: (l) => lines.push(l) });
    open.find((o) => o.db === db)!.ck = ck;
    await until(() => ck.passes > 0, 'the first pass');
    const worker = (ck as unknown as { worker: Worker }).worker;
    await worker.terminate();
    await until(() => lines.some((l) => l.includes('checkpointer thread exited')), 'the exit noticed');
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    await until(() => (ck as unknown as { worker?: Worker }).worker !== undefined && db.pragma('wal_autocheckpoint', { simple: true }) === WAL_BOUND_PAGES, 'a new thread');
    const p = ck.passes;
    await until(() => ck.passes > p, 'a pass of the new thread');
  });

  it('notices a thread that runs no pass: the connection checkpoints itself', async () => {
    const db = store();
    const lines: string[] = [];
    const ck = startCheckpointer(db, { everyMs: 1e9, staleMs: 20, log: (l) => lines.push(l) });
    open.find((o) => o.db === db)!.ck = ck;
    await until(() => lines.some((l) => l.includes('ran no checkpoint')), 'the watchdog');
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  });
});
