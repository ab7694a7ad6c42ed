// Tampering with the database file outside the hub, then `npm run audit -- verify` as a user runs it.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
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

  it('the triggers refuse UPDATE and DELETE on the audit log', () => {
    const db = new Database(path.join(copyStore(), DB_FILE));
    expect(() => db.prepare("UPDATE audit_log SET actor = 'x' WHERE seq = 2").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_log WHERE seq = 2').run()).toThrow(/append-only/);
    db.close();
  });

  it('an edited payload is caught and named', async () => {
    const dir = copyStore();
    tamper(dir, `UPDATE audit_log SET payload = replace(payload, '垃圾满溢 3', '一切正常') WHERE payload LIKE '%垃圾满溢 3%'`);
    const r = await audit('verify', '--data', dir);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/broken at entry \d+: entry \d+ was altered/);
  });

  it('a deleted row is caught', async () => {
    const dir = copyStore();
    tamper(dir, 'DELETE FROM audit_log WHERE seq = 4');
    const r = await audit('verify', '--data', dir);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/entry 4 is missing/);
  });

  it('reordered entries are caught', async () => {
    const dir = copyStore();
    // Swap the contents of entries 3 and 4 (keeping their seq numbers), as a forger reordering history would.
    tamper(dir, `
      CREATE TEMP TABLE s AS SELECT * FROM audit_log WHERE seq IN (3, 4);
      UPDATE audit_log SET at = (SELECT at FROM s WHERE seq = 7 - audit_log.seq), actor = (SELECT actor FROM s WHERE seq = 7 - audit_log.seq),
        action = (SELECT action FROM s WHERE seq = 7 - audit_log.seq), target = (SELECT target FROM s WHERE seq = 7 - audit_log.seq),
        payload = (SELECT payload FROM s WHERE seq = 7 - audit_log.seq), prev_hash = (SELECT prev_hash FROM s WHERE seq = 7 - audit_log.seq),
        hash = (SELECT hash FROM s WHERE seq = 7 - audit_log.seq)
      WHERE seq IN (3, 4);`);
    const r = await audit('verify', '--data', dir);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/broken at entry 3/);
  });

  it('a truncated tail passes the chain alone but is caught with a checkpoint taken before', async () => {
    const cp = await audit('checkpoint', '--data', pristine);
    expect(cp.code).toBe(0);
    const line = cp.out.trim();
    expect(line).toMatch(/^xiuhua-audit-checkpoint\/v1 count=\d+ head=[0-9a-f]{64}$/);
    const dir = copyStore();
    tamper(dir, 'DELETE FROM audit_log WHERE seq > (SELECT max(seq) - 2 FROM audit_log)');
    expect((await audit('verify', '--data', dir)).code).toBe(0); // why checkpoints exist
    const r = await audit('verify', '--data', dir, '--checkpoint', line);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/truncated or rolled back/);
    expect((await audit('verify', '--data', pristine, '--checkpoint', line)).code).toBe(0);
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
