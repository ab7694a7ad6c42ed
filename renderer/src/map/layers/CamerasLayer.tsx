// Points: every camera, coloured by its stream's state, with its facing as a wedge. Fixed cameras stand
// still; vehicle and body-worn cameras are drawn where their unit is. Clustered at low zoom so thousands
// stay readable; a cluster turns red when any camera inside it is offline.
import type { ExpressionSpecification } from 'maplibre-gl';
import { useEffect, useMemo, useRef } from 'react';
import { useScopedIds, type City } from '../city';
import { PICK_RANK, useMap } from '../MapView';
import { ensureIcons } from '../icons';
import { emptyFc, geojsonSource, removeAll, useVisibility } from '../layer-kit';
import { FONT, LIVE } from '../theme';
import { CameraFeed } from '../camera-feed';

export { streamLook, type StreamLook } from '../camera-feed';

/** Moving cameras follow their units at this period; each refresh sends only the cameras that moved. */
const MOVING_REFRESH_MS = 2000;

const lookColor: ExpressionSpecification = [
  'match', ['get', 'look'], 'live', LIVE.camLive, 'stale', LIVE.camStale, 'offline', LIVE.camOffline, 'idle', LIVE.camIdle, LIVE.unknown,
];

const LAYERS = ['camera-clusters', 'camera-cluster-count', 'camera-cones', 'cameras', 'cameras-moving', 'cameras-label'];
const single: ExpressionSpecification = ['!', ['has', 'point_count']];
const isFixed: ExpressionSpecification = ['==', ['get', 'kind'], 'fixed'];

export function CamerasLayer({ city, visible }: { city: City; visible: boolean }) {
  const { map, addPickable } = useMap();
  const n = useScopedIds();
  const { cameras, streams, positions, known } = city;
  const feed = useRef(new CameraFeed()).current;
  const moving = useMemo(() => [...cameras.values()].some((c) => !c.position), [cameras]);

  useEffect(() => {
    ensureIcons(map);
    map.addSource(n('cameras'), {
      type: 'geojson', data: emptyFc(), cluster: true, clusterMaxZoom: 12, clusterRadius: 36,
      clusterProperties: { offline: ['+', ['case', ['==', ['get', 'look'], 'offline'], 1, 0]] },
    });
    feed.reset();
    map.addLayer({
      id: n('camera-clusters'), type: 'circle', source: n('cameras'), filter: ['has', 'point_count'],
      paint: {
        'circle-color': '#1c6f8c',
        'circle-radius': ['step', ['get', 'point_count'], 12, 10, 16, 50, 22, 200, 28],
        // A cluster holding a camera that is down gets a thick amber rim (not red: red is an SOS).
        'circle-stroke-color': ['case', ['>', ['get', 'offline'], 0], LIVE.camStale, '#d8f3ff'],
        'circle-stroke-width': ['case', ['>', ['get', 'offline'], 0], 4, 1.5], 'circle-opacity': 0.75,
      },
    }, 'z-incidents');
    map.addLayer({
      id: n('camera-cluster-count'), type: 'symbol', source: n('cameras'), filter: ['has', 'point_count'],
      layout: { 'text-field': ['get', 'point_count_abbreviated'], 'text-font': FONT, 'text-size': 15, 'text-allow-overlap': true },
      paint: { 'text-color': '#ffffff' },
    }, 'z-incidents');
    map.addLayer({
      id: n('camera-cones'), type: 'symbol', source: n('cameras'), filter: ['all', single, isFixed, ['>=', ['get', 'facing'], 0]],
      layout: {
        'icon-image': 'icon-cone', 'icon-rotate': ['get', 'facing'], 'icon-rotation-alignment': 'map',
        'icon-size': ['interpolate', ['linear'], ['zoom'], 13, 0.9, 17, 1.8], 'icon-allow-overlap': true, 'icon-ignore-placement': true,
      },
      paint: { 'icon-color': lookColor, 'icon-opacity': 0.35 },
    }, 'z-incidents');
    map.addLayer({
      id: n('cameras'), type: 'symbol', source: n('cameras'), filter: ['all', single, isFixed],
      layout: {
        'icon-image': ['match', ['get', 'look'], 'offline', 'icon-cam-off', 'icon-cam-fixed'],
        'icon-size': ['interpolate', ['linear'], ['zoom'], 12, 0.45, 17, 0.8], 'icon-allow-overlap': true, 'icon-ignore-placement': true,
      },
      paint: {
        'icon-color': lookColor,
        'icon-opacity': ['match', ['get', 'look'], ['idle', 'unknown'], 0.6, 1],
        'icon-halo-color': ['case', ['get', 'key'], '#ffffff', '#0b0f16'], 'icon-halo-width': ['case', ['get', 'key'], 2.5, 1],
      },
    }, 'z-incidents');
    // Vehicle and body-worn cameras ride on units: shown close up only, beside (not over) their unit's dot.
    map.addLayer({
      id: n('cameras-moving'), type: 'symbol', source: n('cameras'), minzoom: 15, filter: ['all', single, ['!', isFixed]],
      layout: {
        'icon-image': ['match', ['get', 'kind'], 'vehicle', 'icon-cam-vehicle', 'icon-cam-body'],
        'icon-size': 0.55, 'icon-offset': [26, -26], 'icon-allow-overlap': true, 'icon-ignore-placement': true,
      },
      paint: { 'icon-color': lookColor, 'icon-halo-color': '#0b0f16', 'icon-halo-width': 1 },
    }, 'z-incidents');
    map.addLayer({
      id: n('cameras-label'), type: 'symbol', source: n('cameras'), minzoom: 16, filter: ['all', single, isFixed],
      layout: { 'text-field': ['get', 'name'], 'text-font': FONT, 'text-size': 13, 'text-offset': [0, 1.2], 'text-anchor': 'top', 'text-optional': true },
      paint: { 'text-color': '#d8f3ff', 'text-halo-color': '#0b0f16', 'text-halo-width': 1.5 },
    }, 'z-incidents');
    const off = addPickable({
      layerIds: [n('cameras'), n('cameras-moving'), n('camera-clusters')],
      rank: PICK_RANK.camera,
      pick: (f, m) => {
        if (f.properties.cluster_id !== undefined) {
          const at = (f.geometry as GeoJSON.Point).coordinates as [number, number];
          void geojsonSource(m, n('cameras'))?.getClusterExpansionZoom(Number(f.properties.cluster_id)).then((zoom) => m.easeTo({ center: at, zoom }));
          return 'handled';
        }
        return { kind: 'camera', id: String(f.properties.id) };
      },
    });
    return () => {
      off();
      removeAll(map, LAYERS.map(n), [n('cameras')]);
    };
  }, [map, addPickable, n, feed]);

  // Any change to the cameras, their streams or the hub's reach, and every MOVING_REFRESH_MS while some
  // camera rides on a unit: the diff against what the source holds, nothing when nothing changed.
  useEffect(() => {
    const push = () => {
      const diff = feed.diff(cameras, streams, positions, known);
      if (diff) void geojsonSource(map, n('cameras'))?.updateData(diff);
    };
    push();
    if (!moving) return;
    const t = setInterval(push, MOVING_REFRESH_MS);
    return () => clearInterval(t);
  }, [map, n, feed, cameras, streams, positions, known, moving]);

  useVisibility(map, useMemo(() => LAYERS.map(n), [n]), visible);
  return null;
}
