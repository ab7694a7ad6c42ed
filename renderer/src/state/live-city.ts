// The live city as the map layers take it (map/city.tsx): the hub's state, positions and clock.
import { useMemo } from 'react';
import { hub, useHub } from '../hub';
import type { City } from '../map/city';

const hubNow = () => hub.hubNow();

export function useLiveCity(): City {
  const units = useHub((s) => s.units);
  const areas = useHub((s) => s.areas);
  const routes = useHub((s) => s.routes);
  const cameras = useHub((s) => s.cameras);
  const incidents = useHub((s) => s.incidents);
  const streams = useHub((s) => s.streams);
  const mode = useHub((s) => s.mode?.mode ?? 'daily');
  const known = useHub((s) => s.connection.status === 'live');
  return useMemo(
    () => ({ units, areas, routes, cameras, incidents, streams, mode, known, positions: hub.positions, now: hubNow }),
    [units, areas, routes, cameras, incidents, streams, mode, known],
  );
}
