// History for the map replay: every unit's fixes in short windows asked of the hub (`replay:window`, at most
// 10 min each) and kept for a while, fed into a PositionStore of its own in time order as the replay clock
// moves — the same merge and trail rules as live positions, so the live map layers draw it unchanged.
import type { PositionFix } from '../../../shared/domain';
import { hub, PositionStore } from '../hub';

export const WINDOW_MS = 2 * 60_000;
/** On a seek, fixes this long before the replay time are merged first, so units appear where they were. */
export const LOOKBACK_MS = WINDOW_MS;
const KEEP_WINDOWS = 12;

type Bbox = [number, number, number, number];
type Window = { fixes: PositionFix[]; truncated: boolean };

export class ReplayFeed {
  readonly positions = new PositionStore();
  private readonly windows = new Map<number, Promise<Window>>();
  private at = 0;
  /** fixes merged so far in this window's run: every fix with t ≤ `at` of the windows loaded */
  truncated = false;

  constructor(private readonly bbox: Bbox | undefined) {}

  private window(start: number): Promise<Window> {
    let w = this.windows.get(start);
    if (!w) {
      w = hub.request('replay:window', { from: start, to: start + WINDOW_MS, ...(this.bbox ? { bbox: this.bbox } : {}) }, 60_000)
        .then((r) => ({ fixes: [...r.fixes].sort((a, b) => a.t - b.t), truncated: r.truncated }));
      w.catch(() => this.windows.delete(start));
      this.windows.set(start, w);
      for (const k of [...this.windows.keys()].sort((a, b) => Math.abs(a - start) - Math.abs(b - start)).slice(KEEP_WINDOWS)) this.windows.delete(k);
    }
    return w;
  }

  private async fixesBetween(from: number, to: number): Promise<PositionFix[]> {
    const out: PositionFix[] = [];
    for (let s = from - (from % WINDOW_MS); s < to; s += WINDOW_MS) {
      const w = await this.window(s);
      if (w.truncated) this.truncated = true;
      for (const f of w.fixes) if (f.t > from && f.t <= to) out.push(f);
    }
    return out;
  }

  /** Jump to `t`: the picture as it was then. */
  async seek(t: number): Promise<void> {
    this.at = t;
    this.truncated = false;
    const fixes = await this.fixesBetween(t - LOOKBACK_MS, t);
    if (this.at !== t) return; // a later seek won
    this.positions.clear();
    this.positions.merge(fixes);
    void this.window(t - (t % WINDOW_MS) + WINDOW_MS); // the next window, before it is needed
  }

  /** Move forward to `t`, merging what happened since the last time. */
  async advance(t: number): Promise<void> {
    const from = this.at;
    if (t <= from) return;
    this.at = t;
    const fixes = await this.fixesBetween(from, t);
    this.positions.merge(fixes);
    void this.window(t - (t % WINDOW_MS) + WINDOW_MS);
  }

  /** Fixes currently drawn. */
  get size(): number {
    return this.positions.size;
  }
}
