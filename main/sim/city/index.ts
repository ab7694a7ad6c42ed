// The demo city generator: what the hub, the simulator and `npm run city` import.
export { generateCity, serializeCity, DEFAULT_SEED, type GeneratedCity } from './generate';
export { loadUnits } from './load';
export { readOsm, serializeFeatureCollection, BASEMAP_LAYERS, type OsmData } from './osm';
export { mulberry32, forkRng, type Rng } from './rng';
