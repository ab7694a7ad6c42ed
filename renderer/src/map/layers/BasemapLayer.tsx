// The offline basemap: OpenStreetMap GeoJSON bundled with the app (resources/basemap), no tile server.
// The worker fetches and parses the files from our own origin, off the main thread.
import type { AddLayerObject, AllPaintProperties, ExpressionSpecification, Map as MlMap } from 'maplibre-gl';
import { useEffect } from 'react';
import buildingsUrl from '@basemap/buildings.geojson?url';
import landuseUrl from '@basemap/landuse.geojson?url';
import railwaysUrl from '@basemap/railways.geojson?url';
import roadsUrl from '@basemap/roads.geojson?url';
import waterUrl from '@basemap/water.geojson?url';
import waterwaysUrl from '@basemap/waterways.geojson?url';
import { useMap } from '../MapView';
import { removeAll } from '../layer-kit';
import { BASEMAP, FONT, type MapTheme } from '../theme';

const OSM = '© OpenStreetMap contributors';
const FILES = { water: waterUrl, landuse: landuseUrl, buildings: buildingsUrl, roads: roadsUrl, waterways: waterwaysUrl, railways: railwaysUrl };
const SOURCES = Object.keys(FILES).map((k) => `bm-${k}`);

const MAJOR = ['motorway', 'trunk', 'primary', 'secondary', 'motorway_link', 'trunk_link', 'primary_link'];
const isMajor = ['in', ['get', 'highway'], ['literal', MAJOR]];
const PARKS = ['park', 'forest', 'grass', 'wood', 'garden', 'recreation_ground', 'cemetery', 'meadow', 'scrub'];

function labelField(lang: string): ExpressionSpecification {
  return lang.startsWith('zh') ? ['get', 'name'] : ['coalesce', ['get', 'name:en'], ['get', 'name']];
}

function layers(lang: string): AddLayerObject[] {
  const p = BASEMAP.dark;
  const name = labelField(lang);
  return [
    { id: 'bm-landuse', type: 'fill', source: 'bm-landuse', filter: ['!', ['in', ['get', 'kind'], ['literal', PARKS]]], paint: { 'fill-color': p.landuse } },
    { id: 'bm-park', type: 'fill', source: 'bm-landuse', filter: ['in', ['get', 'kind'], ['literal', PARKS]], paint: { 'fill-color': p.park } },
    { id: 'bm-water', type: 'fill', source: 'bm-water', paint: { 'fill-color': p.water } },
    { id: 'bm-waterways', type: 'line', source: 'bm-waterways', paint: { 'line-color': p.water, 'line-width': ['interpolate', ['linear'], ['zoom'], 12, 1.5, 17, 6] } },
    { id: 'bm-buildings', type: 'fill', source: 'bm-buildings', minzoom: 14, paint: { 'fill-color': p.building, 'fill-opacity': 0.9 } },
    { id: 'bm-rail', type: 'line', source: 'bm-railways', paint: { 'line-color': p.rail, 'line-width': 1.5, 'line-dasharray': [3, 2] } },
    {
      id: 'bm-road-minor', type: 'line', source: 'bm-roads', filter: ['!', isMajor],
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': p.roadMinor, 'line-width': ['interpolate', ['linear'], ['zoom'], 12, 0.8, 16, 4, 18, 10] },
    },
    {
      id: 'bm-road-major', type: 'line', source: 'bm-roads', filter: isMajor,
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': p.roadMajor, 'line-width': ['interpolate', ['linear'], ['zoom'], 11, 1.2, 15, 5, 18, 16] },
    },
    {
      id: 'bm-water-label', type: 'symbol', source: 'bm-water', minzoom: 12.5, filter: ['has', 'name'],
      layout: { 'text-field': name, 'text-font': FONT, 'text-size': 15 },
      paint: { 'text-color': p.waterLabel, 'text-halo-color': p.labelHalo, 'text-halo-width': 1.5 },
    },
    {
      id: 'bm-road-label', type: 'symbol', source: 'bm-roads', minzoom: 13.5, filter: ['has', 'name'],
      layout: { 'symbol-placement': 'line', 'text-field': name, 'text-font': FONT, 'text-size': ['interpolate', ['linear'], ['zoom'], 14, 13, 17, 17], 'text-max-angle': 35 },
      paint: { 'text-color': p.label, 'text-halo-color': p.labelHalo, 'text-halo-width': 1.5 },
    },
  ] as AddLayerObject[];
}
const LAYER_IDS = layers('zh').map((l) => l.id);

function applyTheme(map: MlMap, theme: MapTheme): void {
  const p = BASEMAP[theme];
  const paint: [string, keyof AllPaintProperties, string][] = [
    ['background', 'background-color', p.background],
    ['bm-landuse', 'fill-color', p.landuse], ['bm-park', 'fill-color', p.park], ['bm-water', 'fill-color', p.water],
    ['bm-waterways', 'line-color', p.water], ['bm-buildings', 'fill-color', p.building], ['bm-rail', 'line-color', p.rail],
    ['bm-road-minor', 'line-color', p.roadMinor], ['bm-road-major', 'line-color', p.roadMajor],
    ['bm-water-label', 'text-color', p.waterLabel], ['bm-water-label', 'text-halo-color', p.labelHalo],
    ['bm-road-label', 'text-color', p.label], ['bm-road-label', 'text-halo-color', p.labelHalo],
  ];
  for (const [layer, prop, value] of paint) if (map.getLayer(layer)) map.setPaintProperty(layer, prop, value);
}

export function BasemapLayer({ theme, lang }: { theme: MapTheme; lang: string }) {
  const { map } = useMap();

  useEffect(() => {
    for (const [k, url] of Object.entries(FILES)) {
      map.addSource(`bm-${k}`, { type: 'geojson', data: new URL(url, location.href).href, attribution: OSM, tolerance: 0.5 });
    }
    for (const l of layers('zh')) map.addLayer(l, 'z-basemap');
    return () => removeAll(map, LAYER_IDS, SOURCES);
  }, [map]);

  useEffect(() => {
    applyTheme(map, theme);
    for (const id of ['bm-road-label', 'bm-water-label']) if (map.getLayer(id)) map.setLayoutProperty(id, 'text-field', labelField(lang));
  }, [map, theme, lang]);

  return null;
}
