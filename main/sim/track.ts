// A route line prepared for driving: cumulative distances so that "where am I after s metres" is a
// binary search, not a walk over every vertex (load mode moves thousands of vehicles a second).
import { bearingDeg, distanceM } from '../../shared/geo';
import type { LngLat, Route } from '../../shared/domain';

/** A route whose ends are this close is driven as a loop; otherwise vehicles turn round at the ends. */
const LOOP_CLOSE_M = 60;

export class RouteTrack {
  readonly length: number;
  readonly loop: boolean;
  private readonly cum: number[];

  constructor(readonly route: Route) {
    this.cum = [0];
    for (let i = 1; i < route.line.length; i++) this.cum.push(this.cum[i - 1]! + distanceM(route.line[i - 1]!, route.line[i]!));
    this.length = this.cum[this.cum.length - 1]!;
    this.loop = route.line.length > 2 && distanceM(route.line[0]!, route.line[route.line.length - 1]!) <= LOOP_CLOSE_M;
  }

  /** The point s metres from the start (clamped) and the heading when driving forward. */
  at(s: number): { at: LngLat; heading: number } {
    const line = this.route.line;
    const d = Math.min(Math.max(s, 0), this.length);
    let lo = 1;
    let hi = line.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cum[mid]! < d) lo = mid + 1;
      else hi = mid;
    }
    const a = line[lo - 1]!;
    const b = line[lo]!;
    const seg = this.cum[lo]! - this.cum[lo - 1]!;
    const f = seg === 0 ? 0 : (d - this.cum[lo - 1]!) / seg;
    return { at: [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f], heading: bearingDeg(a, b) };
  }
}
