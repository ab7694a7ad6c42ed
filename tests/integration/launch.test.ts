// `npm start` where no Electron binary can be had (this machine, CI): one sentence, the demo hub, the
// console in the system Chromium as an app window or its address printed, and Ctrl-C stops it all.
// Electron's absence is made certain with ELECTRON_OVERRIDE_DIST_PATH pointing at an empty folder,
// so the real detection runs and answers "no" without trying a download.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { io } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../main/launch/build-main';

const NO_ELECTRON = 'Electron is not available on this machine (its binary could not be downloaded)';
const CHROMIUM = '/usr/bin/chromium';
const canOpenWindows = fs.existsSync(CHROMIUM) && fs.existsSync('/usr/bin/Xvfb');

let dir = '';
const started: ChildProcess[] = [];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiuhua-launch-'));
  fs.mkdirSync(path.join(dir, 'no-electron'));
});
afterEach(() => {
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

type Run = { proc: ChildProcess; output: () => string; line: (re: RegExp, ms: number) => Promise<RegExpExecArray>; exit: Promise<number | null> };

/** `npm start -- <args>`; `--port 0` unless the test chooses one (tests never take a fixed port). */
function npmStart(env: NodeJS.ProcessEnv, args: string[] = ['--port', '0']): Run {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'main/launch/start.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: path.join(dir, 'no-electron'), XDG_DATA_HOME: path.join(dir, 'data'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(proc);
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const line = (re: RegExp, ms: number) => new Promise<RegExpExecArray>((resolve, reject) => {
    const t0 = Date.now();
    const poll = setInterval(() => {
      const m = re.exec(out);
      if (m) {
        clearInterval(poll);
        resolve(m);
      } else if (Date.now() - t0 > ms || proc.exitCode !== null) {
        clearInterval(poll);
        reject(new Error(`no ${re} in:\n${out}`));
      }
    }, 100);
  });
  return { proc, output: () => out, line, exit };
}

function loginAsOperator(url: string): Promise<{ demo: boolean; user: { username: string } }> {
  const socket = io(`${url}/console`, { auth: { username: 'operator', password: 'demo' }, transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise<{ demo: boolean; user: { username: string } }>((resolve, reject) => {
    socket.once('session:ready', resolve);
    socket.once('connect_error', reject);
  }).finally(() => socket.disconnect());
}

/** The parent pid from /proc/<pid>/stat (the field after the parenthesised command, which may hold spaces). */
function parentOf(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/**
 * The browser process holding the console window: of the processes carrying the --app argument, the one
 * whose parent is not among them. Helpers carry --type=…, but a child Chromium has just forked briefly
 * carries the browser's own command line too; it is told apart by its parent, not by timing.
 */
function browserRoots(arg: string): number[] {
  const withArg = processesWithArg(arg);
  return withArg.filter((p) => !withArg.includes(parentOf(p) ?? -1));
}

/** Xvfb is ready once its socket exists; wait on that, not on a fixed sleep (the machine may be loaded). */
async function displayReady(display: string, xvfb: ChildProcess): Promise<void> {
  const socket = `/tmp/.X11-unix/X${display.slice(1)}`;
  for (let i = 0; i < 300 && !fs.existsSync(socket); i++) {
    if (xvfb.exitCode !== null) throw new Error(`Xvfb ${display} exited with ${xvfb.exitCode}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!fs.existsSync(socket)) throw new Error(`Xvfb ${display} did not come up`);
}

function processesWithArg(arg: string): number[] {
  return fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').includes(arg);
    } catch {
      return false;
    }
  }).map(Number);
}

describe('npm start without Electron', () => {
  it('says so in one sentence, serves the demo console, prints its address, and stops on Ctrl-C', async () => {
    const run = npmStart({ XIUHUA_BROWSER: 'none' });
    const [, url] = await run.line(/Xiuhua console: (http:\/\/127\.0\.0\.1:\d+)\//, 240_000);
    if (!url) throw new Error('no url');
    // Only what is true: no browser is opened, so none is promised, and the reason given is the real one.
    expect(run.output().split('\n').filter((l) => l.startsWith(NO_ELECTRON))).toEqual([`${NO_ELECTRON}; serving the console to open in a browser instead.`]);
    await run.line(/^XIUHUA_BROWSER=none asks for no browser window: open the address above in a browser\. Ctrl-C stops Xiuhua\.$/m, 10_000);
    expect(run.output()).not.toMatch(/Chromium|Chrome/);

    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Xiuhua');
    expect(await loginAsOperator(url)).toMatchObject({ demo: true, user: { username: 'operator' } });

    run.proc.kill('SIGINT');
    expect(await run.exit).toBe(0);
    expect(run.output()).toContain('Xiuhua stopped.');
    await expect(fetch(`${url}/`)).rejects.toThrow();
    expect(run.output()).not.toMatch(/^\s+at /m);
  }, 300_000);

  it.skipIf(!canOpenWindows)('opens the console in Chromium as an app window, and stops when that window is closed or on Ctrl-C', async () => {
    const display = `:${90 + (process.pid % 9)}`;
    const xvfb = spawn('/usr/bin/Xvfb', [display, '-screen', '0', '1600x1000x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
    started.push(xvfb);
    await displayReady(display, xvfb);
    const run = npmStart({ DISPLAY: display, PATH: `/usr/bin:${process.env.PATH ?? ''}` });
    const [, url] = await run.line(/Xiuhua console: (http:\/\/127\.0\.0\.1:\d+)\//, 240_000);
    await run.line(/Opened in Chromium as an app window\. Ctrl-C stops Xiuhua\./, 10_000);
    expect(run.output()).toContain(`${NO_ELECTRON}; opening the console in Chromium instead.`);
    const appArg = `--app=${url}/`;
    let browsers: number[] = [];
    for (let i = 0; i < 100 && browsers.length === 0; i++) {
      browsers = browserRoots(appArg);
      if (browsers.length === 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(browsers).toHaveLength(1);

    process.kill(browsers[0] as number, 'SIGTERM');
    expect(await run.exit).toBe(0);
    expect(run.output()).toContain('The console window was closed.');
    await expect(fetch(`${url}/`)).rejects.toThrow();

    // Ctrl-C with the window open: the browser goes first, then the hub, then its throwaway profile.
    const again = npmStart({ DISPLAY: display, PATH: `/usr/bin:${process.env.PATH ?? ''}` });
    const [, url2] = await again.line(/Xiuhua console: (http:\/\/127\.0\.0\.1:\d+)\//, 240_000);
    let profile = '';
    for (let i = 0; i < 100 && !profile; i++) {
      const pid = browserRoots(`--app=${url2}/`)[0];
      const arg = pid === undefined ? undefined : fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').find((a) => a.startsWith('--user-data-dir='));
      profile = arg?.slice('--user-data-dir='.length) ?? '';
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(profile).not.toBe('');
    // The window is really up once Chromium has written its profile, not after a fixed pause.
    for (let i = 0; i < 300 && !fs.existsSync(path.join(profile, 'Default')); i++) await new Promise((r) => setTimeout(r, 100));
    expect(fs.existsSync(path.join(profile, 'Default'))).toBe(true);
    again.proc.kill('SIGINT');
    expect(await again.exit).toBe(0);
    expect(again.output()).toContain('Xiuhua stopped.');
    expect(again.output()).not.toMatch(/^\s+at /m);
    expect(processesWithArg(`--app=${url2}/`)).toEqual([]);
    expect(fs.existsSync(profile)).toBe(false);
    xvfb.kill('SIGTERM');
  }, 300_000);

  it('says a browser that cannot be started could not be opened, never that it opened', async () => {
    // Executable, but its interpreter does not exist: the spawn itself fails (ENOENT).
    const broken = path.join(dir, 'broken-browser');
    fs.writeFileSync(broken, '#!/nonexistent/interpreter\n', { mode: 0o755 });
    const run = npmStart({ XIUHUA_BROWSER: broken, DISPLAY: ':0' });
    await run.line(/^broken-browser could not be opened \(.*ENOENT.*\): open the address above in a browser\. Ctrl-C stops Xiuhua\.$/m, 240_000);
    expect(run.output()).toContain(`${NO_ELECTRON}; opening the console in broken-browser instead.`);
    expect(run.output()).not.toContain('as an app window');
    run.proc.kill('SIGINT');
    expect(await run.exit).toBe(0);
    expect(run.output()).toContain('Xiuhua stopped.');
  }, 300_000);

  it('stays on a port chosen with --port, and when that is taken says so in one sentence instead of moving', async () => {
    const blocker = http.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as AddressInfo).port;
    try {
      const run = npmStart({ XIUHUA_BROWSER: 'none' }, ['--port', String(taken)]);
      expect(await run.exit).toBe(1);
      expect(run.output()).toContain(`Port ${taken} is already in use (another Xiuhua, or another program); stop that or choose another with --port <n>.`);
      expect(run.output()).not.toContain('Xiuhua console:');
      expect(run.output()).not.toMatch(/^\s+at /m);
    } finally {
      await new Promise((r) => blocker.close(r));
    }

    // Free again: the console comes up on exactly that port, and comes back on it after a stop.
    for (let i = 0; i < 2; i++) {
      const run = npmStart({ XIUHUA_BROWSER: 'none' }, [`--port=${taken}`]);
      await run.line(new RegExp(`Xiuhua console: http://127\\.0\\.0\\.1:${taken}/`), 240_000);
      expect((await fetch(`http://127.0.0.1:${taken}/hub.json`)).status).toBe(200);
      run.proc.kill('SIGINT');
      expect(await run.exit).toBe(0);
    }
  }, 300_000);
});
