// The fixed camera being edited, on the admin's map: a point to drag where the camera stands, with its view
// cone, and a round facing handle at the cone's tip to drag round it. Both are maplibre-gl Markers (DOM
// elements over the map): draggable by mouse and touch, focusable, and with arrow keys — the point moves a
// few pixels, the handle turns the camera by a few degrees — for an admin without a fine mouse. The form
// holds the numbers; this draws them and reports each move.
import * as maplibregl from 'maplibre-gl';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { LngLat } from '../../../shared/domain';
import { bearingDeg, offsetM } from '../../../shared/geo';
import { useMap } from '../map/MapView';

/** How far the handle sits from the point, px: the cone's length (the same at every zoom). */
export const CONE_PX = 96;
/** Half the cone's opening, degrees (the console's cone icon opens ±0.5 rad). */
const HALF_CONE_DEG = 28.6;
/** An arrow key turns the handle this many degrees; with Shift, one degree. */
export const TURN_STEP_DEG = 5;
/** An arrow key moves the point this many pixels; with Shift, ten times as far. */
const NUDGE_PX = 2;

const EARTH_CIRCUMFERENCE_M = 40_075_016.686;
/** Metres a screen pixel spans at this latitude and zoom (maplibre's tiles are 512 px). */
const metresPerPx = (lat: number, zoom: number) => (EARTH_CIRCUMFERENCE_M * Math.cos((lat * Math.PI) / 180)) / (512 * 2 ** zoom);

/** Where the facing handle goes: CONE_PX from the point, towards `facing` (clockwise from north). */
function tipOf(map: maplibregl.Map, at: LngLat, facing: number): LngLat {
  const d = CONE_PX * metresPerPx(at[1], map.getZoom());
  const r = (facing * Math.PI) / 180;
  return offsetM(at, d * Math.sin(r), d * Math.cos(r));
}

/** A bearing as the form keeps it: whole degrees, 0–359. */
export const wholeDegrees = (deg: number) => ((Math.round(deg) % 360) + 360) % 360;

const ARROWS: Record<string, [number, number]> = { ArrowUp: [0, -1], ArrowDown: [0, 1], ArrowLeft: [-1, 0], ArrowRight: [1, 0] };

function conePath(): string {
  const c = CONE_PX;
  const a = (HALF_CONE_DEG * Math.PI) / 180;
  const x = c * Math.sin(a);
  const y = c * Math.cos(a);
  // Pointing up (north) from the centre of a (2c × 2c) box; the marker's rotation turns it.
  return `M ${c} ${c} L ${c - x} ${c - y} A ${c} ${c} 0 0 1 ${c + x} ${c - y} Z`;
}

export function CameraPlacer({ at, facing, onMove, onTurn }: {
  at: LngLat | null; facing: number | null; onMove: (at: LngLat) => void; onTurn: (facing: number) => void;
}) {
  const { t } = useTranslation();
  const { map } = useMap();
  const markers = useRef<{ point: maplibregl.Marker; handle: maplibregl.Marker } | null>(null);
  // Read through refs: the markers are made once, the numbers and callbacks change.
  const now = useRef({ at, facing, onMove, onTurn });
  /** The handle is being dragged: it follows the pointer, not the tip, until let go. */
  const turning = useRef(false);
  now.current = { at, facing, onMove, onTurn };

  useEffect(() => {
    const pointEl = document.createElement('div');
    pointEl.className = 'cam-place';
    pointEl.tabIndex = 0;
    pointEl.dataset.testid = 'camera-place-point';
    const svgNs = 'http://www.w3.org/2000/svg';
    const cone = document.createElementNS(svgNs, 'svg');
    cone.setAttribute('class', 'cam-place-cone');
    cone.setAttribute('width', String(2 * CONE_PX));
    cone.setAttribute('height', String(2 * CONE_PX));
    cone.setAttribute('aria-hidden', 'true');
    const wedge = document.createElementNS(svgNs, 'path');
    wedge.setAttribute('d', conePath());
    cone.appendChild(wedge);
    pointEl.appendChild(cone);
    const dot = document.createElement('div');
    dot.className = 'cam-place-dot';
    pointEl.appendChild(dot);

    const handleEl = document.createElement('div');
    handleEl.className = 'cam-facing-handle';
    handleEl.tabIndex = 0;
    handleEl.setAttribute('role', 'slider');
    handleEl.setAttribute('aria-valuemin', '0');
    handleEl.setAttribute('aria-valuemax', '359');
    handleEl.dataset.testid = 'camera-facing-handle';

    const point = new maplibregl.Marker({ element: pointEl, draggable: true, rotationAlignment: 'map', pitchAlignment: 'map' });
    const handle = new maplibregl.Marker({ element: handleEl, draggable: true });
    const lngLatOf = (m: maplibregl.Marker): LngLat => {
      const p = m.getLngLat();
      return [p.lng, p.lat];
    };
    point.on('drag', () => now.current.onMove(lngLatOf(point)));
    const turnTo = () => {
      const from = now.current.at;
      if (from) now.current.onTurn(wholeDegrees(bearingDeg(from, lngLatOf(handle))));
    };
    handle.on('dragstart', () => { turning.current = true; });
    handle.on('drag', turnTo);
    // Back onto the cone's tip when let go (during the drag it follows the pointer's direction).
    handle.on('dragend', () => {
      turning.current = false;
      const { at: a, facing: f } = now.current;
      if (a) handle.setLngLat(tipOf(map, a, f ?? 0));
    });

    const onPointKey = (e: KeyboardEvent) => {
      const d = ARROWS[e.key];
      const a = now.current.at;
      if (!d || !a || e.altKey || e.ctrlKey || e.metaKey) return;
      // Not the map's: its keyboard handler would pan.
      e.preventDefault();
      e.stopPropagation();
      const step = e.shiftKey ? NUDGE_PX * 10 : NUDGE_PX;
      const p = map.project(a);
      const moved = map.unproject([p.x + d[0] * step, p.y + d[1] * step]);
      now.current.onMove([moved.lng, moved.lat]);
    };
    const onHandleKey = (e: KeyboardEvent) => {
      const d = ARROWS[e.key];
      if (!d || !now.current.at || e.altKey || e.ctrlKey || e.metaKey) return;
      e.preventDefault();
      e.stopPropagation();
      // Right and up turn clockwise, left and down anticlockwise (as a slider's arrows raise and lower it).
      const sign = e.key === 'ArrowRight' || e.key === 'ArrowUp' ? 1 : -1;
      now.current.onTurn(wholeDegrees((now.current.facing ?? 0) + sign * (e.shiftKey ? 1 : TURN_STEP_DEG)));
    };
    pointEl.addEventListener('keydown', onPointKey);
    handleEl.addEventListener('keydown', onHandleKey);
    // The tip is a fixed number of pixels out: it moves when the zoom does.
    const onZoom = () => {
      const { at: a, facing: f } = now.current;
      if (a && !turning.current) handle.setLngLat(tipOf(map, a, f ?? 0));
    };
    map.on('zoom', onZoom);
    markers.current = { point, handle };
    return () => {
      map.off('zoom', onZoom);
      pointEl.removeEventListener('keydown', onPointKey);
      handleEl.removeEventListener('keydown', onHandleKey);
      point.remove();
      handle.remove();
      markers.current = null;
    };
  }, [map]);

  useEffect(() => {
    const m = markers.current;
    if (!m) return;
    const { point, handle } = m;
    if (!at) {
      point.remove();
      handle.remove();
      return;
    }
    point.setLngLat(at).setRotation(facing ?? 0);
    if (!point.getElement().isConnected) point.addTo(map);
    const el = point.getElement();
    el.dataset.lng = String(at[0]);
    el.dataset.lat = String(at[1]);
    el.classList.toggle('no-facing', facing === null);
    if (!turning.current) handle.setLngLat(tipOf(map, at, facing ?? 0));
    if (!handle.getElement().isConnected) handle.addTo(map);
    const h = handle.getElement();
    h.setAttribute('aria-valuenow', String(facing ?? 0));
    h.dataset.facing = facing === null ? '' : String(facing);
  }, [map, at, facing]);

  useEffect(() => {
    const m = markers.current;
    if (!m) return;
    m.point.getElement().setAttribute('aria-label', t('admin.cameras.placePoint'));
    m.handle.getElement().setAttribute('aria-label', t('admin.cameras.facingHandle'));
    m.handle.getElement().title = t('admin.cameras.facingHandle');
    m.point.getElement().title = t('admin.cameras.placePoint');
  }, [t]);

  return null;
}
