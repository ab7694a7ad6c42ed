// The period the evaluator looks at, shared by the timeline, the replay and the scorecard; times are read
// and typed in the center's zone (design rule 6), whatever the browser's zone is.
import { useSyncExternalStore } from 'react';
import { addDays, atCenterTime, centerDay, startOfCenterDay } from '../../../shared/time';
import { formatTime } from '../common/format';

export type Period = { from: number; to: number };

/** 'YYYY-MM-DDTHH:MM' (a datetime-local input's value) of `ms` in the center's zone. */
export function toInput(ms: number, zone: string): string {
  return formatTime(ms, zone, true).slice(0, 16).replace(' ', 'T');
}

/** The instant a datetime-local value names in the center's zone; null when it is not one. */
export function fromInput(value: string, zone: string): number | null {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)$/.exec(value);
  if (!m) return null;
  try {
    return atCenterTime(m[1]!, m[2]!, zone);
  } catch {
    return null;
  }
}

export function presetPeriod(preset: 'today' | 'yesterday' | 'week', now: number, zone: string): Period {
  const today = startOfCenterDay(now, zone);
  const endOfMinute = now - (now % 60_000) + 60_000;
  if (preset === 'today') return { from: today, to: endOfMinute };
  if (preset === 'yesterday') return { from: atCenterTime(addDays(centerDay(now, zone), -1), '00:00', zone), to: today };
  return { from: atCenterTime(addDays(centerDay(now, zone), -6), '00:00', zone), to: endOfMinute };
}

let current: Period | null = null;
const listeners = new Set<() => void>();

export function setPeriod(p: Period): void {
  current = p;
  for (const l of listeners) l();
}

/** The period in force: today's, until the evaluator picks another. */
export function usePeriod(zone: string): Period {
  const p = useSyncExternalStore((l) => {
    listeners.add(l);
    return () => listeners.delete(l);
  }, () => current);
  if (p) return p;
  current = presetPeriod('today', Date.now(), zone);
  return current;
}
