// What the operator has selected on the map (or in search): drives the side panel and the highlight.
import { useSyncExternalStore } from 'react';
import type { LngLat } from '../../../shared/domain';

export type Selection =
  | { kind: 'camera'; id: string }
  | { kind: 'unit'; id: string }
  | { kind: 'incident'; id: string }
  /** `at`: where on the area the operator clicked (so an incident can be made right there) */
  | { kind: 'area'; id: string; at?: LngLat }
  | { kind: 'route'; id: string }
  /** `cameraId`: made from that camera's panel (the new incident links it) */
  | { kind: 'place'; at: LngLat; cameraId?: string };

let current: Selection | null = null;
const listeners = new Set<() => void>();

export function select(s: Selection | null): void {
  current = s;
  for (const l of listeners) l();
}

export function getSelection(): Selection | null {
  return current;
}

export function useSelection(): Selection | null {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => current,
  );
}
