// The hub and users CLIs as an administrator runs them: real processes, real files.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { PUBLIC_KEY_FILE, SIGNING_KEY_FILE } from '../../main/store/checkpoint';
import { DB_FILE, openStoreReadOnly } from '../../main/store/db';
import { auditPage } from '../../main/store/audit';
import { closeClients, consoleClient, fieldClient, tempDir } from './hub-fixture';

const ROOT = path.resolve(import.meta.dirname, '../..');
const children: ChildProcess[] = [];
afterEach(() => {
  closeClients();
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

function startCli(script: string, args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, output: () => out, exited };
}

async function waitFor(output: () => string, re: RegExp, ms = 20_000): Promise<RegExpMatchArray> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const m = output().match(re);
    if (m) return m;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${re}; output so far:\n${output()}`);
}

describe('npm run hub', () => {
  it('prints one "hub listening" line, serves, and on SIGTERM commits pending writes and exits 0', async () => {
    const data = tempDir();
    const hub = startCli('main/cli/hub.ts', ['--port', '0', '--data', data, '--demo']);
    const [, url] = await waitFor(hub.output, /hub listening on (http:\/\/127\.0\.0\.1:\d+)\n/);
    expect(hub.output()).toMatch(/DEMO MODE/);
    const gw = await fieldClient(url!);
    // A minute old: the demo's simulator drives veh-01 from the start, and a fix newer than its last one,
    // somewhere else, would be refused as implausible_speed (the speed rule judges only a unit's newest
    // fix; an older one is history, taken as it is).
    const t = Date.now() - 60_000;
    const res = await gw.timeout(5000).emitWithAck('unit:position', { fixes: [{ unitId: 'veh-01', t, lng: 118.78, lat: 32.04 }] });
    expect(res).toMatchObject({ ok: true, result: { accepted: 1 } });
    hub.child.kill('SIGTERM');
    expect(await hub.exited).toBe(0);
    const db = new Database(path.join(data, DB_FILE), { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM positions WHERE unit_id = ? AND t = ?').get('veh-01', t)).toEqual({ n: 1 });
    db.close();
  });

  it('says in one line that the port is in use', async () => {
    const blocker = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    const port = (blocker.address() as net.AddressInfo).port;
    const hub = startCli('main/cli/hub.ts', ['--port', String(port), '--data', tempDir(), '--demo']);
    expect(await hub.exited).not.toBe(0);
    expect(hub.output()).toMatch(new RegExp(`^error: port ${port} on 127.0.0.1 is already in use\\n`, 'm'));
    expect(hub.output()).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    blocker.close();
  });

  it('says in one line that the data directory is not writable', async () => {
    const ro = tempDir();
    fs.writeFileSync(path.join(ro, 'file'), '');
    const hub = startCli('main/cli/hub.ts', ['--port', '0', '--data', path.join(ro, 'file', 'sub')]);
    expect(await hub.exited).not.toBe(0);
    expect(hub.output()).toMatch(/^error: data directory .* is not writable$/m);
  });

  it('refuses a database from a newer schema', async () => {
    const data = tempDir();
    const db = new Database(path.join(data, DB_FILE));
    db.pragma('user_version = 990');
    db.close();
    const hub = startCli('main/cli/hub.ts', ['--port', '0', '--data', data]);
    expect(await hub.exited).not.toBe(0);
    expect(hub.output()).toMatch(/^error: database .* has schema version 990, newer than this Xiuhua/m);
  });

  it('rejects bad flags with usage', async () => {
    const hub = startCli('main/cli/hub.ts', ['--port', 'abc', '--data', tempDir()]);
    expect(await hub.exited).toBe(2);
    expect(hub.output()).toMatch(/--port must be a number/);
    const zone = startCli('main/cli/hub.ts', ['--data', tempDir(), '--time-zone', 'Asia/Shangai']);
    const night = startCli('main/cli/hub.ts', ['--data', tempDir(), '--night', '20:00']);
    const dusk = startCli('main/cli/hub.ts', ['--data', tempDir(), '--night', 'dusk']);
    expect([await zone.exited, await night.exited, await dusk.exited]).toEqual([2, 2, 2]);
    expect(zone.output()).toMatch(/--time-zone must be an IANA time zone/);
    expect(night.output()).toMatch(/--night must be HH:MM-HH:MM/);
    expect(dusk.output()).toMatch(/--night dusk needs the place outside the demo city/);
  }, 60_000); // four CLI starts, three at once: a loaded machine takes longer than the default 30 s
});

describe('npm run users', () => {
  it('a first run without --demo has no users; users add creates one (password on stdin) who can log in', async () => {
    const data = tempDir();
    const add = startCli('main/cli/users.ts', ['add', 'zhangwei', '--role', 'duty_manager', '--data', data]);
    add.child.stdin!.end('a-long-password\n');
    expect(await add.exited).toBe(0);
    expect(add.output()).toMatch(/user zhangwei \(duty_manager\) created/);
    const again = startCli('main/cli/users.ts', ['add', 'zhangwei', '--role', 'operator', '--data', data]);
    again.child.stdin!.end('another-password\n');
    expect(await again.exited).toBe(1);
    expect(again.output()).toMatch(/already exists/);

    const hub = startCli('main/cli/hub.ts', ['--port', '0', '--data', data]);
    const [, url] = await waitFor(hub.output, /hub listening on (http:\/\/[\d.:]+)/);
    expect(hub.output()).not.toMatch(/DEMO/);
    await expect(consoleClient(url!, { username: 'operator', password: 'demo' })).rejects.toThrow(/wrong username or password/);
    const { ready } = await consoleClient(url!, { username: 'zhangwei', password: 'a-long-password' });
    expect(ready.user.role).toBe('duty_manager');
  });

  it('refuses a short password and an unknown role', async () => {
    const short = startCli('main/cli/users.ts', ['add', 'li', '--role', 'operator', '--data', tempDir()]);
    short.child.stdin!.end('short\n');
    expect(await short.exited).toBe(2);
    expect(short.output()).toMatch(/at least 8 characters/);
    const role = startCli('main/cli/users.ts', ['add', 'li', '--role', 'boss', '--data', tempDir()]);
    expect(await role.exited).toBe(2);
    expect(role.output()).toMatch(/--role must be one of/);
  });
  it('role, disable, enable, password and list go through the hub\'s own commands, audited as the actor cli with the account before and after', async () => {
    const data = tempDir();
    const run = async (args: string[], stdin = '') => {
      const cli = startCli('main/cli/users.ts', [...args, '--data', data]);
      cli.child.stdin!.end(stdin);
      return { code: await cli.exited, out: cli.output() };
    };
    expect((await run(['add', 'wangfang', '--role', 'operator'], 'a-long-password\n')).code).toBe(0);
    expect(await run(['role', 'wangfang', '--role', 'evaluator'])).toMatchObject({ code: 0, out: expect.stringMatching(/wangfang is now evaluator/) });
    expect(await run(['disable', 'wangfang'])).toMatchObject({ code: 2, out: expect.stringMatching(/--reason/) });
    expect(await run(['disable', 'wangfang', '--reason', 'left the center'])).toMatchObject({ code: 0, out: expect.stringMatching(/wangfang disabled/) });
    expect(await run(['disable', 'wangfang', '--reason', 'again'])).toMatchObject({ code: 1, out: expect.stringMatching(/already disabled/) });
    expect((await run(['list'])).out).toMatch(/^wangfang\tevaluator\tdisabled\t0 sessions$/m);
    expect(await run(['password', 'wangfang'], 'wangfang-2026\n')).toMatchObject({ code: 2, out: expect.stringMatching(/must not contain the username/) });
    expect((await run(['password', 'wangfang'], 'another long password\n')).code).toBe(0);
    expect((await run(['enable', 'wangfang'])).code).toBe(0);
    expect((await run(['enable', 'nobody'])).out).toMatch(/no user nobody/);

    const db = openStoreReadOnly(data);
    const rows = auditPage(db, 0, 1000).filter((e) => e.action.startsWith('user:'));
    db.close();
    expect(rows.map((r) => `${r.action} ${r.actor} ${r.outcome}`)).toEqual([
      'user:create cli accepted', 'user:set-role cli accepted', 'user:disable cli accepted', 'user:disable cli rejected', 'user:reset-password cli accepted', 'user:enable cli accepted',
    ]);
    expect(rows[1]!.payload).toMatchObject({ detail: { before: { role: 'operator' }, after: { role: 'evaluator' } } });
    expect(JSON.stringify(rows)).not.toContain('another long password');

    const hub = startCli('main/cli/hub.ts', ['--port', '0', '--data', data]);
    const [, url] = await waitFor(hub.output, /hub listening on (http:\/\/[\d.:]+)/);
    const { ready } = await consoleClient(url!, { username: 'wangfang', password: 'another long password' });
    expect(ready.user.role).toBe('evaluator');
  }, 90_000);
});

describe('npm run devices', () => {
  it('registers a terminal for one unit (secret on stdin) that then connects and speaks only for that unit', async () => {
    const data = tempDir();
    const seed = startCli('main/cli/hub.ts', ['--port', '0', '--data', data, '--demo', '--no-sim']);
    await waitFor(seed.output, /hub listening/);
    seed.child.kill('SIGTERM');
    expect(await seed.exited).toBe(0);

    const add = startCli('main/cli/devices.ts', ['add', 'phone-off-007', '--unit', 'off-007', '--data', data]);
    add.child.stdin!.end('a-device-secret-1\n');
    expect(await add.exited).toBe(0);
    expect(add.output()).toMatch(/device phone-off-007 \(terminal for unit off-007\) registered/);
    const ghost = startCli('main/cli/devices.ts', ['add', 'phone-x', '--unit', 'no-such-unit', '--data', data]);
    ghost.child.stdin!.end('a-device-secret-1\n');
    expect(await ghost.exited).toBe(1);
    expect(ghost.output()).toMatch(/no unit no-such-unit/);

    const hub = startCli('main/cli/hub.ts', ['--port', '0', '--data', data, '--demo', '--no-sim']);
    const [, url] = await waitFor(hub.output, /hub listening on (http:\/\/[\d.:]+)/);
    const phone = await fieldClient(url!, { deviceId: 'phone-off-007', secret: 'a-device-secret-1' });
    const fix = (unitId: string) => ({ fixes: [{ unitId, t: Date.now(), lng: 118.78, lat: 32.04 }] });
    expect(await phone.timeout(5000).emitWithAck('unit:position', fix('off-007'))).toMatchObject({ ok: true, result: { accepted: 1 } });
    expect((await phone.timeout(5000).emitWithAck('unit:position', fix('off-008'))).ok).toBe(false);
  });
});

describe('npm run audit', () => {
  async function run(args: string[]): Promise<{ code: number | null; out: string }> {
    const cli = startCli('main/cli/audit.ts', args);
    const code = await cli.exited;
    return { code, out: cli.output() };
  }

  it('pubkey makes the signing key on first need (private file 0600), then prints the same key; checkpoint signs with it', async () => {
    const data = tempDir();
    const seed = startCli('main/cli/hub.ts', ['--port', '0', '--data', data, '--demo', '--no-sim']);
    await waitFor(seed.output, /hub listening/);
    seed.child.kill('SIGTERM');
    expect(await seed.exited).toBe(0);
    expect(fs.existsSync(path.join(data, SIGNING_KEY_FILE))).toBe(false);

    const first = await run(['pubkey', '--data', data]);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/^ed25519:[A-Za-z0-9_-]{43}\n$/);
    expect(fs.statSync(path.join(data, SIGNING_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(path.join(data, PUBLIC_KEY_FILE), 'utf8')).toBe(first.out);
    expect((await run(['pubkey', '--data', data])).out).toBe(first.out);

    const cp = await run(['checkpoint', '--data', data]);
    expect(cp.code).toBe(0);
    expect(cp.out).toContain(` key=${first.out.trim()} sig=`);
    const verify = await run(['verify', '--data', data, '--checkpoint', cp.out.trim(), '--pubkey', first.out.trim()]);
    expect(verify.code).toBe(0);
    expect(verify.out).toMatch(/^\d+ entries verified, head [0-9a-f]{64} \(checkpoint of \d+ entries made .*, holds\)\n$/);

    fs.chmodSync(path.join(data, SIGNING_KEY_FILE), 0o644);
    const loose = await run(['checkpoint', '--data', data]);
    expect(loose.code).toBe(1);
    expect(loose.out).toMatch(/^error: signing key .* is open to other users \(mode 644\); run: chmod 600 /m);
  });

  it('makes no key where there is no database, and rejects flags that do not fit the verb', async () => {
    const empty = tempDir();
    const none = await run(['pubkey', '--data', empty]);
    expect(none.code).toBe(1);
    expect(none.out).toMatch(/^error: no Xiuhua database in /m);
    expect(fs.readdirSync(empty)).toEqual([]);
    expect((await run(['verify', '--data', empty, '--pubkey', 'ed25519:x'])).code).toBe(2);
    expect((await run(['checkpoint', '--data', empty, '--checkpoint', 'x'])).code).toBe(2);
    const badKey = await run(['verify', '--data', empty, '--checkpoint', 'nonsense', '--pubkey', 'ed25519:x']);
    expect(badKey.code).toBe(2);
    expect(badKey.out).toMatch(/not a checkpoint/);
    const v1 = `xiuhua-audit-checkpoint/v1 count=1 head=${'0'.repeat(64)}`;
    const notKey = await run(['verify', '--data', empty, '--checkpoint', v1, '--pubkey', 'ed25519:x']);
    expect(notKey.code).toBe(2);
    expect(notKey.out).toMatch(/^error: not a public key: expected "ed25519:<43 base64url characters>"/m);
  });
});
