// A demo camera served from the pre-encoded loop (see loop.ts): no process of its own. Its health is what
// a viewer gets: 'starting' while the loop is being made, 'up' while watched and the loop is in memory,
// 'down' with the reason when the loop could not be made (retried at the next request after a backoff),
// 'idle' when nobody has asked for a while. It cannot go stale: nothing can stop producing.
import type { Camera, StreamSource } from '../../shared/domain';
import type { StreamHealth } from '../../shared/protocol/events';
import { PLAYLIST } from './ffmpeg';
import { LOOP_INIT, currentSegment, loopPhase, loopPlaylist, loopSegment, type DemoLoop } from './loop';

export type LoopSource = {
  /** the loop, making it if needed; a rejected promise is a failure to make it (asked again later) */
  get(): Promise<DemoLoop>;
  ready(): DemoLoop | null;
};

export type LoopStreamDeps = { ffmpegMissing: boolean; idleStopMs: number; changed: (s: LoopStream) => void; now?: () => number };

export type LoopStream = ReturnType<typeof createLoopStream>;

const RETRY_AFTER_MS = 5000;

export function createLoopStream(camera: Camera, source: StreamSource, loops: LoopSource, deps: LoopStreamDeps) {
  const now = deps.now ?? Date.now;
  const phase = loopPhase(camera.id);
  let lastViewAt = 0;
  let failedAt = 0;
  let asking = false;
  const health: StreamHealth = deps.ffmpegMissing
    ? { cameraId: camera.id, state: 'down', reason: 'ffmpeg not installed', bitrateKbps: null, segmentAgeMs: null, since: now() }
    : { cameraId: camera.id, state: 'idle', reason: null, bitrateKbps: null, segmentAgeMs: null, since: now() };

  function setState(state: StreamHealth['state'], reason: string | null, loop: DemoLoop | null = null): void {
    health.bitrateKbps = state === 'up' ? loop?.kbps ?? null : null;
    if (health.state === state && health.reason === reason) return;
    Object.assign(health, { state, reason, since: now() });
    deps.changed(api);
  }

  const watchedRecently = () => now() - lastViewAt < deps.idleStopMs;

  function ask(): void {
    if (deps.ffmpegMissing || asking) return;
    const loop = loops.ready();
    if (loop) { setState('up', null, loop); return; }
    if (health.state === 'down' && now() - failedAt < RETRY_AFTER_MS) return;
    asking = true;
    setState('starting', null);
    loops.get().then(
      (made) => { asking = false; setState(watchedRecently() ? 'up' : 'idle', null, made); },
      (err: unknown) => { asking = false; failedAt = now(); setState('down', err instanceof Error ? err.message : String(err)); },
    );
  }

  const api = {
    cameraId: camera.id,
    source,
    watch(): void {
      lastViewAt = now();
      ask();
    },
    running(): boolean {
      return health.state === 'up' && loops.ready() !== null;
    },
    cached(file: string): Buffer | null {
      const loop = loops.ready();
      if (!loop || health.state !== 'up') return null;
      if (file === PLAYLIST) return Buffer.from(loopPlaylist(now()));
      if (file === LOOP_INIT) return loop.init;
      const m = /^seg(\d{1,20})\.m4s$/.exec(file);
      return m ? loopSegment(loop, Number(m[1]), phase, now()) : null;
    },
    rename(): void { /* the loop's picture carries no camera name: the tile's caption does */ },
    async tick(): Promise<void> {
      if (health.state === 'up') {
        if (!watchedRecently()) { setState('idle', null); return; }
        const t = now();
        health.segmentAgeMs = t - (currentSegment(t) + 1) * 1000;
      }
    },
    health: (): StreamHealth => ({ ...health }),
    holdBackSeconds: (): number | null => null,
    /** no encoder: the gateway serves the loop itself */
    pid: (): number | null => null,
    async stop(): Promise<void> { lastViewAt = 0; },
  };
  return api;
}
