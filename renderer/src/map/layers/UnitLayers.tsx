// Live units: officers (the "areas" group: they hold posts and cells) and patrol vehicles with heading
// and a short trail (the "lines" group). Positions reach the sources only through the position store's
// bounded-rate flush, as diffs.
import type { Map as MlMap } from 'maplibre-gl';
import { useEffect, useMemo, useRef } from 'react';
import type { Unit } from '../../../../shared/domain';
import { useScopedIds, type City } from '../city';
import { PICK_RANK, useMap } from '../MapView';
import { FONT } from './BasemapLayer';
import { ensureIcons } from '../icons';
import { emptyFc, geojsonSource, removeAll, useVisibility } from '../layer-kit';
import { LIVE, unitColor } from '../theme';
import { UnitFeed } from '../unit-feed';

/** How often ages and stale/offline classes are re-evaluated when no new fix arrives. */
const SWEEP_MS = 5000;

/** Keep one source fed from the position store, unit status changes and a periodic staleness sweep. */
function useUnitFeed(map: MlMap, city: City, sourceId: string, feed: UnitFeed): void {
  const { units, positions, now } = city;
  const unitsRef = useRef(units);
  const seen = useRef<ReadonlyMap<string, Unit>>(new Map());

  useEffect(() => {
    const push = (ids: Iterable<string>) => {
      const diff = feed.diff(ids, unitsRef.current, positions.all(), now());
      if (diff) void geojsonSource(map, sourceId)?.updateData(diff);
    };
    const unsubscribe = positions.subscribe((f) => push(f.changed));
    const sweep = setInterval(() => push(positions.all().keys()), SWEEP_MS);
    return () => {
      unsubscribe();
      clearInterval(sweep);
    };
  }, [map, sourceId, feed, positions, now]);

  useEffect(() => {
    unitsRef.current = units;
    const changed = [...units.values()].filter((u) => seen.current.get(u.id) !== u).map((u) => u.id);
    const gone = [...seen.current.keys()].filter((id) => !units.has(id));
    seen.current = units;
    const diff = feed.diff([...changed, ...gone], units, positions.all(), now());
    if (diff) void geojsonSource(map, sourceId)?.updateData(diff);
  }, [map, sourceId, feed, units, positions, now]);
}

const OFFICER_LAYERS = ['officers-sos', 'officers', 'officers-label'];

export function OfficersLayer({ city, visible }: { city: City; visible: boolean }) {
  const { map, addPickable } = useMap();
  const n = useScopedIds();
  const feed = useRef(new UnitFeed('officer')).current;

  useEffect(() => {
    map.addSource(n('officers'), { type: 'geojson', data: emptyFc() });
    feed.reset();
    map.addLayer({
      id: n('officers-sos'), type: 'circle', source: n('officers'), filter: ['==', ['get', 'cls'], 'sos'],
      paint: { 'circle-radius': 22, 'circle-color': LIVE.sos, 'circle-opacity': 0.35, 'circle-stroke-color': LIVE.sos, 'circle-stroke-width': 3 },
    }, 'z-points');
    map.addLayer({
      id: n('officers'), type: 'circle', source: n('officers'), filter: ['!=', ['get', 'cls'], 'off_duty'],
      paint: {
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 11, 3.5, 15, 7, 18, 11],
        'circle-color': unitColor,
        'circle-opacity': ['match', ['get', 'cls'], ['stale', 'offline'], 0.35, 1],
        'circle-stroke-color': ['match', ['get', 'cls'], ['stale', 'offline'], unitColor, '#0b0f16'],
        'circle-stroke-width': ['match', ['get', 'cls'], ['stale', 'offline'], 2, 1],
      },
    }, 'z-points');
    map.addLayer({
      id: n('officers-label'), type: 'symbol', source: n('officers'), minzoom: 15.5, filter: ['!=', ['get', 'cls'], 'off_duty'],
      layout: {
        'text-field': ['case', ['==', ['get', 'ago'], ''], ['get', 'name'], ['concat', ['get', 'name'], ' · ', ['get', 'ago']]],
        'text-font': FONT, 'text-size': 14, 'text-offset': [0, 1.3], 'text-anchor': 'top', 'text-optional': true,
      },
      paint: { 'text-color': '#e6edf5', 'text-halo-color': '#0b0f16', 'text-halo-width': 1.5 },
    }, 'z-points');
    const off = addPickable({ layerIds: [n('officers'), n('officers-sos')], rank: PICK_RANK.unit, pick: (f) => ({ kind: 'unit', id: String(f.properties.id) }) });
    return () => {
      off();
      removeAll(map, OFFICER_LAYERS.map(n), [n('officers')]);
    };
  }, [map, addPickable, n, feed]);

  useUnitFeed(map, city, n('officers'), feed);
  useVisibility(map, useMemo(() => OFFICER_LAYERS.map(n), [n]), visible);
  return null;
}

const VEHICLE_LAYERS = ['vehicle-trails', 'vehicles', 'vehicles-label'];

export function VehiclesLayer({ city, visible }: { city: City; visible: boolean }) {
  const { map, addPickable } = useMap();
  const n = useScopedIds();
  const points = useRef(new UnitFeed('vehicle')).current;
  const trails = useRef(new UnitFeed('vehicle', true)).current;

  useEffect(() => {
    ensureIcons(map);
    map.addSource(n('vehicles'), { type: 'geojson', data: emptyFc() });
    map.addSource(n('vehicle-trails'), { type: 'geojson', data: emptyFc() });
    points.reset();
    trails.reset();
    map.addLayer({
      id: n('vehicle-trails'), type: 'line', source: n('vehicle-trails'),
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': unitColor, 'line-width': 3, 'line-opacity': 0.55 },
    }, 'z-points');
    map.addLayer({
      id: n('vehicles'), type: 'symbol', source: n('vehicles'),
      layout: {
        'icon-image': 'icon-arrow', 'icon-rotate': ['get', 'heading'], 'icon-rotation-alignment': 'map',
        'icon-size': ['interpolate', ['linear'], ['zoom'], 11, 0.7, 16, 1.2], 'icon-allow-overlap': true, 'icon-ignore-placement': true,
      },
      paint: { 'icon-color': unitColor, 'icon-halo-color': '#0b0f16', 'icon-halo-width': 1.5 },
    }, 'z-points');
    map.addLayer({
      id: n('vehicles-label'), type: 'symbol', source: n('vehicles'), minzoom: 14,
      layout: {
        'text-field': ['case', ['==', ['get', 'ago'], ''], ['get', 'name'], ['concat', ['get', 'name'], ' · ', ['get', 'ago']]],
        'text-font': FONT, 'text-size': 14, 'text-offset': [0, 1.4], 'text-anchor': 'top', 'text-optional': true,
      },
      paint: { 'text-color': '#cfe3ff', 'text-halo-color': '#0b0f16', 'text-halo-width': 1.5 },
    }, 'z-points');
    const off = addPickable({ layerIds: [n('vehicles')], rank: PICK_RANK.unit, pick: (f) => ({ kind: 'unit', id: String(f.properties.id) }) });
    return () => {
      off();
      removeAll(map, VEHICLE_LAYERS.map(n), [n('vehicles'), n('vehicle-trails')]);
    };
  }, [map, addPickable, n, points, trails]);

  useUnitFeed(map, city, n('vehicles'), points);
  useUnitFeed(map, city, n('vehicle-trails'), trails);
  useVisibility(map, useMemo(() => VEHICLE_LAYERS.map(n), [n]), visible);
  return null;
}
