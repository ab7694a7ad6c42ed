// The modes in force as the console knows them: the city's, overlaid per area by a declared emergency,
// with the hub's profiles (the shipped ones only until the first snapshot has come).
import type { Area, ModeChange, ModeName } from '../../../shared/domain';
import { changeHolds, cityModeAt, MODE_PROFILES, type ModeProfile } from '../../../shared/modes';
import { useHub, type HubState } from '../hub';

export function profileOf(s: Pick<HubState, 'profiles'>, mode: ModeName): ModeProfile {
  return s.profiles?.[mode].profile ?? MODE_PROFILES[mode];
}

/** The city's mode at hubNow: the newest city change, or what it replaced once its end time passed. */
export function cityModeOf(s: Pick<HubState, 'mode'>, hubNow: number): ModeName {
  return s.mode ? cityModeAt(s.mode, hubNow) : 'daily';
}

/** Area id → the emergency declared for it, for those in force. */
export function areaOverrides(s: Pick<HubState, 'areaModes'>, hubNow: number): Map<string, ModeChange> {
  return new Map(s.areaModes.filter((c) => c.areaId !== null && changeHolds(c, hubNow)).map((c) => [c.areaId!, c]));
}

/** The mode in force at an area: its own emergency, or one of an area containing it, else the city's. */
export function modeAt(areas: ReadonlyMap<string, Area>, overrides: ReadonlyMap<string, ModeChange>, city: ModeName, areaId: string | null): ModeName {
  for (let a = areaId ? areas.get(areaId) : undefined, hops = 0; a && hops < 8; a = a.parentId ? areas.get(a.parentId) : undefined, hops++) {
    const o = overrides.get(a.id);
    if (o) return o.mode;
  }
  return city;
}

/** The profile of the city's mode, for the header, the theme and the walls. */
export function useCityProfile(hubNow: number): ModeProfile {
  return useHub((s) => profileOf(s, cityModeOf(s, hubNow)));
}
