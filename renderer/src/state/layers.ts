// Which layer groups are on (the point / line / area / incident switches), remembered per machine.
import { useSyncExternalStore } from 'react';

export type LayerGroup = 'points' | 'lines' | 'areas' | 'incidents';
export const LAYER_GROUPS: LayerGroup[] = ['points', 'lines', 'areas', 'incidents'];
export type LayerSwitches = Record<LayerGroup, boolean>;

const KEY = 'xiuhua.layers';
const listeners = new Set<() => void>();
let current: LayerSwitches = load();

function load(): LayerSwitches {
  const all: LayerSwitches = { points: true, lines: true, areas: true, incidents: true };
  try {
    return { ...all, ...(JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<LayerSwitches>) };
  } catch {
    return all;
  }
}

export function toggleLayer(g: LayerGroup): void {
  current = { ...current, [g]: !current[g] };
  localStorage.setItem(KEY, JSON.stringify(current));
  for (const l of listeners) l();
}

export function useLayerSwitches(): LayerSwitches {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => current,
  );
}
