// Markup in what people type (issue 16): an incident description and a camera name full of HTML and script
// are shown by the console in Chromium as the text they are — in the pick list, the incident panel, the
// search results and the camera panel — with no element made from them, no script run (no dialog, no flag
// set), and not even an inline handler tried (the page's CSP would report it: none reported).
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { io } from 'socket.io-client';
import type { Ack } from '../../shared/protocol/commands';
import { e2eSuite, signIn, waitLive } from './harness';
const TAG = `xss${Date.now().toString(36)}`;
const DESCRIPTION = `<img src=x onerror="window.__xss=1;alert(1)"><script>window.__xss=2</script><svg onload="alert(3)"></svg>`
  + `<iframe srcdoc="<script>parent.__xss=4</script>"></iframe><a href="javascript:alert(5)">link</a> {{constructor.constructor('alert(6)')()}} ${TAG}`;
const CAMERA_NAME = `<img src=x onerror=alert(7)><b onmouseover=alert(8)>cam</b> ${TAG}`; // a camera name holds at most 100

// No simulator: nothing moves, so a point on the map stays where it was read.
const e2e = e2eSuite('hostile-markup');
let incidentAt: [number, number];
let incidentId = '';
let cameraId = '';

async function command(username: string, event: string, payload: Record<string, unknown>): Promise<Record<string, { id: string }>> {
  const s = io(e2e.hub.url + '/console', { auth: { username, password: 'demo' }, transports: ['websocket'] });
  await new Promise<void>((resolve, reject) => {
    s.once('session:ready', () => resolve());
    s.once('connect_error', reject);
  });
  const res = (await s.timeout(20_000).emitWithAck(event, payload)) as Ack<Record<string, { id: string }>>;
  s.disconnect();
  if (!res.ok) throw new Error(res.error.message);
  return res.result;
}

beforeAll(async () => {
  const cam = e2e.hub.db.prepare("SELECT * FROM cameras WHERE kind = 'fixed' ORDER BY id LIMIT 1").get() as { lng: number; lat: number; sources: string };
  incidentAt = [cam.lng + 0.004, cam.lat + 0.004];
  incidentId = (await command('operator', 'incident:create', {
    commandId: `${TAG}-incident`, category: 'cityscape', priority: 1, position: incidentAt, description: DESCRIPTION,
  })).incident!.id;
  cameraId = `cam-${TAG}`;
  await command('admin', 'camera:upsert', {
    commandId: `${TAG}-camera`,
    camera: { id: cameraId, kind: 'fixed', name: CAMERA_NAME, position: [cam.lng - 0.004, cam.lat - 0.004], facing: null, unitId: null, sources: JSON.parse(cam.sources), key: false },
  });
}, 60_000);

type Harm = { dialogs: string[]; violations: string[]; flag: unknown; made: string[] };

/** What would show that the markup became markup: dialogs, CSP reports, the flag, elements it would make. */
async function harm(page: Page, dialogs: string[]): Promise<Harm> {
  const seen = await page.evaluate(() => ({
    violations: (window as unknown as { __violations: string[] }).__violations,
    flag: (window as unknown as { __xss?: unknown }).__xss,
    made: [...document.querySelectorAll('img[src="x"], iframe, svg[onload], [onerror], [onmouseover], a[href^="javascript:"], b')]
      .map((e) => e.outerHTML.slice(0, 80)),
  }));
  return { dialogs, ...seen };
}

describe('markup typed into incidents and camera names', () => {
  it('is shown as text in the pick list, the incident panel, search and the camera panel, and never runs', async () => {
    const context = await e2e.context({ viewport: { width: 1600, height: 900 }, locale: 'en-US' });
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
    await page.addInitScript(() => {
      const w = window as unknown as { __violations: string[] };
      w.__violations = [];
      document.addEventListener('securitypolicyviolation', (e) => w.__violations.push(`${e.violatedDirective} ${e.sample}`));
    });
    await page.goto(e2e.hub.url);
    await signIn(page, 'operator');
    await waitLive(page, 90_000);
    await page.waitForFunction((id) => {
      const x = window.__xiuhua;
      return !!x?.map && x.hub.getState().ready && x.hub.getState().incidents.has(id);
    }, incidentId, { timeout: 90_000 });

    // The incident, drawn at rest right under where the pointer will be.
    await page.evaluate((at) => window.__xiuhua!.map!.jumpTo({ center: at, zoom: 18 }), incidentAt);
    await page.waitForFunction(({ id, at }) => {
      const map = window.__xiuhua!.map!;
      if (map.isMoving() || !map.loaded()) return false;
      const p = map.project(at);
      return map.queryRenderedFeatures([[p.x - 2, p.y - 2], [p.x + 2, p.y + 2]], { layers: ['incidents'] }).some((f) => f.properties.id === id);
    }, { id: incidentId, at: incidentAt }, { timeout: 60_000 });
    const box = (await page.locator('.map canvas').boundingBox())!;
    const pt = await page.evaluate((at) => window.__xiuhua!.map!.project(at), incidentAt);
    await page.mouse.click(box.x + pt.x, box.y + pt.y, { button: 'right' });
    const pick = page.locator(`[data-testid=pick-chooser] [data-pick="incident:${incidentId}"]`);
    await pick.waitFor({ timeout: 30_000 });
    await pick.click();
    const panel = page.locator(`[data-testid=side-panel][data-kind=incident][data-id="${incidentId}"]`);
    await panel.waitFor({ timeout: 30_000 });
    await page.waitForFunction((tag) => document.querySelector('[data-testid=side-panel]')?.textContent?.includes(tag), TAG, { timeout: 30_000 });
    // The description is there character for character, as one text.
    const texts = await panel.evaluate((el) => {
      const out: string[] = [];
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) out.push(n.textContent ?? '');
      return out;
    });
    expect(texts).toContain(DESCRIPTION);

    // The camera's name, through search and its panel.
    await page.fill('[data-testid=search]', TAG);
    const hit = page.locator('[role=option]', { hasText: TAG });
    await hit.first().waitFor({ timeout: 30_000 });
    expect(await hit.first().textContent()).toContain(CAMERA_NAME);
    await hit.first().click();
    const camPanel = page.locator(`[data-testid=side-panel][data-kind=camera][data-id="${cameraId}"]`);
    await camPanel.waitFor({ timeout: 30_000 });
    expect(await camPanel.locator('h2').textContent()).toBe(CAMERA_NAME);
    await camPanel.locator('h2').hover();

    expect(await harm(page, dialogs)).toEqual({ dialogs: [], violations: [], flag: undefined, made: [] });
    await context.close();
  }, 240_000);
});
