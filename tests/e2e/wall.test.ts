// The wall displays in real Chromium against a real demo hub (simulator on, demo cameras live): the
// address the Electron shell opens each wall at (?view=…&display=…&hub=…), a sign-in, then the wall
// itself — the dashboard's figures, the video wall's daily preset playing live, the map with no chrome.
// Screenshots land in tests/artifacts/wall/ for people to look at.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'vite';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startHub, type Hub } from '../../main/hub/server';
import { simulateDemoCity } from '../../main/sim/demo';
import { pointInPolygon } from '../../shared/geo';
import { MODE_PROFILES } from '../../shared/modes';
import { NANJING, ask, cid, closeClients, consoleClient, fieldClient, hubSnapshot } from '../integration/hub-fixture';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ARTIFACTS = path.join(ROOT, 'tests/artifacts/wall');
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu-sandbox', '--disable-background-networking', '--disable-component-update',
  '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--autoplay-policy=no-user-gesture-required',
];

let browser: Browser;
let hub: Hub;
let dataDir: string;
let rendererDir: string;

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  // Build into a private folder so this test never races another one over dist/.
  rendererDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiuhua-wall-dist-'));
  await build({ configFile: path.join(ROOT, 'renderer/vite.config.ts'), logLevel: 'warn', build: { outDir: rendererDir, emptyOutDir: true } });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiuhua-wall-e2e-'));
  // No SOS of the simulator's: one would take over the video wall's tiles.
  hub = await simulateDemoCity(await startHub({ port: 0, dataDir, demo: true, rendererDir, log: () => undefined }), undefined, { sosPerHour: 0 });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}, 180_000);

afterAll(async () => {
  closeClients();
  await browser?.close();
  await hub?.close();
  for (const d of [dataDir, rendererDir]) if (d) fs.rmSync(d, { recursive: true, force: true });
});

/** A wall display as the shell opens it: its own window (own session), 1080p, zh-CN. */
async function openWall(query: string): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN' });
  context.setDefaultTimeout(60_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${hub.url}/index.html?${query}`);
  return { page, errors };
}

async function signIn(page: Page): Promise<void> {
  await page.fill('input[name=username]', 'operator');
  await page.fill('input[name=password]', 'demo');
  await page.click('button[type=submit]');
}

const hubTruth = () => hubSnapshot(hub.url);

describe('wall displays', () => {
  it('a wall window starts from the hub address the shell gives it, and needs a sign-in', async () => {
    const { page } = await openWall('view=dashboard&display=7&hub=http%3A%2F%2F10.1.2.3%3A7400');
    await page.waitForSelector('input[name=hub]');
    expect(await page.inputValue('input[name=hub]')).toBe('http://10.1.2.3:7400');
    expect(await page.locator('[data-testid=wall]').count()).toBe(0);
    await page.context().close();
  });

  it('the dashboard shows the mode, the connection and units on duty, in large type', async () => {
    const { page, errors } = await openWall(`view=dashboard&display=3&hub=${encodeURIComponent(hub.url)}`);
    await signIn(page);
    await page.waitForSelector('[data-testid=wall][data-view=dashboard]');
    await page.waitForSelector('[data-testid=conn-status][data-status=live]');
    const units = page.locator('[data-testid=board-units]');
    await units.waitFor();
    const truth = await hubTruth();
    const onDuty = truth.units.filter((u) => u.status !== 'off_duty').length;
    expect(onDuty).toBeGreaterThan(0);
    // Positions move but statuses change rarely; the figure is the hub's, within what changed meanwhile.
    const shown = Number(await units.getAttribute('data-count'));
    expect(shown).toBeGreaterThan(0);
    expect(Math.abs(shown - onDuty)).toBeLessThanOrEqual(Math.ceil(onDuty * 0.1));
    const mode = MODE_PROFILES[truth.mode.mode].label.zh;
    expect(await page.textContent('[data-testid=wall-mode]')).toContain(mode);
    // No operator chrome: no sidebar, no sign-out button on a wall.
    expect(await page.locator('.sidebar, .header').count()).toBe(0);
    // The large figure is readable from metres away: at least 80 px on a 1080p wall.
    const bigPx = await page.locator('.board-units .board-big').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    expect(bigPx).toBeGreaterThanOrEqual(80);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png') });

    // An SOS from the field turns its panel red with the unit's name, within the wall's normal update.
    expect(await page.locator('[data-testid=board-sos].sos-active').count()).toBe(0);
    const gw = await fieldClient(hub.url);
    const raised = await ask(gw, 'sos:raise', { commandId: cid(), unitId: 'off-002', position: NANJING });
    expect(raised.ok).toBe(true);
    await page.waitForSelector('[data-testid=board-sos].sos-active[data-count="1"]', { timeout: 15_000 });
    const unitName = truth.units.find((u) => u.id === 'off-002')?.name ?? 'off-002';
    expect(await page.textContent('[data-testid=board-sos]')).toContain(unitName);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-sos.png') });
    // An operator answers it: an open SOS would take over the video wall in the next test.
    const { socket: operator } = await consoleClient(hub.url, { username: 'operator', password: 'demo' });
    const resolved = await ask(operator, 'sos:resolve', { commandId: cid(), sosId: raised.result.sos.id, note: 'officer safe' });
    expect(resolved.ok, resolved.error?.message).toBe(true);
    await page.waitForSelector('[data-testid=board-sos][data-count="0"]', { timeout: 15_000 });
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('the video wall shows the daily preset: 9 tiles, key cameras in order, live video', async () => {
    const { page, errors } = await openWall(`view=video-wall&display=test&hub=${encodeURIComponent(hub.url)}`);
    await signIn(page);
    await page.waitForSelector('[data-testid=wall][data-view=video-wall]');
    const truth = await hubTruth();
    expect(truth.mode.mode).toBe('daily');
    expect(MODE_PROFILES.daily.wall.layout).toBe('9');
    await page.waitForSelector('.xv-wall[data-layout="9"]');
    expect(await page.locator('.xv-cell').count()).toBe(9);
    const keyIds = truth.cameras.filter((c) => c.key).map((c) => c.id).slice(0, 9);
    expect(keyIds.length).toBeGreaterThan(0);
    await page.waitForFunction((n) => document.querySelectorAll('.xv-cell [data-camera-id]').length >= n, keyIds.length);
    const shownIds = await page.$$eval('.xv-cell', (cells) => cells.map((c) => c.querySelector('[data-camera-id]')?.getAttribute('data-camera-id') ?? null));
    expect(shownIds.slice(0, keyIds.length)).toEqual(keyIds);

    // At least one tile is really playing: its video's currentTime moves on.
    const times = () => page.$$eval('.xv-cell video', (vs) => vs.map((v) => (v as HTMLVideoElement).currentTime));
    const before = await times();
    await page.waitForFunction(
      (start) => [...document.querySelectorAll('.xv-cell video')].some((v, i) => (v as HTMLVideoElement).currentTime > (start[i] ?? 0) + 0.5),
      before,
      { timeout: 30_000, polling: 500 },
    );
    await page.waitForTimeout(3000); // let the other tiles reach their first frame for the screenshot
    await page.screenshot({ path: path.join(ARTIFACTS, 'video-wall.png') });

    // The wall's content is kept per display: a reload (same window, same session) shows the same tiles.
    await page.reload();
    await page.waitForSelector('.xv-wall[data-layout="9"]');
    await page.waitForFunction((n) => document.querySelectorAll('.xv-cell [data-camera-id]').length >= n, keyIds.length);
    const again = await page.$$eval('.xv-cell', (cells) => cells.map((c) => c.querySelector('[data-camera-id]')?.getAttribute('data-camera-id') ?? null));
    expect(again).toEqual(shownIds);

    // A mode switch brings up that mode's wall: emergency is 16 tiles.
    const { socket: manager } = await consoleClient(hub.url, { username: 'manager', password: 'demo' });
    expect((await ask(manager, 'mode:switch', { commandId: cid(), mode: 'emergency', reason: '暴雨预警' })).ok).toBe(true);
    await page.waitForSelector(`.xv-wall[data-layout="${MODE_PROFILES.emergency.wall.layout}"]`, { timeout: 15_000 });
    expect(await page.locator('.xv-cell').count()).toBe(16);
    // named across the wall, as a district's emergency is, and gone with it
    expect(await page.textContent('[data-testid=wall-area-mode]')).toBe('应急 · 全市');
    expect((await ask(manager, 'mode:switch', { commandId: cid(), mode: 'daily', reason: '恢复日常' })).ok).toBe(true);
    await page.waitForSelector('.xv-wall[data-layout="9"]', { timeout: 15_000 });
    expect(await page.locator('[data-testid=wall-area-mode]').count()).toBe(0);

    // An emergency for one district: this display (it covers the whole city) shows that district's key cameras first; its end restores the daily tiles.
    const district = 'dist-xinjiekou';
    const outline = truth.areas.find((a) => a.id === district)!.polygon!;
    const districtKeys = truth.cameras.filter((c) => c.key && c.position && pointInPolygon(c.position, outline)).map((c) => c.id);
    expect(districtKeys.length).toBeGreaterThan(2);
    expect((await ask(manager, 'mode:switch', { commandId: cid(), mode: 'emergency', areaId: district, reason: '新街口积水' })).ok).toBe(true);
    await page.waitForSelector(`[data-testid=wall-preset][data-mode=emergency][data-areas="${district}"] .xv-wall[data-layout="${MODE_PROFILES.emergency.wall.layout}"]`, { timeout: 15_000 });
    expect(await page.textContent('[data-testid=wall-area-mode]')).toContain('新街口片区');
    await page.waitForFunction((n) => document.querySelectorAll('.xv-cell [data-camera-id]').length >= n, districtKeys.length);
    const areaIds = await page.$$eval('.xv-cell', (cells) => cells.map((c) => c.querySelector('[data-camera-id]')?.getAttribute('data-camera-id') ?? null));
    expect(areaIds.slice(0, districtKeys.length)).toEqual(districtKeys);
    await page.screenshot({ path: path.join(ARTIFACTS, 'video-wall-district-emergency.png') });
    expect((await ask(manager, 'mode:end', { commandId: cid(), areaId: district, reason: '积水已退' })).ok).toBe(true);
    await page.waitForSelector('[data-testid=wall-preset][data-mode=daily] .xv-wall[data-layout="9"]', { timeout: 15_000 });
    await page.waitForFunction((n) => document.querySelectorAll('.xv-cell [data-camera-id]').length >= n, keyIds.length);
    expect(await page.$$eval('.xv-cell', (cells) => cells.map((c) => c.querySelector('[data-camera-id]')?.getAttribute('data-camera-id') ?? null))).toEqual(shownIds);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 150_000);

  it('the map wall is the map alone, with the mode and connection on a thin strip', async () => {
    const { page, errors } = await openWall(`view=map-wall&display=2&hub=${encodeURIComponent(hub.url)}`);
    await signIn(page);
    await page.waitForSelector('[data-testid=wall][data-view=map-wall]');
    await page.waitForFunction(() => {
      const x = window.__xiuhua;
      return !!x?.map && x.hub.getState().ready && x.map.queryRenderedFeatures({ layers: ['bm-road-major'] }).length > 0;
    }, undefined, { timeout: 90_000 });
    expect(await page.locator('.sidebar, [data-testid=side-panel], .header').count()).toBe(0);
    await page.waitForTimeout(2000);
    await page.screenshot({ path: path.join(ARTIFACTS, 'map-wall.png') });
    expect(errors).toEqual([]);
    await page.context().close();
  }, 150_000);

  it('a wall that lost its hub says so across the whole strip, and comes back by itself', async () => {
    const { page } = await openWall(`view=dashboard&display=4&hub=${encodeURIComponent(hub.url)}`);
    await signIn(page);
    await page.waitForSelector('[data-testid=conn-status][data-status=live]');
    await page.waitForSelector('[data-testid=board-units]');
    const port = Number(new URL(hub.url).port);
    await hub.close();
    await page.waitForSelector('.wall-strip.wall-conn-offline .wall-stale', { timeout: 40_000 });
    expect(await page.textContent('[data-testid=conn-status]')).toMatch(/离线|offline/i);
    // The figures say they are as of the outage, and stream states are unknown rather than counted.
    expect(await page.textContent('[data-testid=board-asof]')).toContain('中枢断开');
    expect(await page.locator('[data-testid=board-streams] dd').allTextContents()).toEqual(['?', '?', '?', '?']);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-offline.png') });
    hub = await simulateDemoCity(await startHub({ port, dataDir, demo: true, rendererDir, log: () => undefined }), undefined, { sosPerHour: 0 });
    await page.waitForSelector('[data-testid=conn-status][data-status=live]', { timeout: 60_000 });
    expect(await page.locator('.wall-stale').count()).toBe(0);
    await page.waitForSelector('[data-testid=board-asof]', { state: 'detached' });
    await page.context().close();
  }, 150_000);
});
