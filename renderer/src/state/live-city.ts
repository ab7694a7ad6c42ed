// The live city as the map layers take it (map/city.tsx): the hub's state, positions and clock.
import { useMemo } from 'react';
import { hub, useHub } from '../hub';
import type { ModeName } from '../../../shared/domain';
import type { ModeProfile } from '../../../shared/modes';
import type { City } from '../map/city';
import { areaOverrides, cityModeOf, modeAt, profileOf } from './modes';
import { attendanceMarks, checkedIn, currentShifts } from './attendance';
import { useNow } from '../common/useNow';

const hubNow = () => hub.hubNow();

export function useLiveCity(): City {
  const units = useHub((s) => s.units);
  const areas = useHub((s) => s.areas);
  const routes = useHub((s) => s.routes);
  const cameras = useHub((s) => s.cameras);
  const incidents = useHub((s) => s.incidents);
  const streams = useHub((s) => s.streams);
  const cityMode = useHub((s) => s.mode);
  const areaModes = useHub((s) => s.areaModes);
  const stored = useHub((s) => s.profiles);
  const known = useHub((s) => s.connection.status === 'live');
  const shifts = useHub((s) => s.shifts);
  const fences = useHub((s) => s.fences);
  // Shifts begin and end with no event: which are in force is re-read every few seconds, and the city
  // (who counts for staffing, the marks) is rebuilt only when that set changes.
  const tick = useNow(5000);
  const inForce = useMemo(() => [...currentShifts(shifts, hubNow(), 0).values()].map((s) => s.id).sort().join(' '), [shifts, tick]);
  return useMemo(() => {
    const t = hubNow();
    const mode = cityModeOf({ mode: cityMode }, t);
    const overrides = areaOverrides({ areaModes }, t);
    const profiles = Object.fromEntries((['daily', 'night', 'holiday', 'emergency'] as ModeName[]).map((m) => [m, profileOf({ profiles: stored }, m)])) as Record<ModeName, ModeProfile>;
    return {
      units, areas, routes, cameras, incidents, streams, mode, known, profiles, positions: hub.positions, now: hubNow, onDuty: checkedIn(shifts, t), attendance: attendanceMarks(shifts, fences, t),
      modeAt: (areaId: string) => modeAt(areas, overrides, mode, areaId),
    };
  }, [units, areas, routes, cameras, incidents, streams, cityMode, areaModes, stored, known, shifts, fences, inForce]);
}
