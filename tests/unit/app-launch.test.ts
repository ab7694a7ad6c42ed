// `npm start`'s decisions: is there an Electron binary (without a download that cannot succeed), which
// browser opens the fallback console, is the console build stale. Real files in temp folders.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { browserArgs, findBrowser } from '../../main/launch/browser';
import { findElectron, installedElectron } from '../../main/launch/electron-binary';
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
  it('finds chromium on the PATH when there is a display', () => {
    const bin = path.join(temp(), 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'google-chrome'), '#!/bin/sh\n', { mode: 0o755 });
    fs.writeFileSync(path.join(bin, 'chromium'), 'not executable', { mode: 0o644 });
    expect(findBrowser({ PATH: bin, DISPLAY: ':0' }, 'linux')).toBe(path.join(bin, 'google-chrome'));
  });

  it('prints the address instead when told to, when there is no display, or when nothing is installed', () => {
    const bin = path.join(temp(), 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'chromium'), '#!/bin/sh\n', { mode: 0o755 });
    expect(findBrowser({ PATH: bin, DISPLAY: ':0', XIUHUA_BROWSER: 'none' }, 'linux')).toBeNull();
    expect(findBrowser({ PATH: bin }, 'linux')).toBeNull();
    expect(findBrowser({ PATH: path.join(dir, 'empty'), DISPLAY: ':0' }, 'linux')).toBeNull();
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
