// Live positions: high-volume, so they live outside React state. Fixes are merged by unit id (newest
// fix time wins) as they arrive, and listeners (the map layers) are told about the changed units at a
// bounded rate, on an animation frame — never once per message.
import type { LngLat, PositionFix } from '../../../shared/domain';

export type Track = {
  fix: PositionFix;
  /** recent positions, oldest first, ending at the current one */
  trail: LngLat[];
};

export type PositionFlush = {
  /** units whose track changed since the previous flush */
  changed: ReadonlySet<string>;
  tracks: ReadonlyMap<string, Track>;
};

export type FlushListener = (f: PositionFlush) => void;

/** The most points a trail keeps (the trails' vertex buffer has this many per vehicle). */
export const TRAIL_POINTS = 8;
/**
 * Two fixes further apart in time than this are not joined: the unit was not seen in between (the hub was
 * away, the device was off), and a straight line across the gap would draw a journey nobody made.
 */
export const TRAIL_GAP_MS = 15_000;
/** Default flush period: fast enough to look live, slow enough to leave frames for panning. */
export const FLUSH_INTERVAL_MS = 300;

export type FrameScheduler = { request: (cb: () => void) => void; now: () => number };

const browserScheduler: FrameScheduler = {
  request: (cb) => {
    if (typeof requestAnimationFrame === 'function' && document.visibilityState === 'visible') requestAnimationFrame(() => cb());
    else setTimeout(cb, 0); // hidden windows get no frames; keep the model current anyway
  },
  now: () => performance.now(),
};

export class PositionStore {
  private readonly tracks = new Map<string, Track>();
  private dirty = new Set<string>();
  private readonly listeners = new Set<FlushListener>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastFlush = -Infinity;
  /** units whose next fix starts a new trail (the console lost the hub: what happened meanwhile is unseen) */
  private broken = new Set<string>();

  constructor(
    private readonly intervalMs = FLUSH_INTERVAL_MS,
    private readonly scheduler: FrameScheduler = browserScheduler,
  ) {}

  get size(): number {
    return this.tracks.size;
  }

  get(unitId: string): Track | undefined {
    return this.tracks.get(unitId);
  }

  all(): ReadonlyMap<string, Track> {
    return this.tracks;
  }

  /** Merge a batch of fixes; older or duplicate fixes for a unit are ignored. */
  merge(fixes: readonly PositionFix[]): void {
    for (const f of fixes) {
      const cur = this.tracks.get(f.unitId);
      if (cur && f.t <= cur.fix.t) continue;
      const joined = cur && f.t - cur.fix.t <= TRAIL_GAP_MS && !this.broken.has(f.unitId);
      this.broken.delete(f.unitId);
      const trail = joined ? cur.trail : [];
      trail.push([f.lng, f.lat]);
      if (trail.length > TRAIL_POINTS) trail.splice(0, trail.length - TRAIL_POINTS);
      this.tracks.set(f.unitId, { fix: f, trail });
      this.dirty.add(f.unitId);
    }
    if (this.dirty.size > 0) this.schedule();
  }

  /** The console lost sight of the units (hub connection dropped): no trail joins a fix from before to one after. */
  breakTrails(): void {
    this.broken = new Set(this.tracks.keys());
  }

  /** Drop everything (signed out, or the hub's data was replaced). */
  clear(): void {
    for (const id of this.tracks.keys()) this.dirty.add(id);
    this.tracks.clear();
    this.schedule();
  }

  /** Listen to flushes; the listener is called at once with every track so it can draw the present. */
  subscribe(l: FlushListener): () => void {
    this.listeners.add(l);
    l({ changed: new Set(this.tracks.keys()), tracks: this.tracks });
    return () => this.listeners.delete(l);
  }

  private schedule(): void {
    if (this.timer !== null) return;
    const wait = Math.max(0, this.lastFlush + this.intervalMs - this.scheduler.now());
    this.timer = setTimeout(() => this.scheduler.request(() => this.flush()), wait);
  }

  private flush(): void {
    this.timer = null;
    this.lastFlush = this.scheduler.now();
    const changed = this.dirty;
    this.dirty = new Set();
    for (const l of this.listeners) l({ changed, tracks: this.tracks });
  }
}
