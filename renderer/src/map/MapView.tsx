// The ONE maplibre map of the console. Layers are child components that render nothing: they get the
// map from context, add their sources/layers in one effect and push data in another.
import * as maplibregl from 'maplibre-gl';
import type { Map as MlMap, MapGeoJSONFeature } from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import 'maplibre-gl/dist/maplibre-gl.css';
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type { LngLat } from '../../../shared/domain';
import { hub } from '../hub';
import type { Selection } from '../state/selection';
import { setFocusMap } from './focus';
import { TextScaler } from './text-scale';
import { BASEMAP } from './theme';

// The worker is bundled as an asset by vite; maplibre's own default URL guess does not survive bundling.
maplibregl.setWorkerUrl(new URL(workerUrl, location.href).href);

/** Layer groups, bottom to top. Each group's layers go below the anchor of the group above it. */
export const ANCHORS = ['z-basemap', 'z-areas', 'z-lines', 'z-points', 'z-incidents', 'z-top'] as const;
export type Anchor = (typeof ANCHORS)[number];

/**
 * How a layer turns a feature under the pointer into a selection (registered by the layer, removed on
 * cleanup). 'handled' means the layer acted itself (e.g. zoomed into a cluster) and nothing is selected.
 * `rank` orders what lies under one pointer, most specific first (see PICK_RANK).
 */
export type Pickable = {
  layerIds: string[]; rank: number; pick: (f: MapGeoJSONFeature, map: MlMap) => Selection | 'handled';
  /** For what is drawn outside the map's features (the officers' dots layer): what lies under a screen point, nearest first. */
  near?: (point: { x: number; y: number }, slackPx: number) => Selection[];
};

/** Most specific first: a unit beats the camera it carries, which beats an incident, a route, a post, a cell. */
export const PICK_RANK = { unit: 0, camera: 1, incident: 2, route: 3, post: 4, cell: 5 } as const;

/**
 * What is under the pointer, most specific first, for the screen to act on. `how` is 'click' for a plain
 * click or tap, 'menu' for a right-click or a long press (the operator asks what they can do here), 'create'
 * for the create-here key (N) at the pointer, or at the map's centre when the pointer is not on the map.
 */
export type MapPick = { how: 'click' | 'menu' | 'create'; candidates: Selection[]; at: LngLat; point: { x: number; y: number } };

/** The key that starts an incident where the pointer is, wherever that is (a cell, a road, a building). */
export const CREATE_HERE_KEY = 'n';

/** A press held this long without moving is a long press (touch walls have no right button). */
const LONG_PRESS_MS = 600;

type MapCtx = { map: MlMap; addPickable: (p: Pickable) => () => void };
const Ctx = createContext<MapCtx | null>(null);

export function useMap(): MapCtx {
  const c = useContext(Ctx);
  if (!c) throw new Error('useMap outside <MapView>');
  return c;
}

declare global {
  interface Window {
    /** Test and diagnostics hook: the live map and hub client. */
    __xiuhua?: { map: MlMap | null; hub: typeof hub };
  }
}

const NANJING: LngLat = [118.781, 32.035];

/** `textScale`: labels × factor, never under minPx (wall scale); layers do not need to know. */
export function MapView({ children, center, onPick, textScale }: {
  children: ReactNode; center?: LngLat; onPick?: (p: MapPick) => void; textScale?: { factor: number; minPx: number };
}) {
  const scaler = useRef<TextScaler | null>(null);
  const container = useRef<HTMLDivElement>(null);
  // Read through a ref so the map (made once) always calls the newest handler.
  const onPickRef = useRef(onPick);
  onPickRef.current = onPick;
  const [ctx, setCtx] = useState<MapCtx | null>(null);

  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const palette = BASEMAP.dark;
    const map = new maplibregl.Map({
      container: el,
      // No `glyphs`: labels (Chinese included) are drawn from local fonts, with no network.
      style: {
        version: 8,
        sources: {},
        layers: [
          { id: 'background', type: 'background', paint: { 'background-color': palette.background } },
          // Empty anchors give each layer group a fixed place in the stack whatever order components mount in.
          ...ANCHORS.map((id) => ({ id, type: 'background' as const, layout: { visibility: 'none' as const } })),
        ],
      },
      center: center ?? NANJING,
      zoom: 13.2,
      minZoom: 10,
      maxZoom: 19,
      attributionControl: false,
      // No label fade: fewer repaints, and labels on a wall are either there or not.
      fadeDuration: 0,
      localIdeographFontFamily: '"Noto Sans CJK SC", "Noto Sans SC", sans-serif',
    });
    map.addControl(new maplibregl.AttributionControl({ compact: false, customAttribution: '© OpenStreetMap contributors' }), 'bottom-right');
    map.addControl(new maplibregl.NavigationControl({ showCompass: true }), 'bottom-right');
    map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');

    const pickables = new Set<Pickable>();
    const addPickable = (p: Pickable) => {
      pickables.add(p);
      return () => pickables.delete(p);
    };
    const interactive = () => [...pickables].flatMap((p) => p.layerIds).filter((id) => map.getLayer(id));
    const hitAt = (point: maplibregl.PointLike | [maplibregl.PointLike, maplibregl.PointLike]) => {
      const layers = interactive();
      return layers.length ? map.queryRenderedFeatures(point, { layers }) : [];
    };

    const keyOf = (x: Selection) => ('id' in x ? `${x.kind}:${x.id}` : x.kind);
    const pickAt = (point: maplibregl.Point, lngLat: maplibregl.LngLat, how: MapPick['how']) => {
      // A slightly larger box makes small points easy to hit on a touch wall.
      const box: [maplibregl.PointLike, maplibregl.PointLike] = [[point.x - 6, point.y - 6], [point.x + 6, point.y + 6]];
      const hits: { rank: number; order: number; result: Selection | 'handled' }[] = [];
      hitAt(box).forEach((f, order) => {
        const owner = [...pickables].find((p) => p.layerIds.includes(f.layer.id));
        if (owner) hits.push({ rank: owner.rank, order, result: owner.pick(f, map) });
      });
      // The same 6 px of slack as the box; nearest first, ahead of rendered features of the same rank.
      for (const p of pickables) p.near?.(point, 6).forEach((result, i) => hits.push({ rank: p.rank, order: i - 1e6, result }));
      hits.sort((a, b) => a.rank - b.rank || a.order - b.order);
      // A cluster on top of a plain click zooms in and is the whole answer.
      if (how === 'click' && hits[0]?.result === 'handled') return;
      const seen = new Set<string>();
      const candidates: Selection[] = [];
      for (const h of hits) {
        if (h.result === 'handled' || seen.has(keyOf(h.result))) continue;
        seen.add(keyOf(h.result));
        candidates.push(h.result);
      }
      onPickRef.current?.({ how, candidates, at: [lngLat.lng, lngLat.lat], point: { x: point.x, y: point.y } });
    };
    // A marker (a DOM element over the map, such as the admin's camera handles) owns its own clicks.
    const onMarker = (e: maplibregl.MapMouseEvent) => e.originalEvent.target instanceof Element && !!e.originalEvent.target.closest('.maplibregl-marker');
    map.on('click', (e) => {
      if (!onMarker(e)) pickAt(e.point, e.lngLat, 'click');
    });
    map.on('contextmenu', (e) => {
      e.preventDefault();
      pickAt(e.point, e.lngLat, 'menu');
    });
    // Long press on touch: a single finger held still.
    let press: ReturnType<typeof setTimeout> | null = null;
    const cancelPress = () => {
      if (press) clearTimeout(press);
      press = null;
    };
    map.on('touchstart', (e) => {
      cancelPress();
      if (e.points.length !== 1) return;
      press = setTimeout(() => pickAt(e.point, e.lngLat, 'menu'), LONG_PRESS_MS);
    });
    map.on('touchmove', cancelPress);
    map.on('touchend', cancelPress);
    map.on('movestart', cancelPress);

    let pointer: { point: maplibregl.Point; lngLat: maplibregl.LngLat } | null = null;
    map.on('mousemove', (e) => {
      pointer = { point: e.point, lngLat: e.lngLat };
    });
    map.on('mouseout', () => {
      pointer = null;
    });
    const onKey = (e: KeyboardEvent) => {
      if (e.key.toLowerCase() !== CREATE_HERE_KEY || e.ctrlKey || e.metaKey || e.altKey || !onPickRef.current) return;
      const t = e.target as HTMLElement | null;
      if (t && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName))) return;
      e.preventDefault();
      const here = pointer ?? { point: map.project(map.getCenter()), lngLat: map.getCenter() };
      onPickRef.current({ how: 'create', candidates: [], at: [here.lngLat.lng, here.lngLat.lat], point: { x: here.point.x, y: here.point.y } });
    };
    document.addEventListener('keydown', onKey);
    map.on('mousemove', (e) => {
      const under = hitAt(e.point).length > 0 || [...pickables].some((p) => (p.near?.(e.point, 0).length ?? 0) > 0);
      map.getCanvas().style.cursor = under ? 'pointer' : '';
    });

    const textScaler = new TextScaler(map);
    scaler.current = textScaler;
    // Layers mount after the map: scale each as it arrives.
    map.on('styledata', () => textScaler.apply());

    window.__xiuhua = { map, hub };
    map.on('load', () => {
      setFocusMap(map);
      setCtx({ map, addPickable });
    });
    return () => {
      document.removeEventListener('keydown', onKey);
      cancelPress();
      setCtx(null);
      setFocusMap(null);
      if (window.__xiuhua && window.__xiuhua.map === map) window.__xiuhua.map = null;
      map.remove();
    };
    // The map is made once; `center` only sets where it starts.
  }, []);

  useEffect(() => {
    scaler.current?.set(textScale?.factor ?? 1, textScale?.minPx ?? 0);
  }, [textScale?.factor, textScale?.minPx, ctx]);

  return (
    <div className="map" ref={container}>
      {ctx && <Ctx.Provider value={ctx}>{children}</Ctx.Provider>}
    </div>
  );
}
