// Distributions the simulator needs beyond the city generator's PRNG (main/sim/city/rng.ts). Every
// random choice of the simulator goes through a seeded Rng, so a seed fixes the whole run.
import type { Rng } from './city/rng';

/** Standard normal (Box–Muller). */
export function gaussian(rng: Rng): number {
  const a = 1 - rng.next(); // (0, 1]: log stays finite
  return Math.sqrt(-2 * Math.log(a)) * Math.cos(2 * Math.PI * rng.next());
}

/** Waiting time until the next event of a Poisson process with `perHour` events an hour, in ms. */
export function poissonGapMs(rng: Rng, perHour: number): number {
  if (perHour <= 0) return Infinity;
  return (-Math.log(1 - rng.next()) / perHour) * 3_600_000;
}

/** One of the items, drawn with the given weights. */
export function weighted<T>(rng: Rng, items: readonly (readonly [T, number])[]): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let r = rng.next() * total;
  for (const [item, w] of items) {
    r -= w;
    if (r < 0) return item;
  }
  return items[items.length - 1]![0];
}
