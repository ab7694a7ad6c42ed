// Putting a camera on a tile of a wall from the console: the console's own wall panel and every wall display
// window of this console (same origin, same browser or Electron app) talk over one BroadcastChannel.
// A wall says which display it is and how many tiles it has; the console asks "who is there" and sends
// "put camera X on tile N of display D". Walls on another machine are not reached this way (see README).
import { useEffect, useState } from 'react';

const CHANNEL = 'xiuhua.walls';

export type WallInfo = { display: string; tiles: number };
type Message =
  | { type: 'who' }
  | ({ type: 'here' } & WallInfo)
  | { type: 'gone'; display: string }
  | { type: 'put'; display: string; slot: number; cameraId: string };

function channel(): BroadcastChannel | null {
  return typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(CHANNEL);
}

/** A wall (panel or display) answers "who" and takes "put" for itself. */
export function useWallEndpoint(display: string, tiles: number, onPut: (slot: number, cameraId: string) => void): void {
  useEffect(() => {
    const ch = channel();
    if (!ch) return;
    const here: Message = { type: 'here', display, tiles };
    ch.onmessage = (e: MessageEvent<Message>) => {
      const m = e.data;
      if (m.type === 'who') ch.postMessage(here);
      if (m.type === 'put' && m.display === display) onPut(m.slot, m.cameraId);
    };
    ch.postMessage(here);
    return () => {
      ch.postMessage({ type: 'gone', display } satisfies Message);
      ch.close();
    };
  }, [display, tiles, onPut]);
}

/** The walls that can take a camera now, sorted by display name. */
export function useWalls(): WallInfo[] {
  const [walls, setWalls] = useState<ReadonlyMap<string, WallInfo>>(new Map());
  useEffect(() => {
    const ch = channel();
    if (!ch) return;
    ch.onmessage = (e: MessageEvent<Message>) => {
      const m = e.data;
      if (m.type === 'here') setWalls((w) => new Map(w).set(m.display, { display: m.display, tiles: m.tiles }));
      if (m.type === 'gone') setWalls((w) => {
        const next = new Map(w);
        next.delete(m.display);
        return next;
      });
    };
    ch.postMessage({ type: 'who' } satisfies Message);
    return () => ch.close();
  }, []);
  return [...walls.values()].sort((a, b) => a.display.localeCompare(b.display));
}

export function putOnWall(display: string, slot: number, cameraId: string): void {
  const ch = channel();
  if (!ch) return;
  ch.postMessage({ type: 'put', display, slot, cameraId } satisfies Message);
  ch.close();
}
