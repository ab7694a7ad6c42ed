// The demo city, generated from the OSM extract: same OSM data and seed → the same city, byte for byte.
import { DemoCity } from '../../../shared/city';
import type { LngLat } from '../../../shared/domain';
import { trimBasemap, type Basemap } from './basemap';
import { expandBBoxM, round6 } from './bbox';
import { holidays2027, SHIFTS, weeklyRoster } from './calendar';
import { placeFixedCameras } from './cameras';
import { DISTRICTS, MAP_BBOX, cellArea, districtArea } from './grid';
import type { OsmData } from './osm';
import { activeCells, placePosts } from './posts';
import { buildDrivableNetwork, walkablePoints, walkableSegments } from './roads';
import { forkRng } from './rng';
import { planRoutes } from './routes';
import { makeCrew, staffPosts } from './units';

export const DEFAULT_SEED = 20270101;
const OFFICERS = 200;
const VEHICLES = 30;
/** The basemap reaches this far beyond the grid, so the map does not stop dead at the edge. */
const BASEMAP_MARGIN_M = 1500;

export interface GeneratedCity {
  city: DemoCity;
  basemap: Basemap;
}

export function generateCity(osm: OsmData, seed: number = DEFAULT_SEED): GeneratedCity {
  const basemap = trimBasemap(osm, expandBBoxM(MAP_BBOX, BASEMAP_MARGIN_M));
  const roads = basemap.roads;

  const cells = activeCells(walkableSegments(roads));
  const districts = DISTRICTS.map(districtArea);
  const cellAreas = cells.map((c) => cellArea(c.cell));
  const walkable = walkablePoints(roads);
  const posts = placePosts(cells, walkable, forkRng(seed, 'posts'));

  const net = buildDrivableNetwork(roads, MAP_BBOX);
  const routes = planRoutes(net, VEHICLES, forkRng(seed, 'routes'));
  const fixed = placeFixedCameras({ net, landuse: basemap.landuse, walkable, area: MAP_BBOX, rng: forkRng(seed, 'cameras') });

  const crewRng = forkRng(seed, 'crew');
  const crew = makeCrew(cellAreas, staffPosts(posts, OFFICERS, crewRng), routes, crewRng);

  const center: LngLat = [round6((MAP_BBOX[0] + MAP_BBOX[2]) / 2), round6((MAP_BBOX[1] + MAP_BBOX[3]) / 2)];
  const city = DemoCity.parse({
    version: 1,
    seed,
    bbox: MAP_BBOX,
    center,
    areas: [...districts, ...cellAreas, ...posts],
    routes,
    cameras: [...fixed, ...crew.cameras],
    units: [...crew.officers, ...crew.vehicles],
    shifts: SHIFTS,
    roster: weeklyRoster(crew.officers, crew.vehicles, routes),
    holidays: holidays2027(),
  });
  return { city, basemap };
}

/** One array element per line: readable diffs when the city is regenerated, and still small. */
export function serializeCity(city: DemoCity): string {
  const parts = Object.entries(city).map(([k, v]) => {
    const body = Array.isArray(v) && typeof v[0] === 'object' && v[0] !== null && !Array.isArray(v[0])
      ? `[\n${v.map((x) => `  ${JSON.stringify(x)}`).join(',\n')}\n]`
      : JSON.stringify(v);
    return `${JSON.stringify(k)}: ${body}`;
  });
  return `{\n${parts.join(',\n')}\n}\n`;
}
