// A white ring around whatever is selected; it follows a moving unit or camera on each position flush.
import { useEffect } from 'react';
import { hub } from '../../hub';
import { useSelection } from '../../state/selection';
import { whereIs } from '../focus';
import { useMap } from '../MapView';
import { emptyFc, fc, geojsonSource, removeAll } from '../layer-kit';
import { LIVE } from '../theme';

export function SelectionLayer() {
  const { map } = useMap();
  const sel = useSelection();

  useEffect(() => {
    map.addSource('selection', { type: 'geojson', data: emptyFc() });
    map.addLayer({
      id: 'selection', type: 'circle', source: 'selection',
      paint: { 'circle-radius': 18, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': LIVE.select, 'circle-stroke-width': 3 },
    });
    return () => removeAll(map, ['selection'], ['selection']);
  }, [map]);

  useEffect(() => {
    const draw = () => {
      const at = sel && sel.kind !== 'route' && sel.kind !== 'area' ? whereIs(sel) : null;
      void geojsonSource(map, 'selection')?.setData(
        fc(at ? [{ type: 'Feature', geometry: { type: 'Point', coordinates: at }, properties: {} }] : []),
      );
    };
    draw();
    const follows = sel?.kind === 'unit' || sel?.kind === 'camera';
    return follows ? hub.positions.subscribe(draw) : undefined;
  }, [map, sel]);

  return null;
}
