// Tampering with the database file outside the hub, then `npm run audit -- verify` as a user runs it.
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCheckpoint, PUBLIC_KEY_FILE, SIGNING_KEY_FILE, signCheckpoint } from '../../main/store/checkpoint';
import { DB_FILE } from '../../main/store/db';
import { ask, cid, consoleClient, NANJING, startTestHub, tempDir } from './hub-fixture';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');

async function audit(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'main/cli/audit.ts', ...args], { cwd: ROOT });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, out: err.stdout + err.stderr };
  }
}

let pristine: string;
beforeAll(async () => {
  const hub = await startTestHub();
  const { socket } = await consoleClient(hub.url, { username: 'operator', password: 'demo' });
  for (let i = 0; i < 6; i++) {
    await ask(socket, 'incident:create', { commandId: cid(), category: 'sanitation', priority: 2, position: NANJING, description: `垃圾满溢 ${i}` });
  }
  socket.disconnect();
  await hub.close();
  pristine = hub.dataDir;
}, 60_000);

/** A copy of the pristine store to tamper with (the WAL is checkpointed into the main file on close). */
function copyStore(): string {
  const dir = tempDir('xiuhua-tamper-');
  fs.copyFileSync(path.join(pristine, DB_FILE), path.join(dir, DB_FILE));
  return dir;
}

function tamper(dir: string, sql: string): void {
  const db = new Database(path.join(dir, DB_FILE));
  db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
  db.exec(sql);
  db.close();
}

describe('audit verify', () => {
  it('an intact log verifies: exit 0, "N entries verified, head <hash>"', async () => {
    const r = await audit('verify', '--data', pristine);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^\d+ entries verified, head [0-9a-f]{64}/);
  });

  it('--threads 1 walks on one thread and says the same; --threads takes a whole number of threads', async () => {
    const all = await audit('verify', '--data', pristine);
    const one = await audit('verify', '--data', pristine, '--threads', '1');
    expect(one).toEqual(all);
    const bad = await audit('verify', '--data', pristine, '--threads', '0');
    expect(bad.code).toBe(2);
    expect(bad.out).toMatch(/--threads is a whole number of threads, 1 or more, not 0/);
  });

  it('the triggers refuse UPDATE and DELETE on the audit log', () => {
    const db = new Database(path.join(copyStore(), DB_FILE));
    expect(() => db.prepare("UPDATE audit_log SET hash = 'x' WHERE seq = 2").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_log WHERE seq = 2').run()).toThrow(/append-only/);
    db.close();
  });

  it('an edited payload is caught and named', async () => {
    const dir = copyStore();
    tamper(dir, `UPDATE audit_log SET entry = replace(entry, '垃圾满溢 3', '一切正常') WHERE entry LIKE '%垃圾满溢 3%'`);
    const r = await audit('verify', '--data', dir);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/broken at entry \d+: entry \d+ was altered/);
  });

  it('the stored bytes are what is hashed: even a space added to an entry, meaning unchanged, is caught', async () => {
    const dir = copyStore();
    tamper(dir, `UPDATE audit_log SET entry = replace(entry, '"action":', '"action": ') WHERE seq = 5`);
    const r = await audit('verify', '--data', dir);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/broken at entry 5: entry 5 was altered/);
  });

  it('the columns a timeline filters on cannot be edited apart from the hashed entry: SQLite derives them from it', () => {
    const db = new Database(path.join(copyStore(), DB_FILE));
    db.exec('DROP TRIGGER audit_log_no_update');
    expect(() => db.prepare("UPDATE audit_log SET actor = 'u-nobody' WHERE seq = 2").run()).toThrow(/cannot UPDATE generated column/);
    db.close();
  });

  it('a deleted row is caught', async () => {
    const dir = copyStore();
    tamper(dir, 'DELETE FROM audit_log WHERE seq = 4');
    const r = await audit('verify', '--data', dir);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/entry 4 is missing/);
  });

  it('an entry slipped in before entry 1 is caught', async () => {
    const dir = copyStore();
    tamper(dir, 'INSERT INTO audit_log (seq, entry, rule, prev_hash, hash) SELECT 0, entry, rule, prev_hash, hash FROM audit_log WHERE seq = 1');
    const r = await audit('verify', '--data', dir);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/broken at entry 0: an entry numbered 0 precedes entry 1/);
  });

  it('reordered entries are caught', async () => {
    const dir = copyStore();
    // Swap the contents of entries 3 and 4 (keeping their seq numbers), as a forger reordering history would.
    tamper(dir, `
      CREATE TEMP TABLE s AS SELECT seq, entry, prev_hash, hash FROM audit_log WHERE seq IN (3, 4);
      UPDATE audit_log SET entry = (SELECT entry FROM s WHERE seq = 7 - audit_log.seq),
        prev_hash = (SELECT prev_hash FROM s WHERE seq = 7 - audit_log.seq), hash = (SELECT hash FROM s WHERE seq = 7 - audit_log.seq)
      WHERE seq IN (3, 4);`);
    const r = await audit('verify', '--data', dir);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/broken at entry 3/);
  });

  it('a truncated tail passes the chain alone but is caught with a checkpoint taken before', async () => {
    const cp = await audit('checkpoint', '--data', pristine);
    expect(cp.code).toBe(0);
    const line = cp.out.trim();
    expect(line).toMatch(/^xiuhua-audit-checkpoint\/v2 count=\d+ head=[0-9a-f]{64} at=\S+ key=ed25519:\S{43} sig=\S{86}$/);
    const dir = copyStore();
    tamper(dir, 'DELETE FROM audit_log WHERE seq > (SELECT max(seq) - 2 FROM audit_log)');
    expect((await audit('verify', '--data', dir)).code).toBe(0); // why checkpoints exist
    const key = (await audit('pubkey', '--data', pristine)).out.trim(); // kept elsewhere, like the line
    const r = await audit('verify', '--data', dir, '--checkpoint', line, '--pubkey', key);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/truncated or rolled back/);
    expect((await audit('verify', '--data', pristine, '--checkpoint', line)).code).toBe(0);
  });
});

describe('signed checkpoints', () => {
  let line: string;
  let hubKey: string;
  beforeAll(async () => {
    line = (await audit('checkpoint', '--data', pristine)).out.trim();
    hubKey = (await audit('pubkey', '--data', pristine)).out.trim();
  });

  it('verify checks the signature with the data dir\'s key, or with --pubkey', async () => {
    expect(parseCheckpoint(line)).toMatchObject({ version: 2, key: hubKey });
    const r = await audit('verify', '--data', pristine, '--checkpoint', line);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^\\d+ entries verified, head [0-9a-f]{64} \\(checkpoint of \\d+ entries made \\S+, signed by ${hubKey}, holds\\)$`, 'm'));
    expect((await audit('verify', '--data', pristine, '--checkpoint', line, '--pubkey', hubKey)).code).toBe(0);
  });

  it('a forged line (count or head changed, signature kept) is refused', async () => {
    const cp = parseCheckpoint(line);
    for (const forged of [line.replace(`count=${cp.count}`, `count=${cp.count - 2}`), line.replace(`head=${cp.head}`, `head=${'0'.repeat(64)}`)]) {
      const r = await audit('verify', '--data', pristine, '--checkpoint', forged);
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/^error: checkpoint signature does not match its content: the line was altered or forged$/m);
    }
  });

  it('a line re-signed with another key is refused, naming both keys', async () => {
    const cp = parseCheckpoint(line);
    const resigned = signCheckpoint({ count: cp.count - 2, head: cp.head }, generateKeyPairSync('ed25519').privateKey);
    const r = await audit('verify', '--data', pristine, '--checkpoint', resigned);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(new RegExp(`error: checkpoint is signed by ed25519:\\S{43}, not by ${hubKey} \\(the key in .*\\): re-signed with another key`));
  });

  it('a forger who also replaces the data dir\'s key passes the key beside the database, but not --pubkey kept elsewhere', async () => {
    const dir = copyStore();
    tamper(dir, 'DELETE FROM audit_log WHERE seq > (SELECT max(seq) - 2 FROM audit_log)');
    const forged = await audit('checkpoint', '--data', dir); // a new key pair, made on first need
    expect(forged.code).toBe(0);
    expect((await audit('verify', '--data', dir, '--checkpoint', forged.out.trim())).code).toBe(0); // the limit: that key is the forger's
    const r = await audit('verify', '--data', dir, '--checkpoint', forged.out.trim(), '--pubkey', hubKey);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/not by .* \(the key given with --pubkey\): re-signed with another key/);
    // and the genuine checkpoint, checked against the genuine key, still catches the truncation
    const real = await audit('verify', '--data', dir, '--checkpoint', line, '--pubkey', hubKey);
    expect(real.code).toBe(1);
    expect(real.out).toMatch(/truncated or rolled back/);
  });

  it('an unsigned v1 line (kept from before) is still checked, and says its origin is unproven', async () => {
    const cp = parseCheckpoint(line);
    const v1 = `xiuhua-audit-checkpoint/v1 count=${cp.count} head=${cp.head}`;
    const r = await audit('verify', '--data', pristine, '--checkpoint', v1);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/unsigned v1 checkpoint at entry \d+ holds; who made it is not proven/);
    const withKey = await audit('verify', '--data', pristine, '--checkpoint', v1, '--pubkey', hubKey);
    expect(withKey.code).toBe(1);
    expect(withKey.out).toMatch(/unsigned .* no signature for --pubkey to check/);
  });

  it('a signed line cannot be checked where no key is known', async () => {
    const dir = copyStore(); // the database without its key files
    expect(fs.existsSync(path.join(dir, PUBLIC_KEY_FILE)) || fs.existsSync(path.join(dir, SIGNING_KEY_FILE))).toBe(false);
    const r = await audit('verify', '--data', dir, '--checkpoint', line);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/holds no audit signing key to check the checkpoint against; pass the hub's key with --pubkey/);
    expect((await audit('verify', '--data', dir, '--checkpoint', line, '--pubkey', hubKey)).code).toBe(0);
  });

  it('clear errors for a missing database and a malformed checkpoint', async () => {
    const none = await audit('verify', '--data', tempDir());
    expect(none.code).not.toBe(0);
    expect(none.out).toMatch(/no Xiuhua database/);
    const badCp = await audit('verify', '--data', pristine, '--checkpoint', 'nonsense');
    expect(badCp.code).toBe(2);
    expect(badCp.out).toMatch(/not a checkpoint/);
  });
});
