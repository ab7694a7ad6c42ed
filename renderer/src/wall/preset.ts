// Which wall a video-wall display shows: its preset in the city's mode or, while an emergency is
// declared for an area the display covers, its emergency preset with that area's cameras; when the
// emergency ends the display goes back to the city's preset as it was left. Pure, so the rule is
// plain to read and test; VideoWallScreen feeds it the hub state.
import { distanceM, pointInPolygon } from '../../../shared/geo';
import type { Area, Camera, ModeChange, ModeName } from '../../../shared/domain';
import { wallPresetOf, type ModeProfile, type WallPreset } from '../../../shared/modes';
import type { WallLayout } from '../video/layouts';

export type DisplayWall = {
  /**
   * What the display's tiles are remembered under (the operator's changes are kept per display and
   * per what it shows): the city's mode, or the emergency of these areas since it was declared.
   */
  key: string;
  mode: ModeName;
  /** the areas whose emergency this display shows; empty: it shows the city's mode */
  areaIds: string[];
  layout: WallLayout;
  cameraIds: string[];
};

export type WallInput = {
  displayId: string;
  cityMode: ModeName;
  profiles: Record<ModeName, ModeProfile>;
  /** area id → the emergency declared for it, those in force */
  overrides: ReadonlyMap<string, ModeChange>;
  areas: ReadonlyMap<string, Area>;
  cameras: readonly Camera[];
};

/** The area and the areas it lies in (a post, its cell, its district). */
function lineage(areas: ReadonlyMap<string, Area>, id: string): string[] {
  const out: string[] = [];
  for (let a = areas.get(id), hops = 0; a && hops < 8; a = a.parentId ? areas.get(a.parentId) : undefined, hops++) out.push(a.id);
  return out.length ? out : [id];
}

/** Two areas overlap when one lies in (or is) the other. */
const overlaps = (areas: ReadonlyMap<string, Area>, a: string, b: string) => lineage(areas, a).includes(b) || lineage(areas, b).includes(a);

function holds(area: Area, camera: Camera): boolean {
  const at = camera.position;
  if (!at) return false; // a body or vehicle camera: where it is, is its unit's business
  if (area.polygon) return pointInPolygon(at, area.polygon);
  return area.radiusM !== null && distanceM(area.center, at) <= area.radiusM;
}

/** Fixed cameras in these areas: the key ones first (area by area, each in camera order), then the others. */
export function areaCameras(areas: ReadonlyMap<string, Area>, cameras: readonly Camera[], areaIds: readonly string[]): string[] {
  const within = areaIds.map((id) => areas.get(id)).filter((a): a is Area => !!a);
  const fixed = cameras.filter((c) => c.kind === 'fixed');
  const ids = new Set<string>();
  for (const key of [true, false]) {
    for (const a of within) for (const c of fixed) if (c.key === key && holds(a, c)) ids.add(c.id);
  }
  return [...ids];
}

function cameraIdsOf(preset: WallPreset, input: WallInput, areaIds: readonly string[] | undefined): string[] {
  if (preset.cameras !== 'key') return preset.cameras;
  if (areaIds) return areaCameras(input.areas, input.cameras, areaIds);
  return input.cameras.filter((c) => c.key).map((c) => c.id);
}

export function wallFor(input: WallInput): DisplayWall {
  const { displayId, cityMode, profiles, overrides, areas } = input;
  const home = wallPresetOf(profiles[cityMode], displayId);
  const covered = [...overrides.values()]
    .filter((c) => c.areaId !== null && (!home.covers || home.covers.some((id) => overlaps(areas, id, c.areaId!))))
    .sort((a, b) => a.at - b.at || a.areaId!.localeCompare(b.areaId!));
  if (covered.length === 0) {
    return { key: `${displayId}-${cityMode}`, mode: cityMode, areaIds: [], layout: home.layout, cameraIds: cameraIdsOf(home, input, home.covers) };
  }
  // The newest emergency's profile decides the layout (they are all 'emergency' today); its cameras are those of every covered area.
  const mode = covered.at(-1)!.mode;
  const preset = wallPresetOf(profiles[mode], displayId);
  const areaIds = covered.map((c) => c.areaId!);
  return {
    key: `${displayId}-${mode}@${covered.map((c) => `${c.areaId}.${c.at}`).join('+')}`,
    mode, areaIds, layout: preset.layout, cameraIds: cameraIdsOf(preset, input, areaIds),
  };
}
