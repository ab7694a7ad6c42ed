// The media gateway: turns camera sources into HLS served over the hub's HTTP server, to holders of a
// valid token only, and reports each stream's health. Plain Node; the hub creates it and routes /media/ to it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Camera, StreamSource } from '../../shared/domain';
import type { StreamHealth } from '../../shared/protocol/events';
import { ENCODED_SEGMENT_SECONDS, PLAYLIST, encoderLauncher, ffmpegAvailable, ffprobeFor, findCjkFont, killLeftoverEncoders } from './ffmpeg';
import { MEDIA_PREFIX, contentType, parseMediaRequest } from './http';
import { createStream } from './stream';
import { ensureLoop, type DemoLoop } from './loop';
import { createLoopStream, type LoopSource } from './loop-stream';

export type MediaGatewayOptions = {
  dataDir: string;
  ffmpegPath?: string;
  log: (line: string) => void;
  onHealth: (changed: StreamHealth[]) => void;
  /** stop an encoder this long after the last playlist or segment request (default 60 s) */
  idleStopMs?: number;
  /** where the demo loop is kept between runs (default <dataDir>/media-cache) */
  cacheDir?: string;
  /** segment length of the live clock demo (default ENCODED_SEGMENT_SECONDS, 0.5 s); 1 is the old packaging, for benchmarks */
  encodedSegmentSeconds?: number;
};

export type MediaGateway = {
  setCameras(cameras: Camera[]): void;
  /** true if the path was /media/... and the gateway answered it; `authorize` checks a media token for that camera */
  handleHttp(req: IncomingMessage, res: ServerResponse, authorize: (token: string, cameraId: string) => boolean): boolean;
  /** where a console fetches the camera: '/media/<id>/index.m3u8' (the hub appends ?token=<media token>), or a direct HLS URL */
  streamPath(cameraId: string): string;
  health(): StreamHealth[];
  /** ffmpeg process ids by camera, for tests and diagnostics */
  pids(): Record<string, number>;
  /** resolves once what is made ahead is made (the demo loop, when there are demo cameras); rejects if it cannot be */
  ready(): Promise<void>;
  close(): Promise<void>;
};

const TICK_MS = 500;

/** The source the gateway serves for a camera: its first one. HLS sources are played directly, not proxied. */
function primarySource(camera: Camera): StreamSource {
  return camera.sources[0] as StreamSource; // the schema guarantees at least one
}

const sameSource = (a: StreamSource, b: StreamSource) => a.kind === b.kind && a.url === b.url;

/**
 * Demo sources with a live clock in the picture (`testsrc:clock:<name>`) are encoded live, for measuring
 * latency; every other test source is served from the pre-encoded loop.
 */
export const isClockSource = (s: StreamSource) => s.kind === 'testsrc' && /^testsrc:clock(:|$)/.test(s.url);
const isLoopSource = (s: StreamSource) => s.kind === 'testsrc' && !isClockSource(s);

type Stream = {
  cameraId: string;
  source: StreamSource;
  watch(): void;
  running(): boolean;
  cached(file: string): Buffer | null;
  rename(name: string): void;
  tick(): Promise<void>;
  health(): StreamHealth;
  holdBackSeconds(): number | null;
  pid(): number | null;
  stop(): Promise<void>;
};

/**
 * Segment URIs in the playlist are relative, so the player would request them without the token:
 * carry the viewer's token onto every URI the playlist names.
 */
function withToken(playlist: string, token: string, holdBack: number | null): string {
  const q = `?token=${encodeURIComponent(token)}`;
  return playlist
    .split('\n')
    .map((line) => {
      if (line.length === 0) return line;
      // How far behind the live edge a player should sit (hls.js follows it; see the tile's LEVEL_LOADED).
      if (line === '#EXTM3U' && holdBack !== null) return `${line}\n#EXT-X-SERVER-CONTROL:HOLD-BACK=${holdBack.toFixed(3)}`;
      if (!line.startsWith('#')) return `${line.trim()}${q}`;
      return line.replace(/URI="([^"?]+)"/, (_m, uri: string) => `URI="${uri}${q}"`);
    })
    .join('\n');
}

export function createMediaGateway(opts: MediaGatewayOptions): MediaGateway {
  const ffmpegPath = opts.ffmpegPath ?? 'ffmpeg';
  const mediaRoot = path.join(opts.dataDir, 'media');
  const cacheRoot = opts.cacheDir ?? path.join(opts.dataDir, 'media-cache');
  const leftovers = [...killLeftoverEncoders(ffmpegPath, mediaRoot), ...killLeftoverEncoders(ffmpegPath, cacheRoot)];
  if (leftovers.length > 0) opts.log(`media: stopped ${leftovers.length} encoder(s) a previous hub left running (pids ${leftovers.join(', ')})`);
  fsSync.rmSync(mediaRoot, { recursive: true, force: true });
  fsSync.mkdirSync(mediaRoot, { recursive: true });
  const ffmpegMissing = !ffmpegAvailable(ffmpegPath);
  if (ffmpegMissing) opts.log(`media: ffmpeg not found at "${ffmpegPath}"; demo and pulled cameras will show as down`);
  const deps = {
    ffmpegPath,
    ffprobePath: ffprobeFor(ffmpegPath),
    ffmpegMissing,
    fontFile: ffmpegMissing ? null : findCjkFont(),
    launcher: ffmpegMissing ? [] : encoderLauncher(),
    idleStopMs: opts.idleStopMs ?? 60_000,
    encodedSegmentSeconds: opts.encodedSegmentSeconds ?? ENCODED_SEGMENT_SECONDS,
    log: opts.log,
    changed: (s: Stream) => { pending.add(s); scheduleFlush(); },
  };

  // One loop for every demo camera, made once per data dir (on the first demo camera) and kept in memory.
  let loop: DemoLoop | null = null;
  let making: Promise<DemoLoop> | null = null;
  const loops: LoopSource = {
    ready: () => loop,
    get() {
      making ??= ensureLoop(cacheRoot, { ffmpegPath, fontFile: deps.fontFile, launcher: deps.launcher, log: opts.log }).then(
        (made) => { loop = made; return made; },
        (err: unknown) => { making = null; opts.log(`media: ${String(err)}`); throw err; },
      );
      return making;
    },
  };

  const cameras = new Map<string, Camera>();
  const streams = new Map<string, Stream>();
  const pending = new Set<Stream>();
  let flushScheduled = false;
  let closed = false;

  // Health changes are batched: one onHealth call per turn of the event loop, not one per stream.
  function scheduleFlush(): void {
    if (flushScheduled) return;
    flushScheduled = true;
    setImmediate(() => {
      flushScheduled = false;
      const changed = [...pending].filter((s) => streams.get(s.cameraId) === s).map((s) => s.health());
      pending.clear();
      if (changed.length > 0 && !closed) opts.onHealth(changed);
    });
  }

  const ticker = setInterval(() => { for (const s of streams.values()) void s.tick(); }, TICK_MS);
  ticker.unref();
  // ffmpeg outlives its parent and would keep encoding for nobody. The launcher covers every death of the
  // hub on Linux; this covers an ordinary exit (process.exit) where setpriv is missing.
  const killAll = () => {
    for (const s of streams.values()) {
      const pid = s.pid();
      try { if (pid !== null) process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
    }
  };
  process.on('exit', killAll);

  /** Stops of replaced streams, by camera: a new stream for that camera waits for it before using the folder. */
  const retiring = new Map<string, Promise<void>>();

  function setCameras(list: Camera[]): void {
    const next = new Map(list.map((c) => [c.id, c]));
    for (const [id, stream] of streams) {
      const cam = next.get(id);
      if (!cam || primarySource(cam).kind === 'hls' || !sameSource(primarySource(cam), stream.source)) {
        streams.delete(id);
        const stopped = stream.stop().finally(() => { if (retiring.get(id) === stopped) retiring.delete(id); });
        retiring.set(id, stopped);
      }
    }
    cameras.clear();
    for (const [id, cam] of next) {
      cameras.set(id, cam);
      const source = primarySource(cam);
      if (source.kind === 'hls') continue;
      const existing = streams.get(id);
      if (existing) { existing.rename(cam.name); continue; }
      const stream: Stream = isLoopSource(source)
        ? createLoopStream(cam, source, loops, deps)
        : createStream(cam, source, path.join(mediaRoot, id), deps, retiring.get(id));
      streams.set(id, stream);
      // Make the loop now rather than at the first tile, so an emergency wall finds it ready.
      if (isLoopSource(source) && !ffmpegMissing && !closed) void loops.get().catch(() => undefined);
      deps.changed(stream);
    }
  }

  function send(res: ServerResponse, status: number, message: string, extra: Record<string, string> = {}): void {
    // CORS on refusals too: a cross-origin player must see "503 starting" (and retry), not an opaque failure.
    res.writeHead(status, {
      'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', 'Access-Control-Allow-Origin': '*', ...extra,
    });
    res.end(message);
  }

  async function serveFile(req: IncomingMessage, res: ServerResponse, stream: Stream, file: string, token: string): Promise<void> {
    const isPlaylist = file === PLAYLIST;
    stream.watch();
    // While the encoder starts (or after it died) answer at once rather than hold the request open:
    // a held request would occupy one of the browser's six connections to this host.
    const raw = isPlaylist && !stream.running() ? null
      : stream.cached(file) ?? await fs.readFile(path.join(mediaRoot, stream.cameraId, file)).catch(() => null);
    if (!raw && isPlaylist) { send(res, 503, 'stream starting', { 'Retry-After': '1' }); return; }
    if (!raw) { send(res, 404, 'no such segment'); return; }
    const body = isPlaylist ? Buffer.from(withToken(raw.toString('utf8'), token, stream.holdBackSeconds())) : raw;
    res.writeHead(200, {
      'Content-Type': contentType(file),
      'Content-Length': String(body.length),
      // Playlists change every second; segment names are never reused, so they may be cached briefly.
      'Cache-Control': isPlaylist ? 'no-cache, no-store' : 'private, max-age=30',
      // Consoles may be served from another origin (Electron's custom protocol); the token is the credential.
      'Access-Control-Allow-Origin': '*',
      'Timing-Allow-Origin': '*', // lets a console measure its own request timings across origins
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  function handleHttp(req: IncomingMessage, res: ServerResponse, authorize: (token: string, cameraId: string) => boolean): boolean {
    const parsed = parseMediaRequest(req.method, req.url);
    if (!parsed) return false;
    if (!parsed.ok) { send(res, parsed.status, parsed.message); return true; }
    if (!parsed.token || !authorize(parsed.token, parsed.cameraId)) { send(res, 401, 'a valid media token for this camera is required'); return true; }
    const stream = streams.get(parsed.cameraId);
    if (!stream || closed) { send(res, 404, 'unknown camera'); return true; }
    serveFile(req, res, stream, parsed.file, parsed.token).catch((err: unknown) => {
      opts.log(`media: serving ${parsed.cameraId}/${parsed.file} failed: ${String(err)}`);
      if (!res.headersSent) send(res, 500, 'media error');
    });
    return true;
  }

  return {
    setCameras,
    handleHttp,
    streamPath(cameraId) {
      const cam = cameras.get(cameraId);
      if (cam && primarySource(cam).kind === 'hls') return primarySource(cam).url;
      return `${MEDIA_PREFIX}${encodeURIComponent(cameraId)}/${PLAYLIST}`;
    },
    health: () => [...streams.values()].map((s) => s.health()),
    async ready() {
      if ([...streams.values()].some((s) => isLoopSource(s.source)) && !ffmpegMissing) await loops.get();
    },
    pids() {
      const out: Record<string, number> = {};
      for (const [id, s] of streams) { const pid = s.pid(); if (pid !== null) out[id] = pid; }
      return out;
    },
    async close() {
      closed = true;
      clearInterval(ticker);
      process.off('exit', killAll);
      await Promise.all([...streams.values()].map((s) => s.stop()).concat([...retiring.values()]));
      await making?.catch(() => undefined); // a loop being made finishes (or fails) before the folder goes
      streams.clear();
      await fs.rm(mediaRoot, { recursive: true, force: true });
    },
  };
}
