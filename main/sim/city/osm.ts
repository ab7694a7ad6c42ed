// The OpenStreetMap extract the demo city is generated from (GeoJSON, WGS84), read and checked at
// the boundary so a malformed file fails loudly instead of producing a half-empty city.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const Position = z.tuple([z.number(), z.number()]);
export type Position = z.infer<typeof Position>;
const Geometry = z.discriminatedUnion('type', [
  z.object({ type: z.literal('LineString'), coordinates: z.array(Position) }),
  z.object({ type: z.literal('MultiLineString'), coordinates: z.array(z.array(Position)) }),
  z.object({ type: z.literal('Polygon'), coordinates: z.array(z.array(Position)) }),
  z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(z.array(z.array(Position))) }),
]);
export type Geometry = z.infer<typeof Geometry>;
const Feature = z.object({
  type: z.literal('Feature'),
  properties: z.record(z.string(), z.union([z.string(), z.number(), z.null()])),
  geometry: Geometry,
});
export type Feature = z.infer<typeof Feature>;
export const FeatureCollection = z.object({ type: z.literal('FeatureCollection'), features: z.array(Feature) });
export type FeatureCollection = z.infer<typeof FeatureCollection>;

/** The layers the map console draws, in drawing order (bottom first). */
export const BASEMAP_LAYERS = ['landuse', 'water', 'waterways', 'buildings', 'railways', 'roads'] as const;
export type BasemapLayer = (typeof BASEMAP_LAYERS)[number];
export type OsmData = Record<BasemapLayer, FeatureCollection>;

export function readOsm(dir: string): OsmData {
  const out: Partial<OsmData> = {};
  for (const layer of BASEMAP_LAYERS) {
    const file = join(dir, `${layer}.geojson`);
    out[layer] = FeatureCollection.parse(JSON.parse(readFileSync(file, 'utf8')));
  }
  return out as OsmData;
}

/** One feature per line: small diffs when the data is regenerated, still valid GeoJSON. */
export function serializeFeatureCollection(fc: FeatureCollection): string {
  return `{"type":"FeatureCollection","features":[\n${fc.features.map((f) => JSON.stringify(f)).join(',\n')}\n]}\n`;
}

/** Property value as a non-empty string, or null. */
export function prop(f: Feature, key: string): string | null {
  const v = f.properties[key];
  return v === undefined || v === null || v === '' ? null : String(v);
}
