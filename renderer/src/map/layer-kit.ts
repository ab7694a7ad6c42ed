// Small helpers every layer component uses, so adding and removing stays symmetric.
import type { GeoJSONSource, Map as MlMap } from 'maplibre-gl';
import { useEffect } from 'react';

export type Fc = GeoJSON.FeatureCollection;
export const emptyFc = (): Fc => ({ type: 'FeatureCollection', features: [] });
export const fc = (features: GeoJSON.Feature[]): Fc => ({ type: 'FeatureCollection', features });

export function geojsonSource(map: MlMap, id: string): GeoJSONSource | undefined {
  return map.getSource<GeoJSONSource>(id);
}

/** Remove layers then sources; tolerant of a map that is already being torn down. */
export function removeAll(map: MlMap, layerIds: readonly string[], sourceIds: readonly string[]): void {
  try {
    for (const id of layerIds) if (map.getLayer(id)) map.removeLayer(id);
    for (const id of sourceIds) if (map.getSource(id)) map.removeSource(id);
  } catch {
    // map.remove() already ran (whole console unmounting): nothing left to clean.
  }
}

/** Show or hide a layer group (the layer switches). */
export function useVisibility(map: MlMap, layerIds: readonly string[], visible: boolean): void {
  useEffect(() => {
    for (const id of layerIds) if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', visible ? 'visible' : 'none');
  }, [map, layerIds, visible]);
}
