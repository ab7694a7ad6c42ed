// Live units: officers (the "areas" group: they hold posts and cells) and patrol vehicles with heading
// and a short trail (the "lines" group). Positions reach the sources only through the position store's
// bounded-rate flush, as diffs.
import { MercatorCoordinate, type GeoJSONSourceDiff, type Map as MlMap } from 'maplibre-gl';
import { useCallback, useEffect, useMemo, useRef } from 'react';
import type { Unit } from '../../../../shared/domain';
import { useScopedIds, type City } from '../city';
import { PICK_RANK, useMap } from '../MapView';
import { geojsonSource, removeAll, useVisibility } from '../layer-kit';
import { LabelsView, NO_EXCEPTIONS, UnitFeed, VEHICLE_LABELS_FROM_ZOOM, feedFromPositions, followView, type Feed } from '../unit-feed';
import { OFFICER_LAYERS, VEHICLE_LAYERS, addOfficerLayers, addVehicleLayers, markText } from '../unit-styles';
import { UnitBuffer, CLASS_INDEX } from '../unit-buffer';
import { DOT_RADIUS, SOS_RADIUS, SOS_WIDTH, UnitDotsLayer, atZoom } from '../unit-dots-layer';
import { UnitArrowsLayer, arrowPx } from '../unit-arrows-layer';
import { TrailBuffer } from '../trail-buffer';
import { UnitTrailsLayer } from '../unit-trails-layer';
import type { AttendanceMark } from '../../state/attendance';
import { useTranslation } from 'react-i18next';

/** Keep one feed (a GeoJSON source's, or the officers' dots buffer) fed from the position store, unit status and attendance changes and a periodic staleness sweep. */
function useUnitFeed<D>(city: City, feed: Feed<D>, send: (d: D) => Promise<void> | void): void {
  const { units, positions, now, attendance } = city;
  const unitsRef = useRef(units);
  const marksRef = useRef(attendance);
  const sendRef = useRef(send);
  sendRef.current = send;
  // What this feed was last given (a new feed starts from nothing).
  const seen = useRef<{ feed: Feed<D> | null; units: ReadonlyMap<string, Unit>; marks: ReadonlyMap<string, AttendanceMark> }>({ feed: null, units: new Map(), marks: new Map() });

  useEffect(() => feedFromPositions(
    feed,
    { positions, units: () => unitsRef.current, marks: () => marksRef.current, now },
    (diff) => sendRef.current(diff),
  ), [feed, positions, now]);

  useEffect(() => {
    unitsRef.current = units;
    if (seen.current.feed !== feed) seen.current = { feed, units: new Map(), marks: new Map() };
    const before = seen.current.units;
    const changed = [...units.values()].filter((u) => before.get(u.id) !== u).map((u) => u.id);
    const gone = [...before.keys()].filter((id) => !units.has(id));
    seen.current.units = units;
    const diff = feed.diff([...changed, ...gone], units, positions.all(), now(), marksRef.current);
    if (diff) void sendRef.current(diff);
  }, [feed, units, positions, now]);

  // A shift turning late, a check-in, a fence alert raised or cleared: only the officers whose mark changed.
  useEffect(() => {
    marksRef.current = attendance;
    const before = seen.current.marks;
    const changed = new Set([...attendance.keys(), ...before.keys()].filter((id) => attendance.get(id) !== before.get(id)));
    seen.current.marks = attendance;
    const diff = feed.diff(changed, unitsRef.current, positions.all(), now(), attendance);
    if (diff) void sendRef.current(diff);
  }, [feed, attendance, positions, now]);
}

/** The GeoJSON source `sourceId`'s send. */
const toSource = (map: MlMap, sourceId: string) => (diff: GeoJSONSourceDiff) => geojsonSource(map, sourceId)?.updateData(diff);

/**
 * While `on` (the buffer layers draw the units), each stop of the map that changes what `view` keeps sends
 * the labels' GeoJSON source `sourceId` the diff that brings it to the new view.
 */
function useFollowView(map: MlMap, city: City, on: boolean, feed: UnitFeed, view: LabelsView, sourceId: string): void {
  const { positions, now } = city;
  const unitsRef = useRef(city.units);
  unitsRef.current = city.units;
  const marksRef = useRef(city.attendance);
  marksRef.current = city.attendance;
  useEffect(() => {
    if (!on) return;
    return followView(map, view, () => {
      const diff = feed.diff(positions.all().keys(), unitsRef.current, positions.all(), now(), marksRef.current);
      if (diff) void geojsonSource(map, sourceId)?.updateData(diff);
    });
  }, [map, sourceId, on, feed, view, positions, now]);
}

/**
 * From this many officers on, their dots, rings and SOS halos are drawn by the dots layer (a vertex buffer
 * written in place, unit-dots-layer.ts) and the officers' GeoJSON source holds only the units whose label or
 * badge can show (exceptions always, every unit in view from zoom 15): at 20,000 units a GeoJSON source of
 * all of them costs the map's worker and main thread seconds per flush (docs/performance.md, issue 17).
 * Below it (the demo city has ~315 units) the GeoJSON layers draw everything, as before.
 * The same rule draws the vehicles' arrows from a vertex buffer (the arrows layer, unit-arrows-layer.ts) with
 * the vehicles' GeoJSON source holding only the labels in view from zoom 14, and their trails (the trails
 * layer, unit-trails-layer.ts, with no trails' source): a city with this many officers has thousands of
 * vehicles (the load city: one unit in eight), whose GeoJSON was then the path's largest cost.
 * localStorage 'xiuhua.map.dots' = 'on' / 'off' forces either way (screenshots, trials), for both.
 */
export const DOTS_FROM_OFFICERS = 2000;
const DOTS_KEY = 'xiuhua.map.dots';

function drawsDots(units: ReadonlyMap<string, Unit>): boolean {
  let forced: string | null = null;
  try {
    forced = localStorage.getItem(DOTS_KEY);
  } catch {
    // no storage (a sandboxed frame): by count
  }
  if (forced === 'on' || forced === 'off') return forced === 'on';
  let officers = 0;
  for (const u of units.values()) if (u.kind === 'officer') officers++;
  return officers >= DOTS_FROM_OFFICERS;
}

/** What a buffer's feed is while the GeoJSON layers draw its units, and the trails' source's while the trails layer does. */
const NO_FEED: Feed<never> = { diff: () => null };

export function OfficersLayer({ city, visible }: { city: City; visible: boolean }) {
  const { map, addPickable } = useMap();
  const { t, i18n } = useTranslation();
  const n = useScopedIds();
  const dots = drawsDots(city.units);
  // With the dots layer, the source holds only what a label or badge can show (see DOTS_FROM_OFFICERS).
  const view = useRef(new LabelsView()).current;
  const feed = useMemo(() => (dots ? new UnitFeed('officer', false, view) : new UnitFeed('officer')), [dots, view]);
  const buffer = useRef(new UnitBuffer('officer')).current;
  const dotsLayer = useMemo(() => new UnitDotsLayer(n('officers-dots'), buffer), [n, buffer]);
  const label = (m: AttendanceMark) => t(`attendance.mark.${m}`);
  const labelRef = useRef(label);
  labelRef.current = label;

  useEffect(() => {
    feed.reset();
    if (dots) buffer.reset();
    addOfficerLayers(map, n, dots ? dotsLayer : null, labelRef.current);
    const pick = (f: { properties: Record<string, unknown> }) => ({ kind: 'unit' as const, id: String(f.properties.id) });
    const off = dots
      ? addPickable({ layerIds: [n('officers-att')], rank: PICK_RANK.unit, pick, near: (point, slack) => nearDots(map, dotsLayer, point, slack) })
      : addPickable({ layerIds: [n('officers'), n('officers-sos'), n('officers-att')], rank: PICK_RANK.unit, pick });
    return () => {
      off();
      removeAll(map, OFFICER_LAYERS.map(n), [n('officers')]);
    };
  }, [map, addPickable, n, feed, dots, buffer, dotsLayer]);

  // With the dots layer, a stop of the map that changes what the labels' source keeps brings it to the new
  // view (the units that came into it, out of it). A separate diff, as for unit and mark changes.
  useFollowView(map, city, dots, feed, view, n('officers'));

  // The characters follow the console's language.
  useEffect(() => {
    for (const id of ['officers-att', 'officers-att-on']) if (map.getLayer(n(id))) map.setLayoutProperty(n(id), 'text-field', markText(labelRef.current));
  }, [map, n, i18n.language]);

  useUnitFeed(city, feed, useMemo(() => toSource(map, n('officers')), [map, n]));
  useUnitFeed(city, dots ? buffer : NO_FEED, useCallback(() => dotsLayer.repaint(), [dotsLayer]));
  // A new list when the layers were re-added the other way, so the switch applies to them again.
  useVisibility(map, useMemo(() => OFFICER_LAYERS.map(n), [n, dots]), visible);
  return null;
}

/** The vehicles under a screen point on the arrows layer, nearest first: within the arrow's half side, as the symbol's box was hit. */
function nearArrows(map: MlMap, layer: UnitArrowsLayer, point: { x: number; y: number }, slack: number): { kind: 'unit'; id: string }[] {
  if (!map.getLayer(layer.id) || map.getLayoutProperty(layer.id, 'visibility') === 'none') return [];
  const z = map.getZoom();
  const r = arrowPx(z) / 2 + slack;
  const c = MercatorCoordinate.fromLngLat(map.unproject([point.x, point.y]));
  const box = (8 * r) / (512 * 2 ** z);
  const ids = layer.buffer.near(point, () => r, (mx, my) => map.project(new MercatorCoordinate(mx, my, 0).toLngLat()), { mx: c.x, my: c.y, r: box });
  return ids.map((id) => ({ kind: 'unit', id }));
}

/** The officers under a screen point on the dots layer, nearest first (picking on the CPU, from its buffer). */
function nearDots(map: MlMap, layer: UnitDotsLayer, point: { x: number; y: number }, slack: number): { kind: 'unit'; id: string }[] {
  if (!map.getLayer(layer.id) || map.getLayoutProperty(layer.id, 'visibility') === 'none') return [];
  const z = map.getZoom();
  // As the GeoJSON layers were hit: the dot with its stroke, the SOS halo, plus the pointer's slack.
  const dot = atZoom(DOT_RADIUS, z) + 2 + slack;
  const sos = SOS_RADIUS + SOS_WIDTH + slack;
  const c = MercatorCoordinate.fromLngLat(map.unproject([point.x, point.y]));
  // A generous box in mercator (pitch stretches what a pixel covers), the exact distance on screen after.
  const r = (8 * sos) / (512 * 2 ** z);
  const ids = layer.buffer.near(point, (cls) => (cls === CLASS_INDEX.sos ? sos : dot), (mx, my) => map.project(new MercatorCoordinate(mx, my, 0).toLngLat()), { mx: c.x, my: c.y, r });
  return ids.map((id) => ({ kind: 'unit', id }));
}

export function VehiclesLayer({ city, visible }: { city: City; visible: boolean }) {
  const { map, addPickable } = useMap();
  const n = useScopedIds();
  const arrows = drawsDots(city.units);
  // With the arrows layer, the vehicles' source holds only the labels in view from zoom 14 (see DOTS_FROM_OFFICERS).
  const view = useRef(new LabelsView(VEHICLE_LABELS_FROM_ZOOM, NO_EXCEPTIONS)).current;
  const points = useMemo(() => (arrows ? new UnitFeed('vehicle', false, view) : new UnitFeed('vehicle')), [arrows, view]);
  const trails = useRef(new UnitFeed('vehicle', true)).current;
  const buffer = useRef(new UnitBuffer('vehicle')).current;
  const arrowsLayer = useMemo(() => new UnitArrowsLayer(n('vehicles-arrows'), buffer), [n, buffer]);
  const trailBuffer = useRef(new TrailBuffer()).current;
  const trailsLayer = useMemo(() => new UnitTrailsLayer(n('vehicles-trails'), trailBuffer), [n, trailBuffer]);

  useEffect(() => {
    points.reset();
    trails.reset();
    if (arrows) {
      buffer.reset();
      trailBuffer.reset();
    }
    addVehicleLayers(map, n, arrows ? { arrows: arrowsLayer, trails: trailsLayer } : null);
    const pick = (f: { properties: Record<string, unknown> }) => ({ kind: 'unit' as const, id: String(f.properties.id) });
    const off = arrows
      ? addPickable({ layerIds: [], rank: PICK_RANK.unit, pick, near: (point, slack) => nearArrows(map, arrowsLayer, point, slack) })
      : addPickable({ layerIds: [n('vehicles')], rank: PICK_RANK.unit, pick });
    return () => {
      off();
      removeAll(map, VEHICLE_LAYERS.map(n), [n('vehicles'), n('vehicle-trails')]);
    };
  }, [map, addPickable, n, points, trails, arrows, buffer, arrowsLayer, trailBuffer, trailsLayer]);

  // With the arrows layer, a stop of the map that changes which labels its source keeps re-diffs it (as the officers').
  useFollowView(map, city, arrows, points, view, n('vehicles'));

  useUnitFeed(city, points, useMemo(() => toSource(map, n('vehicles')), [map, n]));
  useUnitFeed(city, arrows ? NO_FEED : trails, useMemo(() => toSource(map, n('vehicle-trails')), [map, n]));
  useUnitFeed(city, arrows ? buffer : NO_FEED, useCallback(() => arrowsLayer.repaint(), [arrowsLayer]));
  useUnitFeed(city, arrows ? trailBuffer : NO_FEED, useCallback(() => trailsLayer.repaint(), [trailsLayer]));
  // A new list when the layers were re-added the other way, so the switch applies to them again.
  useVisibility(map, useMemo(() => VEHICLE_LAYERS.map(n), [n, arrows]), visible);
  return null;
}
