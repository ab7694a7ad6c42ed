// This console's alarm volume and mute (sound and speech together), remembered on this machine. Muting
// never makes an alarm silent unnoticed: the SOS banner says that this console is muted.
import { useSyncExternalStore } from 'react';

export type AlarmSettings = { volume: number; muted: boolean };

const KEY = 'xiuhua.alarm';
const DEFAULTS: AlarmSettings = { volume: 0.8, muted: false };
/** How much louder an escalated SOS plays than the chosen volume. */
export const ESCALATED_BOOST = 0.35;

function read(): AlarmSettings {
  try {
    const raw = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Partial<AlarmSettings> | null;
    const volume = typeof raw?.volume === 'number' && raw.volume >= 0 && raw.volume <= 1 ? raw.volume : DEFAULTS.volume;
    return { volume, muted: raw?.muted === true };
  } catch {
    return DEFAULTS;
  }
}

let current = typeof localStorage === 'undefined' ? DEFAULTS : read();
const listeners = new Set<() => void>();

export function alarmSettings(): AlarmSettings {
  return current;
}

export function setAlarmSettings(change: Partial<AlarmSettings>): void {
  current = { ...current, ...change };
  localStorage.setItem(KEY, JSON.stringify(current));
  for (const l of listeners) l();
}

function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

export function useAlarmSettings(): AlarmSettings {
  return useSyncExternalStore(subscribe, alarmSettings);
}
