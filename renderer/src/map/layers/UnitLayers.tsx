// Live units: officers (the "areas" group: they hold posts and cells) and patrol vehicles with heading
// and a short trail (the "lines" group). Positions reach the sources only through the position store's
// bounded-rate flush, as diffs.
import type { ExpressionSpecification, FilterSpecification, Map as MlMap } from 'maplibre-gl';
import { useEffect, useMemo, useRef } from 'react';
import type { Unit } from '../../../../shared/domain';
import { useScopedIds, type City } from '../city';
import { PICK_RANK, useMap } from '../MapView';
import { FONT } from './BasemapLayer';
import { ensureIcons } from '../icons';
import { emptyFc, geojsonSource, removeAll, useVisibility } from '../layer-kit';
import { UnitFeed, feedFromPositions } from '../unit-feed';
import type { AttendanceMark } from '../../state/attendance';
import { LIVE, attendanceColor, unitColor } from '../theme';
import { useTranslation } from 'react-i18next';

/** Keep one source fed from the position store, unit status changes and a periodic staleness sweep. */
function useUnitFeed(map: MlMap, city: City, sourceId: string, feed: UnitFeed): void {
  const { units, positions, now, attendance } = city;
  const unitsRef = useRef(units);
  const marksRef = useRef(attendance);
  const seen = useRef<ReadonlyMap<string, Unit>>(new Map());
  const seenMarks = useRef<ReadonlyMap<string, AttendanceMark>>(new Map());

  useEffect(() => feedFromPositions(
    feed,
    { positions, units: () => unitsRef.current, marks: () => marksRef.current, now },
    (diff) => geojsonSource(map, sourceId)?.updateData(diff),
  ), [map, sourceId, feed, positions, now]);

  useEffect(() => {
    unitsRef.current = units;
    const changed = [...units.values()].filter((u) => seen.current.get(u.id) !== u).map((u) => u.id);
    const gone = [...seen.current.keys()].filter((id) => !units.has(id));
    seen.current = units;
    const diff = feed.diff([...changed, ...gone], units, positions.all(), now(), marksRef.current);
    if (diff) void geojsonSource(map, sourceId)?.updateData(diff);
  }, [map, sourceId, feed, units, positions, now]);

  // A shift turning late, a check-in, a fence alert raised or cleared: only the officers whose mark changed.
  useEffect(() => {
    marksRef.current = attendance;
    const before = seenMarks.current;
    const changed = new Set([...attendance.keys(), ...before.keys()].filter((id) => attendance.get(id) !== before.get(id)));
    seenMarks.current = attendance;
    const diff = feed.diff(changed, unitsRef.current, positions.all(), now(), attendance);
    if (diff) void geojsonSource(map, sourceId)?.updateData(diff);
  }, [map, sourceId, feed, attendance, positions, now]);
}

const OFFICER_LAYERS = ['officers-sos', 'officers-att-ring', 'officers', 'officers-label', 'officers-att-on', 'officers-att'];

/** The badge's text: the mark's character in the console's language, with "?" while the fix is stale (the mark is as of the last fix). */
function markText(label: (m: AttendanceMark) => string): ExpressionSpecification {
  return ['concat',
    ['match', ['get', 'att'], 'late', label('late'), 'missing', label('missing'), 'off', label('off'), 'on', label('on'), ''],
    ['match', ['get', 'cls'], ['stale', 'offline'], '?', '']];
}

export function OfficersLayer({ city, visible }: { city: City; visible: boolean }) {
  const { map, addPickable } = useMap();
  const { t, i18n } = useTranslation();
  const n = useScopedIds();
  const feed = useRef(new UnitFeed('officer')).current;
  const label = (m: AttendanceMark) => t(`attendance.mark.${m}`);
  const labelRef = useRef(label);
  labelRef.current = label;

  useEffect(() => {
    ensureIcons(map);
    map.addSource(n('officers'), { type: 'geojson', data: emptyFc() });
    feed.reset();
    map.addLayer({
      id: n('officers-sos'), type: 'circle', source: n('officers'), filter: ['==', ['get', 'cls'], 'sos'],
      paint: { 'circle-radius': 22, 'circle-color': LIVE.sos, 'circle-opacity': 0.35, 'circle-stroke-color': LIVE.sos, 'circle-stroke-width': 3 },
    }, 'z-points');
    // The attendance ring sits just outside the officer's dot; the badge carries the character.
    map.addLayer({
      id: n('officers-att-ring'), type: 'circle', source: n('officers'), filter: ['all', ['!=', ['get', 'cls'], 'off_duty'], ['!=', ['get', 'att'], '']],
      paint: {
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 11, 7, 15, 11.5, 18, 16],
        'circle-opacity': 0, 'circle-stroke-color': attendanceColor, 'circle-stroke-width': ['interpolate', ['linear'], ['zoom'], 11, 2, 15, 3],
      },
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
    // Late, missing and off post are shown at every zoom and never hidden by collisions; on post (the usual
    // case) only close in, so the exceptions stand out on a wall showing the whole city.
    const badge = (id: string, filter: FilterSpecification, minzoom: number, always: boolean) => map.addLayer({
      id: n(id), type: 'symbol', source: n('officers'), minzoom, filter,
      layout: {
        'text-field': markText(labelRef.current), 'text-font': FONT, 'text-size': 18, 'text-anchor': 'bottom-left', 'text-offset': [0.7, -0.5],
        'icon-image': 'icon-badge', 'icon-text-fit': 'both', 'icon-text-fit-padding': [2, 4, 1, 4],
        // Exceptions are always drawn but still claim their place, so labels placed after them (names of
        // posts, cells) move or give way instead of being drawn under the badge.
        'text-allow-overlap': always, 'icon-allow-overlap': always,
      },
      paint: { 'icon-color': attendanceColor, 'text-color': '#0b0f16' },
    }, 'z-points');
    const notOffDuty: FilterSpecification = ['!=', ['get', 'cls'], 'off_duty'];
    badge('officers-att-on', ['all', notOffDuty, ['==', ['get', 'att'], 'on']], 15, false);
    badge('officers-att', ['all', notOffDuty, ['in', ['get', 'att'], ['literal', ['late', 'missing', 'off']]]], 0, true);
    const off = addPickable({ layerIds: [n('officers'), n('officers-sos'), n('officers-att')], rank: PICK_RANK.unit, pick: (f) => ({ kind: 'unit', id: String(f.properties.id) }) });
    return () => {
      off();
      removeAll(map, OFFICER_LAYERS.map(n), [n('officers')]);
    };
  }, [map, addPickable, n, feed]);

  // The characters follow the console's language.
  useEffect(() => {
    for (const id of ['officers-att', 'officers-att-on']) if (map.getLayer(n(id))) map.setLayoutProperty(n(id), 'text-field', markText(labelRef.current));
  }, [map, n, i18n.language]);

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
