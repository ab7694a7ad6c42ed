// Where a point is, in words a person says: the nearest named road of the offline basemap
// (resources/basemap/roads.geojson), within STREET_NEAR_M. Each named way is sampled every few metres
// into a kdbush index, so a lookup is one nearest-point query. Loaded once per file, like the road graph.
import fs from 'node:fs';
import KDBush from 'kdbush';
import { around } from 'geokdbush';
import type { LngLat } from '../../shared/domain';
import { distanceM } from '../../shared/geo';
import { FeatureCollection } from '../sim/city/osm';
import { ROADS_FILE } from './dispatch/road-graph';

/** Further than this from every named road, a point is described by its area instead. */
export const STREET_NEAR_M = 150;
const SAMPLE_M = 15;

export type StreetName = { zh: string; en: string };
export type Streets = { nearest(p: LngLat, maxM?: number): StreetName | null };

export function buildStreets(fc: FeatureCollection): Streets {
  const names: StreetName[] = [];
  const at: number[] = [];
  const push = (p: LngLat, n: number) => {
    at.push(n);
    lngs.push(p[0]);
    lats.push(p[1]);
  };
  const lngs: number[] = [];
  const lats: number[] = [];
  for (const f of fc.features) {
    const zh = f.properties.name;
    if (typeof zh !== 'string' || zh === '') continue;
    const en = f.properties['name:en'];
    const lines = f.geometry.type === 'LineString' ? [f.geometry.coordinates] : f.geometry.type === 'MultiLineString' ? f.geometry.coordinates : [];
    if (lines.length === 0) continue;
    const n = names.push({ zh, en: typeof en === 'string' && en !== '' ? en : zh }) - 1;
    for (const line of lines) {
      for (let i = 0; i < line.length; i++) {
        const b = line[i] as LngLat;
        if (i === 0) { push(b, n); continue; }
        const a = line[i - 1] as LngLat;
        const steps = Math.max(1, Math.ceil(distanceM(a, b) / SAMPLE_M));
        for (let k = 1; k <= steps; k++) push([a[0] + ((b[0] - a[0]) * k) / steps, a[1] + ((b[1] - a[1]) * k) / steps], n);
      }
    }
  }
  if (at.length === 0) return { nearest: () => null };
  const index = new KDBush(at.length, 16);
  for (let i = 0; i < at.length; i++) index.add(lngs[i]!, lats[i]!);
  index.finish();
  return {
    nearest(p, maxM = STREET_NEAR_M) {
      const [id] = around(index, p[0], p[1], 1, maxM / 1000);
      return id === undefined ? null : names[at[id]!]!;
    },
  };
}

const loaded = new Map<string, Streets>();

export function loadStreets(file: URL | string = ROADS_FILE): Streets {
  const key = String(file);
  let s = loaded.get(key);
  if (!s) {
    try {
      s = buildStreets(FeatureCollection.parse(JSON.parse(fs.readFileSync(file, 'utf8'))));
    } catch {
      s = { nearest: () => null }; // no basemap: places are named by their area
    }
    loaded.set(key, s);
  }
  return s;
}
