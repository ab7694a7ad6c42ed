// Storage faults under a running hub (issue 16): the disk fills up (its data dir on a small tmpfs this
// test mounts in a mount namespace of the hub's own, filled with a ballast file), and writes fail (the
// hub's file-size limit lowered under it with prlimit: every write past it is EFBIG, SQLITE_IOERR).
// and the database is busy (another connection holds its write lock). What must hold: each command sent meanwhile gets a clear error ack, nothing acked is lost,
// the hub stays up and answers reads, the consoles are told at once (`hub:storage`, and the snapshot), it
// recovers by itself once the fault clears (a retry with the same commandId is applied once; the fault's
// end goes into the record as an alert), and afterwards the file is intact and the chain verifies.
// And at start: a damaged file (not a database, cut short, pages overwritten) or a locked one is said in
// one line that names the file and what to do, the hub does not start on it, and the file is not changed.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import type { StorageHealth } from '../../shared/protocol/events';
import type { HubEvent } from '../../shared/protocol';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask, askPatiently, cid, closeClients, consoleClient, fieldClient, NANJING, tempDir } from './hub-fixture';
import { hubArgv, ROOT, startHubChild, type HubChild } from './hub-child';
import { openStoreReadOnly } from '../../main/store/db';
import { checkStore } from './store-check';

const TMPFS_MB = 64;
const FIXES = 500;
const MAX_SENDS = 600; // commands sent into a full disk before giving up on seeing it refuse one

/** Can this machine give a child its own tmpfs (unprivileged user + mount namespace)? */
function canMountTmpfs(): boolean {
  const dir = tempDir('xiuhua-mnt-probe-');
  const r = spawnSync('unshare', ['-rm', 'sh', '-c', 'mount -t tmpfs -o size=1m tmpfs "$1"', 'sh', dir], { encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  return r.status === 0;
}
const hasPrlimit = spawnSync('prlimit', ['--version']).status === 0;
const tmpfsOk = canMountTmpfs();

let seedDir = '';
beforeAll(async () => {
  // One demo store, seeded and closed cleanly (no WAL left), copied for each test: a fresh WAL must grow
  // from the first write, so a full disk or a size limit is felt at once.
  seedDir = tempDir('xiuhua-seed-');
  const seeder = await startHubChild(hubArgv(seedDir));
  expect(await seeder.stop(), seeder.output()).toBe(0);
  expect(fs.existsSync(path.join(seedDir, 'xiuhua.sqlite-wal'))).toBe(false);
}, 180_000);

afterAll(() => closeClients());

const description = (n: number) => `storage fault ${n} ` + 'x'.repeat(1900);
const incident = (commandId: string, n: number) => ({ commandId, category: 'parking', priority: 2, position: NANJING, description: description(n) });

type Ordeal = {
  acked: string[]; refused: Array<{ commandId: string; n: number }>; errors: Set<string>;
  /** fixes sent into the fault: the newest one's time, and the durable mark seen before the fault cleared */
  fix: { t: number; durableAt: number; markBeforeClear: number };
  /** every `hub:storage` the console was sent, the snapshot's storage while the fault held, the alerts it heard */
  storage: { sent: StorageHealth[]; inSnapshot: StorageHealth | undefined; recovered: string[] };
};

/**
 * Commands before the fault (all acked), during it (until one is refused, then a few more), the hub alive
 * meanwhile; then the fault cleared and every refused command retried with its own commandId until acked.
 */
async function ordeal(hub: HubChild, fault: () => void, clear: () => void, opts: { refusals?: number; failedWrites?: number } = {}): Promise<Ordeal> {
  const { socket } = await consoleClient(hub.url, { username: 'operator', password: 'demo' });
  const sent: StorageHealth[] = [];
  const recovered: string[] = [];
  socket.on('hub:storage', (h: StorageHealth) => sent.push(h));
  socket.on('event', (e: HubEvent) => {
    if (e.data.type === 'alert:raised' && e.data.alert.kind === 'storage_recovered') recovered.push(e.data.alert.message.en);
  });
  const gateway = await fieldClient(hub.url);
  let mark = 0;
  gateway.on('positions:durable', ({ through }) => (mark = Math.max(mark, through)));
  const acked: string[] = [];
  const refused: Ordeal['refused'] = [];
  const errors = new Set<string>();
  let n = 0;
  for (let i = 0; i < 3; i++) {
    const id = cid();
    const res = await askPatiently(socket, 'incident:create', incident(id, n++));
    expect(res.ok).toBe(true);
    acked.push(id);
  }
  fault();
  for (let tries = 0; tries < MAX_SENDS && refused.length < (opts.refusals ?? 5); tries++) {
    const id = cid();
    const k = n++;
    const res = await askPatiently(socket, 'incident:create', incident(id, k));
    if (res.ok) acked.push(id);
    else {
      refused.push({ commandId: id, n: k });
      errors.add(`${res.error!.code}: ${res.error!.message}`);
    }
  }
  expect(refused.length, `no command was refused in ${MAX_SENDS} sends into the fault`).toBeGreaterThan(0);
  // A fix sent into the fault is accepted (kept in memory) but not marked durable while writes fail.
  const t = Date.now();
  // A batch big enough that its write cannot fit in what a rolled-back transaction left of the WAL.
  const fixes = Array.from({ length: FIXES }, (_, i) => ({ unitId: 'off-001', t: t - i * 1000, lng: 118.78 + i * 1e-6, lat: 32.04 }));
  const fixAck = await ask(gateway, 'unit:position', { fixes }, 20_000);
  expect(fixAck).toMatchObject({ ok: true, result: { accepted: FIXES } });
  const durableAt = (fixAck.result as { durableAt: number }).durableAt;
  // Several of the pipeline's write attempts (every 100 ms) fail meanwhile: wait for the hub to log them.
  const failedWrites = () => hub.output().split('position write failed').length - 1;
  const failedBefore = failedWrites();
  const writes = opts.failedWrites ?? 3;
  await waitFor(`${writes} failed position write(s)`, () => failedWrites() >= failedBefore + writes);
  const markBeforeClear = mark;
  // The hub is up and still answers what needs no write.
  const snap = await ask(socket, 'state:snapshot', {}, 20_000);
  expect(snap.ok).toBe(true);
  const inSnapshot = (snap.result as { storage?: StorageHealth }).storage;
  expect(hub.proc.exitCode).toBeNull();

  clear();
  // Recovery by itself: each refused command, retried as it was, is applied (once) within a bounded wait.
  for (const r of refused) {
    let res = await askPatiently(socket, 'incident:create', incident(r.commandId, r.n));
    for (let tries = 0; !res.ok && tries < 50; tries++) {
      await new Promise((done) => setTimeout(done, 100));
      res = await askPatiently(socket, 'incident:create', incident(r.commandId, r.n));
    }
    expect(res, `retry of ${r.commandId} after the fault cleared`).toMatchObject({ ok: true });
    acked.push(r.commandId);
  }
  // A retry of an acked one is answered from the ledger, with no second effect (checked in the store).
  expect((await askPatiently(socket, 'incident:create', incident(refused[0]!.commandId, refused[0]!.n))).ok).toBe(true);
  for (let i = 0; i < 3; i++) {
    const id = cid();
    expect((await askPatiently(socket, 'incident:create', incident(id, n++))).ok).toBe(true);
    acked.push(id);
  }
  await waitFor('the durable mark to pass the fix sent into the fault', () => mark >= durableAt);
  await waitFor('the consoles to be told the storage is healthy again', () => sent.at(-1)?.fault === null);
  await waitFor('the end of the fault in the record', () => recovered.length > 0);
  socket.disconnect();
  gateway.disconnect();
  return { acked, refused, errors, fix: { t, durableAt, markBeforeClear }, storage: { sent, inSnapshot, recovered } };
}

/** The consoles were told of the fault as it began, named as `fault`, with both paths, then of its end. */
function expectAlarm(o: Ordeal, fault: StorageHealth['fault']): void {
  const during = o.storage.sent.filter((h) => h.fault !== null);
  expect(during.length, JSON.stringify(o.storage.sent)).toBeGreaterThan(0);
  expect(during[0]).toMatchObject({ fault, since: expect.any(Number), code: expect.stringMatching(/^SQLITE_/) });
  expect(new Set(during.flatMap((h) => h.paths))).toEqual(new Set(['commands', 'positions']));
  expect(Math.max(...during.map((h) => h.refused))).toBeGreaterThanOrEqual(1);
  expect(o.storage.inSnapshot).toMatchObject({ fault, paths: expect.arrayContaining(['positions']) });
  expect(o.storage.sent.at(-1)).toEqual({ fault: null, since: null, code: null, paths: [], refused: 0 });
  expect(o.storage.recovered).toHaveLength(1);
  expect(o.storage.recovered[0]).toMatch(/^The hub's storage fault \(.+, SQLITE_\w+\) is over after \d+ s: \d+ command\(s\) refused/);
}

function expectIntact(dataDir: string, o: Ordeal): void {
  const check = checkStore(dataDir, o.acked, o.refused.map((r) => r.commandId));
  expect(check).toMatchObject({ integrity: 'ok', auditOk: true, missing: [], twice: [] });
  expect(o.fix.markBeforeClear).toBeLessThan(o.fix.durableAt);
  const db = openStoreReadOnly(dataDir);
  try {
    expect(db.prepare('SELECT count(*) FROM positions WHERE unit_id = ? AND t > ? AND t <= ?').pluck().get('off-001', o.fix.t - FIXES * 1000, o.fix.t)).toBe(FIXES);
  } finally {
    db.close();
  }
}

async function waitFor(what: string, done: () => boolean, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Fills a filesystem to the last byte: big writes until ENOSPC, then small ones. */
function fillUp(file: string): number {
  const fd = fs.openSync(file, 'w');
  let written = 0;
  try {
    for (const size of [1 << 20, 4096, 512]) {
      const chunk = Buffer.alloc(size, 0x5a);
      for (;;) {
        try {
          written += fs.writeSync(fd, chunk);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw e;
        }
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return written;
}

/**
 * A hub whose data dir is a tmpfs of its own (a copy of the seed store), mounted in a mount namespace that
 * only it sees; when the hub exits, the shell copies the store out to `out`.
 */
async function hubOnTmpfs(): Promise<{ mnt: string; out: string; hub: HubChild }> {
  const mnt = tempDir('xiuhua-tmpfs-');
  const out = tempDir('xiuhua-tmpfs-out-');
  const script = 'm=$1; s=$2; o=$3; shift 3; mount -t tmpfs -o size=' + TMPFS_MB + 'm tmpfs "$m" && cp -a "$s"/. "$m"/ || exit 90; '
    + '"$@"; code=$?; cp -a "$m"/. "$o"/; exit $code';
  const hub = await startHubChild(['unshare', '-rm', 'sh', '-c', script, 'sh', mnt, seedDir, out, ...hubArgv(mnt)]);
  return { mnt, out, hub };
}

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('storage faults', () => {
  it.skipIf(!tmpfsOk)('disk full: commands get a storage error ack, the hub stays up, recovers when space returns, nothing acked is lost', async () => {
    const { mnt, out, hub } = await hubOnTmpfs();
    // The hub's view of its data dir, from outside its namespace.
    const ballast = `/proc/${hub.hubPid}/root${mnt}/ballast`;
    let filled = 0;
    try {
      const o = await ordeal(hub, () => { filled = fillUp(ballast); }, () => fs.rmSync(ballast));
      expect(filled).toBeGreaterThan(0);
      for (const e of o.errors) expect(e).toMatch(/^internal: the hub's storage is full; nothing was changed/);
      expect(hub.output()).toMatch(/storage is full/);
      expectAlarm(o, 'full');
      expect(await hub.stop()).toBe(0);
      expectIntact(out, o);
    } finally {
      if (hub.proc.exitCode === null) await hub.stop();
    }
  }, 180_000);

  it.skipIf(!hasPrlimit)('writes fail (EFBIG → SQLITE_IOERR): error acks, the hub stays up, recovers when writes work again, nothing acked is lost', async () => {
    const dataDir = tempDir('xiuhua-ioerr-');
    fs.cpSync(seedDir, dataDir, { recursive: true });
    const hub = await startHubChild(hubArgv(dataDir));
    const wal = path.join(dataDir, 'xiuhua.sqlite-wal');
    try {
      const o = await ordeal(
        hub,
        // No file of the hub's may grow past the WAL's present size: its next growth fails. (The soft limit
        // only: lowering the hard one too would need CAP_SYS_RESOURCE to raise it again.)
        () => expect(spawnSync('prlimit', ['--pid', String(hub.hubPid), `--fsize=${fs.statSync(wal).size}:`]).status).toBe(0),
        () => expect(spawnSync('prlimit', ['--pid', String(hub.hubPid), '--fsize=unlimited:']).status).toBe(0),
      );
      for (const e of o.errors) expect(e).toMatch(/^internal: the hub's storage failed to write/);
      expectAlarm(o, 'io');
      expect(await hub.stop()).toBe(0);
      expectIntact(dataDir, o);
    } finally {
      if (hub.proc.exitCode === null) await hub.stop();
    }
  }, 180_000);

  it('database busy (another connection holds the write lock past the hub\'s 5 s wait): error acks, the hub stays up, recovers when the lock goes, nothing acked is lost', async () => {
    const dataDir = tempDir('xiuhua-busy-');
    fs.cpSync(seedDir, dataDir, { recursive: true });
    const hub = await startHubChild(hubArgv(dataDir));
    // Another program on the same file (a backup tool, an admin's sqlite3 shell) holding a write transaction.
    const holder = new Database(path.join(dataDir, 'xiuhua.sqlite'));
    try {
      const o = await ordeal(hub, () => holder.exec('BEGIN IMMEDIATE'), () => holder.exec('ROLLBACK'), { refusals: 2, failedWrites: 1 });
      for (const e of o.errors) expect(e).toMatch(/^internal: the hub's storage is busy; nothing was changed/);
      expectAlarm(o, 'busy');
      expect(await hub.stop()).toBe(0);
      holder.close();
      expectIntact(dataDir, o);
    } finally {
      if (holder.open) holder.close();
      if (hub.proc.exitCode === null) await hub.stop();
    }
  }, 240_000);

  describe('at start', () => {
    const damaged: Array<[string, (file: string) => void]> = [
      ['not a database', (f) => fs.writeFileSync(f, Buffer.alloc(fs.statSync(f).size, 0x5a))],
      ['cut short', (f) => fs.truncateSync(f, Math.floor(fs.statSync(f).size / 2))],
      // Every seventh page from the 21st on, overwritten past its header: the schema reads, the tables do not.
      ['pages overwritten', (f) => {
        const fd = fs.openSync(f, 'r+');
        try {
          const pages = Math.floor(fs.statSync(f).size / 4096);
          for (let p = 20; p < pages; p += 7) fs.writeSync(fd, Buffer.alloc(3000, 0xff), 0, 3000, p * 4096 + 100);
        } finally {
          fs.closeSync(fd);
        }
      }],
    ];
    /** The hub on real data (not the demo, whose damaged store is set aside: below). */
    const realHubArgv = (dataDir: string) => hubArgv(dataDir).filter((a) => a !== '--demo' && a !== '--no-sim');
    for (const [how, damage] of damaged) {
      it(`a damaged database (${how}) is said in one line, the hub does not start on it, and the file is left as it was`, () => {
        const dataDir = tempDir('xiuhua-damaged-');
        fs.cpSync(seedDir, dataDir, { recursive: true });
        const file = path.join(dataDir, 'xiuhua.sqlite');
        damage(file);
        const before = sha256(file);
        const argv = realHubArgv(dataDir);
        const r = spawnSync(argv[0]!, argv.slice(1), { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
        expect(r.status, r.stdout + r.stderr).toBe(1);
        expect(r.stdout).not.toMatch(/hub listening/);
        const lines = r.stderr.trim().split('\n');
        expect(lines, r.stderr).toHaveLength(1);
        expect(lines[0]).toMatch(new RegExp(`^error: cannot start on the database ${file} \\(SQLITE_(NOTADB|CORRUPT)[A-Z_]*: .+\\): the file is damaged\\. Restore it from a backup, or move it`));
        expect(sha256(file)).toBe(before);
      }, 150_000);
    }

    it('the demo\'s damaged database is kept aside and the demo starts anew (npm start never stays broken)', async () => {
      const dataDir = tempDir('xiuhua-damaged-demo-');
      fs.cpSync(seedDir, dataDir, { recursive: true });
      const file = path.join(dataDir, 'xiuhua.sqlite');
      damaged[1]![1](file); // cut short
      const before = sha256(file);
      const hub = await startHubChild(hubArgv(dataDir));
      try {
        const m = /the demo database was damaged \(cannot start on the database .+\); it is kept as (\S+) and the demo starts on a new store/.exec(hub.output());
        expect(m, hub.output()).not.toBeNull();
        expect(path.dirname(m![1]!)).toBe(dataDir);
        expect(sha256(m![1]!)).toBe(before);
        const { socket } = await consoleClient(hub.url, { username: 'operator', password: 'demo' });
        expect((await ask(socket, 'state:snapshot', {}, 20_000)).ok).toBe(true);
        socket.disconnect();
      } finally {
        expect(await hub.stop()).toBe(0);
      }
    }, 150_000);

    it.skipIf(!tmpfsOk)('a read-only disk is said in one line and the hub does not start', () => {
      const mnt = tempDir('xiuhua-rofs-');
      const script = 'm=$1; s=$2; shift 2; mount -t tmpfs -o size=' + TMPFS_MB + 'm tmpfs "$m" && cp -a "$s"/. "$m"/ && mount -o remount,ro "$m" || exit 90; exec "$@"';
      const r = spawnSync('unshare', ['-rm', 'sh', '-c', script, 'sh', mnt, seedDir, ...hubArgv(mnt)], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
      expect(r.status, r.stdout + r.stderr).toBe(1);
      expect(r.stderr.trim().split('\n'), r.stderr).toEqual([`error: data directory ${mnt} is not writable`]);
    }, 150_000);

    it('a database another program holds locked is said in one line; once it lets go, the hub starts on it', async () => {
      const dataDir = tempDir('xiuhua-locked-');
      fs.cpSync(seedDir, dataDir, { recursive: true });
      const holder = new Database(path.join(dataDir, 'xiuhua.sqlite'));
      holder.pragma('locking_mode = EXCLUSIVE');
      holder.exec('BEGIN EXCLUSIVE');
      try {
        const argv = hubArgv(dataDir);
        const r = spawnSync(argv[0]!, argv.slice(1), { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
        expect(r.status, r.stdout + r.stderr).toBe(1);
        expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
        expect(r.stderr).toMatch(/^error: cannot start on the database .+ \(SQLITE_BUSY[A-Z_]*: .+\): another program holds it locked/);
      } finally {
        holder.exec('ROLLBACK');
        holder.close();
      }
      const hub = await startHubChild(hubArgv(dataDir));
      expect(await hub.stop()).toBe(0);
    }, 150_000);
  });
});
