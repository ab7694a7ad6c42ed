// `npm start`'s decisions: is there an Electron binary (without a download that cannot succeed), which
// browser opens the fallback console and what is said when none does, which port the fallback hub
// takes, is the console build stale. Real files in temp folders, real sockets on ports the OS gave.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { browserArgs, browserName, findBrowser } from '../../main/launch/browser';
import { findElectron, installedElectron } from '../../main/launch/electron-binary';
import { DEFAULT_PORT, isPortTaken, listenOnChoice, PortError, portChoice } from '../../main/launch/port';
import { rendererIsStale } from '../../main/launch/renderer-build';

let dir = '';
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
const temp = () => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiuhua-launch-unit-')));

/** A stand-in electron package: its index.js behaves like the real one in the given situation. */
function electronPackage(root: string, indexJs: string, installed = false): string {
  const pkg = path.join(root, 'electron');
  fs.mkdirSync(path.join(pkg, 'dist'), { recursive: true });
  fs.writeFileSync(path.join(pkg, 'package.json'), '{"name":"electron","version":"45.5.0"}');
  fs.writeFileSync(path.join(pkg, 'index.js'), indexJs);
  if (installed) {
    fs.writeFileSync(path.join(pkg, 'path.txt'), 'electron');
    fs.writeFileSync(path.join(pkg, 'dist', 'electron'), '');
  }
  return pkg;
}

const env = { PATH: process.env.PATH } as NodeJS.ProcessEnv;

describe('findElectron', () => {
  it('uses an installed binary without running the package (no download attempt)', async () => {
    const pkg = electronPackage(temp(), 'throw new Error("must not run")', true);
    expect(installedElectron(pkg, env)).toBe(path.join(pkg, 'dist', 'electron'));
    expect(await findElectron(pkg, { env })).toEqual({ ok: true, path: path.join(pkg, 'dist', 'electron'), version: '45.5.0' });
  });

  it('answers "no" in words when the lazy download fails, as it does offline', async () => {
    const pkg = electronPackage(temp(), `console.log('Downloading Electron binary...'); console.error('RequestError: getaddrinfo ENOTFOUND github.com'); process.exit(1);`);
    const r = await findElectron(pkg, { env });
    expect(r).toEqual({ ok: false, why: 'RequestError: getaddrinfo ENOTFOUND github.com' });
  });

  it('takes the path the package prints after a successful first download', async () => {
    const root = temp();
    const bin = path.join(root, 'downloaded-electron');
    fs.writeFileSync(bin, '');
    const pkg = electronPackage(root, `console.log('Downloading Electron binary...'); module.exports = ${JSON.stringify(bin)};`);
    expect(await findElectron(pkg, { env })).toEqual({ ok: true, path: bin, version: '45.5.0' });
  });

  it('treats ELECTRON_OVERRIDE_DIST_PATH without a binary as no Electron, and no package at all likewise', async () => {
    const root = temp();
    const pkg = electronPackage(root, 'module.exports = require("node:path").join(process.env.ELECTRON_OVERRIDE_DIST_PATH, "electron")');
    expect(await findElectron(pkg, { env: { ...env, ELECTRON_OVERRIDE_DIST_PATH: path.join(root, 'empty') } })).toMatchObject({ ok: false });
    expect(await findElectron(path.join(root, 'nope'), { env })).toEqual({ ok: false, why: 'the electron package is not installed' });
  });
});

describe('findBrowser', () => {
  it('finds chromium on the PATH when there is a display, and names it as a user knows it', () => {
    const bin = path.join(temp(), 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'google-chrome'), '#!/bin/sh\n', { mode: 0o755 });
    fs.writeFileSync(path.join(bin, 'chromium'), 'not executable', { mode: 0o644 });
    expect(findBrowser({ PATH: bin, DISPLAY: ':0' }, 'linux')).toEqual({ path: path.join(bin, 'google-chrome'), name: 'Chrome' });
    fs.chmodSync(path.join(bin, 'chromium'), 0o755);
    expect(findBrowser({ PATH: bin, WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toEqual({ path: path.join(bin, 'chromium'), name: 'Chromium' });
  });

  // Each reason is said to the user as is: it must name the real cause, not "no Chromium" when there is one.
  it('says why it prints the address instead: told to, no display, a bad XIUHUA_BROWSER, nothing installed', () => {
    const bin = path.join(temp(), 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'chromium'), '#!/bin/sh\n', { mode: 0o755 });
    expect(findBrowser({ PATH: bin, DISPLAY: ':0', XIUHUA_BROWSER: 'none' }, 'linux')).toEqual({ path: null, why: 'XIUHUA_BROWSER=none asks for no browser window' });
    expect(findBrowser({ PATH: bin }, 'linux')).toEqual({ path: null, why: 'There is no display to open a window on (DISPLAY and WAYLAND_DISPLAY are unset)' });
    expect(findBrowser({ PATH: bin, DISPLAY: ':0', XIUHUA_BROWSER: path.join(bin, 'nope') }, 'linux'))
      .toEqual({ path: null, why: `XIUHUA_BROWSER=${path.join(bin, 'nope')} is not a program that can be run` });
    expect(findBrowser({ PATH: bin, DISPLAY: ':0', XIUHUA_BROWSER: path.join(bin, 'chromium') }, 'linux')).toEqual({ path: path.join(bin, 'chromium'), name: 'Chromium' });
    expect(findBrowser({ PATH: path.join(dir, 'empty'), DISPLAY: ':0' }, 'linux')).toEqual({ path: null, why: 'No Chromium or Chrome is installed' });
  });

  it('names browsers by what users call them', () => {
    expect(browserName('/usr/bin/chromium-browser')).toBe('Chromium');
    expect(browserName('/Applications/Google Chrome.app/Contents/MacOS/Google Chrome')).toBe('Chrome');
    expect(browserName('/opt/brave/brave')).toBe('brave');
  });

  it('opens an app window on a fresh profile, without the sandbox only when running as root', () => {
    expect(browserArgs('http://127.0.0.1:1/', '/tmp/p', false)).toEqual(expect.arrayContaining(['--app=http://127.0.0.1:1/', '--user-data-dir=/tmp/p', '--no-first-run']));
    expect(browserArgs('http://127.0.0.1:1/', '/tmp/p', false)).not.toContain('--no-sandbox');
    expect(browserArgs('http://127.0.0.1:1/', '/tmp/p', true)).toContain('--no-sandbox');
  });
});

describe('rendererIsStale', () => {
  it('is stale when never built or when a source is newer than the build', () => {
    const root = temp();
    const out = path.join(root, 'dist', 'renderer');
    fs.mkdirSync(path.join(root, 'renderer', 'src'), { recursive: true });
    fs.mkdirSync(path.join(root, 'shared'));
    const source = path.join(root, 'renderer', 'src', 'App.tsx');
    fs.writeFileSync(source, 'x');
    expect(rendererIsStale(root, out)).toBe(true);
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'index.html'), '<!doctype html>');
    const past = new Date(Date.now() - 60_000);
    for (const p of [source, path.join(root, 'renderer', 'src'), path.join(root, 'renderer'), path.join(root, 'shared')]) fs.utimesSync(p, past, past);
    expect(rendererIsStale(root, out)).toBe(false);
    fs.writeFileSync(path.join(root, 'shared', 'domain.ts'), 'y');
    expect(rendererIsStale(root, out)).toBe(true);
  });
});

/** A real HTTP server on 127.0.0.1, as startHub is one; rejects when listen() fails. */
function serve(port: number): Promise<{ port: number; server: http.Server }> {
  const server = http.createServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve({ port: (server.address() as AddressInfo).port, server }));
  });
}
const closeAll = (servers: http.Server[]) => Promise.all(servers.map((s) => new Promise((r) => s.close(r))));

describe('the fallback hub\'s port', () => {
  it('is the same every start (the embedded hub\'s 7400) unless --port chooses one', () => {
    expect(DEFAULT_PORT).toBe(7400);
    expect(portChoice([])).toEqual({ port: 7400, chosen: false });
    expect(portChoice(['--wall', '--port', '8123'])).toEqual({ port: 8123, chosen: true });
    expect(portChoice(['--port=0'])).toEqual({ port: 0, chosen: true });
    for (const bad of [['--port'], ['--port', 'x'], ['--port='], ['--port', '70000'], ['--port', '1.5']]) expect(() => portChoice(bad)).toThrow(PortError);
  });

  it('keeps a free default port, moves off a taken one and says from where, and never moves off a chosen one', async () => {
    const blocker = await serve(0);
    const opened: http.Server[] = [blocker.server];
    try {
      const moved = await listenOnChoice({ port: blocker.port, chosen: false }, serve);
      opened.push(moved.server.server);
      expect(moved.movedFrom).toBe(blocker.port);
      expect(moved.server.port).not.toBe(blocker.port);

      await expect(listenOnChoice({ port: blocker.port, chosen: true }, serve)).rejects.toThrow(
        new PortError(`Port ${blocker.port} is already in use (another Xiuhua, or another program); stop that or choose another with --port <n>.`));

      // Once the port is free again, the next start is back on it.
      await closeAll([blocker.server]);
      const again = await listenOnChoice({ port: blocker.port, chosen: false }, serve);
      opened.push(again.server.server);
      expect(again).toMatchObject({ movedFrom: null, server: { port: blocker.port } });
    } finally {
      await closeAll(opened.filter((s) => s.listening));
    }
  });

  it('knows a taken port both by its error code and by the hub\'s wording of it, and passes other failures on', async () => {
    expect(isPortTaken(new Error('port 7400 on 127.0.0.1 is already in use'))).toBe(true);
    expect(isPortTaken(new Error('database is locked'))).toBe(false);
    const failing = () => Promise.reject(new Error('database is locked'));
    await expect(listenOnChoice({ port: 7400, chosen: false }, failing)).rejects.toThrow('database is locked');
  });
});
