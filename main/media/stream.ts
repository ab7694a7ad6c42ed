// One supervised ffmpeg for one camera source: started when someone watches, stopped a while after the
// last request, restarted with exponential backoff when it dies or stops producing segments.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Camera, StreamSource } from '../../shared/domain';
import type { StreamHealth } from '../../shared/protocol/events';
import { watchHlsDir, type HlsCache } from './hls-cache';
import { CLOCK_TEXT, PLAYLIST, holdBackFor, SEGMENT_SECONDS, lastLine, probeVideoCodec, pulledArgs, testsrcArgs } from './ffmpeg';

export type StreamDeps = {
  ffmpegPath: string;
  ffprobePath: string;
  /** ffmpeg is not installed: the stream stays down and never spawns */
  ffmpegMissing: boolean;
  fontFile: string | null;
  /** command words put before ffmpeg so it dies with the hub (see `encoderLauncher`); [] for none */
  launcher: string[];
  idleStopMs: number;
  /** segment length of the clock demo (ENCODED_SEGMENT_SECONDS; 1 for the old packaging, as a baseline) */
  encodedSegmentSeconds: number;
  log: (line: string) => void;
  /** called whenever this stream's health changed (state, reason or a new bitrate figure) */
  changed: (stream: Stream) => void;
};

/** A playlist older than this means the encoder has stopped producing: mark down and restart. */
const STALE_MS = SEGMENT_SECONDS * 3000;
/** Time allowed from spawn to the first playlist before we call the start failed. */
const START_TIMEOUT_MS = 10_000;
const BACKOFF_FIRST_MS = 1000;
const BACKOFF_MAX_MS = 30_000;
/** A stream that stayed up this long has its backoff forgotten. */
const STABLE_MS = 10_000;

export type Stream = ReturnType<typeof createStream>;

/** `previous`: the stop of an earlier stream for the same camera, which removes the folder this one writes to. */
export function createStream(camera: Camera, source: StreamSource, dir: string, deps: StreamDeps, previous: Promise<void> = Promise.resolve()) {
  let name = camera.name;
  let proc: ChildProcess | null = null;
  let cache: HlsCache | null = null;
  let launching = false;
  let stopping = false;
  /** set when we kill a hung encoder ourselves, so its exit does not overwrite the reason */
  let killedWhy: string | null = null;
  let restartTimer: NodeJS.Timeout | null = null;
  let failures = 0;
  let codec: string | null = null;
  let startedAt = 0;
  let lastViewAt = 0;
  let playlistMtime = 0;
  let upSince = 0;
  let stderrTail = '';
  let checking = false;
  /** bumped by stop(), so a start that was still probing or cleaning does not spawn afterwards */
  let generation = 0;
  const health: StreamHealth = deps.ffmpegMissing
    ? { cameraId: camera.id, state: 'down', reason: 'ffmpeg not installed', bitrateKbps: null, segmentAgeMs: null, since: Date.now() }
    : { cameraId: camera.id, state: 'idle', reason: null, bitrateKbps: null, segmentAgeMs: null, since: Date.now() };

  function setState(state: StreamHealth['state'], reason: string | null): void {
    if (health.state === state && health.reason === reason) return;
    health.state = state;
    health.reason = reason;
    health.since = Date.now();
    if (state === 'up') upSince = health.since;
    if (state !== 'up') { health.bitrateKbps = null; }
    deps.changed(api);
  }

  const watchedRecently = () => Date.now() - lastViewAt < deps.idleStopMs;

  async function cleanDir(): Promise<void> {
    await fs.rm(dir, { recursive: true, force: true });
    await fs.mkdir(dir, { recursive: true });
  }

  async function argsFor(): Promise<string[]> {
    const startNumber = Math.floor(Date.now() / 100);
    if (source.kind === 'testsrc') {
      const nameFile = path.join(dir, 'overlay-name.txt');
      const clockFile = path.join(dir, 'overlay-clock.txt');
      await fs.writeFile(nameFile, name);
      await fs.writeFile(clockFile, CLOCK_TEXT);
      return testsrcArgs({ nameFile, clockFile, fontFile: deps.fontFile }, dir, startNumber, deps.encodedSegmentSeconds);
    }
    codec ??= await probeVideoCodec(deps.ffprobePath, source);
    return pulledArgs(source, codec, dir, startNumber);
  }

  async function start(): Promise<void> {
    if (deps.ffmpegMissing || proc || launching || restartTimer || stopping) return;
    launching = true;
    const gen = generation;
    setState('starting', null);
    try {
      await previous;
      await cleanDir();
      const args = await argsFor();
      if (gen !== generation) return;
      spawnEncoder(args);
    } catch (err) {
      if (gen !== generation) return;
      setState('down', err instanceof Error ? err.message : String(err));
      scheduleRestart();
    } finally {
      launching = false;
    }
  }

  function spawnEncoder(args: string[]): void {
    cache?.close();
    cache = watchHlsDir(dir);
    const [command, ...rest] = [...deps.launcher, deps.ffmpegPath, ...args] as [string, ...string[]];
    const child = spawn(command, rest, { stdio: ['ignore', 'ignore', 'pipe'] });
    proc = child;
    startedAt = Date.now();
    playlistMtime = 0;
    stderrTail = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => { stderrTail = (stderrTail + chunk).slice(-2000); });
    child.on('error', (err) => deps.log(`media: ${camera.id}: cannot run ffmpeg: ${err.message}`));
    child.on('close', (code, signal) => {
      if (proc !== child) return;
      proc = null;
      cache?.close();
      cache = null;
      if (stopping) return;
      const why = killedWhy ?? (signal ? `ffmpeg killed by ${signal}` : `ffmpeg exited with code ${code ?? '?'}`);
      killedWhy = null;
      const detail = lastLine(stderrTail);
      deps.log(`media: ${camera.id}: ${why}${detail ? ` — ${detail}` : ''}`);
      if (Date.now() - upSince > STABLE_MS && health.state === 'up') failures = 0;
      setState('down', why);
      scheduleRestart();
    });
  }

  function scheduleRestart(): void {
    if (restartTimer || stopping) return;
    if (!watchedRecently()) { setState('idle', null); return; }
    const delay = Math.min(BACKOFF_FIRST_MS * 2 ** failures, BACKOFF_MAX_MS);
    failures += 1;
    restartTimer = setTimeout(() => {
      restartTimer = null;
      if (watchedRecently()) void start();
      else setState('idle', null);
    }, delay);
  }

  function killHung(why: string): void {
    if (!proc) return;
    killedWhy = why;
    setState('down', why);
    proc.kill('SIGKILL');
  }

  /** Reads the playlist's age and, when it changed, the bitrate of the segments it lists. */
  async function measure(): Promise<void> {
    const now = Date.now();
    const child = proc;
    const playlist = path.join(dir, PLAYLIST);
    const stat = await fs.stat(playlist).catch(() => null);
    if (!child || proc !== child || killedWhy) return; // it died or was stopped while we looked
    if (!stat) {
      if (now - startedAt > START_TIMEOUT_MS) killHung(`no video after ${START_TIMEOUT_MS / 1000} s`);
      return;
    }
    const age = Math.max(0, now - stat.mtimeMs);
    health.segmentAgeMs = Math.round(age);
    if (age > STALE_MS) {
      if (health.state === 'up') killHung(`no new segment for ${Math.round(age / 1000)} s`);
      else if (now - startedAt > START_TIMEOUT_MS) killHung(`no video after ${START_TIMEOUT_MS / 1000} s`);
      return;
    }
    if (stat.mtimeMs !== playlistMtime) {
      playlistMtime = stat.mtimeMs;
      const kbps = await bitrateKbps(dir, playlist).catch(() => null);
      if (proc !== child || killedWhy) return;
      const wasUp = health.state === 'up';
      setState('up', null);
      if (kbps !== null && wasUp && significant(health.bitrateKbps, kbps)) {
        health.bitrateKbps = kbps;
        deps.changed(api);
      } else if (kbps !== null) {
        health.bitrateKbps = kbps;
      }
    }
  }

  async function stop(): Promise<void> {
    stopping = true;
    generation += 1;
    if (restartTimer) { clearTimeout(restartTimer); restartTimer = null; }
    const child = proc;
    if (child) {
      const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(force);
    }
    proc = null;
    cache?.close();
    cache = null;
    await fs.rm(dir, { recursive: true, force: true });
    stopping = false;
  }

  const api = {
    cameraId: camera.id,
    source,
    /** A viewer asked for the playlist or a segment: keep the encoder running (start it if needed). */
    watch(): void {
      lastViewAt = Date.now();
      if (!proc && !launching && !restartTimer && !stopping) void start();
    },
    /** The encoder runs and is not known to be hung: its playlist, once written, may be served. */
    running(): boolean {
      return proc !== null && (health.state === 'up' || health.state === 'starting');
    },
    /** A playlist or segment from memory; null when not (or no longer) held, then the disk may have it. */
    cached(file: string): Buffer | null {
      return cache?.get(file) ?? null;
    },
    rename(next: string): void {
      name = next; // takes effect at the next start; the overlay is drawn from a file read once
    },
    /** Called by the gateway's watcher about twice a second. */
    async tick(): Promise<void> {
      if (checking) return;
      checking = true;
      try {
        if ((proc || restartTimer) && !watchedRecently()) {
          await stop();
          failures = 0;
          setState('idle', null);
          return;
        }
        if (proc) await measure();
      } finally {
        checking = false;
      }
    },
    health: (): StreamHealth => ({ ...health }),
    /** HOLD-BACK to announce: on the clock demo's short segments; null for real cameras (players keep their 1.5 s) */
    holdBackSeconds: (): number | null => (source.kind === 'testsrc' ? holdBackFor(deps.encodedSegmentSeconds) : null),
    pid: (): number | null => proc?.pid ?? null,
    stop,
  };
  return api;
}

/** Bitrate over the segments the playlist lists: their bytes over their durations. */
async function bitrateKbps(dir: string, playlist: string): Promise<number | null> {
  const text = await fs.readFile(playlist, 'utf8');
  let seconds = 0;
  let bytes = 0;
  let pending = 0;
  for (const line of text.split('\n')) {
    const inf = /^#EXTINF:([\d.]+)/.exec(line);
    if (inf) { pending = Number(inf[1]); continue; }
    if (line.length > 0 && !line.startsWith('#')) {
      const st = await fs.stat(path.join(dir, line.trim())).catch(() => null);
      if (st) { bytes += st.size; seconds += pending; }
    }
  }
  return seconds > 0 ? Math.round((bytes * 8) / seconds / 1000) : null;
}

function significant(before: number | null, after: number): boolean {
  return before === null || Math.abs(after - before) > before * 0.2;
}
