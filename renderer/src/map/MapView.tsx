// The ONE maplibre map of the console. Layers are child components that render nothing: they get the
// map from context, add their sources/layers in one effect and push data in another.
import * as maplibregl from 'maplibre-gl';
import type { Map as MlMap, MapGeoJSONFeature } from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import 'maplibre-gl/dist/maplibre-gl.css';
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type { LngLat } from '../../../shared/domain';
import { hub } from '../hub';
import { select, type Selection } from '../state/selection';
import { setFocusMap } from './focus';
import { BASEMAP } from './theme';

// The worker is bundled as an asset by vite; maplibre's own default URL guess does not survive bundling.
maplibregl.setWorkerUrl(new URL(workerUrl, location.href).href);

/** Layer groups, bottom to top. Each group's layers go below the anchor of the group above it. */
export const ANCHORS = ['z-basemap', 'z-areas', 'z-lines', 'z-points', 'z-incidents', 'z-top'] as const;
export type Anchor = (typeof ANCHORS)[number];

/**
 * How a layer turns a clicked feature into a selection (registered by the layer, removed on cleanup).
 * 'handled' means the layer acted itself (e.g. zoomed into a cluster) and nothing is selected.
 */
export type Pickable = { layerIds: string[]; pick: (f: MapGeoJSONFeature, map: MlMap) => Selection | 'handled' };

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

export function MapView({ children, center }: { children: ReactNode; center?: LngLat }) {
  const container = useRef<HTMLDivElement>(null);
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

    map.on('click', (e) => {
      // Top-most feature wins; a slightly larger box makes small points easy to hit on a touch wall.
      const box: [maplibregl.PointLike, maplibregl.PointLike] = [[e.point.x - 6, e.point.y - 6], [e.point.x + 6, e.point.y + 6]];
      for (const f of hitAt(box)) {
        const owner = [...pickables].find((p) => p.layerIds.includes(f.layer.id));
        const sel = owner?.pick(f, map);
        if (sel === 'handled') return;
        if (sel) {
          select(sel);
          return;
        }
      }
      select({ kind: 'place', at: [e.lngLat.lng, e.lngLat.lat] });
    });
    map.on('mousemove', (e) => {
      map.getCanvas().style.cursor = hitAt(e.point).length ? 'pointer' : '';
    });

    window.__xiuhua = { map, hub };
    map.on('load', () => {
      setFocusMap(map);
      setCtx({ map, addPickable });
    });
    return () => {
      setCtx(null);
      setFocusMap(null);
      if (window.__xiuhua && window.__xiuhua.map === map) window.__xiuhua.map = null;
      map.remove();
    };
    // The map is made once; `center` only sets where it starts.
  }, []);

  return (
    <div className="map" ref={container}>
      {ctx && <Ctx.Provider value={ctx}>{children}</Ctx.Provider>}
    </div>
  );
}
