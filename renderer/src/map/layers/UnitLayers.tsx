// Live units: officers (the "areas" group: they hold posts and cells) and patrol vehicles with heading
// and a short trail (the "lines" group). Positions reach the sources only through the position store's
// bounded-rate flush, as diffs.
import type { Map as MlMap } from 'maplibre-gl';
import { useEffect, useRef } from 'react';
import type { Unit } from '../../../../shared/domain';
import { hub, useHub } from '../../hub';
import { PICK_RANK, useMap } from '../MapView';
import { FONT } from './BasemapLayer';
import { ensureIcons } from '../icons';
import { emptyFc, geojsonSource, removeAll, useVisibility } from '../layer-kit';
import { LIVE, unitColor } from '../theme';
import { UnitFeed } from '../unit-feed';

/** How often ages and stale/offline classes are re-evaluated when no new fix arrives. */
const SWEEP_MS = 5000;

/** Keep one source fed from the position store, unit status changes and a periodic staleness sweep. */
function useUnitFeed(map: MlMap, sourceId: string, feed: UnitFeed): void {
  const units = useHub((s) => s.units);
  const unitsRef = useRef(units);
  const seen = useRef<ReadonlyMap<string, Unit>>(new Map());

  useEffect(() => {
    const push = (ids: Iterable<string>) => {
      const diff = feed.diff(ids, unitsRef.current, hub.positions.all(), hub.hubNow());
      if (diff) void geojsonSource(map, sourceId)?.updateData(diff);
    };
    const unsubscribe = hub.positions.subscribe((f) => push(f.changed));
    const sweep = setInterval(() => push(hub.positions.all().keys()), SWEEP_MS);
    return () => {
      unsubscribe();
      clearInterval(sweep);
    };
  }, [map, sourceId, feed]);

  useEffect(() => {
    unitsRef.current = units;
    const changed = [...units.values()].filter((u) => seen.current.get(u.id) !== u).map((u) => u.id);
    const gone = [...seen.current.keys()].filter((id) => !units.has(id));
    seen.current = units;
    const diff = feed.diff([...changed, ...gone], units, hub.positions.all(), hub.hubNow());
    if (diff) void geojsonSource(map, sourceId)?.updateData(diff);
  }, [map, sourceId, feed, units]);
}

const OFFICER_LAYERS = ['officers-sos', 'officers', 'officers-label'];

export function OfficersLayer({ visible }: { visible: boolean }) {
  const { map, addPickable } = useMap();
  const feed = useRef(new UnitFeed('officer')).current;

  useEffect(() => {
    map.addSource('officers', { type: 'geojson', data: emptyFc() });
    feed.reset();
    map.addLayer({
      id: 'officers-sos', type: 'circle', source: 'officers', filter: ['==', ['get', 'cls'], 'sos'],
      paint: { 'circle-radius': 22, 'circle-color': LIVE.sos, 'circle-opacity': 0.35, 'circle-stroke-color': LIVE.sos, 'circle-stroke-width': 3 },
    }, 'z-points');
    map.addLayer({
      id: 'officers', type: 'circle', source: 'officers', filter: ['!=', ['get', 'cls'], 'off_duty'],
      paint: {
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 11, 3.5, 15, 7, 18, 11],
        'circle-color': unitColor,
        'circle-opacity': ['match', ['get', 'cls'], ['stale', 'offline'], 0.35, 1],
        'circle-stroke-color': ['match', ['get', 'cls'], ['stale', 'offline'], unitColor, '#0b0f16'],
        'circle-stroke-width': ['match', ['get', 'cls'], ['stale', 'offline'], 2, 1],
      },
    }, 'z-points');
    map.addLayer({
      id: 'officers-label', type: 'symbol', source: 'officers', minzoom: 15.5, filter: ['!=', ['get', 'cls'], 'off_duty'],
      layout: {
        'text-field': ['case', ['==', ['get', 'ago'], ''], ['get', 'name'], ['concat', ['get', 'name'], ' · ', ['get', 'ago']]],
        'text-font': FONT, 'text-size': 14, 'text-offset': [0, 1.3], 'text-anchor': 'top', 'text-optional': true,
      },
      paint: { 'text-color': '#e6edf5', 'text-halo-color': '#0b0f16', 'text-halo-width': 1.5 },
    }, 'z-points');
    const off = addPickable({ layerIds: ['officers', 'officers-sos'], rank: PICK_RANK.unit, pick: (f) => ({ kind: 'unit', id: String(f.properties.id) }) });
    return () => {
      off();
      removeAll(map, OFFICER_LAYERS, ['officers']);
    };
  }, [map, addPickable, feed]);

  useUnitFeed(map, 'officers', feed);
  useVisibility(map, OFFICER_LAYERS, visible);
  return null;
}

const VEHICLE_LAYERS = ['vehicle-trails', 'vehicles', 'vehicles-label'];

export function VehiclesLayer({ visible }: { visible: boolean }) {
  const { map, addPickable } = useMap();
  const points = useRef(new UnitFeed('vehicle')).current;
  const trails = useRef(new UnitFeed('vehicle', true)).current;

  useEffect(() => {
    ensureIcons(map);
    map.addSource('vehicles', { type: 'geojson', data: emptyFc() });
    map.addSource('vehicle-trails', { type: 'geojson', data: emptyFc() });
    points.reset();
    trails.reset();
    map.addLayer({
      id: 'vehicle-trails', type: 'line', source: 'vehicle-trails',
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': unitColor, 'line-width': 3, 'line-opacity': 0.55 },
    }, 'z-points');
    map.addLayer({
      id: 'vehicles', type: 'symbol', source: 'vehicles',
      layout: {
        'icon-image': 'icon-arrow', 'icon-rotate': ['get', 'heading'], 'icon-rotation-alignment': 'map',
        'icon-size': ['interpolate', ['linear'], ['zoom'], 11, 0.7, 16, 1.2], 'icon-allow-overlap': true, 'icon-ignore-placement': true,
      },
      paint: { 'icon-color': unitColor, 'icon-halo-color': '#0b0f16', 'icon-halo-width': 1.5 },
    }, 'z-points');
    map.addLayer({
      id: 'vehicles-label', type: 'symbol', source: 'vehicles', minzoom: 14,
      layout: {
        'text-field': ['case', ['==', ['get', 'ago'], ''], ['get', 'name'], ['concat', ['get', 'name'], ' · ', ['get', 'ago']]],
        'text-font': FONT, 'text-size': 14, 'text-offset': [0, 1.4], 'text-anchor': 'top', 'text-optional': true,
      },
      paint: { 'text-color': '#cfe3ff', 'text-halo-color': '#0b0f16', 'text-halo-width': 1.5 },
    }, 'z-points');
    const off = addPickable({ layerIds: ['vehicles'], rank: PICK_RANK.unit, pick: (f) => ({ kind: 'unit', id: String(f.properties.id) }) });
    return () => {
      off();
      removeAll(map, VEHICLE_LAYERS, ['vehicles', 'vehicle-trails']);
    };
  }, [map, addPickable, points, trails]);

  useUnitFeed(map, 'vehicles', points);
  useUnitFeed(map, 'vehicle-trails', trails);
  useVisibility(map, VEHICLE_LAYERS, visible);
  return null;
}
