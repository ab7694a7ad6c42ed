// Areas: districts and grid cells coloured by staffing against the active mode's minimum, and posts
// (held or not). Staffing counts officers assigned to the cell who are checked in on their shift (with no
// roster: not off duty) and have a live position.
import type { MapGeoJSONFeature } from 'maplibre-gl';
import { useEffect, useMemo, useState } from 'react';
import type { Area, Unit } from '../../../../shared/domain';
import type { PositionStore } from '../../hub/positions';
import { useScopedIds, type City } from '../city';
import { PICK_RANK, useMap } from '../MapView';
import { freshness } from '../freshness';
import { emptyFc, fc, geojsonSource, removeAll, useVisibility } from '../layer-kit';
import { FONT, LIVE } from '../theme';

const RECOUNT_MS = 5000;

/** Officers checked in (`onDuty`; null: not off duty) with a live position, counted per cell and per post. */
export function staffing(units: ReadonlyMap<string, Unit>, positions: PositionStore, now: number, onDuty: ReadonlySet<string> | null): { cells: Map<string, number>; posts: Map<string, number> } {
  const cells = new Map<string, number>();
  const posts = new Map<string, number>();
  for (const u of units.values()) {
    if (u.kind !== 'officer' || u.status === 'off_duty' || (onDuty && !onDuty.has(u.id))) continue;
    const t = positions.get(u.id);
    if (!t || freshness(t.fix.t, now) !== 'live') continue;
    if (u.cellId) cells.set(u.cellId, (cells.get(u.cellId) ?? 0) + 1);
    if (u.postId && u.status === 'on_post') posts.set(u.postId, (posts.get(u.postId) ?? 0) + 1);
  }
  return { cells, posts };
}

/** Re-render every few seconds: staffing depends on position ages, which change with no event. */
function useRecount(): number {
  const [n, setN] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setN((x) => x + 1), RECOUNT_MS);
    return () => clearInterval(t);
  }, []);
  return n;
}

const AREA_LAYERS = ['cells-fill', 'cells-line', 'districts-line', 'districts-label', 'cells-label', 'posts', 'posts-label'];

/** `known` false: the console cannot see the city now (hub away), so staffing is unknown, not short. */
function cellFeature(a: Area, have: number, need: number, known: boolean): GeoJSON.Feature | null {
  if (!a.polygon) return null;
  const staffed = need === 0 ? 'none' : !known ? 'unknown' : have >= need ? 'ok' : 'short';
  return { type: 'Feature', id: a.id, geometry: a.polygon, properties: { id: a.id, kind: a.kind, name: a.name, staffed, have: known ? String(have) : '?', need } };
}

export function AreasLayer({ city, visible }: { city: City; visible: boolean }) {
  const { map, addPickable } = useMap();
  const n = useScopedIds();
  const { areas, units, known, positions, now, modeAt, profiles } = city;
  const recount = useRecount();
  // Each cell needs the minimum of the mode in force there: an area emergency raises it inside only.
  const needAt = (areaId: string) => profiles[modeAt(areaId)].minStaffPerCell;

  useEffect(() => {
    map.addSource(n('areas'), { type: 'geojson', data: emptyFc() });
    map.addSource(n('posts'), { type: 'geojson', data: emptyFc() });
    // Labels from one point per area: a symbol on the polygon itself is placed once per tile the polygon
    // is cut into, so a cell at zoom 17 carried its name and staffing four times.
    map.addSource(n('area-labels'), { type: 'geojson', data: emptyFc() });
    map.addLayer({
      id: n('cells-fill'), type: 'fill', source: n('areas'), filter: ['==', ['get', 'kind'], 'cell'],
      paint: {
        'fill-color': ['match', ['get', 'staffed'], 'ok', LIVE.cellOk, 'short', LIVE.cellShort, 'unknown', LIVE.unknown, LIVE.cellNone],
        'fill-opacity': ['match', ['get', 'staffed'], 'short', 0.22, 0.1],
      },
    }, 'z-areas');
    map.addLayer({
      id: n('cells-line'), type: 'line', source: n('areas'), filter: ['==', ['get', 'kind'], 'cell'],
      paint: { 'line-color': ['match', ['get', 'staffed'], 'short', LIVE.cellShort, 'unknown', LIVE.unknown, '#4c6a8a'], 'line-width': 1, 'line-opacity': 0.7 },
    }, 'z-areas');
    map.addLayer({
      id: n('districts-line'), type: 'line', source: n('areas'), filter: ['==', ['get', 'kind'], 'district'],
      // A district in emergency is outlined in the emergency amber (red stays for SOS alone).
      paint: {
        'line-color': ['match', ['get', 'emergency'], 'yes', LIVE.emergency, '#8fb3d9'],
        'line-width': ['match', ['get', 'emergency'], 'yes', 5, 2.5], 'line-opacity': 0.9, 'line-dasharray': [4, 2],
      },
    }, 'z-areas');
    map.addLayer({
      id: n('districts-label'), type: 'symbol', source: n('area-labels'), filter: ['==', ['get', 'kind'], 'district'], maxzoom: 14,
      layout: { 'text-field': ['get', 'name'], 'text-font': FONT, 'text-size': 20 },
      paint: { 'text-color': '#bcd3ec', 'text-halo-color': '#0b0f16', 'text-halo-width': 2 },
    }, 'z-areas');
    map.addLayer({
      id: n('cells-label'), type: 'symbol', source: n('area-labels'), filter: ['==', ['get', 'kind'], 'cell'], minzoom: 14.5,
      layout: { 'text-field': ['concat', ['get', 'name'], '\n', ['get', 'have'], '/', ['to-string', ['get', 'need']]], 'text-font': FONT, 'text-size': 13 },
      paint: { 'text-color': ['match', ['get', 'staffed'], 'short', '#ffb37a', '#9fb6cc'], 'text-halo-color': '#0b0f16', 'text-halo-width': 1.5 },
    }, 'z-areas');
    map.addLayer({
      id: n('posts'), type: 'circle', source: n('posts'),
      paint: {
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 12, 3, 16, 8],
        'circle-color': 'rgba(0,0,0,0)',
        'circle-stroke-color': ['match', ['get', 'held'], 'yes', LIVE.ok, 'no', LIVE.cellShort, LIVE.unknown],
        'circle-stroke-width': 2,
      },
    }, 'z-areas');
    map.addLayer({
      id: n('posts-label'), type: 'symbol', source: n('posts'), minzoom: 16,
      // Above the post when free, else below or beside it: an officer standing on the post has a name and
      // an attendance badge above it, and a fixed offset left the post's own name hidden behind them.
      layout: {
        'text-field': ['get', 'name'], 'text-font': FONT, 'text-size': 12, 'text-optional': true,
        'text-variable-anchor': ['bottom', 'top', 'right', 'left'], 'text-radial-offset': 1.1,
      },
      paint: { 'text-color': '#9fb6cc', 'text-halo-color': '#0b0f16', 'text-halo-width': 1.5 },
    }, 'z-areas');
    const area = (f: MapGeoJSONFeature) => ({ kind: 'area' as const, id: String(f.properties.id) });
    const offPosts = addPickable({ layerIds: [n('posts')], rank: PICK_RANK.post, pick: area });
    const offCells = addPickable({ layerIds: [n('cells-fill')], rank: PICK_RANK.cell, pick: area });
    const off = () => {
      offPosts();
      offCells();
    };
    return () => {
      off();
      removeAll(map, AREA_LAYERS.map(n), [n('areas'), n('posts'), n('area-labels')]);
    };
  }, [map, addPickable, n]);

  // `recount` is a dependency on purpose: staffing changes as positions age.
  const counts = useMemo(() => staffing(units, positions, now(), city.onDuty), [units, positions, now, recount, city.onDuty]);

  useEffect(() => {
    const polys: GeoJSON.Feature[] = [];
    const labels: GeoJSON.Feature[] = [];
    const posts: GeoJSON.Feature[] = [];
    for (const a of areas.values()) {
      if (a.kind === 'post') {
        posts.push({ type: 'Feature', id: a.id, geometry: { type: 'Point', coordinates: a.center }, properties: { id: a.id, name: a.name, held: !known ? 'unknown' : (counts.posts.get(a.id) ?? 0) > 0 ? 'yes' : 'no' } });
      } else {
        const f = cellFeature(a, counts.cells.get(a.id) ?? 0, a.kind === 'cell' ? needAt(a.id) : 0, known);
        if (f) {
          f.properties!.emergency = modeAt(a.id) === 'emergency' ? 'yes' : 'no';
          polys.push(f);
          labels.push({ type: 'Feature', id: a.id, geometry: { type: 'Point', coordinates: a.center }, properties: f.properties });
        }
      }
    }
    void geojsonSource(map, n('areas'))?.setData(fc(polys));
    void geojsonSource(map, n('posts'))?.setData(fc(posts));
    void geojsonSource(map, n('area-labels'))?.setData(fc(labels));
  }, [map, n, areas, counts, modeAt, profiles, known]);

  useVisibility(map, useMemo(() => AREA_LAYERS.map(n), [n]), visible);
  return null;
}
