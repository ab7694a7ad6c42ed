// Tracks as lines (one unit's over the period, or each unit's during an incident), with each one's first
// and last fix marked; the map fits them when they change.
import { useEffect } from 'react';
import type { PositionFix } from '../../../shared/domain';
import { useMap } from '../map/MapView';
import { emptyFc, fc, geojsonSource, removeAll } from '../map/layer-kit';
import { bounds } from './bounds';

const SOURCE = 'ev-track';
const LAYERS = ['ev-track-line', 'ev-track-ends'];

export function TrackLayer({ tracks }: { tracks: readonly PositionFix[][] }) {
  const { map } = useMap();
  useEffect(() => {
    map.addSource(SOURCE, { type: 'geojson', data: emptyFc() });
    map.addLayer({ id: 'ev-track-line', type: 'line', source: SOURCE, filter: ['==', ['geometry-type'], 'LineString'], layout: { 'line-cap': 'round', 'line-join': 'round' }, paint: { 'line-color': '#ffd34d', 'line-width': 4, 'line-opacity': 0.85 } }, 'z-top');
    map.addLayer({ id: 'ev-track-ends', type: 'circle', source: SOURCE, filter: ['==', ['geometry-type'], 'Point'], paint: { 'circle-radius': 7, 'circle-color': ['match', ['get', 'end'], 'first', '#38d39f', '#ff3b4e'], 'circle-stroke-color': '#0b0f16', 'circle-stroke-width': 2 } }, 'z-top');
    return () => removeAll(map, LAYERS, [SOURCE]);
  }, [map]);
  useEffect(() => {
    const features: GeoJSON.Feature[] = [];
    const all: number[][] = [];
    for (const fixes of tracks) {
      const coords = fixes.map((f) => [f.lng, f.lat]);
      all.push(...coords);
      if (coords.length >= 2) features.push({ type: 'Feature', geometry: { type: 'LineString', coordinates: coords }, properties: {} });
      if (coords.length >= 1) {
        features.push({ type: 'Feature', geometry: { type: 'Point', coordinates: coords[0]! }, properties: { end: 'first' } });
        features.push({ type: 'Feature', geometry: { type: 'Point', coordinates: coords.at(-1)! }, properties: { end: 'last' } });
      }
    }
    void geojsonSource(map, SOURCE)?.setData(fc(features));
    if (all.length >= 1) {
      const [w, s, e, n] = bounds(all);
      map.fitBounds([[w, s], [e, n]], { padding: 80, maxZoom: 16, duration: 0 });
    }
  }, [map, tracks]);
  return null;
}
