/** [west, south, east, north] of some points, in one pass (a day of fixes is too many arguments for Math.min(...)). */
export function bounds(points: ReadonlyArray<readonly number[]>): [number, number, number, number] {
  let w = Infinity, s = Infinity, e = -Infinity, n = -Infinity;
  for (const p of points) {
    const x = p[0]!, y = p[1]!;
    if (x < w) w = x;
    if (x > e) e = x;
    if (y < s) s = y;
    if (y > n) n = y;
  }
  return [w, s, e, n];
}
