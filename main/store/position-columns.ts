// What the hub's thread and the position writer's thread pass each other (position-writer.ts): a batch
// as COLUMNS doubles per fix in one ArrayBuffer (moved, not copied) and the unit ids joined by '\n'.
import type { PositionFix } from '../../shared/domain';

/** t, lng, lat, speed, heading, accuracy (NaN: absent) */
export const COLUMNS = 6;

export type WriteJob = { id: number; units: string; columns: ArrayBuffer; receivedAt: number };
export type WriteAnswer = { id: number; written: number } | { id: number; error: { message: string; code?: string } };

/** The first n fixes of `fixes`, packed. */
export function packFixes(fixes: readonly PositionFix[], n: number): { units: string; columns: ArrayBuffer } {
  const c = new Float64Array(n * COLUMNS);
  let units = '';
  for (let i = 0, o = 0; i < n; i++, o += COLUMNS) {
    const f = fixes[i]!;
    units += i === 0 ? f.unitId : '\n' + f.unitId;
    c[o] = f.t;
    c[o + 1] = f.lng;
    c[o + 2] = f.lat;
    c[o + 3] = f.speed ?? NaN;
    c[o + 4] = f.heading ?? NaN;
    c[o + 5] = f.accuracy ?? NaN;
  }
  return { units, columns: c.buffer };
}
