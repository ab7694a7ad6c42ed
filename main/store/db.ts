// Opening the store: pragmas, migrations, and clear errors for the cases an operator can fix.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations';
import { storageFault, type StorageFault } from './faults';

/** Write access. Read-only handles (evaluator tools, audit verify) get `ReadDb`, which has no write helpers. */
export type Db = Database.Database & { readonly __access: 'write' };
export type ReadDb = Database.Database & { readonly __access: 'read' | 'write' };

export class StoreError extends Error {
  constructor(readonly code: 'data_dir_unwritable' | 'schema_newer' | 'not_found' | 'storage_fault', message: string, readonly fault?: StorageFault) {
    super(message);
  }
}

export const DB_FILE = 'xiuhua.sqlite';

/** How long a write waits for another connection's lock (the position writer's commits take milliseconds). */
const BUSY_WAIT_MS = 5000;
/** … and while the store is known to be held by someone else (busyWaitSwitch). */
const BUSY_WAIT_WHILE_HELD_MS = 200;

/**
 * The hub's connection waits the full time for a lock, or only briefly while the store is known to be
 * held (a busy fault is open): SQLite's wait holds the event loop. `short` and `normal` are cheap to repeat.
 */
export function busyWaitSwitch(db: Db): { short(): void; normal(): void } {
  let held = false;
  return {
    short() {
      if (!held) db.pragma(`busy_timeout = ${BUSY_WAIT_WHILE_HELD_MS}`);
      held = true;
    },
    normal() {
      if (held) db.pragma(`busy_timeout = ${BUSY_WAIT_MS}`);
      held = false;
    },
  };
}

function nativeBinding(): { nativeBinding?: string } {
  // Electron loads an Electron-ABI build of better-sqlite3 placed beside the Node one (see main/app).
  const p = process.env.XIUHUA_SQLITE_BINDING;
  return p ? { nativeBinding: p } : {};
}

export function openStore(dataDir: string): Db {
  try {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.accessSync(dataDir, fs.constants.W_OK);
  } catch {
    throw new StoreError('data_dir_unwritable', `data directory ${dataDir} is not writable`);
  }
  const file = path.join(dataDir, DB_FILE);
  let db: Db;
  try {
    db = new Database(file, nativeBinding()) as Db;
  } catch (e) {
    throw storeStartError(e, file);
  }
  try {
    prepare(db);
  } catch (e) {
    db.close();
    throw storeStartError(e, file);
  }
  return db;
}

function prepare(db: Db): void {
  db.pragma('journal_mode = WAL');
  // An ack promises the command is recorded: FULL makes each commit durable on power loss.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${BUSY_WAIT_MS}`);
  // 64 MiB of page cache (SQLite's default is 2 MiB). Each append writes into every timeline index at
  // one place per actor, action and target (~1,000 leaf pages an hour's batches keep touching); at 10
  // million entries 2 MiB cannot hold them, and every batch re-reads them from the OS: the append cost
  // ~1.5x with the default (docs/performance.md, "Audit log at 10 million entries").
  db.pragma('cache_size = -65536');
  immediateTransactions(db);
  migrate(db);
}

/** What an operator can do about a fault met while the store is opened, before the hub serves anything. */
const AT_START: Record<StorageFault, string> = {
  full: 'the disk is full: free space on it and start again',
  io: 'the disk failed to read or write it: check the disk (dmesg) and start again',
  readonly: 'it cannot be written (a read-only file, folder or disk): make it writable and start again',
  busy: 'another program holds it locked: stop that program (or wait for it) and start again',
  corrupt: 'the file is damaged. Restore it from a backup, or move it (with any -wal and -shm file beside it) out of the folder to start on an empty store',
};

/**
 * A storage fault while a store is opened and made ready (migrations, the hub's seeding), as one clear
 * error naming the file and what to do; any other error as it was. Nothing was started on such a store
 * and nothing in it was changed: each write at start is a transaction, rolled back when it fails.
 */
export function storeStartError(e: unknown, file: string): unknown {
  const fault = storageFault(e);
  if (!fault) return e;
  const code = (e as { code: string }).code;
  return new StoreError('storage_fault', `cannot start on the database ${file} (${code}: ${(e as Error).message}): ${AT_START[fault]}`, fault);
}

/**
 * Moves a damaged database (and its -wal and -shm files) aside, renamed `<file>.damaged-<UTC time>`, so
 * that a store can be started anew in its folder; returns the new name. Nothing is deleted. Only for the
 * demo store: real data is never set aside without a person deciding to.
 */
export function setAsideDamaged(dataDir: string, now = new Date()): string {
  const file = path.join(dataDir, DB_FILE);
  const aside = `${file}.damaged-${now.toISOString().replace(/[:.]/g, '-')}`;
  fs.renameSync(file, aside);
  for (const suffix of ['-wal', '-shm']) if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, aside + suffix);
  return aside;
}

/**
 * Every transaction on the hub's connection takes the write lock at BEGIN (IMMEDIATE), waiting for it
 * (busy_timeout) if another connection holds it. The position writer's thread writes beside this
 * connection on its own (position-writer.ts); a DEFERRED transaction that read before it wrote would
 * instead fail with SQLITE_BUSY_SNAPSHOT whenever that thread committed in between.
 */
function immediateTransactions(db: Db): void {
  const deferred = db.transaction.bind(db);
  const transaction = <F extends (...args: never[]) => unknown>(fn: F): Database.Transaction<F> => {
    const t = deferred(fn);
    const run = (...args: unknown[]) => (t.immediate as (...a: unknown[]) => unknown)(...args);
    return Object.assign(run, { default: t.immediate, deferred: t.deferred, immediate: t.immediate, exclusive: t.exclusive }) as unknown as Database.Transaction<F>;
  };
  Object.defineProperty(db, 'transaction', { value: transaction });
}

/**
 * The WAL's bound on the hub's connections while the checkpointer thread runs (checkpointer.ts): their own
 * (automatic) checkpoint runs only past this many pages, where the thread's passes could not start the WAL
 * over because commits left no gap between them. ~40 MB at 4 KiB pages.
 */
export const WAL_BOUND_PAGES = 10_000;

/**
 * The position writer thread's own connection to a store the hub has open (and migrated): WAL, and
 * FULL, since the durable mark the devices are given promises that what it covers survives power loss.
 */
export function openWriterConnection(file: string): Db {
  const db = new Database(file, { fileMustExist: true, ...nativeBinding() }) as Db;
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  // The hub's checkpointer thread copies the WAL back (checkpointer.ts), not this thread's commits: they
  // checkpoint only past the bound (a run of writes back to back that no pass could end between).
  db.pragma(`wal_autocheckpoint = ${WAL_BOUND_PAGES}`);
  return db;
}

/**
 * The checkpointer thread's connection (checkpointer.ts), with the hub connection's `synchronous` (FULL:
 * a checkpoint syncs the database file before it marks the frames copied, so a WAL started over never
 * held the only copy of a commit). Its checkpoints are PASSIVE and wait on no lock: no busy_timeout.
 */
export function openCheckpointerConnection(file: string, synchronous: number): Db {
  const db = new Database(file, { fileMustExist: true, ...nativeBinding() }) as Db;
  db.pragma(`synchronous = ${Math.trunc(synchronous)}`);
  return db;
}

/** For tools that only read (audit verify): no migrations, no writes. */
export function openStoreReadOnly(dataDir: string): ReadDb {
  const file = path.join(dataDir, DB_FILE);
  if (!fs.existsSync(file)) throw new StoreError('not_found', `no Xiuhua database in ${dataDir}`);
  return openFileReadOnly(file);
}

/** The same for a database file another handle has open (a verify worker's own connection: db.name). */
export function openFileReadOnly(file: string): ReadDb {
  const db = new Database(file, { readonly: true, fileMustExist: true, ...nativeBinding() }) as unknown as ReadDb;
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    db.close();
    throw newerSchema(file, version);
  }
  return db;
}

function newerSchema(file: string, version: number): StoreError {
  return new StoreError(
    'schema_newer',
    `database ${file} has schema version ${version}, newer than this Xiuhua (${SCHEMA_VERSION}); upgrade Xiuhua`,
  );
}

export function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) throw newerSchema(db.name, current);
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
}
