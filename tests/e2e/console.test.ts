// The operator console in real Chromium against a real demo hub (in this process, real SQLite in a temp
// dir, simulator on): sign-in problems, the four layer groups on the map, live movement, search, the
// camera panel, the language switch, and riding out a hub restart without missing or repeating an event.
// Screenshots land in tests/artifacts/console/ for people to look at.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'vite';
import { chromium, type Browser, type Page } from 'playwright-core';
import { io } from 'socket.io-client';
import { startHub, type Hub } from '../../main/hub/server';
import { simulateDemoCity } from '../../main/sim/demo';
import { headSeq } from '../../main/store/log';
import { hubSnapshot } from '../integration/hub-fixture';
import type { Ack } from '../../shared/protocol';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ARTIFACTS = path.join(ROOT, 'tests/artifacts/console');
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu-sandbox', '--disable-background-networking', '--disable-component-update',
  '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
];

let browser: Browser;
let hub: Hub;
let dataDir: string;
let rendererDir: string;
const quiet = () => undefined;

async function startDemoHub(port = 0): Promise<Hub> {
  return simulateDemoCity(await startHub({ port, dataDir, demo: true, rendererDir, log: quiet }));
}

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  // Build the console into a private folder so this test never races another one over dist/.
  rendererDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiuhua-console-dist-'));
  await build({ configFile: path.join(ROOT, 'renderer/vite.config.ts'), logLevel: 'warn', build: { outDir: rendererDir, emptyOutDir: true } });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiuhua-console-e2e-'));
  hub = await startDemoHub();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await hub?.close();
  for (const d of [dataDir, rendererDir]) if (d) fs.rmSync(d, { recursive: true, force: true });
});

type PageProblems = { errors: string[] };

async function openConsole(locale = 'zh-CN'): Promise<{ page: Page; problems: PageProblems }> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 900 }, locale });
  // Software GL on a shared two-core machine can draw a frame a second; give actions time.
  context.setDefaultTimeout(60_000);
  const page = await context.newPage();
  const problems: PageProblems = { errors: [] };
  page.on('pageerror', (e) => problems.errors.push(e.message));
  await page.goto(hub.url);
  return { page, problems };
}

async function signIn(page: Page, username: string, password: string, url?: string): Promise<void> {
  if (url) await page.fill('input[name=hub]', url);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
}

async function signedInConsole(): Promise<{ page: Page; problems: PageProblems }> {
  const opened = await openConsole();
  await signIn(opened.page, 'operator', 'demo');
  await opened.page.waitForSelector('[data-testid=conn-status][data-status=live]', { timeout: 60_000 });
  // The snapshot is in and the map has drawn the city.
  await opened.page.waitForFunction(() => {
    const x = window.__xiuhua;
    return !!x?.map && x.hub.getState().ready && x.map.queryRenderedFeatures({ layers: ['bm-road-major'] }).length > 0;
  }, undefined, { timeout: 90_000 });
  return opened;
}

/** Rendered feature counts per layer group, read from the map itself. */
async function renderedGroups(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const map = window.__xiuhua!.map!;
    const count = (ids: string[]) => map.queryRenderedFeatures({ layers: ids.filter((id) => map.getLayer(id)) }).length;
    return {
      basemap: count(['bm-road-major', 'bm-road-minor', 'bm-water', 'bm-park']),
      points: count(['cameras', 'camera-clusters']),
      lines: count(['routes', 'vehicles']),
      areas: count(['cells-fill', 'posts', 'officers']),
      incidents: count(['incidents']),
    };
  });
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
}

const hubTruth = () => hubSnapshot(hub.url);

async function createIncidents(n: number, tag: string): Promise<void> {
  const s = io(hub.url + '/console', { auth: { username: 'manager', password: 'demo' }, transports: ['websocket'] });
  await new Promise<void>((resolve, reject) => {
    s.once('session:ready', () => resolve());
    s.once('connect_error', reject);
  });
  for (let i = 0; i < n; i++) {
    const res = (await s.timeout(10_000).emitWithAck('incident:create', {
      commandId: `e2e${tag}${i}xxxxxxxx`, category: 'parking', priority: 2, position: [118.78 + i / 2000, 32.04], description: `${tag} ${i}`,
    })) as Ack<unknown>;
    if (!res.ok) throw new Error(res.error.message);
  }
  s.disconnect();
}

describe('signing in', () => {
  it('says the password is wrong, in words', async () => {
    const { page } = await openConsole('en-US');
    // The hub says it is the demo (GET /hub.json), so the login screen offers its users.
    await page.locator('[data-testid=demo-users] button').first().waitFor();
    expect(await page.locator('[data-testid=demo-users] button').allTextContents()).toEqual(['operator', 'manager', 'evaluator', 'admin']);
    await signIn(page, 'operator', 'not-the-password');
    const alert = page.locator('.login-error');
    await alert.waitFor({ timeout: 30_000 });
    expect(await alert.getAttribute('data-problem')).toBe('auth_failed');
    expect(await alert.textContent()).toContain('Wrong username or password');
    await shot(page, 'login-wrong-password');
    await page.context().close();
  });

  it('says a hub that is not there cannot be reached (not "wrong password")', async () => {
    const { page } = await openConsole('zh-CN');
    await signIn(page, 'operator', 'demo', 'http://127.0.0.1:9');
    const alert = page.locator('.login-error');
    await alert.waitFor({ timeout: 30_000 });
    expect(await alert.getAttribute('data-problem')).toBe('unreachable');
    expect(await alert.textContent()).toContain('无法连接 http://127.0.0.1:9');
    await page.context().close();
  });
});

describe('the operator console', () => {
  let page: Page;
  let problems: PageProblems;

  beforeAll(async () => {
    ({ page, problems } = await signedInConsole());
  }, 180_000);
  afterAll(async () => {
    await page?.context().close();
  });

  it('draws the basemap and all four layer groups', async () => {
    await page.waitForFunction(() => {
      const map = window.__xiuhua!.map!;
      return ['cameras', 'camera-clusters', 'vehicles', 'officers', 'incidents'].some((id) => map.queryRenderedFeatures({ layers: [id] }).length > 0);
    }, undefined, { timeout: 60_000 });
    const groups = await renderedGroups(page);
    console.log('console e2e: rendered features per group', groups);
    expect(groups.basemap).toBeGreaterThan(100);
    expect(groups.points).toBeGreaterThan(0);
    expect(groups.lines).toBeGreaterThan(0);
    expect(groups.areas).toBeGreaterThan(0);
    // The demo city may start with no open incident: make one so the group has something to draw.
    if (groups.incidents === 0) {
      await createIncidents(1, 'draw');
      await page.waitForFunction(() => window.__xiuhua!.map!.queryRenderedFeatures({ layers: ['incidents'] }).length > 0, undefined, { timeout: 30_000 });
    }
    expect(await page.locator('.maplibregl-ctrl-attrib').textContent()).toContain('© OpenStreetMap contributors');
    await shot(page, 'main-zh');
    expect(problems.errors).toEqual([]);
  }, 60_000);

  it('moves units between two samples', async () => {
    const sample = () => page.evaluate(() => {
      const map = window.__xiuhua!.map!;
      const out: Record<string, [number, number]> = {};
      for (const f of map.querySourceFeatures('officers').concat(map.querySourceFeatures('vehicles'))) {
        const c = (f.geometry as GeoJSON.Point).coordinates;
        out[String(f.properties.id)] = [c[0]!, c[1]!];
      }
      return out;
    });
    const first = await sample();
    await page.waitForTimeout(3000);
    const second = await sample();
    const moved = Object.keys(first).filter((id) => second[id] && (second[id]![0] !== first[id]![0] || second[id]![1] !== first[id]![1]));
    console.log(`console e2e: ${moved.length} of ${Object.keys(first).length} units moved in 3 s`);
    expect(Object.keys(first).length).toBeGreaterThan(10);
    expect(moved.length).toBeGreaterThan(0);
  }, 60_000);

  it('finds a unit by plate, centres the map on it and opens its panel', async () => {
    const target = await page.evaluate(() => {
      const h = window.__xiuhua!.hub;
      const v = [...h.getState().units.values()].find((u) => u.plate && h.positions.get(u.id));
      return v ? { id: v.id, plate: v.plate! } : null;
    });
    expect(target).not.toBeNull();
    await page.fill('[data-testid=search]', target!.plate);
    await page.locator('.hits li').first().waitFor({ timeout: 60_000 });
    // Keep every position of the unit from now on: it drives on while the map flies to it.
    await page.evaluate((id) => {
      const w = window as unknown as { track: [number, number][] };
      w.track = [];
      window.__xiuhua!.hub.positions.subscribe((f) => {
        const t = f.tracks.get(id);
        if (t) w.track.push(...t.trail); // fixes merged between two flushes are in the trail
      });
    }, target!.id);
    await page.press('[data-testid=search]', 'Enter');
    await page.waitForSelector(`[data-testid=side-panel][data-kind=unit][data-id="${target!.id}"]`, { timeout: 30_000 });
    // Centred once the fly has ended: the centre is where the unit was when the fly began.
    const centred = () => page.evaluate(() => {
      const map = window.__xiuhua!.map!;
      const c = map.project(map.getCenter());
      const track = (window as unknown as { track: [number, number][] }).track;
      const nearest = Math.min(...track.map((at) => {
        const p = map.project(at);
        return Math.hypot(p.x - c.x, p.y - c.y);
      }));
      return { moving: map.isMoving(), zoom: map.getZoom(), nearest, fixes: track.length, center: map.getCenter().toArray(), last: track.at(-1) };
    });
    let last = await centred();
    for (const until = Date.now() + 60_000; Date.now() < until; last = await centred()) {
      if (!last.moving && last.zoom >= 16 && last.nearest < 10) break;
      await page.waitForTimeout(250);
    }
    await shot(page, 'search-unit');
    console.log('console e2e: search centring', last);
    expect(last).toMatchObject({ moving: false });
    expect(last.zoom).toBeGreaterThanOrEqual(16);
    expect(last.nearest).toBeLessThan(10);
  }, 120_000);

  it('opens a camera’s panel when the camera is clicked on the map', async () => {
    const cam = await page.evaluate(() => {
      const s = window.__xiuhua!.hub.getState();
      const c = [...s.cameras.values()].find((x) => x.kind === 'fixed' && x.position);
      return c ? { id: c.id, at: c.position! } : null;
    });
    expect(cam).not.toBeNull();
    await page.evaluate((at) => window.__xiuhua!.map!.jumpTo({ center: at, zoom: 18 }), cam!.at);
    await page.waitForFunction((id) => {
      const map = window.__xiuhua!.map!;
      return map.queryRenderedFeatures({ layers: ['cameras'] }).some((f) => f.properties.id === id);
    }, cam!.id, { timeout: 60_000 });
    const box = await page.locator('.map canvas').boundingBox();
    const pt = await page.evaluate((at) => window.__xiuhua!.map!.project(at), cam!.at);
    await page.mouse.click(box!.x + pt.x, box!.y + pt.y);
    await page.waitForSelector(`[data-testid=side-panel][data-kind=camera][data-id="${cam!.id}"]`, { timeout: 30_000 });
    expect(await page.locator('[data-testid=stream-look]').count()).toBe(1);
    await shot(page, 'camera-panel');
  }, 120_000);

  it('switches language between 中文 and English', async () => {
    expect(await page.locator('.brand').textContent()).toContain('城管指挥中心');
    await page.click('[data-testid=lang-switch]');
    await page.waitForFunction(() => document.querySelector('.brand')?.textContent?.includes('Command Center'), undefined, { timeout: 30_000 });
    expect(await page.locator('[data-testid=conn-status]').textContent()).toContain('Live');
    await shot(page, 'camera-panel-en');
    await page.click('[data-testid=lang-switch]');
    await page.waitForFunction(() => document.querySelector('.brand')?.textContent?.includes('城管'), undefined, { timeout: 30_000 });
  }, 60_000);

  it('hides and shows a layer group with its switch', async () => {
    const cameras = () => page.evaluate(() => window.__xiuhua!.map!.queryRenderedFeatures({ layers: ['cameras', 'camera-clusters'] }).length);
    expect(await cameras()).toBeGreaterThan(0);
    await page.click('[data-testid=layer-points]');
    await page.waitForFunction(() => window.__xiuhua!.map!.queryRenderedFeatures({ layers: ['cameras', 'camera-clusters'] }).length === 0);
    await page.click('[data-testid=layer-points]');
    await page.waitForFunction(() => window.__xiuhua!.map!.queryRenderedFeatures({ layers: ['cameras', 'camera-clusters'] }).length > 0);
  }, 90_000);

  it('raises an SOS pressed on the field page as an alarm, and acknowledging it clears it', async () => {
    const officer = await page.evaluate(() => {
      const h = window.__xiuhua!.hub;
      const u = [...h.getState().units.values()].find((x) => x.kind === 'officer' && x.status !== 'sos' && h.positions.get(x.id));
      return u ? { id: u.id, name: u.name, at: h.positions.get(u.id)!.fix } : null;
    });
    expect(officer).not.toBeNull();
    const field = await browser.newContext({
      viewport: { width: 480, height: 860 }, locale: 'zh-CN',
      geolocation: { latitude: officer!.at.lat, longitude: officer!.at.lng }, permissions: ['geolocation'],
    });
    field.setDefaultTimeout(60_000);
    const phone = await field.newPage();
    await phone.goto(hub.url + '/field');
    const inputs = phone.locator('form.field input');
    await inputs.nth(0).fill('sim-gateway');
    await inputs.nth(1).fill('demo');
    await inputs.nth(2).fill(officer!.id);
    await phone.click('form.field button[type=submit]');
    await phone.locator('button.sos').click();
    await phone.locator('.msg').filter({ hasText: '已发送' }).waitFor();
    await shot(phone, 'field-sos');

    const alarm = page.locator('.alarm-sos').filter({ hasText: officer!.name });
    await alarm.waitFor({ timeout: 30_000 });
    await shot(page, 'sos-alarm');
    await alarm.getByRole('button', { name: '确认求助' }).click();
    await alarm.waitFor({ state: 'detached', timeout: 30_000 });
    await field.close();
  }, 150_000);

  it('turns to the night theme when the duty manager switches to night mode', async () => {
    const s = io(hub.url + '/console', { auth: { username: 'manager', password: 'demo' }, transports: ['websocket'] });
    await new Promise<void>((resolve, reject) => {
      s.once('session:ready', () => resolve());
      s.once('connect_error', reject);
    });
    const res = (await s.timeout(10_000).emitWithAck('mode:switch', { commandId: `e2enight${Date.now()}`, mode: 'night', reason: 'e2e: dusk', areaId: null })) as Ack<unknown>;
    s.disconnect();
    expect(res.ok).toBe(true);
    await page.waitForSelector('.console.theme-night', { timeout: 30_000 });
    expect(await page.locator('[data-testid=mode]').textContent()).toContain('夜间');
    const bg = await page.evaluate(() => window.__xiuhua!.map!.getPaintProperty('background', 'background-color'));
    expect(bg).toBe('#05070b');
    await shot(page, 'night');
  }, 60_000);

  it('rides out the hub going away and coming back, missing and repeating no event', async () => {
    // Listen and read the position in one go, so no event slips in between.
    const before = await page.evaluate(() => {
      const w = window as unknown as { seen: number[] };
      w.seen = [];
      window.__xiuhua!.hub.onEvent((e) => w.seen.push(e.seq));
      return window.__xiuhua!.hub.getState().lastSeq;
    });
    const port = hub.port;
    const headBefore = headSeq(hub.db);
    await hub.close();
    await page.waitForSelector('[data-testid=conn-status][data-status=reconnecting]', { timeout: 30_000 });
    await page.waitForSelector('[data-testid=conn-status][data-status=offline]', { timeout: 40_000 });
    await shot(page, 'hub-gone');

    hub = await startDemoHub(port);
    const headAfter = headSeq(hub.db);
    // Events the console can only learn about by asking for what it missed.
    await createIncidents(5, 'gap');
    await page.waitForSelector('[data-testid=conn-status][data-status=live]', { timeout: 30_000 });
    const truth = await hubTruth();
    await page.waitForFunction((head) => window.__xiuhua!.hub.getState().lastSeq >= head, truth.headSeq, { timeout: 30_000 });

    const seen = await page.evaluate(() => (window as unknown as { seen: number[] }).seen);
    console.log('console e2e: hub restart', { consoleBefore: before, hubHeadBefore: headBefore, hubHeadAfterRestart: headAfter, seen: seen.join(',') });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0]).toBe(before + 1);
    seen.forEach((seq, i) => expect(seq).toBe(before + 1 + i)); // consecutive: none missed, none twice

    const consoleIncidents = await page.evaluate(() => Object.fromEntries([...window.__xiuhua!.hub.getState().incidents.values()].map((i) => [i.id, i.state])));
    for (const inc of truth.incidents) expect(consoleIncidents[inc.id]).toBe(inc.state);
    const gapIncidents = truth.incidents.filter((i) => i.description.startsWith('gap '));
    expect(gapIncidents).toHaveLength(5);
    await shot(page, 'hub-back');
    expect(problems.errors).toEqual([]);
  }, 150_000);
});
