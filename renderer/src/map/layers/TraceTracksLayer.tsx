// The units' tracks during the tasks of the incident whose trace is open: a dashed line per task.
import { useEffect } from 'react';
import type { TraceTrack } from '../../../../shared/incidents';
import { useScopedIds } from '../city';
import { useMap } from '../MapView';
import { emptyFc, fc, geojsonSource, removeAll } from '../layer-kit';
import { LIVE } from '../theme';

export function TraceTracksLayer({ tracks }: { tracks: readonly TraceTrack[] }) {
  const { map } = useMap();
  const n = useScopedIds();

  useEffect(() => {
    map.addSource(n('trace-tracks'), { type: 'geojson', data: emptyFc() });
    map.addLayer({
      id: n('trace-tracks'), type: 'line', source: n('trace-tracks'),
      paint: { 'line-color': LIVE.task, 'line-width': 3, 'line-dasharray': [2, 1], 'line-opacity': 0.9 },
    }, 'z-points'); // above routes, below the units and cameras
    return () => removeAll(map, [n('trace-tracks')], [n('trace-tracks')]);
  }, [map, n]);

  useEffect(() => {
    const lines = tracks.filter((x) => x.fixes.length >= 2).map((x): GeoJSON.Feature => ({
      type: 'Feature', properties: { taskId: x.taskId, unitId: x.unitId },
      geometry: { type: 'LineString', coordinates: x.fixes.map((f) => [f.lng, f.lat]) },
    }));
    void geojsonSource(map, n('trace-tracks'))?.setData(fc(lines));
  }, [map, n, tracks]);

  return null;
}
