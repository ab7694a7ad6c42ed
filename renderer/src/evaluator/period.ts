// The period the evaluator looks at, shared by the timeline, the replay and the scorecard; times are read
// and typed in the center's zone (design rule 6), whatever the browser's zone is.
import { useSyncExternalStore } from 'react';
import { addDays, atCenterTime, centerDay, readDay, startOfCenterDay } from '../../../shared/time';
import { formatTime } from '../common/format';

export type Period = { from: number; to: number };

/**
 * 'YYYY-MM-DD HH:MM' of `ms` in the center's zone: the 24-hour form every other time on the console is
 * shown in. (A datetime-local input is drawn in the browser's own locale, which a page cannot set: on an
 * English system Chromium showed "12/04/2026, 12:00 AM" inside the Chinese console.)
 */
export function toInput(ms: number, zone: string): string {
  return formatTime(ms, zone, true).slice(0, 16);
}

const TYPED = /^\s*(\S+?)(?:[ T]+(\d{1,2}):(\d{2}))?\s*$/;

/**
 * The instant a typed 'YYYY-MM-DD HH:MM' names in the center's zone (a 'T' for the space, one-digit
 * month, day and hour, and a day without a time, meaning 00:00, are taken too); null when it is not a
 * real day and time.
 */
export function fromInput(value: string, zone: string): number | null {
  const m = TYPED.exec(value);
  const day = m ? readDay(m[1]!) : null;
  if (!m || !day) return null;
  const [, , h = '0', mi = '00'] = m;
  try {
    return atCenterTime(day, `${h.padStart(2, '0')}:${mi}`, zone);
  } catch {
    return null;
  }
}

export type PeriodProblem = 'from' | 'to' | 'order';

/** The period two typed times name, or what is wrong with them: the first field that is not a time, or an end not after the start. */
export function readPeriod(from: string, to: string, zone: string): Period | PeriodProblem {
  const f = fromInput(from, zone);
  if (f === null) return 'from';
  const t = fromInput(to, zone);
  if (t === null) return 'to';
  return f < t ? { from: f, to: t } : 'order';
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
