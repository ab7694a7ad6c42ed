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
import { FeatureCollection, prop } from '../../main/sim/city/osm';
import { streetName } from '../../main/sim/city/roads';

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

const roadNames = new Set(roads.features.map((f) => streetName(prop(f, 'name'))));
const inBBox = ([x, y]: LngLat, [w, s, e, n]: DemoCity['bbox']) => x >= w && x <= e && y >= s && y <= n;

/** Every broken invariant as a readable line; an empty list means the city is sound. */
function violations(city: DemoCity): string[] {
  const bad: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) bad.push(what);
  };
  const byId = <T extends { id: string }>(xs: T[]) => new Map(xs.map((x) => [x.id, x]));
  const areas = byId(city.areas);
  const routes = byId(city.routes);
  const cameras = byId(city.cameras);
  const units = byId(city.units);
  const allIds = [...city.areas, ...city.routes, ...city.cameras, ...city.units].map((x) => x.id);
  check(new Set(allIds).size === allIds.length, 'ids are unique across areas, routes, cameras and units');

  const districts = city.areas.filter((a) => a.kind === 'district');
  const cells = city.areas.filter((a) => a.kind === 'cell');
  const posts = city.areas.filter((a) => a.kind === 'post');
  check(districts.length === 4, `4 districts, not ${districts.length}`);
  check(cells.length > 100, `a grid of over 100 cells, not ${cells.length}`);
  for (const c of cells) {
    check(c.polygon!.coordinates[0]!.every((p) => inBBox(p, city.bbox)), `${c.id} inside the map`);
    const d = areas.get(c.parentId ?? '');
    check(d?.kind === 'district' && pointInPolygon(c.center, d.polygon!), `${c.id} inside its district`);
  }
  for (const p of posts) {
    const cell = areas.get(p.parentId ?? '');
    check(cell?.kind === 'cell' && pointInPolygon(p.center, cell.polygon!), `${p.id} inside its cell ${p.parentId}`);
    check(p.radiusM !== null && p.radiusM >= 30 && p.radiusM <= 50, `${p.id} radius 30–50 m`);
    check(nearestRoadM(p.center) < 5, `${p.id} stands on a street`);
    check(roadNames.has(p.name.replace(/岗-\d+$/, '')), `${p.name} is named after a street`);
  }
  check(new Set(posts.map((p) => p.name)).size === posts.length, 'post names are unique');

  check(city.routes.length === 30, `30 routes, not ${city.routes.length}`);
  for (const r of city.routes) {
    const len = lineLengthM(r.line);
    check(len >= 2000 && len <= 6000, `${r.id} is 2–6 km, not ${Math.round(len)} m`);
    for (const p of r.line) {
      check(inBBox(p, city.bbox), `${r.id} vertex ${p} on the map`);
      check(nearestRoadM(p) < 3, `${r.id} vertex ${p} on a road`);
    }
    for (const name of r.roads) check(roadNames.has(name), `${r.id} road ${name} exists`);
    check(r.modes.length > 0, `${r.id} runs in some mode`);
  }

  const fixed = city.cameras.filter((c) => c.kind === 'fixed');
  check(fixed.length === 60, `60 fixed cameras, not ${fixed.length}`);
  check(fixed.filter((c) => c.key).length === 16, '16 key cameras');
  check(new Set(fixed.map((c) => c.name)).size === fixed.length, 'fixed camera names are unique');
  for (const c of fixed) {
    check(c.position !== null && inBBox(c.position, city.bbox), `${c.id} inside the map`);
    check(c.facing !== null && c.facing >= 0 && c.facing < 360, `${c.id} facing in [0, 360)`);
    check(c.unitId === null, `${c.id} rides with no unit`);
  }
  for (const c of city.cameras.filter((x) => x.kind !== 'fixed')) {
    const u = units.get(c.unitId ?? '');
    check(u?.cameraId === c.id && c.kind === (u.kind === 'officer' ? 'body' : 'vehicle') && c.position === null, `${c.id} rides with its unit`);
  }
  for (const c of city.cameras) check(c.sources.length === 1 && c.sources[0]!.kind === 'testsrc' && c.sources[0]!.url === `testsrc:${c.id}`, `${c.id} test source`);

  const officers = city.units.filter((u) => u.kind === 'officer');
  const vehicles = city.units.filter((u) => u.kind === 'vehicle');
  check(officers.length === 200, `200 officers, not ${officers.length}`);
  check(vehicles.length === 30, `30 vehicles, not ${vehicles.length}`);
  for (const u of officers) {
    check(areas.get(u.cellId ?? '')?.kind === 'cell', `${u.id} has a cell`);
    check(areas.get(u.postId ?? '')?.parentId === u.cellId, `${u.id} post is in its cell`);
    check(/^NJ3201\d\d-\d{4}$/.test(u.badge ?? ''), `${u.id} badge ${u.badge}`);
    check(u.status === 'on_post' || u.status === 'patrolling', `${u.id} on duty`);
  }
  check(new Set(officers.map((u) => u.badge)).size === officers.length, 'badges are unique');
  for (const u of vehicles) {
    check(routes.has(u.routeId ?? ''), `${u.id} has a route`);
    check(/^苏A·C\d{4}$/.test(u.plate ?? ''), `${u.id} plate ${u.plate}`);
  }
  check(new Set(vehicles.map((u) => u.plate)).size === vehicles.length, 'plates are unique');
  for (const u of city.units) check(cameras.get(u.cameraId ?? '')?.unitId === u.id, `${u.id} camera`);
  check(new Set(officers.map((u) => u.postId)).size === posts.length, 'every post is held');

  const rostered = city.roster.map((r) => r.unitId).sort();
  check(JSON.stringify(rostered) === JSON.stringify(city.units.map((u) => u.id).sort()), 'every unit is on the roster once');
  return bad;
}

describe('committed demo city', () => {
  it('holds the invariants', () => expect(violations(committed)).toEqual([]));

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

  it('never asks for more than six working days in a row (the 2024 holiday rules)', () => {
    const listed = new Map(committed.holidays.map((h) => [h.date, h.workday]));
    let run = 0;
    let longest = 0;
    for (let t = Date.UTC(2027, 0, 1); t < Date.UTC(2028, 0, 1); t += 86_400_000) {
      const day = new Date(t);
      const working = listed.get(day.toISOString().slice(0, 10)) ?? (day.getUTCDay() !== 0 && day.getUTCDay() !== 6);
      run = working ? run + 1 : 0;
      longest = Math.max(longest, run);
    }
    expect(longest).toBeLessThanOrEqual(6);
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
    expect(violations(other.city)).toEqual([]);
  });

  it('holds the invariants for any seed', () => {
    const osm = readOsm(osmDir);
    fc.assert(fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (seed) => {
      expect(violations(generateCity(osm, seed).city)).toEqual([]);
    }), { numRuns: 3 });
  }, 120_000);

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
