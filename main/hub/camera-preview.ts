// Trying a camera source before it is saved: the media gateway serves it under a preview id of the admin's
// session (one preview per session, replaced by the next), beside the stored cameras and never stored
// itself. A preview nobody renews within PREVIEW_MS is dropped (its encoder stops with it).
import type { Camera, StreamSource } from '../../shared/domain';
import type { MediaGateway } from '../media/gateway';

export const PREVIEW_MS = 2 * 60_000;
/** At most this many previews run at once, hub-wide: each may be an ffmpeg. */
export const PREVIEWS_MAX = 4;

export type CameraPreviews = {
  /** Serves `source` as this session's preview; returns its camera id, or null when PREVIEWS_MAX others are running. */
  open(sessionId: string, source: StreamSource, now: number): string | null;
  /** Hands the gateway the stored cameras plus the previews still running (call after every camera change). */
  refresh(now?: number): void;
};

export const previewId = (sessionId: string) => `preview-${sessionId.slice(0, 16)}`;

export function createCameraPreviews(media: MediaGateway, stored: () => Camera[]): CameraPreviews {
  const previews = new Map<string, { camera: Camera; until: number }>();
  const prune = (now: number) => {
    for (const [id, p] of previews) if (p.until <= now) previews.delete(id);
  };
  const refresh = (now = Date.now()) => {
    prune(now);
    media.setCameras([...stored(), ...[...previews.values()].map((p) => p.camera)]);
  };
  const timer = setInterval(() => {
    const before = previews.size;
    prune(Date.now());
    if (previews.size !== before) refresh();
  }, 15_000);
  timer.unref();
  return {
    refresh,
    open(sessionId, source, now) {
      prune(now);
      const id = previewId(sessionId);
      if (!previews.has(id) && previews.size >= PREVIEWS_MAX) return null;
      const camera: Camera = { id, kind: 'fixed', name: 'preview', position: null, facing: null, unitId: null, sources: [source], key: false };
      const same = previews.get(id)?.camera.sources[0];
      previews.set(id, { camera, until: now + PREVIEW_MS });
      // The same source again only renews it; another one replaces this session's stream.
      if (!same || same.kind !== source.kind || same.url !== source.url) refresh(now);
      return id;
    },
  };
}
