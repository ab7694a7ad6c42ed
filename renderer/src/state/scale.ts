// Desk or wall scale, remembered per display: the same console on a desk monitor and on a wall panel read
// from 3 m needs different sizes. The display is the window's ?display= (wall windows) or its screen size.
import { useSyncExternalStore } from 'react';

export type Scale = 'desk' | 'wall';
/** How much larger everything is at wall scale: 18 px body text becomes 25 px, 14 px map labels 19.6 px. */
export const WALL_ZOOM = 1.4;
/** Map labels are never smaller than this at wall scale. */
export const WALL_MIN_LABEL_PX = 18;

function displayKey(): string {
  const param = typeof location === 'undefined' ? null : new URLSearchParams(location.search).get('display');
  const screenSize = typeof screen === 'undefined' ? 'unknown' : `${screen.width}x${screen.height}`;
  return `xiuhua.scale.${param ?? screenSize}`;
}

const listeners = new Set<() => void>();
let current: Scale = load();

function load(): Scale {
  try {
    return localStorage.getItem(displayKey()) === 'wall' ? 'wall' : 'desk';
  } catch {
    return 'desk';
  }
}

export function setScale(s: Scale): void {
  current = s;
  localStorage.setItem(displayKey(), s);
  for (const l of listeners) l();
}

export function useScale(): Scale {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => current,
  );
}
