// The demo city's invariants, on the committed resources/city/city.json and on fresh generations:
// what the map, the simulator and the hub rely on (posts in their cells, routes on real streets,
// cameras on the map, every reference resolving), and that the generator is reproducible.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DemoCity, Holiday } from '../../shared/city';
import type { LngLat } from '../../shared/domain';
import { lineLengthM, pointInPolygon } from '../../shared/geo';
import { BASEMAP_LAYERS, DEFAULT_SEED, generateCity, loadUnits, readOsm, serializeCity, serializeFeatureCollection, type GeneratedCity } from '../../main/sim/city';
import { FeatureCollection } from '../../main/sim/city/osm';

const repo = resolve(import.meta.dirname, '../..');
const osmDir = resolve(repo, '../shared/data/nanjing');
const committedText = readFileSync(resolve(repo, 'resources/city/city.json'), 'utf8');
const committed = DemoCity.parse(JSON.parse(committedText));
const roads = FeatureCollection.parse(JSON.parse(readFileSync(resolve(repo, 'resources/basemap/roads.geojson'), 'utf8')));

/** Distance in metres from p to the nearest segment of any road in the basemap (local flat projection). */
const nearestRoadM = (() => {
  const kx = 111_195 * Math.cos((32.03 * Math.PI) / 180);
  const ky = 111_195;
  const cell = 0.002;
  const buckets = new Map<string, [LngLat, LngLat][]>();
  for (const f of roads.features) {
    if (f.geometry.type !== 'LineString') continue;
    const line = f.geometry.coordinates;
    for (let i = 1; i < line.length; i++) {
      const [a, b] = [line[i - 1]!, line[i]!];
      const keys = new Set([a, b].map(([x, y]) => `${Math.floor(x / cell)},${Math.floor(y / cell)}`));
      for (const k of keys) buckets.set(k, [...(buckets.get(k) ?? []), [a, b]]);
    }
  }
  return (p: LngLat): number => {
    let best = Infinity;
    const [cx, cy] = [Math.floor(p[0] / cell), Math.floor(p[1] / cell)];
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        for (const [a, b] of buckets.get(`${cx + dx},${cy + dy}`) ?? []) {
          const [ax, ay, bx, by, px, py] = [a[0] * kx, a[1] * ky, b[0] * kx, b[1] * ky, p[0] * kx, p[1] * ky];
          const len2 = (bx - ax) ** 2 + (by - ay) ** 2;
          const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / len2));
          best = Math.min(best, Math.hypot(px - (ax + t * (bx - ax)), py - (ay + t * (by - ay))));
        }
      }
    }
    return best;
  };
})();

const roadNames = new Set(roads.features.map((f) => String(f.properties.name ?? '').split(';')[0]));
const inBBox = ([x, y]: LngLat, [w, s, e, n]: DemoCity['bbox']) => x >= w && x <= e && y >= s && y <= n;

function checkInvariants(city: DemoCity): void {
  const byId = <T extends { id: string }>(xs: T[]) => new Map(xs.map((x) => [x.id, x]));
  const areas = byId(city.areas);
  const routes = byId(city.routes);
  const cameras = byId(city.cameras);
  const units = byId(city.units);
  const allIds = [...city.areas, ...city.routes, ...city.cameras, ...city.units].map((x) => x.id);
  expect(new Set(allIds).size, 'ids are unique across areas, routes, cameras and units').toBe(allIds.length);

  const districts = city.areas.filter((a) => a.kind === 'district');
  const cells = city.areas.filter((a) => a.kind === 'cell');
  const posts = city.areas.filter((a) => a.kind === 'post');
  expect(districts.length).toBe(4);
  expect(cells.length).toBeGreaterThan(100);
  for (const c of cells) {
    for (const p of c.polygon!.coordinates[0]!) expect(inBBox(p, city.bbox), `${c.id} inside the map`).toBe(true);
    const d = areas.get(c.parentId ?? '');
    expect(d?.kind, `${c.id} belongs to a district`).toBe('district');
    expect(pointInPolygon(c.center, d!.polygon!), `${c.id} inside ${d!.id}`).toBe(true);
  }
  for (const p of posts) {
    const cell = areas.get(p.parentId ?? '');
    expect(cell?.kind, `${p.id} belongs to a cell`).toBe('cell');
    expect(pointInPolygon(p.center, cell!.polygon!), `${p.id} inside ${cell!.id}`).toBe(true);
    expect(p.radiusM).toBeGreaterThanOrEqual(30);
    expect(p.radiusM).toBeLessThanOrEqual(50);
    expect(nearestRoadM(p.center), `${p.id} stands on a street`).toBeLessThan(5);
  }

  expect(city.routes.length).toBe(30);
  for (const r of city.routes) {
    const len = lineLengthM(r.line);
    expect(len, `${r.id} length`).toBeGreaterThanOrEqual(2000);
    expect(len, `${r.id} length`).toBeLessThanOrEqual(6000);
    for (const p of r.line) {
      expect(inBBox(p, city.bbox), `${r.id} stays on the map`).toBe(true);
      expect(nearestRoadM(p), `${r.id} vertex ${p} on a road`).toBeLessThan(3);
    }
    for (const name of r.roads) expect(roadNames.has(name), `${r.id} road ${name} exists`).toBe(true);
    expect(r.modes.length).toBeGreaterThan(0);
  }

  const fixed = city.cameras.filter((c) => c.kind === 'fixed');
  expect(fixed.length).toBe(60);
  expect(fixed.filter((c) => c.key).length).toBe(16);
  for (const c of fixed) {
    expect(inBBox(c.position!, city.bbox), `${c.id} inside the map`).toBe(true);
    expect(c.facing).toBeGreaterThanOrEqual(0);
    expect(c.facing).toBeLessThan(360);
    expect(c.unitId).toBeNull();
  }
  for (const c of city.cameras.filter((x) => x.kind !== 'fixed')) {
    const u = units.get(c.unitId ?? '');
    expect(u?.cameraId, `${c.id} rides with its unit`).toBe(c.id);
    expect(c.kind).toBe(u!.kind === 'officer' ? 'body' : 'vehicle');
    expect(c.position).toBeNull();
  }
  for (const c of city.cameras) expect(c.sources).toEqual([{ kind: 'testsrc', url: `testsrc:${c.id}` }]);

  const officers = city.units.filter((u) => u.kind === 'officer');
  const vehicles = city.units.filter((u) => u.kind === 'vehicle');
  expect(officers.length).toBe(200);
  expect(vehicles.length).toBe(30);
  for (const u of officers) {
    expect(areas.get(u.cellId ?? '')?.kind, `${u.id} cell`).toBe('cell');
    expect(areas.get(u.postId ?? '')?.parentId, `${u.id} post is in its cell`).toBe(u.cellId);
    expect(u.badge).toMatch(/^NJ3201\d\d-\d{4}$/);
    expect(['on_post', 'patrolling']).toContain(u.status);
  }
  expect(new Set(officers.map((u) => u.badge)).size).toBe(officers.length);
  for (const u of vehicles) {
    expect(routes.has(u.routeId ?? ''), `${u.id} route`).toBe(true);
    expect(u.plate).toMatch(/^苏A·C\d{4}$/);
  }
  expect(new Set(vehicles.map((u) => u.plate)).size).toBe(vehicles.length);
  for (const u of city.units) expect(cameras.get(u.cameraId ?? '')?.unitId, `${u.id} camera`).toBe(u.id);
  expect(new Set(posts.map((p) => p.id)).size, 'every post is held').toBe(new Set(officers.map((u) => u.postId)).size);

  expect(city.roster.map((r) => r.unitId).sort()).toEqual(city.units.map((u) => u.id).sort());
}

describe('committed demo city', () => {
  it('holds the invariants', () => checkInvariants(committed));

  it('has a 2027 holiday calendar: seven festivals, make-up workdays only on weekends', () => {
    const hs = committed.holidays.map((h) => Holiday.parse(h));
    expect(new Set(hs.map((h) => h.date)).size).toBe(hs.length);
    for (const h of hs) {
      expect(h.date.startsWith('2027-')).toBe(true);
      expect(new Date(`${h.date}T00:00:00Z`).toISOString().slice(0, 10)).toBe(h.date);
      const weekday = new Date(`${h.date}T00:00:00Z`).getUTCDay();
      if (h.workday) expect([0, 6], `${h.date} make-up day falls on a weekend`).toContain(weekday);
    }
    const festivals = new Set(hs.filter((h) => !h.workday).map((h) => h.name.zh));
    expect([...festivals].sort()).toEqual(['中秋节', '元旦', '劳动节', '国庆节', '春节', '清明节', '端午节'].sort());
    expect(hs.find((h) => h.date === '2027-10-01')?.workday).toBe(false);
  });
});

describe.skipIf(!existsSync(osmDir))('generator', () => {
  let fresh: GeneratedCity;
  let other: GeneratedCity;
  beforeAll(() => {
    const osm = readOsm(osmDir);
    fresh = generateCity(osm, DEFAULT_SEED);
    other = generateCity(osm, 7);
  });

  it('regenerates the committed files byte for byte from the same seed', () => {
    expect(serializeCity(fresh.city)).toBe(committedText);
    for (const layer of BASEMAP_LAYERS) {
      expect(serializeFeatureCollection(fresh.basemap[layer]), layer).toBe(readFileSync(resolve(repo, `resources/basemap/${layer}.geojson`), 'utf8'));
    }
  });

  it('makes a different city from another seed, with the same invariants', () => {
    expect(serializeCity(other.city)).not.toBe(committedText);
    expect(other.city.areas.filter((a) => a.kind === 'post').map((p) => p.center)).not.toEqual(committed.areas.filter((a) => a.kind === 'post').map((p) => p.center));
    checkInvariants(other.city);
  });

  it('keeps city.json small', () => {
    expect(Buffer.byteLength(committedText)).toBeLessThan(2_000_000);
  });
});

describe('loadUnits', () => {
  const posts = new Map(committed.areas.filter((a) => a.kind === 'post').map((p) => [p.id, p]));
  const routeIds = new Set(committed.routes.map((r) => r.id));

  it('makes n deterministic units with unique ids whose posts and routes exist, for any n and seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1500 }), fc.integer(), (n, seed) => {
        const units = loadUnits(committed, n, seed);
        expect(units.length).toBe(n);
        expect(new Set(units.map((u) => u.id)).size).toBe(n);
        units.forEach((u, i) => {
          expect(u.id).toBe(`load-${String(i + 1).padStart(5, '0')}`);
          if (u.kind === 'officer') expect(posts.get(u.postId ?? '')?.parentId).toBe(u.cellId);
          else expect(routeIds.has(u.routeId ?? '')).toBe(true);
        });
        expect(loadUnits(committed, n, seed)).toEqual(units);
        expect(loadUnits(committed, n + 5, seed).slice(0, n)).toEqual(units);
      }),
      { numRuns: 40 },
    );
  });

  it('spreads 20,000 units over every post and every route, apart from the demo ids', () => {
    const units = loadUnits(committed, 20_000, 1);
    expect(new Set(units.filter((u) => u.postId).map((u) => u.postId)).size).toBe(posts.size);
    expect(new Set(units.filter((u) => u.routeId).map((u) => u.routeId)).size).toBe(routeIds.size);
    const demoIds = new Set(committed.units.map((u) => u.id));
    expect(units.some((u) => demoIds.has(u.id))).toBe(false);
    expect(loadUnits(committed, 100, 2)).not.toEqual(loadUnits(committed, 100, 3));
  });

  it('refuses a count that is not a whole number', () => {
    expect(() => loadUnits(committed, -1, 1)).toThrow();
    expect(() => loadUnits(committed, 1.5, 1)).toThrow();
  });
});
