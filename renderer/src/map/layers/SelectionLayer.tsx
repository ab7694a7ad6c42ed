// A white ring around whatever is selected; it follows a moving unit or camera on each position flush.
import { useEffect } from 'react';
import type { Selection } from '../../state/selection';
import { useScopedIds, type City } from '../city';
import { whereIn } from '../focus';
import { useMap } from '../MapView';
import { emptyFc, fc, geojsonSource, removeAll } from '../layer-kit';
import { LIVE } from '../theme';

export function SelectionLayer({ city, selection }: { city: City; selection: Selection | null }) {
  const { map } = useMap();
  const n = useScopedIds();

  useEffect(() => {
    map.addSource(n('selection'), { type: 'geojson', data: emptyFc() });
    map.addLayer({
      id: n('selection'), type: 'circle', source: n('selection'),
      paint: { 'circle-radius': 18, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': LIVE.select, 'circle-stroke-width': 3 },
    });
    return () => removeAll(map, [n('selection')], [n('selection')]);
  }, [map, n]);

  useEffect(() => {
    const sel = selection;
    const draw = () => {
      const at = sel && sel.kind !== 'route' && sel.kind !== 'area' ? whereIn(city, sel) : null;
      void geojsonSource(map, n('selection'))?.setData(
        fc(at ? [{ type: 'Feature', geometry: { type: 'Point', coordinates: at }, properties: {} }] : []),
      );
    };
    draw();
    const follows = sel?.kind === 'unit' || sel?.kind === 'camera';
    return follows ? city.positions.subscribe(draw) : undefined;
  }, [map, n, selection, city]);

  return null;
}
