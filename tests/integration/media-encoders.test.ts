// Encoders die with the hub: a real hub process (the CLI) watched on three cameras, then SIGKILLed — no
// exit handler runs, yet its ffmpeg children must go. And a hub that starts on a data dir where an old
// encoder is still writing stops that encoder.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ask, cid, closeClients, consoleClient, startTestHub, tempDir } from './hub-fixture';

const ROOT = path.resolve(import.meta.dirname, '../..');
const children: ChildProcess[] = [];
const strays: number[] = [];
const dataDirs: string[] = [];
afterEach(() => {
  closeClients();
  for (const c of children.splice(0)) c.kill('SIGKILL');
  // Whatever a failed run left behind must not outlive the test.
  for (const pid of [...strays.splice(0), ...dataDirs.splice(0).flatMap(encodersOf)]) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
});

/** ffmpeg processes whose command line writes into this data dir's media folder. */
function encodersOf(dataDir: string): number[] {
  const root = path.join(dataDir, 'media') + path.sep;
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try { argv = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0'); } catch { continue; }
    if (path.basename(argv[0] ?? '') === 'ffmpeg' && argv.some((a) => a.startsWith(root))) pids.push(Number(entry));
  }
  return pids;
}

const alive = (pid: number) => fs.existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));

async function until<T>(what: string, fn: () => T | Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  let v = await fn();
  while (!ok(v)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
    v = await fn();
  }
  return v;
}

describe('encoders and the hub process', () => {
  it('kills every encoder when the hub is SIGKILLed', async () => {
    const data = tempDir('xiuhua-enc-');
    dataDirs.push(data);
    const child = spawn(process.execPath, ['--import', 'tsx', 'main/cli/hub.ts', '--port', '0', '--data', data, '--demo', '--no-sim'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const url = (await until('hub listening', () => /hub listening on (\S+)/.exec(out)?.[1], (u) => u !== undefined, 30_000))!;

    const { socket } = await consoleClient(url, { username: 'operator', password: 'demo' });
    const snap = await ask(socket, 'state:snapshot', {});
    const demo = (snap.result.cameras as { id: string; sources: { kind: string }[] }[]).filter((c) => c.sources[0]?.kind === 'testsrc').slice(0, 3);
    expect(demo).toHaveLength(3);
    // Demo cameras play the pre-encoded loop, which runs no encoder: give three the live-encoded clock source.
    const { socket: admin } = await consoleClient(url, { username: 'admin', password: 'demo' });
    for (const c of demo) {
      const res = await ask(admin, 'camera:upsert', { commandId: cid(), camera: { ...c, sources: [{ kind: 'testsrc', url: `testsrc:clock:${c.id}` }] } });
      expect(res.ok).toBe(true);
    }
    const ids = demo.map((c) => c.id);
    const urls = await Promise.all(ids.map(async (cameraId) => (await ask(socket, 'stream:token', { cameraId })).result.url as string));
    // Watch all three (as tiles would) until three encoders are running.
    const running = await until('three encoders', async () => {
      await Promise.all(urls.map((u) => fetch(u).then((r) => r.arrayBuffer())));
      return encodersOf(data);
    }, (pids) => pids.length === 3);
    closeClients();

    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const left = await until('encoders to die', () => running.filter(alive), (pids) => pids.length === 0, 10_000);
    expect(left).toEqual([]);
    expect(encodersOf(data)).toEqual([]);
  }, 90_000);

  it('stops an encoder a previous hub left writing into the same data dir', async () => {
    const data = tempDir('xiuhua-enc-');
    dataDirs.push(data);
    const out = path.join(data, 'media', 'cam-old');
    fs.mkdirSync(out, { recursive: true });
    // An encoder as a hub without the launcher would have left it: detached, still writing HLS.
    const stray = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=160x90:rate=5',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-f', 'hls', '-hls_segment_filename', path.join(out, 'seg%d.ts'), path.join(out, 'index.m3u8')],
    { stdio: 'ignore', detached: true });
    stray.unref();
    strays.push(stray.pid!);
    await until('the stray encoder', () => encodersOf(data), (p) => p.includes(stray.pid!));
    const logs: string[] = [];
    const hub = await startTestHub({ dataDir: data, log: (l) => logs.push(l) });
    try {
      await until('the stray to die', () => alive(stray.pid!), (a) => !a, 10_000);
      expect(logs.some((l) => l.includes(`left running (pids ${stray.pid})`))).toBe(true);
    } finally {
      await hub.close();
    }
  });
});
