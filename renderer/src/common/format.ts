// Times and distances as the operator reads them. Times are in the center's time zone (design rule 6),
// whatever zone the browser or the wall PC is set to: one formatter, given the zone.
import type { TFunction } from 'i18next';
import { useHub } from '../hub';

const formats = new Map<string, Intl.DateTimeFormat>();

/** "HH:MM:SS" (or "YYYY-MM-DD HH:MM:SS" with `withDate`) of `ms` in time zone `zone` (IANA name). */
export function formatTime(ms: number, zone: string, withDate = false): string {
  const key = `${zone}|${withDate}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit', second: '2-digit',
      ...(withDate ? { year: 'numeric', month: '2-digit', day: '2-digit' } : {}),
    });
    formats.set(key, f);
  }
  const p = Object.fromEntries(f.formatToParts(ms).map((x) => [x.type, x.value]));
  const time = `${p.hour}:${p.minute}:${p.second}`;
  return withDate ? `${p.year}-${p.month}-${p.day} ${time}` : time;
}

/** The center's clock formatter: times as the center reads them (zone from the hub state). */
export function useClock(): (ms: number, withDate?: boolean) => string {
  const zone = useHub((s) => s.timeZone);
  return (ms, withDate) => formatTime(ms, zone, withDate);
}

export function ago(t: TFunction, ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 5) return t('ago.now');
  if (s < 60) return t('ago.s', { n: s });
  if (s < 3600) return t('ago.m', { n: Math.floor(s / 60) });
  return t('ago.h', { n: Math.floor(s / 3600) });
}

export function distance(m: number): string {
  return m < 1000 ? `${Math.round(m)} m` : `${(m / 1000).toFixed(1)} km`;
}
