// What the map layers draw, handed to them as a prop: the live city (state/live-city.ts) or a replayed one
// (the review screen, later), so the same layers can draw either, or both side by side.
import type { ModeProfile } from '../../../shared/modes';
import { createContext, useCallback, useContext, useId, type ReactNode } from 'react';
import type { Area, Camera, Incident, ModeName, Route, Unit } from '../../../shared/domain';
import type { StreamHealth } from '../../../shared/protocol';
import type { PositionStore } from '../hub/positions';
import type { AttendanceMark } from '../state/attendance';

export type City = {
  units: ReadonlyMap<string, Unit>;
  areas: ReadonlyMap<string, Area>;
  routes: ReadonlyMap<string, Route>;
  cameras: ReadonlyMap<string, Camera>;
  incidents: ReadonlyMap<string, Incident>;
  streams: ReadonlyMap<string, StreamHealth>;
  /** the city's mode (routes run by it) */
  mode: ModeName;
  /** the mode in force at an area: an emergency declared there (or for its district), else the city's */
  modeAt: (areaId: string) => ModeName;
  /** each mode's profile as the hub uses it */
  profiles: Record<ModeName, ModeProfile>;
  /** merged positions with their bounded-rate flushes */
  positions: PositionStore;
  /** the city's clock (ms): the hub's for the live city, the replay's for a replay */
  now: () => number;
  /** false while the picture cannot be current (hub away): derived figures show as unknown */
  known: boolean;
  /** officers checked in on their shift now, who alone count for staffing; null: no roster, count by status */
  onDuty: ReadonlySet<string> | null;
  /** each officer's attendance mark now (late, missing, off post, on post); empty where there is no roster or no live record (a replay) */
  attendance: ReadonlyMap<string, AttendanceMark>;
};

/**
 * Every source and layer id a layer adds is suffixed with its city's scope, so two cities can share one
 * map. The live city has the empty scope (ids as written, which tests and tools use); any other city is
 * wrapped in <CityScope>, whose scope comes from useId().
 */
const Scope = createContext('');

export function CityScope({ children }: { children: ReactNode }) {
  const id = useId();
  return <Scope.Provider value={`-${id.replace(/[^a-zA-Z0-9]/g, '')}`}>{children}</Scope.Provider>;
}

/** `n('cameras')` → the id in this city's scope. */
export function useScopedIds(): (id: string) => string {
  const suffix = useContext(Scope);
  // Stable per scope: layers list it in their effects' dependencies.
  return useCallback((id: string) => id + suffix, [suffix]);
}
