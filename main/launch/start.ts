// `npm start`: the Electron app with its embedded demo hub. Where Electron cannot be had (no internet
// for its one-time download, as on CI boxes), it says so in one sentence, runs the demo hub here and
// opens the console in the system's Chromium as an app window, or prints the address. Ctrl-C stops it.
// Arguments after `npm start --` go to the app (`--wall`, `--hub <url>`, `--data <dir>`, `--demo`);
// `--port <n>` is the fallback hub's port (7400 unless taken, port.ts).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startHub } from '../hub/server';
import type { Hub } from '../hub/server';
import { DEMO_PASSWORD } from '../hub/seed';
import { simulateDemoCity } from '../sim/demo';
import { browserArgs, findBrowser, type BrowserChoice } from './browser';
import { buildMain, ROOT } from './build-main';
import { findElectron } from './electron-binary';
import { DEFAULT_PORT, listenOnChoice, PortError, portChoice, type PortChoice } from './port';
import { buildRenderer, rendererIsStale } from './renderer-build';
import { ensureElectronSqlite } from './sqlite-electron';

const RENDERER_DIR = path.join(ROOT, 'dist', 'renderer');
const ELECTRON_DIR = path.join(ROOT, 'node_modules', 'electron');
/** An Electron that exits this fast with an error never showed a window (no display, missing libraries). */
const EARLY_EXIT_MS = 10_000;

const say = (line: string) => process.stdout.write(`${line}\n`);

class StartError extends Error {}

/** Where the fallback keeps its demo data: the OS's per-user data folder. */
function userDataHome(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const home = os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'xiuhua');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'xiuhua');
  return path.join(env.XDG_DATA_HOME || path.join(home, '.local', 'share'), 'xiuhua');
}

async function ensureRenderer(): Promise<void> {
  if (!rendererIsStale(ROOT, RENDERER_DIR)) return;
  say('Building the console (first start, or its sources changed)…');
  const r = await buildRenderer(ROOT);
  if (!r.ok) {
    process.stderr.write(r.output);
    throw new StartError('The console could not be built: vite build failed (its output is above).');
  }
}

/** Runs the Electron app; resolves with its exit code, or null when it failed before showing anything. */
function runElectron(binary: string, sqliteBinding: string, args: string[]): Promise<number | null> {
  const env: NodeJS.ProcessEnv = { ...process.env, XIUHUA_SQLITE_BINDING: sqliteBinding };
  delete env.ELECTRON_RUN_AS_NODE;
  const started = Date.now();
  const child = spawn(binary, ['.', ...args], { cwd: ROOT, env, stdio: 'inherit' });
  // Ctrl-C reaches Electron too (same process group); TERM from a supervisor is passed on.
  const forward = () => child.kill('SIGTERM');
  process.on('SIGTERM', forward);
  process.on('SIGINT', () => undefined);
  return new Promise((resolve) => {
    child.on('error', () => resolve(null));
    child.on('exit', (code, signal) => {
      process.off('SIGTERM', forward);
      const failedEarly = code !== 0 && signal === null && Date.now() - started < EARLY_EXIT_MS;
      resolve(failedEarly ? null : (code ?? 0));
    });
  });
}

/** The end of the sentence that says why there is no Electron window: what happens instead, truly. */
function instead(browser: BrowserChoice): string {
  return browser.path ? `opening the console in ${browser.name} instead.` : 'serving the console to open in a browser instead.';
}

/** The fallback: demo hub in this process, console in the system browser (or just its address). */
async function runInBrowser(port: PortChoice, browser: BrowserChoice): Promise<void> {
  const dataDir = path.join(userDataHome(), 'demo');
  let hub: Hub;
  let movedFrom: number | null;
  try {
    const log = (line: string) => say(`[hub] ${line}`);
    let listening: Hub;
    ({ server: listening, movedFrom } = await listenOnChoice(port, (p) => startHub({ port: p, dataDir, demo: true, rendererDir: RENDERER_DIR, log })));
    hub = await simulateDemoCity(listening, log);
  } catch (e) {
    if (e instanceof PortError) throw new StartError(e.message);
    throw new StartError(`The demo hub could not start: ${e instanceof Error ? e.message : String(e)}.`);
  }
  const url = `${hub.url}/`;
  const profile = browser.path ? fs.mkdtempSync(path.join(os.tmpdir(), 'xiuhua-console-')) : null;
  const child = browser.path && profile
    ? spawn(browser.path, browserArgs(url, profile, process.getuid?.() === 0), { stdio: 'ignore' })
    : null;

  const browserGone = child
    ? new Promise<void>((resolve) => {
      child.on('exit', () => resolve());
      child.on('error', () => resolve());
    })
    : Promise.resolve();

  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    say(why);
    if (child && child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      // The browser writes to its profile until it has exited; only then can the profile go.
      await browserGone;
      clearTimeout(killer);
    }
    await hub.close().catch(() => undefined);
    if (profile) {
      try {
        fs.rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
      } catch {
        say(`(the browser profile ${profile} could not be removed; it is safe to delete)`);
      }
    }
    say('Xiuhua stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('Stopping (Ctrl-C)…'));
  process.on('SIGTERM', () => void stop('Stopping…'));

  if (movedFrom !== null) say(`Port ${movedFrom} is in use (another Xiuhua, or another program), so this console is on port ${hub.port}; --port <n> chooses one.`);
  say(`Xiuhua console: ${url}  (demo city; log in as operator / ${DEMO_PASSWORD}; data in ${dataDir})`);
  if (browser.path === null) {
    say(`${browser.why}: open the address above in a browser. Ctrl-C stops Xiuhua.`);
  } else if (child) {
    // Said once the browser has really started, not before: a spawn can still fail (ENOENT, EACCES).
    child.once('spawn', () => say(`Opened in ${browser.name} as an app window. Ctrl-C stops Xiuhua.`));
    child.once('error', (e) => say(`${browser.name} could not be opened (${e.message}): open the address above in a browser. Ctrl-C stops Xiuhua.`));
    child.on('exit', () => void stop('The console window was closed.'));
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let port: PortChoice;
  try {
    port = portChoice(args);
  } catch (e) {
    throw e instanceof PortError ? new StartError(e.message) : e;
  }
  await ensureRenderer();

  const electron = process.env.XIUHUA_ELECTRON === 'off'
    ? null
    : await findElectron(ELECTRON_DIR, { onSlow: () => say('Fetching Electron (first start only)…') });
  let noElectron: string;
  if (electron?.ok) {
    await buildMain();
    const sqlite = await ensureElectronSqlite(ROOT, electron.version, () => say('Preparing SQLite for Electron (first start only)…'));
    if (sqlite.ok) {
      if (port.chosen) say(`(--port is for the browser fallback; the app's own hub listens on ${DEFAULT_PORT}, or on a free port when that is taken.)`);
      const code = await runElectron(electron.path, sqlite.binding, args);
      if (code !== null) process.exit(code);
      noElectron = 'Electron could not start on this machine';
    } else {
      noElectron = `SQLite could not be prepared for Electron (${sqlite.why})`;
    }
  } else {
    noElectron = electron ? 'Electron is not available on this machine (its binary could not be downloaded)' : 'Electron is switched off (XIUHUA_ELECTRON=off)';
  }
  // The browser is looked for before the sentence is said, so that it says what really happens next.
  const browser = findBrowser();
  say(`${noElectron}; ${instead(browser)}`);
  await runInBrowser(port, browser);
}

main().catch((e: unknown) => {
  // Every failure a user can meet here is said in words; a stack trace helps nobody at a console desk.
  process.stderr.write(`${e instanceof StartError ? e.message : `Xiuhua could not start: ${e instanceof Error ? e.message : String(e)}`}\n`);
  process.exit(1);
});
