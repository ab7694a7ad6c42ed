// The bundled Electron main process (dist/main/app/main.cjs) run under Node, where no Electron binary
// exists: `electron` is replaced by a recording stand-in whose utilityProcess forks real Node children,
// so the real embedded hub starts. This checks the wiring that unit tests cannot: the console window
// and its hardened preferences, the xiuhua:// protocol with its CSP, the permission and IPC guards as
// installed, a socket from our origin to the embedded hub, and a quit that stops the hub first.
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMain, MAIN_OUT } from '../../main/launch/build-main';

// The stand-in: only what main.ts touches, recording it; the test drives it over the IPC channel.
const FAKE_ELECTRON = String.raw`
const { EventEmitter } = require('node:events');
const cp = require('node:child_process');
const path = require('node:path');
const rec = { switches: [], schemes: [], windows: [], menu: null, dialogs: [], ipc: {}, protocol: {}, session: {} };
let nextId = 1;

const app = new EventEmitter();
Object.assign(app, {
  isPackaged: false,
  commandLine: { appendSwitch: (k, v) => rec.switches.push([k, v]) },
  requestSingleInstanceLock: () => true,
  whenReady: () => Promise.resolve(),
  enableSandbox: () => { rec.sandboxAll = true; },
  setPath: (k, v) => { rec.paths = { ...rec.paths, [k]: v }; },
  getPath: (k) => rec.paths?.[k] ?? path.join(process.env.FAKE_HOME, k),
  getAppPath: () => process.env.FAKE_APP_PATH,
  relaunch: () => { rec.relaunched = true; },
  quit: () => {
    let prevented = false;
    app.emit('before-quit', { preventDefault: () => { prevented = true; } });
    if (!prevented) { app.emit('will-quit'); process.send({ quitting: true }, () => process.exit(0)); }
  },
});

class BrowserWindow extends EventEmitter {
  constructor(options) {
    super();
    this.options = options;
    this.urls = [];
    this.webContents = { id: nextId++, send: () => undefined };
    rec.windows.push(this);
    app.emit('web-contents-created', {}, this.webContents);
  }
  loadURL(url) { this.urls.push(url); return Promise.resolve(); }
  isDestroyed() { return false; }
  show() {} focus() {} restore() {} close() {} setBounds() {} setFullScreen() {}
  isMinimized() { return false; }
}

const screen = new EventEmitter();
const primary = { id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 } };
screen.getAllDisplays = () => [primary];
screen.getPrimaryDisplay = () => primary;

const hooks = {};
const contentsOn = (wc) => { wc.listeners = {}; wc.on = (ev, fn) => { wc.listeners[ev] = fn; }; wc.setWindowOpenHandler = (fn) => { wc.openHandler = fn; }; };
app.on('newListener', () => undefined);

module.exports = {
  app,
  BrowserWindow,
  screen,
  protocol: {
    registerSchemesAsPrivileged: (s) => rec.schemes.push(...s),
    handle: (scheme, fn) => { hooks.protocol = fn; rec.protocol[scheme] = true; },
  },
  session: { defaultSession: {
    setPermissionRequestHandler: (fn) => { hooks.permission = fn; },
    setPermissionCheckHandler: (fn) => { hooks.permissionCheck = fn; },
    setDevicePermissionHandler: (fn) => { hooks.device = fn; },
    webRequest: { onHeadersReceived: (fn) => { hooks.headers = fn; } },
  } },
  ipcMain: { handle: (ch, fn) => { hooks['ipc:' + ch] = fn; rec.ipc[ch] = true; } },
  dialog: {
    showMessageBox: (o) => { rec.dialogs.push(o.message); return Promise.resolve({ response: 2 }); },
    showOpenDialog: () => Promise.resolve({ canceled: true, filePaths: [] }),
  },
  Menu: { buildFromTemplate: (t) => t, setApplicationMenu: (m) => { rec.menu = m.map((x) => x.label); } },
  utilityProcess: {
    fork: (entry, args, opts) => {
      const child = cp.fork(entry, args, { execArgv: ['-r', process.env.FAKE_PARENT_PORT], stdio: 'pipe', env: opts && opts.env });
      const proc = new EventEmitter();
      proc.stdout = child.stdout; proc.stderr = child.stderr;
      proc.postMessage = (m) => child.connected && child.send(m);
      proc.kill = () => child.kill('SIGKILL');
      child.on('message', (m) => proc.emit('message', m));
      child.on('exit', (code) => proc.emit('exit', code ?? 1));
      rec.hubPid = child.pid;
      return proc;
    },
  },
};

// Web contents created before main.ts hooked them would escape the policy: hook ours on creation.
const origEmit = app.emit.bind(app);
app.emit = (ev, ...args) => { if (ev === 'web-contents-created') contentsOn(args[1]); return origEmit(ev, ...args); };

process.on('message', async (m) => {
  const reply = (x) => process.send({ id: m.id, ...x });
  try {
    if (m.cmd === 'state') {
      reply({ rec: { ...rec, windows: rec.windows.map((w) => ({ options: w.options, urls: w.urls })) } });
    } else if (m.cmd === 'protocol') {
      const res = await hooks.protocol(new Request(m.url));
      reply({ status: res.status, headers: Object.fromEntries(res.headers), body: (await res.text()).slice(0, 200) });
    } else if (m.cmd === 'permission') {
      hooks.permission({ getURL: () => m.url }, m.permission, (ok) => reply({ granted: ok }), { requestingUrl: m.url });
    } else if (m.cmd === 'navigate') {
      const wc = rec.windows[0].webContents;
      let prevented = false;
      wc.listeners['will-navigate']({ url: m.url, preventDefault: () => { prevented = true; } });
      reply({ prevented, open: wc.openHandler({ url: m.url }) });
    } else if (m.cmd === 'ipc') {
      try {
        const out = await hooks['ipc:' + m.channel]({ senderFrame: { url: m.senderUrl, parent: null }, sender: { id: 1 } }, ...(m.args || []));
        reply({ result: out });
      } catch (e) { reply({ error: e.message }); }
    } else if (m.cmd === 'quit') {
      app.quit();
      reply({ ok: true });
    }
  } catch (e) { reply({ error: String(e && e.stack || e) }); }
});
`;

const PARENT_PORT = `
const { EventEmitter } = require('node:events');
const port = new EventEmitter();
port.postMessage = (m) => process.send(m);
process.on('message', (data) => port.emit('message', { data }));
process.parentPort = port;
`;

let dir = '';
let main: ChildProcess;
let seq = 0;
const output: string[] = [];
let exit: Promise<number | null>;

function ask<T>(msg: Record<string, unknown>): Promise<T> {
  const id = ++seq;
  return new Promise((resolve) => {
    const on = (m: { id?: number }) => {
      if (m.id !== id) return;
      main.off('message', on);
      resolve(m as T);
    };
    main.on('message', on);
    main.send({ ...msg, id });
  });
}

type State = { rec: { windows: { options: { webPreferences: Record<string, unknown> }; urls: string[] }[]; schemes: { scheme: string; privileges: Record<string, boolean> }[]; sandboxAll: boolean; ipc: Record<string, boolean>; menu: string[]; dialogs: string[]; hubPid: number } };

beforeAll(async () => {
  await buildMain();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiuhua-main-'));
  const fakeDir = path.join(dir, 'fake-electron');
  fs.mkdirSync(fakeDir);
  fs.writeFileSync(path.join(fakeDir, 'index.js'), FAKE_ELECTRON);
  fs.writeFileSync(path.join(dir, 'parent-port.cjs'), PARENT_PORT);
  // `require('electron')` in the bundle resolves to the stand-in.
  fs.writeFileSync(path.join(dir, 'resolve.cjs'), `
const Module = require('node:module');
const orig = Module._resolveFilename;
Module._resolveFilename = function (req, ...rest) { return req === 'electron' ? ${JSON.stringify(path.join(fakeDir, 'index.js'))} : orig.call(this, req, ...rest); };
`);
  const appPath = path.join(dir, 'app');
  fs.mkdirSync(path.join(appPath, 'dist', 'renderer'), { recursive: true });
  fs.writeFileSync(path.join(appPath, 'dist', 'renderer', 'index.html'), '<!doctype html><title>Xiuhua console</title>');
  main = fork(path.join(MAIN_OUT, 'main.cjs'), ['--demo'], {
    execArgv: ['-r', path.join(dir, 'resolve.cjs')],
    env: { ...process.env, FAKE_HOME: path.join(dir, 'home'), FAKE_APP_PATH: appPath, FAKE_PARENT_PORT: path.join(dir, 'parent-port.cjs'), XIUHUA_USER_DATA: path.join(dir, 'userData') },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  main.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  main.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  exit = new Promise((resolve) => main.on('exit', (code) => resolve(code)));
  // The console window appears once the embedded hub is up.
  for (let i = 0; i < 300; i++) {
    const s = await ask<State>({ cmd: 'state' });
    if (s.rec.windows.length > 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no console window; output:\n${output.join('')}`);
}, 120_000);

afterAll(() => {
  if (main && main.exitCode === null) main.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('Electron main process (bundle) with the embedded hub', () => {
  let hubUrl = '';

  it('registers our scheme as privileged, sandboxes every renderer and opens a hardened console window', async () => {
    const { rec } = await ask<State>({ cmd: 'state' });
    expect(rec.schemes).toEqual([{ scheme: 'xiuhua', privileges: expect.objectContaining({ standard: true, secure: true }) }]);
    expect(rec.sandboxAll).toBe(true);
    expect(rec.windows).toHaveLength(1);
    const win = rec.windows[0]!;
    expect(win.options.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, webviewTag: false });
    expect(fs.existsSync(String(win.options.webPreferences.preload))).toBe(true);
    const url = new URL(win.urls[0] ?? '');
    expect(`${url.protocol}//${url.host}${url.pathname}`).toBe('xiuhua://app/index.html');
    expect(url.searchParams.get('view')).toBe('console');
    hubUrl = url.searchParams.get('hub') ?? '';
    expect(hubUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Object.keys(rec.ipc).sort()).toEqual(['hub:get-setting', 'hub:set-setting', 'hub:status', 'wall:set-layout']);
    expect(rec.menu).toEqual(['Xiuhua', '中枢 Hub', '视图 View']);
  });

  it('serves our pages with the CSP naming the embedded hub', async () => {
    const r = await ask<{ status: number; headers: Record<string, string>; body: string }>({ cmd: 'protocol', url: 'xiuhua://app/index.html?view=console' });
    expect(r.status).toBe(200);
    expect(r.body).toContain('Xiuhua console');
    expect(r.headers['content-security-policy']).toContain(`connect-src 'self' data: blob: ${hubUrl} ${hubUrl.replace('http', 'ws')}`);
    expect((await ask<{ status: number }>({ cmd: 'protocol', url: 'xiuhua://app/%2F..%2F..%2Fpackage.json' })).status).toBe(404);
  });

  it('lets a page from our origin sign in to the embedded demo hub', async () => {
    const socket = io(`${hubUrl}/console`, { auth: { username: 'operator', password: 'demo' }, transports: ['websocket'], extraHeaders: { Origin: 'xiuhua://app' }, reconnection: false, forceNew: true });
    const ready = await new Promise<{ demo: boolean }>((resolve, reject) => {
      socket.once('session:ready', resolve);
      socket.once('connect_error', reject);
    }).finally(() => socket.disconnect());
    expect(ready.demo).toBe(true);
  });

  it('guards permissions, navigation, window.open and IPC as installed', async () => {
    expect(await ask({ cmd: 'permission', permission: 'fullscreen', url: 'xiuhua://app/index.html' })).toMatchObject({ granted: true });
    expect(await ask({ cmd: 'permission', permission: 'media', url: 'xiuhua://app/index.html' })).toMatchObject({ granted: false });
    expect(await ask({ cmd: 'navigate', url: 'https://example.com/' })).toMatchObject({ prevented: true, open: { action: 'deny' } });
    expect(await ask({ cmd: 'navigate', url: 'xiuhua://app/index.html' })).toMatchObject({ prevented: false });
    expect(await ask({ cmd: 'ipc', channel: 'hub:status', senderUrl: 'xiuhua://app/index.html' }))
      .toMatchObject({ result: { status: { state: 'running', url: hubUrl }, text: { en: `Hub running at ${hubUrl}` } } });
    expect(await ask({ cmd: 'ipc', channel: 'hub:set-setting', senderUrl: 'https://example.com/', args: [{ kind: 'remote', url: 'http://evil.example' }] }))
      .toMatchObject({ error: expect.stringMatching(/refused IPC hub:set-setting from https:\/\/example\.com\//) });
    expect(await ask({ cmd: 'ipc', channel: 'hub:set-setting', senderUrl: 'xiuhua://app/index.html', args: [{ kind: 'remote', url: 'javascript:alert(1)' }] }))
      .toMatchObject({ result: { ok: false } });
    expect(await ask({ cmd: 'ipc', channel: 'wall:set-layout', senderUrl: 'xiuhua://app/index.html', args: ['video'] }))
      .toMatchObject({ result: { ok: false, reason: 'only a wall window can change its layout' } });
  });

  it('stops the embedded hub before quitting', async () => {
    const { rec } = await ask<State>({ cmd: 'state' });
    await ask({ cmd: 'quit' });
    expect(await exit).toBe(0);
    await expect(fetch(`${hubUrl}/`)).rejects.toThrow();
    expect(() => process.kill(rec.hubPid, 0)).toThrow();
    expect(output.join('')).not.toMatch(/^\s+at /m);
  });
});
