// Lines: patrol routes. Routes that run in the active mode are bright; the others are dim and dashed.
import { useEffect, useMemo } from 'react';
import { useScopedIds, type City } from '../city';
import { PICK_RANK, useMap } from '../MapView';
import { emptyFc, fc, geojsonSource, removeAll, useVisibility } from '../layer-kit';
import { FONT, LIVE } from '../theme';

const LAYERS = ['routes-inactive', 'routes', 'routes-label'];

export function RoutesLayer({ city, visible }: { city: City; visible: boolean }) {
  const { map, addPickable } = useMap();
  const n = useScopedIds();
  const { routes, mode } = city;

  useEffect(() => {
    map.addSource(n('routes'), { type: 'geojson', data: emptyFc() });
    map.addLayer({
      id: n('routes-inactive'), type: 'line', source: n('routes'), filter: ['!', ['get', 'active']],
      paint: { 'line-color': LIVE.routeInactive, 'line-width': 2, 'line-dasharray': [2, 2] },
    }, 'z-lines');
    map.addLayer({
      id: n('routes'), type: 'line', source: n('routes'), filter: ['get', 'active'],
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': LIVE.route, 'line-width': ['interpolate', ['linear'], ['zoom'], 11, 2, 16, 5], 'line-opacity': 0.7 },
    }, 'z-lines');
    map.addLayer({
      id: n('routes-label'), type: 'symbol', source: n('routes'), minzoom: 13, filter: ['get', 'active'],
      layout: { 'symbol-placement': 'line', 'text-field': ['get', 'name'], 'text-font': FONT, 'text-size': 13, 'symbol-spacing': 400 },
      paint: { 'text-color': '#9cc9ff', 'text-halo-color': '#0b0f16', 'text-halo-width': 1.5 },
    }, 'z-lines');
    const off = addPickable({ layerIds: [n('routes'), n('routes-inactive')], rank: PICK_RANK.route, pick: (f) => ({ kind: 'route', id: String(f.properties.id) }) });
    return () => {
      off();
      removeAll(map, LAYERS.map(n), [n('routes')]);
    };
  }, [map, addPickable, n]);

  useEffect(() => {
    const features: GeoJSON.Feature[] = [...routes.values()].map((r) => ({
      type: 'Feature', id: r.id,
      geometry: { type: 'LineString', coordinates: r.line },
      properties: { id: r.id, name: r.name, active: r.modes.includes(mode) },
    }));
    void geojsonSource(map, n('routes'))?.setData(fc(features));
  }, [map, n, routes, mode]);

  useVisibility(map, useMemo(() => LAYERS.map(n), [n]), visible);
  return null;
}
