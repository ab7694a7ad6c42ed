// The officers' dots layer (a vertex buffer drawn by a custom WebGL layer, used from DOTS_FROM_OFFICERS
// officers on) against the GeoJSON layers it replaces, on the moving demo city and the same view: in each
// picture, the pixel at each officer's place is the colour of its class (the same check passes on the
// GeoJSON layers, the control), labels still show close in, and a click on a dot selects that officer
// (picking on the CPU). The vehicles' arrows layer (the same rule, the same vertex buffer kind) likewise: at
// each vehicle's place the pixel is its class's colour, on both, and a click on an arrow selects it. The
// vehicles' trails layer (the same rule) likewise: along a trail, away from its arrow, the pixel is the class's
// colour at the trail's opacity over what is beside the trail, on both. localStorage 'xiuhua.map.dots' forces
// either layer, so the demo city (~315 units, under the threshold) can be drawn both ways. Screenshots of both are written to tests/artifacts/map-dots/.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { LIVE } from '../../renderer/src/map/theme';
import { e2eSuite, mapPixel, movingDemoHub, signIn, waitConsoleReady, waitLive } from './harness';

const e2e = e2eSuite('map-dots', { hub: movingDemoHub });

async function consoleWith(dots: 'on' | 'off'): Promise<Page> {
  const c = await e2e.context({ viewport: { width: 1600, height: 900 }, locale: 'zh-CN' });
  await c.addInitScript((v) => localStorage.setItem('xiuhua.map.dots', v), dots);
  const page = e2e.watch(await c.newPage(), `operator (dots ${dots})`);
  page.on('console', (m) => {
    if (m.type() === 'error') console.log(`dots ${dots}: console error: ${m.text()}`);
  });
  await page.goto(e2e.hub.url);
  await signIn(page, 'operator');
  await waitLive(page);
  await waitConsoleReady(page);
  await page.waitForFunction(() => window.__xiuhua!.hub.positions.size > 20, undefined, { timeout: 60_000 });
  return page;
}

/** Look at `at`, zoom `zoom`, and wait until the map stopped and drew the officers (either layer). */
async function lookAt(page: Page, at: [number, number], zoom: number, dots: boolean): Promise<void> {
  await page.evaluate(({ at, zoom }) => window.__xiuhua!.map!.jumpTo({ center: at, zoom }), { at, zoom });
  await page.waitForFunction((dots) => {
    const map = window.__xiuhua!.map!;
    // The basemap drawn: a road (close in, a vehicle's view may hold no major one).
    if (map.isMoving() || map.queryRenderedFeatures({ layers: ['bm-road-major', 'bm-road-minor'] }).length === 0) return false;
    return dots
      ? !!map.getLayer('officers-dots') && !map.getLayer('officers') && !!map.getLayer('vehicles-arrows') && !map.getLayer('vehicles')
        && !!map.getLayer('vehicles-trails') && !map.getLayer('vehicle-trails')
      : map.queryRenderedFeatures({ layers: ['officers', 'vehicle-trails'] }).length > 0;
  }, dots, { timeout: 60_000 });
  // Drawn, and two frames later: what a person would see.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

type Officer = { id: string; at: [number, number]; cls: string };

/** Vehicles with a fix, as the hub's client has them, with the class the map paints them by (live: their status). */
function vehicles(page: Page): Promise<Officer[]> {
  return page.evaluate(() => {
    const h = window.__xiuhua!.hub;
    return [...h.getState().units.values()].filter((u) => u.kind === 'vehicle' && h.positions.get(u.id))
      .map((u) => ({ id: u.id, at: h.positions.get(u.id)!.trail.at(-1)!, cls: u.status }));
  });
}

type Trail = { id: string; cls: string; trail: [number, number][] };

/** Vehicles whose trail has `min` points or more, as the hub's client has them (oldest point first). */
function trailsOf(page: Page, min: number): Promise<Trail[]> {
  return page.evaluate((min) => {
    const h = window.__xiuhua!.hub;
    return [...h.getState().units.values()].filter((u) => u.kind === 'vehicle' && (h.positions.get(u.id)?.trail.length ?? 0) >= min)
      .map((u) => ({ id: u.id, cls: u.status, trail: h.positions.get(u.id)!.trail.map((p) => [p[0], p[1]] as [number, number]) }));
  }, min);
}

/** On-duty officers with a fix, as the hub's client has them, with the class the map paints them by. */
function officers(page: Page): Promise<Officer[]> {
  return page.evaluate(() => {
    const h = window.__xiuhua!.hub;
    const s = h.getState();
    return [...s.units.values()].filter((u) => u.kind === 'officer' && u.status !== 'off_duty' && h.positions.get(u.id))
      .map((u) => ({ id: u.id, at: h.positions.get(u.id)!.trail.at(-1)!, cls: u.status }));
  });
}

/** The colours at `points` of a screenshot (decoded by the page itself). */
function colours(page: Page, png: Buffer, points: { x: number; y: number }[]): Promise<number[][]> {
  return page.evaluate(async ({ b64, points }) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const g = c.getContext('2d')!;
    g.drawImage(img, 0, 0);
    return points.map((p) => Array.from(g.getImageData(Math.round(p.x), Math.round(p.y), 1, 1).data.slice(0, 3)));
  }, { b64: png.toString('base64'), points });
}
const close = (a: number[], b: number[], tol: number) => a.every((v, i) => Math.abs(v - b[i]!) <= tol);

describe('the officers\' dots layer', () => {
  it('draws every officer where and in the colour the GeoJSON layers do, and a click on a dot selects it', async () => {
    const geo = await consoleWith('off');
    const dots = await consoleWith('on');
    const all = await officers(geo);
    expect(all.length).toBeGreaterThan(20);
    // The middle of the city's officers, close in (labels show from 15.5).
    const mid = all[Math.floor(all.length / 2)]!;
    const fill: Record<string, string> = { on_post: LIVE.ok, patrolling: LIVE.patrol, on_task: LIVE.task, sos: LIVE.sos };
    const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
    for (const [page, isDots] of [[geo, false], [dots, true]] as const) {
      await lookAt(page, mid.at, 15.5, isDots);
      // Where each officer is now (the city moves: read just before the picture), away from the edges.
      const now = await officers(page);
      const shot = await page.screenshot({ path: path.join(e2e.artifacts, `${isDots ? 'dots' : 'geojson'}.png`) });
      const inView: { o: Officer; x: number; y: number }[] = [];
      for (const o of now) {
        const p = await mapPixel(page, o.at);
        if (p.x > 330 && p.y > 70 && p.x < 1580 && p.y < 880) inView.push({ o, ...p });
      }
      expect(inView.length, 'officers in view').toBeGreaterThan(3);
      const got = await colours(page, shot, inView);
      // A dot can sit under another unit, a body camera or a label: nearly all, not all.
      const right = inView.filter((v, i) => fill[v.o.cls] && close(got[i]!, rgb(fill[v.o.cls]!), 40));
      expect(right.length, `${isDots ? 'dots' : 'GeoJSON'}: ${right.length} of ${inView.length} officers drawn in their class's colour`).toBeGreaterThanOrEqual(Math.ceil(inView.length * 0.7));
    }
    // The labels' source still has the officer in view, close in.
    expect(await dots.evaluate((id) => window.__xiuhua!.map!.querySourceFeatures('officers').some((f) => f.properties.id === id), mid.id)).toBe(true);
    // A click on a dot selects that officer (picking on the CPU: no feature is rendered for it): the officer on
    // post nearest the view's centre. It may take a step between reading where it is and the click landing
    // (software GL on a loaded machine): then the click is tried again, where it is now.
    const centre = await dots.evaluate(() => window.__xiuhua!.map!.getCenter().toArray() as [number, number]);
    const target = (await officers(dots)).filter((o) => o.cls === 'on_post')
      .sort((a, b) => Math.hypot(a.at[0] - centre[0], a.at[1] - centre[1]) - Math.hypot(b.at[0] - centre[0], b.at[1] - centre[1]))[0]!;
    const panel = dots.locator('[data-testid=side-panel]');
    const shown = async () => ((await panel.count()) ? { kind: await panel.getAttribute('data-kind'), id: await panel.getAttribute('data-id') } : null);
    let picked = null as Awaited<ReturnType<typeof shown>>;
    for (let attempt = 0; attempt < 5 && picked?.id !== target.id; attempt++) {
      const at = await dots.evaluate((id) => window.__xiuhua!.hub.positions.get(id)!.trail.at(-1)!, target.id);
      const p = await mapPixel(dots, at);
      await dots.mouse.click(p.x, p.y);
      await panel.waitFor();
      await expect.poll(async () => (await shown())?.id, { timeout: 5000 }).toBe(target.id).catch(() => undefined);
      picked = await shown();
    }
    expect(picked).toEqual({ kind: 'unit', id: target.id });

    // The vehicles: each of a few looked at close in, the pixel at its place (the middle of its arrow) in its
    // class's colour, drawn by the symbol layer (control) and by the arrows layer; then a click on one
    // selects it. A vehicle moves ~10 m a second: nearly all, not all, and a click tried again where it is.
    const vfill: Record<string, string> = { ...fill, off_duty: LIVE.offline };
    const some = (await vehicles(geo)).slice(0, 6);
    expect(some.length).toBeGreaterThan(2);
    const vehicleRight: Record<string, string[]> = { geojson: [], dots: [] };
    for (const [page, isDots] of [[geo, false], [dots, true]] as const) {
      for (const v of some) {
        const now = (await vehicles(page)).find((x) => x.id === v.id)!;
        await lookAt(page, now.at, 16, isDots);
        const here = (await vehicles(page)).find((x) => x.id === v.id)!;
        const p = await mapPixel(page, here.at);
        const shot = await page.screenshot({ path: path.join(e2e.artifacts, `${isDots ? 'dots' : 'geojson'}-vehicle-${v.id}.png`) });
        const [got] = await colours(page, shot, [p]);
        if (vfill[here.cls] && close(got!, rgb(vfill[here.cls]!), 40)) vehicleRight[isDots ? 'dots' : 'geojson']!.push(v.id);
      }
      const right = vehicleRight[isDots ? 'dots' : 'geojson']!;
      expect(right.length, `${isDots ? 'arrows' : 'GeoJSON'}: ${right.length} of ${some.length} vehicles drawn in their class's colour`).toBeGreaterThanOrEqual(Math.ceil(some.length / 2));
    }
    // The last vehicle looked at is in the middle of the dots page's view: a click on its arrow selects it.
    const vehicle = some.at(-1)!;
    let vehiclePicked = null as Awaited<ReturnType<typeof shown>>;
    for (let attempt = 0; attempt < 5 && vehiclePicked?.id !== vehicle.id; attempt++) {
      const at = await dots.evaluate((id) => window.__xiuhua!.hub.positions.get(id)!.trail.at(-1)!, vehicle.id);
      const p = await mapPixel(dots, at);
      await dots.mouse.click(p.x, p.y);
      await panel.waitFor();
      await expect.poll(async () => (await shown())?.id, { timeout: 5000 }).toBe(vehicle.id).catch(() => undefined);
      vehiclePicked = await shown();
    }
    expect(vehiclePicked).toEqual({ kind: 'unit', id: vehicle.id });

    // The trails, each of a few vehicles' looked at close in (zoom 17), on both: at the middle of each of its
    // middle segments that is well clear of its arrow, the pixel is the class's colour at the trail's opacity
    // over what is under the trail (the same place in a second picture with the trails' layer hidden). Only
    // the middle segments: the newest grows under the arrow, the oldest may be gone by the picture (a new fix
    // slides the trail), and the middle ones stay where they are meanwhile. The patrol routes are hidden for
    // this: a patrolling vehicle drives on its route, drawn in the same blue, under its trail. A sample where
    // the trail would barely change the pixel says nothing and is not counted; another unit, a label or
    // another trail can lie on one: most, not all.
    const TRAIL_OPACITY = 0.55;
    const withTrails = (await trailsOf(geo, 6)).slice(0, 4);
    expect(withTrails.length, 'vehicles with a trail of 6 points').toBeGreaterThan(1);
    const show = (page: Page, ids: string[], on: boolean) => page.evaluate(({ ids, on }) => {
      const map = window.__xiuhua!.map!;
      for (const id of ids) if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none');
      return new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    }, { ids, on });
    // The whole map's width: no side panel (a vehicle is selected on the dots page).
    if (await panel.count()) await dots.locator('[data-testid=side-panel] .close').click();
    await expect.poll(() => panel.count()).toBe(0);
    for (const [page, isDots] of [[geo, false], [dots, true]] as const) {
      const trailLayer = isDots ? 'vehicles-trails' : 'vehicle-trails';
      await show(page, ['routes', 'routes-inactive', 'routes-label'], false);
      let samples = 0;
      let right = 0;
      for (const v of withTrails) {
        const now = (await trailsOf(page, 2)).find((x) => x.id === v.id);
        if (!now) continue;
        await lookAt(page, now.trail.at(-1)!, 17, isDots);
        const here = (await trailsOf(page, 6)).find((x) => x.id === v.id);
        if (!here) continue;
        const px = await Promise.all(here.trail.map((p) => mapPixel(page, p)));
        const head = px.at(-1)!;
        const points: { x: number; y: number }[] = [];
        for (let i = 2; i < px.length - 2; i++) {
          const a = px[i]!;
          const b = px[i + 1]!;
          const mid = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
          if (Math.hypot(b.x - a.x, b.y - a.y) < 4 || Math.hypot(mid.x - head.x, mid.y - head.y) < 24 || mid.x < 400 || mid.x > 1560 || mid.y < 80 || mid.y > 860) continue;
          points.push(mid);
        }
        if (!points.length) continue;
        const shot = await page.screenshot({ path: path.join(e2e.artifacts, `${isDots ? 'dots' : 'geojson'}-trail-${v.id}.png`) });
        await show(page, [trailLayer], false);
        const bare = await page.screenshot();
        await show(page, [trailLayer], true);
        const got = await colours(page, shot, points);
        const under = await colours(page, bare, points);
        const c = rgb(vfill[here.cls]!);
        got.forEach((g, k) => {
          const want = c.map((v, i) => TRAIL_OPACITY * v + (1 - TRAIL_OPACITY) * under[k]![i]!);
          if (close(want, under[k]!, 25)) return;
          samples++;
          if (close(g, want, 30)) right++;
        });
      }
      await show(page, ['routes', 'routes-inactive', 'routes-label'], true);
      expect(samples, `${isDots ? 'trails layer' : 'GeoJSON'}: trail samples`).toBeGreaterThan(2);
      expect(right, `${isDots ? 'trails layer' : 'GeoJSON'}: ${right} of ${samples} trail samples in their class's colour`).toBeGreaterThanOrEqual(Math.ceil(samples * 0.6));
    }
  }, 480_000);
});
