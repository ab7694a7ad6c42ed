// The admin's grid editor (issue 18) in real Chromium over a real hub, as the demo admin: a cell and a post
// drawn with mouse clicks on the map (terra-draw), named and saved; the hub stores them and an officer's
// check-in at the new post is accepted. A post outside its cell is refused, said in words, and so is each bad feature of an imported GeoJSON file; an edit made
// against a grid another admin changed meanwhile is refused as stale, the grid read again, and the drawn
// post and its form kept to save again; leaving the tab shows the next one, with no script error. Screenshots go to tests/artifacts/admin-grid/.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { LngLat } from '../../shared/domain';
import { offsetM, pointInPolygon } from '../../shared/geo';
import type { GridState } from '../../shared/grid';
import { auditPage } from '../../main/store/audit';
import { ask, cid, closeClients, consoleClient, fieldClient } from '../integration/hub-fixture';
import { e2eSuite, mapPixel } from './harness';

const e2e = e2eSuite('admin-grid');
afterEach(() => closeClients());

/** The grid as the hub holds it, read by the admin over its own socket (not through the page). */
async function hubGrid(): Promise<GridState> {
  const { socket } = await consoleClient(e2e.hub.url, { username: 'admin', password: 'demo' });
  const res = await ask(socket, 'grid:get', {});
  socket.disconnect();
  return res.result as GridState;
}

async function clickMap(page: Page, at: LngLat): Promise<void> {
  const { x, y } = await mapPixel(page, at);
  await page.mouse.click(x, y);
}

const version = async (page: Page) => Number(await page.locator('[data-testid=grid-version]').getAttribute('data-version'));
const untilVersion = (page: Page, v: number) => page.waitForSelector(`[data-testid=grid-version][data-version="${v}"]`);

describe('the admin draws the grid', () => {
  let page: Page;
  /** A place on the demo map east of its grid, where no cell lies (checked below). */
  let center: LngLat;

  beforeAll(async () => {
    page = await e2e.signedIn('admin', { locale: 'en-US', perTest: false });
    await page.click('[data-testid=admin-tab-grid]');
    await page.waitForSelector('[data-testid=grid-version]:not([data-version=""])');
    await page.waitForFunction(() => window.__xiuhua?.map?.loaded() === true && !window.__xiuhua.map.isMoving());
    // The point at 86 % across and 45 % down the map, which on the demo city's opening view is open
    // ground east of the grid.
    center = await page.evaluate(() => {
      const map = window.__xiuhua!.map!;
      const { width, height } = map.getCanvas().getBoundingClientRect();
      const c = map.unproject([width * 0.86, height * 0.45]);
      return [Math.round(c.lng * 1e6) / 1e6, Math.round(c.lat * 1e6) / 1e6] as LngLat;
    });
  }, 180_000);

  it('draws a cell and a post in it with the mouse, saves them, and an officer checks in at the new post', async () => {
    // An operator's console open all along: the new cell and post reach its map without a reload.
    const operator = await e2e.signedIn('operator', { viewport: { width: 1280, height: 800 } });
    await operator.waitForFunction(() => !!window.__xiuhua?.map?.getSource('areas') && window.__xiuhua.hub.getState().ready);
    const v0 = await version(page);
    const before = await hubGrid();
    expect(before.version).toBe(v0);
    expect(before.areas.filter((a) => a.kind === 'cell' && a.polygon && pointInPolygon(center, a.polygon)).map((a) => a.id), 'open ground').toEqual([]);

    // A cell: four corners clicked, then the first again to close it (about 380 m × 440 m).
    const h = 0.002;
    const corners: LngLat[] = [[center[0] - h, center[1] - h], [center[0] + h, center[1] - h], [center[0] + h, center[1] + h], [center[0] - h, center[1] + h]];
    await page.click('[data-testid=grid-tool-cell]');
    for (const c of [...corners, corners[0]!]) await clickMap(page, c);
    const form = page.locator('[data-testid=grid-form][data-kind=cell]');
    await form.waitFor();
    await form.locator('input[name=name]').fill('东华湖测试网格');
    await e2e.shot(page, 'cell-drawn');
    await form.locator('[data-testid=grid-save]').click();
    await page.waitForSelector('[data-testid=grid-result][data-outcome=ok]');
    await untilVersion(page, v0 + 1);
    expect(await page.locator('[data-testid=grid-result]').textContent()).toBe(`Saved: 东华湖测试网格 (grid version ${v0 + 1})`);

    const withCell = await hubGrid();
    const cell = withCell.areas.find((a) => a.kind === 'cell' && a.name === '东华湖测试网格')!;
    expect(cell, 'the hub stored the cell').toBeDefined();
    expect(withCell.version).toBe(v0 + 1);
    expect(cell.polygon!.coordinates[0]).toHaveLength(5);
    // Where the clicks landed, to a few metres (a pixel is about 7 m at this zoom).
    for (const [i, c] of corners.entries()) {
      const got = cell.polygon!.coordinates[0]![i]!;
      expect(Math.abs(got[0] - c[0]) + Math.abs(got[1] - c[1])).toBeLessThan(0.0003);
    }

    // A post clicked inside it: the form names the new cell as its cell by itself.
    await page.click('[data-testid=grid-tool-post]');
    await clickMap(page, center);
    const postForm = page.locator('[data-testid=grid-form][data-kind=post]');
    await postForm.waitFor();
    expect(await postForm.locator('select[name=cellId]').inputValue()).toBe(cell.id);
    await postForm.locator('input[name=name]').fill('东华湖测试岗');
    await postForm.locator('input[name=radiusM]').fill('40');
    await postForm.locator('[data-testid=grid-save]').click();
    await untilVersion(page, v0 + 2);
    expect(await page.locator('[data-testid=grid-result]').textContent()).toBe(`Saved: 东华湖测试岗 (grid version ${v0 + 2})`);
    await e2e.shot(page, 'post-saved');

    const withPost = await hubGrid();
    const post = withPost.areas.find((a) => a.kind === 'post' && a.name === '东华湖测试岗')!;
    expect(post).toMatchObject({ parentId: cell.id, radiusM: 40 });
    expect(Math.abs(post.center[0] - center[0]) + Math.abs(post.center[1] - center[1])).toBeLessThan(0.0003);

    // The operator's console took both from grid:changed: in its state and in its map's areas source.
    await operator.waitForFunction(({ cellId, postId }) => {
      const areas = window.__xiuhua!.hub.getState().areas;
      return areas.get(cellId)?.name === '东华湖测试网格' && areas.get(postId)?.name === '东华湖测试岗';
    }, { cellId: cell.id, postId: post.id });
    await expect.poll(() => operator.evaluate(async (cellId) => {
      const data = await (window.__xiuhua!.map!.getSource('areas') as unknown as { getData(): Promise<GeoJSON.FeatureCollection> }).getData();
      return data.features.some((f) => f.properties?.id === cellId);
    }, cell.id), { timeout: 60_000 }).toBe(true);

    // An officer with no shift on the roster around now checks in 10 m from the new post: accepted, and
    // the record names the grid version it was judged by.
    const unitId = e2e.hub.db.prepare(`SELECT id FROM units WHERE kind = 'officer' AND id NOT IN
      (SELECT unit_id FROM shifts WHERE starts_at <= ? AND ends_at > ?) ORDER BY id LIMIT 1`).pluck().get(Date.now() + 3_600_000, Date.now() - 3_600_000) as string;
    expect(unitId).toBeTruthy();
    const gw = await fieldClient(e2e.hub.url);
    const checkIn = await ask(gw, 'checkin:create', { commandId: cid(), unitId, postId: post.id, position: offsetM(post.center, 10, 0), fix: { t: Date.now(), accuracy: 8 } });
    expect(checkIn.ok, checkIn.error?.message).toBe(true);
    const entry = auditPage(e2e.hub.db, 0, 100_000).filter((e) => e.action === 'checkin:create' && e.outcome === 'accepted').at(-1)!;
    expect((entry.payload as { detail: { gridVersion: number } }).detail.gridVersion).toBe(v0 + 2);
    // And 200 m away it is refused: the fence is the one drawn.
    const far = await ask(gw, 'checkin:create', { commandId: cid(), unitId, postId: post.id, position: offsetM(post.center, 200, 0), fix: { t: Date.now(), accuracy: 8 } });
    expect(far.error?.code).toBe('outside_fence');
  }, 360_000);

  it('a post outside the cell picked for it is refused in words, and nothing is stored', async () => {
    const v = await version(page);
    const cell = (await hubGrid()).areas.find((a) => a.kind === 'cell' && a.name === '东华湖测试网格')!;
    // 600 m east of the cell's centre: outside it, on open ground where no other cell lies.
    await page.click('[data-testid=grid-tool-post]');
    await clickMap(page, offsetM(center, 600, 0));
    const postForm = page.locator('[data-testid=grid-form][data-kind=post]');
    await postForm.waitFor();
    expect(await postForm.locator('select[name=cellId]').inputValue()).toBe(''); // no cell holds it
    await postForm.locator('input[name=name]').fill('出界岗');
    await postForm.locator('select[name=cellId]').selectOption(cell.id);
    await postForm.locator('[data-testid=grid-save]').click();
    const said = page.locator('[data-testid=grid-result][data-outcome=invalid_payload]');
    await said.waitFor();
    expect(await said.locator('[data-testid=grid-result-lines]').textContent())
      .toBe('post 出界岗 lies outside its cell 东华湖测试网格: move the post into the cell, or pick the cell it stands in');
    await e2e.shot(page, 'post-refused');
    const after = await hubGrid();
    expect(after.version).toBe(v);
    expect(after.areas.some((a) => a.name === '出界岗')).toBe(false);
    // The form stays open with what was typed, to move the post or pick another cell.
    expect(await postForm.locator('input[name=name]').inputValue()).toBe('出界岗');
    await page.click('[data-testid=grid-form] >> text=Cancel');
    await page.locator('[data-testid=grid-form]').waitFor({ state: 'detached' });
  }, 240_000);

  it('a save against a grid another admin changed meanwhile is refused as stale: the grid is read again and the drawn post kept to save again', async () => {
    const v = await version(page);
    const cell = (await hubGrid()).areas.find((a) => a.kind === 'cell' && a.name === '东华湖测试网格')!;
    const spot = offsetM(center, -80, 60);
    await page.click('[data-testid=grid-tool-post]');
    await clickMap(page, spot);
    const postForm = page.locator('[data-testid=grid-form][data-kind=post]');
    await postForm.waitFor();
    await postForm.locator('input[name=name]').fill('第二岗');
    await postForm.locator('input[name=radiusM]').fill('35');

    // Another admin, on another console, adds a cell meanwhile (its corners computed, with more decimals
    // than terra-draw takes: the editor rounds them to show it).
    const { socket } = await consoleClient(e2e.hub.url, { username: 'admin', password: 'demo' });
    const elsewhere = offsetM(center, 0, 700);
    const d = 0.001;
    const other = await ask(socket, 'cell:save', { commandId: cid(), baseVersion: v, cell: { name: '他人网格', parentId: null, polygon: { type: 'Polygon', coordinates: [[
      [elsewhere[0] - d, elsewhere[1] - d], [elsewhere[0] + d, elsewhere[1] - d], [elsewhere[0] + d, elsewhere[1] + d], [elsewhere[0] - d, elsewhere[1] + d], [elsewhere[0] - d, elsewhere[1] - d]]] } } });
    expect(other.ok, other.error?.message).toBe(true);

    await postForm.locator('[data-testid=grid-save]').click();
    const said = page.locator('[data-testid=grid-result][data-outcome=conflict]');
    await said.waitFor();
    await untilVersion(page, v + 1); // read again: the other admin's cell is in
    expect(await said.locator('[data-testid=grid-result-lines]').textContent()).toMatch(new RegExp(`Another admin changed the grid meanwhile: it is now version ${v + 1}.*Your unsaved change is kept`));
    // The map holds the grid read again (the other admin's cell) and the post as drawn, not yet saved.
    const otherId = other.result.area.id as string;
    await page.waitForFunction(([id, at]) => {
      const draw = (window as { __gridDraw?: { getSnapshot(): Array<{ id?: unknown; geometry: { type: string; coordinates: unknown } }> } }).__gridDraw;
      const features = draw?.getSnapshot() ?? [];
      const drawn = features.filter((f) => String(f.id).startsWith('draft-') && f.geometry.type === 'Point');
      const [x, y] = drawn[0]?.geometry.coordinates as [number, number] ?? [0, 0];
      return features.some((f) => f.id === id) && drawn.length === 1 && Math.abs(x - at[0]) + Math.abs(y - at[1]) < 0.0003;
    }, [otherId, spot] as const);
    expect(await page.locator('[data-testid=grid-unshown]').count()).toBe(0);
    await e2e.shot(page, 'stale-refused');
    // Nothing lost: the form has what was typed, the map the drawn post; saved again, it lands where drawn.
    expect(await postForm.locator('input[name=name]').inputValue()).toBe('第二岗');
    expect(await postForm.locator('input[name=radiusM]').inputValue()).toBe('35');
    expect(await postForm.locator('select[name=cellId]').inputValue()).toBe(cell.id);
    await postForm.locator('[data-testid=grid-save]').click();
    await untilVersion(page, v + 2);
    await page.waitForSelector('[data-testid=grid-result][data-outcome=ok]');
    const post = (await hubGrid()).areas.find((a) => a.kind === 'post' && a.name === '第二岗')!;
    expect(post).toMatchObject({ parentId: cell.id, radiusM: 35 });
    expect(Math.abs(post.center[0] - spot[0]) + Math.abs(post.center[1] - spot[1])).toBeLessThan(0.0003);
  }, 240_000);

  it('a GeoJSON file with bad features is refused whole, each refused feature named and said why; nothing is imported', async () => {
    const v = await version(page);
    const ring = (c: LngLat, pts: Array<[number, number]>) => [pts.map(([dx, dy]) => [c[0] + dx, c[1] + dy])];
    const at = offsetM(center, 0, -900);
    const file = { type: 'FeatureCollection', features: [
      { type: 'Feature', properties: { kind: 'cell', id: 'cell-file-1', name: '文件网格' }, geometry: { type: 'Polygon', coordinates: ring(at, [[0, 0], [0.002, 0], [0.002, 0.002], [0, 0.002], [0, 0]]) } },
      { type: 'Feature', properties: { kind: 'post', name: '文件出界岗', cellId: 'cell-file-1' }, geometry: { type: 'Point', coordinates: offsetM(at, 0, 800) } },
      { type: 'Feature', properties: { kind: 'cell', name: '交叉网格' }, geometry: { type: 'Polygon', coordinates: ring(at, [[0, -0.004], [0.002, -0.002], [0.002, -0.004], [0, -0.002], [0, -0.004]]) } },
      { type: 'Feature', properties: { kind: 'route', name: '点路线' }, geometry: { type: 'Point', coordinates: at } },
    ] };
    await page.setInputFiles('[data-testid=grid-import]', { name: 'center.geojson', mimeType: 'application/geo+json', buffer: Buffer.from(JSON.stringify(file)) });
    const said = page.locator('[data-testid=grid-result][data-outcome=invalid_payload]');
    await said.waitFor();
    expect(await said.locator('.admin-grid-lead').textContent()).toBe('center.geojson: 3 feature(s) refused, nothing was imported. Fix them in the file and import it again:');
    expect(await said.locator('[data-testid=grid-result-lines] li').allTextContents()).toEqual([
      'feature 2 (Post 文件出界岗): post 文件出界岗 lies outside its cell 文件网格: move the post into the cell, or pick the cell it stands in',
      'feature 3 (Cell 交叉网格): the outline crosses itself (edges 1 and 3): move a corner so that no two edges cross',
      'feature 4 (Route 点路线): its geometry is a Point; this kind is a LineString',
    ]);
    await e2e.shot(page, 'import-refused');
    const after = await hubGrid();
    expect(after.version).toBe(v);
    expect(after.areas.some((a) => a.id === 'cell-file-1')).toBe(false);
  }, 240_000);

  it('leaving the grid tab for another one shows that tab, with no script error (the map goes before terra-draw)', async () => {
    const errorsBefore = e2e.pageErrors.length;
    await page.click('[data-testid=admin-tab-profiles]');
    await page.waitForSelector('[data-testid=profile-editor]');
    await page.click('[data-testid=admin-tab-grid]');
    await page.waitForSelector('[data-testid=grid-version]:not([data-version=""])');
    await page.click('[data-testid=admin-tab-people]');
    await page.waitForSelector('[data-testid=person-operator]');
    expect(e2e.pageErrors.slice(errorsBefore)).toEqual([]);
  }, 120_000);
});
