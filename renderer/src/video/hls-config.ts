// hls.js settings for a live wall: start at the live edge quickly, keep little buffered (memory for
// 16 tiles through the night), and retry the hub's quick "starting" answers (503) without holding a socket.
import type { HlsConfig, LoaderConfig } from 'hls.js';

const retry = (maxNumRetry: number, retryDelayMs: number, maxRetryDelayMs: number): LoaderConfig['errorRetry'] =>
  ({ maxNumRetry, retryDelayMs, maxRetryDelayMs, backoff: 'linear' });

// Time limits count from when the request is made, including time queued for one of the browser's six
// connections to the hub: they are generous so a busy wall does not turn queueing into retry storms.
// A dead stream is noticed by the tile's own watchdog and the hub's health push, not by these timeouts.

/** A cold camera's encoder needs about a second for its first segment: poll for the playlist meanwhile. */
const manifest: LoaderConfig = {
  maxTimeToFirstByteMs: 8000,
  maxLoadTimeMs: 10_000,
  timeoutRetry: retry(2, 250, 1000),
  // Polls every 150–250 ms: a 503 "starting" costs the hub nothing, and each poll gap adds to first frame.
  errorRetry: retry(40, 150, 250),
};
const playlist: LoaderConfig = {
  maxTimeToFirstByteMs: 6000,
  maxLoadTimeMs: 8000,
  timeoutRetry: retry(2, 250, 1000),
  errorRetry: retry(3, 250, 1000),
};
const fragment: LoaderConfig = {
  maxTimeToFirstByteMs: 6000,
  maxLoadTimeMs: 10_000,
  timeoutRetry: retry(2, 250, 1000),
  errorRetry: retry(3, 250, 1000),
};

export const LIVE_HLS_CONFIG: Partial<HlsConfig> = {
  enableWorker: true,
  lowLatencyMode: true, // only matters for LL-HLS sources (parts); plain HLS plays as usual
  startFragPrefetch: true,
  initialLiveManifestSize: 1,
  // 1 s segments: sit 1.5 s behind the newest one and speed up slightly when we fall behind.
  liveSyncDuration: 1.5,
  liveMaxLatencyDuration: 6,
  maxLiveSyncPlaybackRate: 1.15,
  maxBufferLength: 4,
  maxMaxBufferLength: 8,
  maxBufferSize: 8 * 1000 * 1000,
  backBufferLength: 4,
  manifestLoadPolicy: { default: manifest },
  playlistLoadPolicy: { default: playlist },
  fragLoadPolicy: { default: fragment },
};
