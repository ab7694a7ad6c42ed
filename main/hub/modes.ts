// Which mode's rules hold where and when. Every rule that depends on the mode (deadlines, staffing,
// check-ins, walls, alerts) asks `effectiveMode`; nothing reads "the newest row" by itself.
import { pointInPolygon } from '../../shared/geo';
import type { Area, LngLat, ModeChange, ModeName } from '../../shared/domain';
import { changeHolds, cityModeAt, MODE_PROFILES, type ModeProfile, type VersionedProfile } from '../../shared/modes';
import { listAreas } from '../store/city';
import type { ReadDb } from '../store/db';
import { latestProfiles } from '../store/modes';
import { currentMode, lastAreaModes } from '../store/operations';

export type EffectiveMode = {
  mode: ModeName;
  profile: ModeProfile;
  /** the profile version the rules use (the newest of that mode) */
  profileVersion: number;
  /** the change in the record this follows */
  change: ModeChange;
  /** 'area' when an area emergency overrides the city's mode here */
  scope: 'city' | 'area';
};

/**
 * The city's mode at t: the newest city-wide change — a switch while it holds, else the mode it
 * replaced once its end time has passed; an end is the mode it returned to.
 */
export function cityMode(db: ReadDb, t: number): { mode: ModeName; change: ModeChange } {
  const change = currentMode(db);
  if (!change) throw new Error('the store has no mode (ensureInitialMode was not run)');
  return { mode: cityModeAt(change, t), change };
}

/** Area emergencies in force at t, by area id. */
export function activeAreaModes(db: ReadDb, t: number): ModeChange[] {
  return lastAreaModes(db).filter((c) => changeHolds(c, t));
}

export function profilesInForce(db: ReadDb): Record<ModeName, VersionedProfile> {
  const stored = latestProfiles(db);
  for (const m of Object.keys(MODE_PROFILES) as ModeName[]) {
    if (!stored[m]) throw new Error(`the store has no profile for mode ${m} (ensureInitialMode was not run)`);
  }
  return stored as Record<ModeName, VersionedProfile>;
}

/**
 * The mode in force at `areaId` (a post, cell or district; null for the city as a whole) at t: the
 * city's mode, overlaid by an emergency declared for that area or any area containing it.
 */
export function effectiveMode(db: ReadDb, areaId: string | null, t: number): EffectiveMode {
  return modeResolver(db, t).at(areaId);
}

export type ModeResolver = {
  /** effectiveMode(areaId, t) without reading the store again */
  at(areaId: string | null): EffectiveMode;
  /** the mode at a point: the innermost area emergency whose polygon holds it, else the city's */
  atPoint(p: LngLat): EffectiveMode;
  /** whether any area emergency is in force (if not, every answer is the city's) */
  readonly anyArea: boolean;
};

/**
 * effectiveMode for many areas at one instant, reading the store once: for watchers that judge
 * thousands of units per refresh (fences, coverage) rather than one command.
 */
export function modeResolver(db: ReadDb, t: number): ModeResolver {
  const profiles = profilesInForce(db);
  const withProfile = (mode: ModeName, change: ModeChange, scope: EffectiveMode['scope']): EffectiveMode =>
    ({ mode, change, scope, profile: profiles[mode].profile, profileVersion: profiles[mode].version });
  const city = cityMode(db, t);
  const cityInForce = withProfile(city.mode, city.change, 'city');
  const overrides = new Map(activeAreaModes(db, t).map((c) => [c.areaId, c]));
  if (overrides.size === 0) return { at: () => cityInForce, atPoint: () => cityInForce, anyArea: false };
  const byId = new Map(listAreas(db).map((a) => [a.id, a]));
  const memo = new Map<string, EffectiveMode>();
  const at = (areaId: string | null): EffectiveMode => {
    if (areaId === null) return cityInForce;
    let m = memo.get(areaId);
    if (!m) {
      m = cityInForce;
      for (let a: Area | undefined = byId.get(areaId), hops = 0; a && hops < 8; a = a.parentId ? byId.get(a.parentId) : undefined, hops++) {
        const o = overrides.get(a.id);
        if (o) { m = withProfile(o.mode, o, 'area'); break; }
      }
      memo.set(areaId, m);
    }
    return m;
  };
  // Cells before districts: the innermost declared area that holds the point decides.
  const declared = [...overrides.keys()].map((id) => byId.get(id!)).filter((a): a is Area => !!a?.polygon)
    .sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'cell' ? -1 : 1));
  const atPoint = (p: LngLat): EffectiveMode => {
    const a = declared.find((x) => pointInPolygon(p, x.polygon!));
    return a ? at(a.id) : cityInForce;
  };
  return { at, atPoint, anyArea: true };
}

/**
 * What a rule decided by, for its audit entry: the mode, where it came from and the profile version,
 * so a past deadline or alert can be explained by the profile it used (store/modes.ts profileVersion).
 */
export const modeBasis = (m: EffectiveMode) => ({ mode: m.mode, scope: m.scope, areaId: m.change.areaId, profileVersion: m.profileVersion });

/** The most specific grid area (cell, else district) that holds a point; null outside the grid. */
export function areaAt(db: ReadDb, p: LngLat): string | null {
  const areas = listAreas(db).filter((a) => a.polygon && pointInPolygon(p, a.polygon));
  return (areas.find((a) => a.kind === 'cell') ?? areas.find((a) => a.kind === 'district'))?.id ?? null;
}
