// Issue 16's last item, end to end: the real field page, in a phone-sized Chromium whose position the
// test moves, keeps every fix until the hub has it on disk. The hub is a process of its own, killed with
// SIGKILL while fixes flow (some acked and not yet written), left down while the phone keeps moving
// (once reloaded meanwhile, from its service worker), and started again on the same port and data dir.
// Afterwards every fix the page made is in the store exactly once, and nothing else is.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devices, type Browser, type Page } from 'playwright-core';
import { loadDemoCity, SIM_DEVICE } from '../../main/hub/seed';
import { openStoreReadOnly } from '../../main/store/db';
import { ROOT, startHubChild, type HubChild } from '../integration/hub-child';
import { buildConsole, fieldSignIn, launchChromium } from './harness';

const KILLS = 4;
/** fixes made between a restart and the next kill, and while the hub is down */
const STEPS_UP = 25;
const STEPS_DOWN = 8;
/** the keeper's storage key (renderer/src/field/FieldApp.tsx) and where the test's init script records every fix it held */
const KEPT = `xiuhua.field.fixes.${SIM_DEVICE.id}`;
const SEEN = 'test.fixes.seen';

let rendererDir = '';
let dir = '';
let browser: Browser | undefined;
const hubs: HubChild[] = [];

beforeAll(async () => {
  rendererDir = await buildConsole('field-positions');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiuhua-field-positions-'));
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  for (const h of hubs) {
    try { process.kill(h.hubPid, 'SIGKILL'); } catch { /* gone already */ }
  }
  for (const d of [dir, rendererDir]) if (d) fs.rmSync(d, { recursive: true, force: true });
}, 60_000);

/** The hub on `port` (0 the first time); a port still held just after a SIGKILL is asked for again. */
async function hubOn(port: number, dataDir: string): Promise<HubChild> {
  for (let attempt = 1; ; attempt++) {
    try {
      const hub = await startHubChild([process.execPath, '--import', 'tsx', path.join(ROOT, 'tests/e2e/console-hub-child.ts'), String(port), dataDir, rendererDir]);
      hubs.push(hub);
      return hub;
    } catch (e) {
      if (attempt >= 20 || !/EADDRINUSE|already in use/.test(String(e))) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** An init script: every fix the page's keeper stores is recorded under `seen` (fix time → [lng, lat]), across reloads. */
function recordKeptFixes({ key, seen }: { key: string; seen: string }): void {
  const setItem = Storage.prototype.setItem;
  Storage.prototype.setItem = function (this: Storage, k: string, v: string) {
    setItem.call(this, k, v);
    if (k !== key) return;
    const all = JSON.parse(this.getItem(seen) ?? '{}') as Record<string, [number, number]>;
    for (const f of (JSON.parse(v) as { fixes: { t: number; lng: number; lat: number }[] }).fixes) all[f.t] = [f.lng, f.lat];
    setItem.call(this, seen, JSON.stringify(all));
  };
}

/** How many times each fix time went out in a `unit:position` (socket.io packets, over WebSocket or long polling). */
function countSends(page: Page): Map<number, number> {
  const sends = new Map<number, number>();
  const read = (packet: string) => {
    if (!/^42(?:\/field,)?\d*\["unit:position",/.test(packet)) return;
    const [, batch] = JSON.parse(packet.slice(packet.indexOf('['))) as [string, { fixes: { t: number }[] }];
    for (const f of batch.fixes) sends.set(f.t, (sends.get(f.t) ?? 0) + 1);
  };
  page.on('websocket', (ws) => ws.on('framesent', (f) => typeof f.payload === 'string' && read(f.payload)));
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().includes('/socket.io/')) for (const p of (r.postData() ?? '').split('\x1e')) read(p);
  });
  return sends;
}

describe('the field page across hub kills', () => {
  it(`keeps every position fix until durable and sends it again after ${KILLS} SIGKILLs: none lost, none twice`, async () => {
    const dataDir = path.join(dir, 'data');
    const city = loadDemoCity();
    const unit = city.units.find((u) => u.kind === 'officer')!;
    const startedAt = Date.now();
    let hub = await hubOn(0, dataDir);
    const port = Number(new URL(hub.url).port);

    const phoneContext = await browser!.newContext({
      ...devices['Pixel 7'], locale: 'zh-CN',
      geolocation: { latitude: city.center[1], longitude: city.center[0], accuracy: 10 }, permissions: ['geolocation'],
    });
    phoneContext.setDefaultTimeout(120_000);
    await phoneContext.addInitScript(recordKeptFixes, { key: KEPT, seen: SEEN });
    const page = await phoneContext.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const sends = countSends(page);
    // Every fix the phone gives is one to keep (the page's default is one per 5 s).
    await page.goto(`${hub.url}/field?fixEvery=0`);
    await fieldSignIn(page, unit.id);
    const online = page.locator('[data-testid=field-link][data-state=online]');
    await online.waitFor();
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));

    // The phone moves a metre at a time; each step waits until the page holds that fix.
    const stepsAt: number[] = [];
    const step = async () => {
      const lat = city.center[1] + (stepsAt.length + 1) * 1e-5;
      stepsAt.push(lat);
      await phoneContext.setGeolocation({ latitude: lat, longitude: city.center[0], accuracy: 10 });
      await page.waitForFunction(([seen, at]) => Object.values(JSON.parse(localStorage.getItem(seen) ?? '{}') as Record<string, [number, number]>)
        .some(([, l]) => Math.abs(l - at) < 1e-9), [SEEN, lat] as const);
    };
    const kept = async () => Number(await page.locator('[data-testid=field-fixes]').getAttribute('data-count'));

    const heldAtKill: number[] = []; // fixes the page held (not yet seen durable) as each kill came
    for (let kill = 1; kill <= KILLS; kill++) {
      for (let i = 0; i < STEPS_UP; i++) await step();
      heldAtKill.push(await page.evaluate((key) => (JSON.parse(localStorage.getItem(key) ?? '{"fixes":[]}') as { fixes: unknown[] }).fixes.length, KEPT));
      // Killed straight after a fix: it may be in flight, acked and not yet written, or on disk.
      process.kill(hub.hubPid, 'SIGKILL');
      await hub.exited;
      await page.locator('[data-testid=field-link][data-state=reconnecting]').waitFor();
      for (let i = 0; i < STEPS_DOWN; i++) await step();
      // Kept on the phone, and said so.
      expect(await kept()).toBeGreaterThanOrEqual(STEPS_DOWN);
      if (kill === 2) {
        // Closed and opened again with the hub away: the page comes from its service worker, the fixes from its storage.
        const before = await kept();
        await page.reload();
        await page.waitForFunction(([key, n]) => (JSON.parse(localStorage.getItem(key) ?? '{"fixes":[]}') as { fixes: unknown[] }).fixes.length >= n, [KEPT, before] as const);
        expect(await kept()).toBeGreaterThanOrEqual(before);
      }
      hub = await hubOn(port, dataDir);
      await online.waitFor();
    }
    for (let i = 0; i < STEPS_UP; i++) await step();
    // Caught up: nothing left on the phone once the hub has written it all.
    await page.waitForFunction((key) => (JSON.parse(localStorage.getItem(key) ?? '{"fixes":[0]}') as { fixes: unknown[] }).fixes.length === 0, KEPT);
    await page.locator('[data-testid=field-fixes]').waitFor({ state: 'detached' });
    const seen = new Map(Object.entries(await page.evaluate((k) => JSON.parse(localStorage.getItem(k) ?? '{}') as Record<string, [number, number]>, SEEN))
      .map(([t, at]) => [Number(t), at] as const));
    await phoneContext.close();
    expect(await hub.stop()).toBe(0);

    const db = openStoreReadOnly(dataDir);
    const stored = db.prepare('SELECT t, lng, lat FROM positions WHERE unit_id = ? AND t >= ?').all(unit.id, startedAt) as { t: number; lng: number; lat: number }[];
    db.close();
    const lost = [...seen.keys()].filter((t) => !stored.some((r) => r.t === t));
    const resent = [...sends.values()].reduce((n, k) => n + k - 1, 0);
    console.log(`field positions: ${JSON.stringify({ kills: KILLS, fixesMade: seen.size, steps: stepsAt.length, sent: [...sends.values()].reduce((a, b) => a + b, 0), resent, heldAtKill, stored: stored.length, lost: lost.length })}`);
    expect(lost, 'fixes the page made that are not in the store').toEqual([]);
    // Exactly once, and nothing the page did not make.
    expect(stored.length).toBe(seen.size);
    for (const r of stored) expect([r.lng, r.lat]).toEqual(seen.get(r.t));
    // Every place the phone was taken to is among them (the page kept every fix it was given).
    for (const lat of stepsAt) expect(stored.some((r) => Math.abs(r.lat - lat) < 1e-9), `step at ${lat}`).toBe(true);
    expect(seen.size).toBeGreaterThanOrEqual(stepsAt.length);
    expect(errors).toEqual([]);
  }, 600_000);
});
