// What a wall shows, and how it is remembered per display across restarts (localStorage).
import { z } from 'zod';
import { Id } from '../../../shared/domain';
import { MAX_TILES, WALL_LAYOUTS, type WallLayout } from './layouts';

/** A tile shows a camera, or follows a unit (vehicle / officer) and shows whichever camera rides with it. */
const TileContent = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('camera'), cameraId: Id }),
  z.object({ kind: z.literal('unit'), unitId: Id }),
]);
export type TileContent = z.infer<typeof TileContent>;

const WallState = z.object({
  layout: z.enum(WALL_LAYOUTS),
  slots: z.array(TileContent.nullable()).max(MAX_TILES),
});
export type WallState = { layout: WallLayout; slots: (TileContent | null)[] };

/** The drag payload the map and camera lists put on a camera: its id. */
export const CAMERA_DRAG_TYPE = 'application/x-xiuhua-camera';
/** Moving a tile within the wall also carries its slot, so the two tiles swap. */
export const SLOT_DRAG_TYPE = 'application/x-xiuhua-wall-slot';

const storageKey = (displayKey: string) => `xiuhua.wall.${displayKey}`;

export function emptyWall(layout: WallLayout = '4'): WallState {
  return { layout, slots: Array.from({ length: MAX_TILES }, () => null) };
}

function padded(state: { layout: WallLayout; slots: (TileContent | null)[] }): WallState {
  const slots = state.slots.slice(0, MAX_TILES);
  while (slots.length < MAX_TILES) slots.push(null);
  return { layout: state.layout, slots };
}

export function loadWall(displayKey: string): WallState | null {
  try {
    const raw = localStorage.getItem(storageKey(displayKey));
    if (!raw) return null;
    const parsed = WallState.safeParse(JSON.parse(raw));
    return parsed.success ? padded(parsed.data) : null;
  } catch {
    return null; // unreadable or unavailable storage: start from the preset
  }
}

export function saveWall(displayKey: string, state: WallState): void {
  try {
    localStorage.setItem(storageKey(displayKey), JSON.stringify(state));
  } catch {
    // storage full or disabled: the wall still works, it just will not be restored
  }
}

/** Forget a display's saved wall (a temporary one, e.g. an SOS's, once it is over). */
export function forgetWall(displayKey: string): void {
  try {
    localStorage.removeItem(storageKey(displayKey));
  } catch {
    // unavailable storage: nothing was saved either
  }
}

export function fromPreset(layout: WallLayout, cameraIds: (string | null)[]): WallState {
  return padded({ layout, slots: cameraIds.map((id) => (id ? { kind: 'camera', cameraId: id } : null)) });
}
