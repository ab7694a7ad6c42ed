// History for one incident's replay: its units' tracks as `incident:trace` returned them (each unit's
// fixes during its task), fed into a PositionStore in time order as the replay clock moves — the same
// seek/advance as the period's ReplayFeed, so the map layers and controls work on either.
import type { PositionFix } from '../../../shared/domain';
import type { TraceTrack } from '../../../shared/incidents';
import { PositionStore } from '../hub';

export type Feed = {
  readonly positions: PositionStore;
  readonly truncated: boolean;
  readonly size: number;
  seek(t: number): Promise<void>;
  advance(t: number): Promise<void>;
};

export class TraceFeed implements Feed {
  readonly positions = new PositionStore();
  readonly truncated = false;
  private readonly fixes: PositionFix[];
  private at = -Infinity;

  constructor(tracks: readonly TraceTrack[]) {
    this.fixes = tracks.flatMap((t) => t.fixes).sort((a, b) => a.t - b.t);
  }

  /** Fixes with from < t ≤ to (binary search: a day of one unit at 1 Hz is 86,400 fixes). */
  private between(from: number, to: number): PositionFix[] {
    let lo = 0;
    let hi = this.fixes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.fixes[mid]!.t <= from) lo = mid + 1;
      else hi = mid;
    }
    const out: PositionFix[] = [];
    for (let i = lo; i < this.fixes.length && this.fixes[i]!.t <= to; i++) out.push(this.fixes[i]!);
    return out;
  }

  /** Each unit where its track last put it at t. */
  async seek(t: number): Promise<void> {
    this.at = t;
    this.positions.clear();
    this.positions.merge(this.between(-Infinity, t));
  }

  async advance(t: number): Promise<void> {
    if (t <= this.at) return;
    const fixes = this.between(this.at, t);
    this.at = t;
    this.positions.merge(fixes);
  }

  get size(): number {
    return this.positions.size;
  }
}
