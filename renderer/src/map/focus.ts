// Where a selected thing is now, and flying the one map there (search, alarms, lists).
import type { Map as MlMap } from 'maplibre-gl';
import type { LngLat } from '../../../shared/domain';
import { hub } from '../hub';
import type { Selection } from '../state/selection';
import type { City } from './city';

let map: MlMap | null = null;

/** Set by MapView when its map is ready (and cleared when it goes). */
export function setFocusMap(m: MlMap | null): void {
  map = m;
}

/** Where a selected thing is in a city (live or replayed). */
export function whereIn(city: Pick<City, 'cameras' | 'incidents' | 'areas' | 'routes' | 'positions'>, sel: Selection): LngLat | null {
  switch (sel.kind) {
    case 'place':
      return sel.at;
    case 'unit':
      return city.positions.get(sel.id)?.trail.at(-1) ?? null;
    case 'camera': {
      const c = city.cameras.get(sel.id);
      if (!c) return null;
      return c.position ?? (c.unitId ? city.positions.get(c.unitId)?.trail.at(-1) ?? null : null);
    }
    case 'incident':
      return city.incidents.get(sel.id)?.position ?? null;
    case 'area':
      return city.areas.get(sel.id)?.center ?? null;
    case 'route': {
      const line = city.routes.get(sel.id)?.line;
      return line ? line[Math.floor(line.length / 2)] ?? null : null;
    }
  }
}

/** Where a selected thing is in the live city. */
export function whereIs(sel: Selection): LngLat | null {
  return whereIn({ ...hub.getState(), positions: hub.positions }, sel);
}

/**
 * Fly to where the selection is. Waits one frame and measures the map first: selecting usually opens the
 * side panel, which narrows the map, and a resize in the middle of a flight lands it off target.
 */
export function flyTo(sel: Selection, zoom = 16.5): void {
  requestAnimationFrame(() => {
    const at = whereIs(sel);
    if (!map || !at) return;
    map.resize();
    map.flyTo({ center: at, zoom: Math.max(map.getZoom(), zoom), duration: 800, essential: true });
  });
}
