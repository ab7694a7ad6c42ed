// The Electron app end to end (Playwright's Electron support): it starts its embedded demo hub, shows
// the console from xiuhua://app/, an operator signs in and the map draws the city. Where no Electron
// binary is installed (it is downloaded on first use, impossible offline) the suite is reported as
// skipped; the check never triggers a download.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { _electron as electron, type ElectronApplication } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMain, ROOT } from '../../main/launch/build-main';
import { electronVersion, installedElectron } from '../../main/launch/electron-binary';
import { buildRenderer, rendererIsStale } from '../../main/launch/renderer-build';
import { ensureElectronSqlite } from '../../main/launch/sqlite-electron';

const ELECTRON_DIR = path.join(ROOT, 'node_modules', 'electron');
const binary = installedElectron(ELECTRON_DIR);
const reason = binary ? '' : ' (skipped: no Electron binary installed here; `npm start` downloads it where there is internet)';

describe.skipIf(!binary)(`Electron app${reason}`, () => {
  let app: ElectronApplication | null = null;
  let userData = '';

  beforeAll(async () => {
    if (rendererIsStale(ROOT, path.join(ROOT, 'dist', 'renderer'))) {
      const r = await buildRenderer(ROOT);
      if (!r.ok) throw new Error(r.output);
    }
    await buildMain();
    const sqlite = await ensureElectronSqlite(ROOT, electronVersion(ELECTRON_DIR));
    if (!sqlite.ok) throw new Error(sqlite.why);
    userData = fs.mkdtempSync(path.join(os.tmpdir(), 'xiuhua-electron-'));
    app = await electron.launch({
      executablePath: binary ?? '',
      args: ['.', '--demo'],
      cwd: ROOT,
      env: { ...process.env, XIUHUA_SQLITE_BINDING: sqlite.binding, XIUHUA_USER_DATA: userData },
      timeout: 60_000,
    });
  }, 300_000);

  afterAll(async () => {
    await app?.close();
    if (userData) fs.rmSync(userData, { recursive: true, force: true });
  });

  it('opens the console from our own origin, sandboxed, with only the bridge exposed', async () => {
    const page = await app!.firstWindow();
    await page.waitForSelector('input[name=username]', { timeout: 60_000 });
    const url = new URL(page.url());
    expect(`${url.protocol}//${url.host}`).toBe('xiuhua://app');
    expect(url.searchParams.get('view')).toBe('console');
    expect(await page.evaluate(() => ({
      bridge: Object.keys((window as unknown as { xiuhua?: object }).xiuhua ?? {}).sort(),
      node: typeof (window as unknown as { require?: unknown }).require,
      process: typeof (window as unknown as { process?: unknown }).process,
    }))).toEqual({ bridge: ['getHubSetting', 'hubStatus', 'onHubStatus', 'setHubSetting', 'setWallLayout'], node: 'undefined', process: 'undefined' });
    expect(await page.evaluate(() => (window as unknown as { xiuhua: { hubStatus(): Promise<{ status: { state: string } }> } }).xiuhua.hubStatus()))
      .toMatchObject({ status: { state: 'running' } });
  });

  it('lets the operator sign in to the embedded demo hub and shows the map', async () => {
    const page = await app!.firstWindow();
    const hub = new URL(page.url()).searchParams.get('hub');
    expect(hub).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await page.fill('input[name=hub]', hub ?? '');
    await page.fill('input[name=username]', 'operator');
    await page.fill('input[name=password]', 'demo');
    await page.click('button[type=submit]');
    await page.waitForSelector('canvas.maplibregl-canvas', { state: 'visible', timeout: 60_000 });
    await page.waitForSelector('[data-testid=conn-status][data-status=live]', { timeout: 30_000 });
  });

  it('refuses to navigate the window away from our origin', async () => {
    const page = await app!.firstWindow();
    const before = page.url();
    await page.evaluate(() => { location.href = 'https://example.com/'; });
    await page.waitForTimeout(1000);
    expect(page.url()).toBe(before);
    expect(await page.evaluate(() => window.open('https://example.com/'))).toBeNull();
  });
});
