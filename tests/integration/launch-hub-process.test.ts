// The embedded hub as the Electron app runs it: the bundled dist/main/app/hub-process.cjs, driven by
// the real HubSupervisor. Electron's utility process is stood in for by a Node child process with a
// `process.parentPort` of the same shape (the bundle is plain Node; Electron adds only that port).
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubSupervisor, isHubChildMessage } from '../../main/app/hub-lifecycle';
import type { HubChild, HubLaunch, HubStatus } from '../../main/app/hub-lifecycle';
import { buildMain, MAIN_OUT } from '../../main/launch/build-main';

let dir = '';
let shim = '';
const children: ChildProcess[] = [];

beforeAll(async () => {
  await buildMain();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiuhua-hubproc-'));
  shim = path.join(dir, 'parent-port.cjs');
  fs.writeFileSync(shim, `
const { EventEmitter } = require('node:events');
const port = new EventEmitter();
port.postMessage = (m) => process.send(m);
process.on('message', (data) => port.emit('message', { data }));
process.parentPort = port;
`);
  fs.mkdirSync(path.join(dir, 'renderer'));
  fs.writeFileSync(path.join(dir, 'renderer', 'index.html'), '<!doctype html><title>Xiuhua test page</title>');
}, 120_000);

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

function spawnHub(launch: HubLaunch): HubChild & { proc: ChildProcess } {
  const proc = fork(path.join(MAIN_OUT, 'hub-process.cjs'), [JSON.stringify(launch)], { execArgv: ['-r', shim], stdio: 'pipe' });
  children.push(proc);
  return {
    proc,
    onMessage: (l) => proc.on('message', (m) => {
      if (isHubChildMessage(m)) l(m);
    }),
    onExit: (l) => proc.on('exit', (code) => l(code ?? 1)),
    stop: () => proc.send({ type: 'stop' }),
    kill: () => proc.kill('SIGKILL'),
  };
}

function supervise(dataDir: string) {
  const statuses: HubStatus[] = [];
  const spawned: ReturnType<typeof spawnHub>[] = [];
  const waiters: { pred: (s: HubStatus) => boolean; resolve: (s: HubStatus) => void }[] = [];
  const sup = new HubSupervisor({
    spawn: (l) => {
      const c = spawnHub(l);
      spawned.push(c);
      return c;
    },
    launch: { dataDir, demo: true, port: 0, rendererDir: path.join(dir, 'renderer') },
    timers: { setTimeout, clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout), now: Date.now },
    onStatus: (s) => {
      statuses.push(s);
      for (const w of waiters.splice(0)) if (w.pred(s)) w.resolve(s); else waiters.push(w);
    },
    log: () => undefined,
  });
  const until = (pred: (s: HubStatus) => boolean) => new Promise<HubStatus>((resolve) => {
    if (pred(sup.current)) resolve(sup.current);
    else waiters.push({ pred, resolve });
  });
  return { sup, statuses, spawned, until };
}

function login(url: string, origin: string): Promise<{ demo: boolean }> {
  const socket = io(`${url}/console`, {
    auth: { username: 'operator', password: 'demo' },
    transports: ['websocket'],
    extraHeaders: { Origin: origin },
    reconnection: false,
    forceNew: true,
  });
  return new Promise<{ demo: boolean }>((resolve, reject) => {
    socket.once('session:ready', (r: { demo: boolean }) => resolve(r));
    socket.once('connect_error', reject);
  }).finally(() => socket.disconnect());
}

describe('embedded hub process', () => {
  it('starts the demo hub, accepts sockets from our pages, restarts on the same port after a crash, stops cleanly', async () => {
    const { sup, spawned, until } = supervise(path.join(dir, 'demo'));
    sup.start();
    const running = await until((s) => s.state === 'running');
    if (running.state !== 'running') throw new Error('unreachable');
    const url = running.url;

    expect(await (await fetch(`${url}/`)).text()).toContain('Xiuhua test page');
    // Our pages come from xiuhua://app, so their sockets carry that Origin; a web page's are refused.
    expect(await login(url, 'xiuhua://app')).toMatchObject({ demo: true });
    await expect(login(url, 'https://evil.example')).rejects.toThrow();

    spawned[0]?.proc.kill('SIGKILL');
    await until((s) => s.state === 'restarting');
    const again = await until((s) => s.state === 'running');
    expect(again).toEqual({ state: 'running', url });
    expect(spawned).toHaveLength(2);
    expect(await login(url, 'xiuhua://app')).toMatchObject({ demo: true });

    await sup.stop();
    expect(spawned[1]?.proc.exitCode).toBe(0);
    await expect(fetch(`${url}/`)).rejects.toThrow();
  }, 90_000);

  it('says in words why a hub cannot start', async () => {
    const notADir = path.join(dir, 'a-file');
    fs.writeFileSync(notADir, 'x');
    const { sup, until } = supervise(notADir);
    sup.start();
    const s = await until((x) => x.state === 'restarting');
    await sup.stop();
    expect(s).toMatchObject({ state: 'restarting', attempt: 1, reason: `data directory ${notADir} is not writable` });
  }, 60_000);
});
