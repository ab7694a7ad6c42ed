// How old a unit's newest fix is, and what that means for showing it: a unit that stopped reporting is
// shown as stale, then offline — never as if it were live where it was last seen.
export type Freshness = 'live' | 'stale' | 'offline';

export const STALE_AFTER_MS = 30_000;
export const OFFLINE_AFTER_MS = 5 * 60_000;

export function freshness(fixT: number, hubNow: number): Freshness {
  const age = hubNow - fixT;
  if (age > OFFLINE_AFTER_MS) return 'offline';
  if (age > STALE_AFTER_MS) return 'stale';
  return 'live';
}

/** Short age for a map label: "45s", "3m", "2h". */
export function shortAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.round(s / 60)}m`;
  return `${Math.round(s / 3600)}h`;
}
