// The live units' sources and layers as the console adds them (layers/UnitLayers.tsx), as plain functions
// with no React, so the map bench (tests/bench/map-frames.ts) draws the very same layers the console does.
import type { AddLayerObject, ExpressionSpecification, FilterSpecification, Map as MlMap } from 'maplibre-gl';
import type { AttendanceMark } from '../state/attendance';
import { ensureIcons } from './icons';
import { emptyFc } from './layer-kit';
import { FONT, LIVE, attendanceColor, unitColor } from './theme';
import type { UnitArrowsLayer } from './unit-arrows-layer';
import type { UnitDotsLayer } from './unit-dots-layer';
import { TRAIL_OPACITY, TRAIL_WIDTH, type UnitTrailsLayer } from './unit-trails-layer';

/** Layer ids before scoping (useScopedIds' n), officers' and vehicles'. */
export const OFFICER_LAYERS = ['officers-sos', 'officers-att-ring', 'officers', 'officers-dots', 'officers-label', 'officers-att-on', 'officers-att'];
export const VEHICLE_LAYERS = ['vehicle-trails', 'vehicles-trails', 'vehicles', 'vehicles-arrows', 'vehicles-label'];

/** The badge's text: the mark's character in the console's language, with "?" while the fix is stale (the mark is as of the last fix). */
export function markText(label: (m: AttendanceMark) => string): ExpressionSpecification {
  return ['concat',
    ['match', ['get', 'att'], 'late', label('late'), 'missing', label('missing'), 'off', label('off'), 'on', label('on'), ''],
    ['match', ['get', 'cls'], ['stale', 'offline'], '?', '']];
}

/**
 * The officers' source (n('officers')) and layers under `before`: with `dots` the dots layer draws the dots,
 * rings and SOS halos and the source feeds only the labels and badges; without, three GeoJSON circle layers
 * draw them from the same source.
 */
export function addOfficerLayers(map: MlMap, n: (id: string) => string, dots: UnitDotsLayer | null, label: (m: AttendanceMark) => string, before = 'z-points'): void {
  ensureIcons(map);
  map.addSource(n('officers'), { type: 'geojson', data: emptyFc() });
  const src = n('officers');
  const layers: AddLayerObject[] = [];
  if (!dots) {
    layers.push({
      id: n('officers-sos'), type: 'circle', source: src, filter: ['==', ['get', 'cls'], 'sos'],
      paint: { 'circle-radius': 22, 'circle-color': LIVE.sos, 'circle-opacity': 0.35, 'circle-stroke-color': LIVE.sos, 'circle-stroke-width': 3 },
    });
    // The attendance ring sits just outside the officer's dot; the badge carries the character.
    layers.push({
      id: n('officers-att-ring'), type: 'circle', source: src, filter: ['all', ['!=', ['get', 'cls'], 'off_duty'], ['!=', ['get', 'att'], '']],
      paint: {
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 11, 7, 15, 11.5, 18, 16],
        'circle-opacity': 0, 'circle-stroke-color': attendanceColor, 'circle-stroke-width': ['interpolate', ['linear'], ['zoom'], 11, 2, 15, 3],
      },
    });
    layers.push({
      id: n('officers'), type: 'circle', source: src, filter: ['!=', ['get', 'cls'], 'off_duty'],
      paint: {
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 11, 3.5, 15, 7, 18, 11],
        'circle-color': unitColor,
        'circle-opacity': ['match', ['get', 'cls'], ['stale', 'offline'], 0.35, 1],
        'circle-stroke-color': ['match', ['get', 'cls'], ['stale', 'offline'], unitColor, '#0b0f16'],
        'circle-stroke-width': ['match', ['get', 'cls'], ['stale', 'offline'], 2, 1],
      },
    });
  }
  layers.push({
    id: n('officers-label'), type: 'symbol', source: src, minzoom: 15.5, filter: ['!=', ['get', 'cls'], 'off_duty'],
    layout: {
      'text-field': ['case', ['==', ['get', 'ago'], ''], ['get', 'name'], ['concat', ['get', 'name'], ' · ', ['get', 'ago']]],
      'text-font': FONT, 'text-size': 14, 'text-offset': [0, 1.3], 'text-anchor': 'top', 'text-optional': true,
    },
    paint: { 'text-color': '#e6edf5', 'text-halo-color': '#0b0f16', 'text-halo-width': 1.5 },
  });
  // Late, missing and off post are shown at every zoom and never hidden by collisions; on post (the usual
  // case) only close in, so the exceptions stand out on a wall showing the whole city.
  const badge = (id: string, filter: FilterSpecification, minzoom: number, always: boolean): AddLayerObject => ({
    id: n(id), type: 'symbol', source: src, minzoom, filter,
    layout: {
      'text-field': markText(label), 'text-font': FONT, 'text-size': 18, 'text-anchor': 'bottom-left', 'text-offset': [0.7, -0.5],
      'icon-image': 'icon-badge', 'icon-text-fit': 'both', 'icon-text-fit-padding': [2, 4, 1, 4],
      // Exceptions are always drawn but still claim their place, so labels placed after them (names of
      // posts, cells) move or give way instead of being drawn under the badge.
      'text-allow-overlap': always, 'icon-allow-overlap': always,
    },
    paint: { 'icon-color': attendanceColor, 'text-color': '#0b0f16' },
  });
  const notOffDuty: FilterSpecification = ['!=', ['get', 'cls'], 'off_duty'];
  layers.push(badge('officers-att-on', ['all', notOffDuty, ['==', ['get', 'att'], 'on']], 15, false));
  layers.push(badge('officers-att', ['all', notOffDuty, ['in', ['get', 'att'], ['literal', ['late', 'missing', 'off']]]], 0, true));
  if (dots) map.addLayer(dots, before);
  for (const l of layers) map.addLayer(l, before);
}

/**
 * The vehicles' sources (n('vehicles'): arrows turned by heading and labels; n('vehicle-trails'): short
 * trails) and their layers. With `buffers` the trails layer and the arrows layer (vertex buffers,
 * unit-trails-layer.ts, unit-arrows-layer.ts) draw the trails and arrows, there is no trails' source and
 * n('vehicles') feeds only the labels; without, a GeoJSON line layer and a symbol layer draw them from the sources.
 */
export function addVehicleLayers(map: MlMap, n: (id: string) => string, buffers: { arrows: UnitArrowsLayer; trails: UnitTrailsLayer } | null = null, before = 'z-points'): void {
  ensureIcons(map);
  map.addSource(n('vehicles'), { type: 'geojson', data: emptyFc() });
  if (buffers) {
    map.addLayer(buffers.trails, before);
    map.addLayer(buffers.arrows, before);
  } else {
    map.addSource(n('vehicle-trails'), { type: 'geojson', data: emptyFc() });
    map.addLayer({
      id: n('vehicle-trails'), type: 'line', source: n('vehicle-trails'),
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': unitColor, 'line-width': TRAIL_WIDTH, 'line-opacity': TRAIL_OPACITY },
    }, before);
    map.addLayer({
      id: n('vehicles'), type: 'symbol', source: n('vehicles'),
      layout: {
        'icon-image': 'icon-arrow', 'icon-rotate': ['get', 'heading'], 'icon-rotation-alignment': 'map',
        'icon-size': ['interpolate', ['linear'], ['zoom'], 11, 0.7, 16, 1.2], 'icon-allow-overlap': true, 'icon-ignore-placement': true,
      },
      paint: { 'icon-color': unitColor, 'icon-halo-color': '#0b0f16', 'icon-halo-width': 1.5 },
    }, before);
  }
  map.addLayer({
    id: n('vehicles-label'), type: 'symbol', source: n('vehicles'), minzoom: 14,
    layout: {
      'text-field': ['case', ['==', ['get', 'ago'], ''], ['get', 'name'], ['concat', ['get', 'name'], ' · ', ['get', 'ago']]],
      'text-font': FONT, 'text-size': 14, 'text-offset': [0, 1.4], 'text-anchor': 'top', 'text-optional': true,
    },
    paint: { 'text-color': '#cfe3ff', 'text-halo-color': '#0b0f16', 'text-halo-width': 1.5 },
  }, before);
}
