// React bindings for the hub client: read the store with a selector, follow live positions.
import { useEffect, useSyncExternalStore } from 'react';
import type { StreamHealth } from '../../../shared/protocol';
import { hub } from './instance';
import type { FlushListener } from './positions';
import type { HubState } from './state';

/** Read part of the hub state; re-renders only when the selected value changes identity. */
export function useHub<T>(select: (s: HubState) => T): T {
  return useSyncExternalStore(hub.subscribe, () => select(hub.getState()));
}

export function useStreamHealth(cameraId: string | null): StreamHealth | null {
  return useHub((s) => (cameraId ? s.streams.get(cameraId) ?? null : null));
}

/** Call `listener` on every bounded-rate position flush while mounted (and once at once with all tracks). */
export function usePositionFlush(listener: FlushListener): void {
  useEffect(() => hub.positions.subscribe(listener), [listener]);
}
