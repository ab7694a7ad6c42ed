// The admin's grid edits (issue 18) on a real hub: cells, posts and routes saved, checked, deleted and
// imported through the command path, the version each bumps, and the check-in that records it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LngLat, Polygon } from '../../shared/domain';
import { offsetM } from '../../shared/geo';
import { gridToGeoJSON, type GridState } from '../../shared/grid';
import { auditPage } from '../../main/store/audit';
import { gridVersionRecord } from '../../main/store/grid';
import { loadRoadGraph } from '../../main/hub/dispatch/road-graph';
import { ask, cid, closeClients, consoleClient, fieldClient, startTestHub, type ConsoleClient } from './hub-fixture';

let hub: Awaited<ReturnType<typeof startTestHub>>;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub.close());
afterEach(() => closeClients());

const as = async (username: string) => (await consoleClient(hub.url, { username, password: 'demo' })).socket;
const grid = async (s: ConsoleClient): Promise<GridState> => (await ask(s, 'grid:get', {})).result as GridState;

/** A point on a demo patrol route (on the driving network), in 夫子庙片区. */
const ON_ROAD: LngLat = [118.778774, 32.03165];
/** A square cell of about 280 m × 330 m around a point. */
const square = (c: LngLat, halfDeg = 0.0015): Polygon => ({
  type: 'Polygon',
  coordinates: [[[c[0] - halfDeg, c[1] - halfDeg], [c[0] + halfDeg, c[1] - halfDeg], [c[0] + halfDeg, c[1] + halfDeg], [c[0] - halfDeg, c[1] + halfDeg], [c[0] - halfDeg, c[1] - halfDeg]]],
});

/** A point of the city at least `m` from any road: the drive network's nodes are at most 25 m apart. */
function offRoad(m: number): LngLat {
  const net = loadRoadGraph().drive;
  for (let dx = 0; dx < 60; dx++) {
    for (let dy = 0; dy < 60; dy++) {
      const p: LngLat = [118.74 + dx * 0.001, 32.01 + dy * 0.0007];
      if (!net.snap(p, m)) return p;
    }
  }
  throw new Error('no off-road point found');
}

describe('cells', () => {
  it('an admin creates and edits a cell; each change bumps the version, is told to consoles and audited with the before and after', async () => {
    const admin = await as('admin');
    const op = await as('operator');
    const heard: unknown[] = [];
    op.on('event', (e) => { if (e.data.type === 'grid:changed') heard.push(e.data); });
    const v0 = (await grid(admin)).version;
    const made = await ask(admin, 'cell:save', { commandId: cid(), baseVersion: v0, cell: { name: '测试网格甲', parentId: 'dist-fuzimiao', polygon: square(ON_ROAD) } });
    expect(made.ok, made.error?.message).toBe(true);
    const id = made.result.area.id as string;
    expect(made.result.gridVersion).toBe(v0 + 1);
    const after = await grid(admin);
    expect(after.version).toBe(v0 + 1);
    expect(after.areas.find((a) => a.id === id)).toMatchObject({ kind: 'cell', name: '测试网格甲', parentId: 'dist-fuzimiao' });

    const renamed = await ask(admin, 'cell:save', { commandId: cid(), baseVersion: v0 + 1, cell: { id, name: '测试网格乙', parentId: 'dist-fuzimiao', polygon: square(ON_ROAD, 0.002) } });
    expect(renamed.ok, renamed.error?.message).toBe(true);
    expect(renamed.result.gridVersion).toBe(v0 + 2);
    const entry = auditPage(hub.db, 0, 100_000).filter((e) => e.action === 'cell:save' && e.outcome === 'accepted').at(-1)!;
    const detail = (entry.payload as { detail: { before: { name: string }; after: { name: string }; gridVersion: number } }).detail;
    expect([detail.before.name, detail.after.name, detail.gridVersion]).toEqual(['测试网格甲', '测试网格乙', v0 + 2]);
    expect(gridVersionRecord(hub.db, v0 + 2)).toMatchObject({ by: 'admin', action: 'cell:save', changes: [{ kind: 'cell', id }] });
    await expect.poll(() => heard.length).toBe(2);
    expect(heard[1]).toMatchObject({ version: v0 + 2, areas: [{ id, name: '测试网格乙' }], routes: [], retired: { areaIds: [] } });

    // An edit made against the old version is a conflict, not a silent overwrite.
    const stale = await ask(admin, 'cell:save', { commandId: cid(), baseVersion: v0, cell: { id, name: '过期', parentId: null, polygon: square(ON_ROAD) } });
    expect(stale.error).toMatchObject({ code: 'conflict', message: expect.stringMatching(/changed since version/) });
    // Beside the English, the refusal as a code and its parameters, for a screen to word.
    expect(stale.error?.issues).toEqual([{ code: 'grid_changed', params: { base: v0, now: v0 + 2 } }]);
  });

  it('refuses an outline that is open, crosses itself, is too small or too large, or lies off the city\'s map, saying which', async () => {
    const admin = await as('admin');
    const v = (await grid(admin)).version;
    const [x, y] = ON_ROAD;
    const save = (polygon: Polygon) => ask(admin, 'cell:save', { commandId: cid(), baseVersion: v, cell: { name: '坏网格', polygon } });
    const ring = (pts: LngLat[]): Polygon => ({ type: 'Polygon', coordinates: [pts] });
    const cases: Array<[Polygon, RegExp, RegExp]> = [
      [ring([[x, y], [x + 0.002, y], [x + 0.002, y + 0.002], [x, y + 0.002]]), /not closed/, /^ring_open$/],
      [ring([[x, y], [x + 0.002, y + 0.002], [x + 0.002, y], [x, y + 0.002], [x, y]]), /crosses itself/, /^outline_crosses$/],
      [square(ON_ROAD, 0.0001), /too small/, /^cell_too_small$/],
      [square(ON_ROAD, 0.05), /outside the city's map|too large/, /^(corner_off_map|cell_too_large)$/],
      [ring([[x + 1, y], [x + 1.002, y], [x + 1.002, y + 0.002], [x + 1, y]]), /outside the city's map/, /^corner_off_map$/],
    ];
    for (const [polygon, why, code] of cases) {
      const res = await save(polygon);
      expect(res.error, JSON.stringify(polygon)).toMatchObject({ code: 'invalid_payload', message: expect.stringMatching(why), issues: [{ code: expect.stringMatching(code) }] });
    }
    const crossing = await save(cases[1]![0]);
    expect(crossing.error?.issues).toEqual([{ code: 'outline_crosses', params: { a: 1, b: 3 } }]);
    expect((await grid(admin)).version).toBe(v);
  });
});

describe('posts', () => {
  it('a post must stand inside its cell; a cell cannot move away from its posts or be deleted while it holds them', async () => {
    const admin = await as('admin');
    let v = (await grid(admin)).version;
    const cell = await ask(admin, 'cell:save', { commandId: cid(), baseVersion: v++, cell: { name: '岗位网格', polygon: square(ON_ROAD) } });
    const cellId = cell.result.area.id as string;
    const outside = await ask(admin, 'post:save', { commandId: cid(), baseVersion: v, post: { name: '外面的岗', cellId, center: offsetM(ON_ROAD, 400, 0), radiusM: 40 } });
    expect(outside.error).toMatchObject({ code: 'invalid_payload', message: expect.stringMatching(/outside its cell 岗位网格/) });
    expect(outside.error?.issues).toEqual([{ code: 'post_outside_cell', params: { post: '外面的岗', cell: '岗位网格' } }]);
    const post = await ask(admin, 'post:save', { commandId: cid(), baseVersion: v++, post: { name: '里面的岗', cellId, center: ON_ROAD, radiusM: 40 } });
    expect(post.ok, post.error?.message).toBe(true);
    const postId = post.result.area.id as string;
    expect(post.result.area).toMatchObject({ kind: 'post', parentId: cellId, center: ON_ROAD, radiusM: 40, polygon: null });

    const moved = await ask(admin, 'cell:save', { commandId: cid(), baseVersion: v, cell: { id: cellId, name: '岗位网格', polygon: square(offsetM(ON_ROAD, 600, 0)) } });
    expect(moved.error).toMatchObject({ code: 'invalid_payload', message: expect.stringMatching(/里面的岗 would lie outside/) });
    expect(moved.error?.issues).toEqual([{ code: 'post_would_leave_cell', params: { cell: '岗位网格', post: '里面的岗' } }]);
    const early = await ask(admin, 'cell:delete', { commandId: cid(), baseVersion: v, cellId });
    expect(early.error).toMatchObject({ code: 'conflict', message: expect.stringMatching(/still holds post\(s\) 里面的岗/) });
    expect(early.error?.issues).toEqual([{ code: 'cell_holds_posts', params: { cell: '岗位网格', posts: '里面的岗' } }]);

    expect((await ask(admin, 'post:delete', { commandId: cid(), baseVersion: v++, postId })).ok).toBe(true);
    expect((await ask(admin, 'cell:delete', { commandId: cid(), baseVersion: v++, cellId })).ok).toBe(true);
    const now = await grid(admin);
    expect(now.version).toBe(v);
    expect(now.areas.some((a) => a.id === cellId || a.id === postId)).toBe(false);
    // Retired, not removed: the record still points at it, and its id is not given out again.
    const reuse = await ask(admin, 'post:save', { commandId: cid(), baseVersion: v, post: { id: postId, name: '复用', cellId: 'cell-01-04', center: [118.751784, 32.0531], radiusM: 30 } });
    expect(reuse.error).toMatchObject({ code: 'conflict', message: expect.stringMatching(/deleted post/), issues: [{ code: 'id_retired', params: { id: postId, kind: 'post' } }] });
  });

  it('refuses to delete a post or cell that units are assigned to', async () => {
    const admin = await as('admin');
    const v = (await grid(admin)).version;
    const res = await ask(admin, 'post:delete', { commandId: cid(), baseVersion: v, postId: 'post-01-04-1' });
    expect(res.error).toMatchObject({ code: 'conflict', message: expect.stringMatching(/assigned to 李春雷/), issues: [{ code: 'in_use', params: { kind: 'post', units: expect.stringMatching(/李春雷/) } }] });
  });
});

describe('routes', () => {
  it('a drawn route is stored snapped to the roads, with the streets it runs on', async () => {
    const admin = await as('admin');
    const v = (await grid(admin)).version;
    // Drawn a little off the street (20 m north of two points on it).
    const drawn: LngLat[] = [offsetM([118.777266, 32.032123], 0, 20), offsetM([118.781067, 32.031099], 0, 20)];
    const res = await ask(admin, 'route:save', { commandId: cid(), baseVersion: v, route: { name: '测试路线', line: drawn, modes: ['daily', 'night'] } });
    expect(res.ok, res.error?.message).toBe(true);
    const line = res.result.route.line as LngLat[];
    const net = loadRoadGraph().drive;
    for (const p of line) expect(net.snap(p, 1), `${p} is on the road`).not.toBeNull();
    expect(line[0]).not.toEqual(drawn[0]);
    expect(res.result.route.roads.length).toBeGreaterThan(0);
    expect((await grid(admin)).routes.find((r) => r.id === res.result.route.id)).toMatchObject({ line, modes: ['daily', 'night'] });
    expect((await ask(admin, 'route:delete', { commandId: cid(), baseVersion: v + 1, routeId: res.result.route.id })).ok).toBe(true);
  });

  it('refuses a route with a point far from any road', async () => {
    const admin = await as('admin');
    const v = (await grid(admin)).version;
    const far = offRoad(150);
    const res = await ask(admin, 'route:save', { commandId: cid(), baseVersion: v, route: { name: '野路', line: [ON_ROAD, far], modes: ['daily'] } });
    expect(res.error).toMatchObject({ code: 'invalid_payload', message: expect.stringMatching(/point 2 of the route is \d+ m from the nearest road/) });
    expect(res.error?.issues).toEqual([{ code: 'route_point_off_road', params: { point: 2, m: expect.any(Number), max: 60 } }]);
    expect(res.error?.issues?.[0]?.params.m).toBeGreaterThan(60);
  });
});

describe('GeoJSON import and export', () => {
  it('one bad feature refuses the whole import, each error named by its feature; the export imports back', async () => {
    const admin = await as('admin');
    const v = (await grid(admin)).version;
    const cell = { type: 'Feature', properties: { kind: 'cell', id: 'cell-imp-1', name: '导入网格' }, geometry: square(offsetM(ON_ROAD, 0, 500)) };
    const post = { type: 'Feature', properties: { kind: 'post', id: 'post-imp-1', name: '导入岗', cellId: 'cell-imp-1', radiusM: 30 }, geometry: { type: 'Point', coordinates: offsetM(ON_ROAD, 0, 500) } };
    const badPost = { type: 'Feature', properties: { kind: 'post', name: '出界岗', cellId: 'cell-imp-1' }, geometry: { type: 'Point', coordinates: offsetM(ON_ROAD, 0, 1500) } };
    const badShape = { type: 'Feature', properties: { kind: 'route', name: '点路线' }, geometry: { type: 'Point', coordinates: ON_ROAD } };
    const refused = await ask(admin, 'grid:import', { commandId: cid(), baseVersion: v, collection: { type: 'FeatureCollection', features: [cell, badPost, post, badShape] } });
    expect(refused.error?.code).toBe('invalid_payload');
    expect(refused.error?.message).toMatch(/^2 feature\(s\) refused, nothing imported/);
    expect(refused.error?.message).toMatch(/feature 2 \(post 出界岗\): post 出界岗 lies outside its cell 导入网格/);
    expect(refused.error?.message).toMatch(/feature 4: a route is a LineString, not a Point/);
    // The same, feature by feature, as codes: which feature (number, kind, name) and why.
    expect(refused.error?.issues).toEqual([
      { code: 'post_outside_cell', params: { post: '出界岗', cell: '导入网格' }, feature: { n: 2, kind: 'post', name: '出界岗' } },
      { code: 'wrong_geometry', params: { kind: 'route', want: 'LineString', got: 'Point' }, feature: { n: 4, kind: 'route', name: '点路线' } },
    ]);
    const unchanged = await grid(admin);
    expect(unchanged.version).toBe(v);
    expect(unchanged.areas.some((a) => a.id === 'cell-imp-1')).toBe(false);

    const ok = await ask(admin, 'grid:import', { commandId: cid(), baseVersion: v, collection: { type: 'FeatureCollection', features: [post, cell] } });
    expect(ok.ok, ok.error?.message).toBe(true);
    expect(ok.result).toMatchObject({ gridVersion: v + 1, cells: 1, posts: 1, routes: 0 });

    // The whole grid exported and imported back edits everything in place: one new version, nothing added.
    const exported = gridToGeoJSON(await grid(admin));
    const before = await grid(admin);
    const again = await ask(admin, 'grid:import', { commandId: cid(), baseVersion: v + 1, collection: exported });
    expect(again.ok, again.error?.message).toBe(true);
    const after = await grid(admin);
    expect(after.version).toBe(v + 2);
    expect(after.areas.map((a) => a.id)).toEqual(before.areas.map((a) => a.id));
    expect(after.routes.map((r) => r.id)).toEqual(before.routes.map((r) => r.id));
  });
});

describe('permissions', () => {
  it('operators, duty managers and evaluators are refused every grid edit, and each refusal is audited', async () => {
    for (const username of ['operator', 'manager', 'evaluator']) {
      const s = await as(username);
      const v = (await grid(s)).version;
      const before = auditPage(hub.db, 0, 100_000).length;
      const res = await ask(s, 'cell:save', { commandId: cid(), baseVersion: v, cell: { name: '越权', polygon: square(ON_ROAD) } });
      expect(res.error?.code, username).toBe('forbidden');
      expect(auditPage(hub.db, before, 100).some((e) => e.action === 'cell:save' && e.actor === username && e.outcome === 'rejected')).toBe(true);
      expect((await grid(s)).version).toBe(v);
    }
  });
});

describe('versioning', () => {
  it('a check-in at a post drawn by the admin is accepted and records the grid version it was judged by; after an edit, the new one', async () => {
    const admin = await as('admin');
    let v = (await grid(admin)).version;
    const cellAt = offsetM(ON_ROAD, -700, 300);
    const cell = await ask(admin, 'cell:save', { commandId: cid(), baseVersion: v++, cell: { name: '打卡网格', polygon: square(cellAt) } });
    const post = await ask(admin, 'post:save', { commandId: cid(), baseVersion: v++, post: { name: '新岗', cellId: cell.result.area.id, center: cellAt, radiusM: 40 } });
    expect(post.ok, post.error?.message).toBe(true);
    const postId = post.result.area.id as string;
    // An officer with no shift on the roster around now (a shift at another post would refuse the check-in).
    const unitId = hub.db.prepare(`SELECT id FROM units WHERE kind = 'officer' AND id NOT IN
      (SELECT unit_id FROM shifts WHERE starts_at <= ? AND ends_at > ?) ORDER BY id LIMIT 1`).pluck().get(Date.now() + 3_600_000, Date.now() - 3_600_000) as string;
    const gw = await fieldClient(hub.url);
    const checkIn = (at: LngLat) => ask(gw, 'checkin:create', { commandId: cid(), unitId, postId, position: at, fix: { t: Date.now(), accuracy: 8 } });
    const first = await checkIn(offsetM(cellAt, 10, 0));
    expect(first.ok, first.error?.message).toBe(true);
    const recorded = () => (auditPage(hub.db, 0, 100_000).filter((e) => e.action === 'checkin:create' && e.outcome === 'accepted').at(-1)!.payload as { detail: { gridVersion: number } }).detail.gridVersion;
    expect(recorded()).toBe(v);

    // The post moved 60 m east: the old spot is now outside its fence, the new one inside, under the new version.
    const moved = await ask(admin, 'post:save', { commandId: cid(), baseVersion: v++, post: { id: postId, name: '新岗', cellId: cell.result.area.id, center: offsetM(cellAt, 60, 0), radiusM: 40 } });
    expect(moved.ok, moved.error?.message).toBe(true);
    const old = await checkIn(offsetM(cellAt, -10, 0));
    expect(old.error?.code).toBe('outside_fence');
    const second = await checkIn(offsetM(cellAt, 65, 0));
    expect(second.ok, second.error?.message).toBe(true);
    expect(recorded()).toBe(v);
  });
});
