// npm run city [-- --seed N] [--osm DIR] [--out DIR]: regenerate resources/basemap/*.geojson and
// resources/city/city.json from the OpenStreetMap extract. Same seed → byte-identical files.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BASEMAP_LAYERS, DEFAULT_SEED, generateCity, readOsm, serializeCity, serializeFeatureCollection } from '../sim/city';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: String(DEFAULT_SEED) },
    osm: { type: 'string', default: resolve(repo, '../shared/data/nanjing') },
    out: { type: 'string', default: join(repo, 'resources') },
  },
});
const seed = Number(values.seed);
if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);

const { city, basemap } = generateCity(readOsm(values.osm), seed);
mkdirSync(join(values.out, 'basemap'), { recursive: true });
mkdirSync(join(values.out, 'city'), { recursive: true });
for (const layer of BASEMAP_LAYERS) writeFileSync(join(values.out, 'basemap', `${layer}.geojson`), serializeFeatureCollection(basemap[layer]));
writeFileSync(join(values.out, 'city', 'city.json'), serializeCity(city));

const count = (kind: string) => city.areas.filter((a) => a.kind === kind).length;
const cams = (kind: string) => city.cameras.filter((c) => c.kind === kind).length;
console.log(
  `city seed ${seed}: ${count('district')} districts, ${count('cell')} cells, ${count('post')} posts, ${city.routes.length} routes, ` +
    `${cams('fixed')} fixed cameras (${city.cameras.filter((c) => c.key).length} key), ${city.units.filter((u) => u.kind === 'officer').length} officers, ` +
    `${city.units.filter((u) => u.kind === 'vehicle').length} vehicles, ${city.holidays.length} holiday dates → ${values.out}`,
);
