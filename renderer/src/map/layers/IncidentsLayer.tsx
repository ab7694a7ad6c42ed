// Incidents as warning triangles, by priority (colour), category (label) and state: open = solid, dispatched = outline,
// resolved = faded; closed ones leave the map.
import type { ExpressionSpecification } from 'maplibre-gl';
import { useEffect, useMemo } from 'react';
import { ensureIcons } from '../icons';
import { INCIDENT_CATEGORY_LABELS } from '../../../../shared/domain';
import { useScopedIds, type City } from '../city';
import { pick as pickLabel } from '../../i18n';
import { PICK_RANK, useMap } from '../MapView';
import { emptyFc, fc, geojsonSource, removeAll, useVisibility } from '../layer-kit';
import { FONT, LIVE } from '../theme';

const LAYERS = ['incidents', 'incidents-label'];

export function IncidentsLayer({ city, visible, lang }: { city: City; visible: boolean; lang: string }) {
  const { map, addPickable } = useMap();
  const n = useScopedIds();
  const { incidents } = city;

  useEffect(() => {
    ensureIcons(map);
    map.addSource(n('incidents'), { type: 'geojson', data: emptyFc() });
    const color: ExpressionSpecification = ['match', ['get', 'priority'], 1, LIVE.prio1, 2, LIVE.prio2, LIVE.prio3];
    map.addLayer({
      id: n('incidents'), type: 'symbol', source: n('incidents'),
      layout: {
        'icon-image': ['case', ['==', ['get', 'state'], 'dispatched'], 'icon-incident-ring', 'icon-incident'],
        'icon-size': ['interpolate', ['linear'], ['zoom'], 11, ['match', ['get', 'priority'], 1, 0.75, 0.55], 16, ['match', ['get', 'priority'], 1, 1.3, 1]],
        'icon-allow-overlap': true, 'icon-ignore-placement': true,
      },
      paint: {
        'icon-color': color,
        'icon-halo-color': '#0b0f16', 'icon-halo-width': 1.5,
        'icon-opacity': ['match', ['get', 'state'], 'resolved', 0.35, 1],
      },
    }, 'z-top');
    map.addLayer({
      id: n('incidents-label'), type: 'symbol', source: n('incidents'), minzoom: 14,
      layout: { 'text-field': ['get', 'label'], 'text-font': FONT, 'text-size': 14, 'text-offset': [0, 1.3], 'text-anchor': 'top', 'text-optional': true },
      paint: { 'text-color': '#ffe2c2', 'text-halo-color': '#0b0f16', 'text-halo-width': 1.5 },
    }, 'z-top');
    const off = addPickable({ layerIds: [n('incidents')], rank: PICK_RANK.incident, pick: (f) => ({ kind: 'incident', id: String(f.properties.id) }) });
    return () => {
      off();
      removeAll(map, LAYERS.map(n), [n('incidents')]);
    };
  }, [map, addPickable, n]);

  useEffect(() => {
    const features: GeoJSON.Feature[] = [...incidents.values()]
      .filter((i) => i.state !== 'closed')
      .map((i) => ({
        type: 'Feature', id: i.id,
        geometry: { type: 'Point', coordinates: i.position },
        properties: { id: i.id, priority: i.priority, state: i.state, category: i.category, label: pickLabel(INCIDENT_CATEGORY_LABELS[i.category], lang) },
      }));
    void geojsonSource(map, n('incidents'))?.setData(fc(features));
  }, [map, n, incidents, lang]);

  useVisibility(map, useMemo(() => LAYERS.map(n), [n]), visible);
  return null;
}
