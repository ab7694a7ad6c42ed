// The tracks of the incident trace that is open in the side panel, for the map to draw (one trace at a time).
import { useSyncExternalStore } from 'react';
import type { TraceTrack } from '../../../shared/incidents';

let current: readonly TraceTrack[] = [];
const listeners = new Set<() => void>();

export function showTraceTracks(tracks: readonly TraceTrack[]): void {
  current = tracks;
  for (const l of listeners) l();
}

export function useTraceTracks(): readonly TraceTrack[] {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => current,
  );
}
