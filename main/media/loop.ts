// The demo loop: a test picture encoded once with ffmpeg into a cache in the data dir, then served as a
// live HLS stream by the gateway itself — no encoder per camera or per viewer. A camera whose picture
// does not change (a test pattern) does not need 25 fps of live x264: a 16-tile demo wall of live encoders
// took more than a core and ~11 s before every tile played (issue 17 aim 4).
//
// The stream is virtual: segment n covers wall-clock second [n, n+1) and is loop segment (n + phase) mod
// LOOP_SEGMENTS with its fMP4 decode time (tfdt) rewritten to n seconds, so the timeline a player sees runs
// on without a discontinuity at the loop's end. Cameras get different phases, so a wall is not in lockstep.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { DEMO_FPS, DEMO_SIZE, PLAYLIST, PLAYLIST_SIZE, lastLine } from './ffmpeg';

export const LOOP_SEGMENTS = 10;
/** Loop segments are one second long (DEMO_FPS frames, a keyframe at each start). */
const LOOP_SEGMENT_SECONDS = 1;
/** Bumped when the recipe below changes, so an old cache is not used. */
const RECIPE_VERSION = 1;
export const LOOP_INIT = 'init.mp4';
const LOOP_LABEL = '演示画面 · 循环';

/** A loop in memory: the init segment and the media segments with where their tfdt value sits. */
export type DemoLoop = {
  init: Buffer;
  segments: { bytes: Buffer; tfdtAt: number }[];
  /** ticks of the track's timescale per segment */
  segmentTicks: number;
  /** the loop's average bitrate */
  kbps: number;
  dir: string;
};

/** ffmpeg arguments that make the loop. Nothing in them comes from a camera: the recipe is fixed. */
export function loopArgs(outDir: string, fontFile: string | null): string[] {
  const font = fontFile ? `fontfile=${filterPath(fontFile)}:` : '';
  const label = path.join(outDir, 'label.txt');
  const gop = String(DEMO_FPS * LOOP_SEGMENT_SECONDS);
  return [
    '-hide_banner', '-loglevel', 'error', '-nostdin',
    '-f', 'lavfi', '-i', `testsrc2=size=${DEMO_SIZE}:rate=${DEMO_FPS}`,
    '-vf', `drawtext=${font}textfile=${filterPath(label)}:expansion=none:x=16:y=h-56:fontsize=28:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=6`,
    '-frames:v', String(DEMO_FPS * LOOP_SEGMENT_SECONDS * LOOP_SEGMENTS),
    // Made once, so a slower preset than live encoding is affordable: fewer bytes per tile.
    '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'baseline', '-pix_fmt', 'yuv420p', '-crf', '28',
    '-g', gop, '-keyint_min', gop, '-sc_threshold', '0',
    '-f', 'hls', '-hls_time', String(LOOP_SEGMENT_SECONDS), '-hls_playlist_type', 'vod',
    '-hls_segment_type', 'fmp4', '-hls_fmp4_init_filename', LOOP_INIT,
    '-hls_segment_filename', path.join(outDir, 'seg%d.m4s'),
    path.join(outDir, PLAYLIST),
  ];
}

function filterPath(value: string): string {
  const option = value.replace(/[\\':]/g, '\\$&');
  return option.replace(/[\\'[\],;]/g, '\\$&');
}

/** The cache folder for this recipe (and font): a new recipe makes a new loop rather than reusing an old one. */
export function loopDir(cacheRoot: string, fontFile: string | null): string {
  const key = createHash('sha256').update(JSON.stringify([RECIPE_VERSION, DEMO_SIZE, DEMO_FPS, LOOP_SEGMENTS, fontFile, LOOP_LABEL])).digest('hex').slice(0, 12);
  return path.join(cacheRoot, `demo-loop-${key}`);
}

type Box = { type: string; start: number; size: number };

function boxes(buf: Buffer, start: number, end: number): Box[] {
  const out: Box[] = [];
  let at = start;
  while (at + 8 <= end) {
    const size = buf.readUInt32BE(at);
    if (size < 8 || at + size > end) throw new Error('a damaged MP4 box');
    out.push({ type: buf.toString('latin1', at + 4, at + 8), start: at, size });
    at += size;
  }
  return out;
}

/**
 * One segment as served: styp, moof and mdat only (the sidx would carry the loop's own times), with the
 * position of the 64-bit tfdt value so it can be rewritten per request.
 */
export function parseSegment(raw: Buffer): { bytes: Buffer; tfdtAt: number; tfdt: number } {
  const top = boxes(raw, 0, raw.length).filter((b) => b.type !== 'sidx');
  const bytes = Buffer.concat(top.map((b) => raw.subarray(b.start, b.start + b.size)));
  const kept = boxes(bytes, 0, bytes.length);
  const moof = kept.find((b) => b.type === 'moof');
  if (!moof || kept.filter((b) => b.type === 'moof').length !== 1) throw new Error('a loop segment needs exactly one moof');
  const traf = boxes(bytes, moof.start + 8, moof.start + moof.size).find((b) => b.type === 'traf');
  const tfdt = traf ? boxes(bytes, traf.start + 8, traf.start + traf.size).find((b) => b.type === 'tfdt') : undefined;
  if (!tfdt || bytes[tfdt.start + 8] !== 1) throw new Error('a loop segment needs a version-1 tfdt');
  const tfdtAt = tfdt.start + 12;
  return { bytes, tfdtAt, tfdt: Number(bytes.readBigUInt64BE(tfdtAt)) };
}

async function readLoop(dir: string): Promise<DemoLoop> {
  const init = await fs.readFile(path.join(dir, LOOP_INIT));
  const segments: { bytes: Buffer; tfdtAt: number }[] = [];
  const times: number[] = [];
  let bytes = 0;
  for (let k = 0; k < LOOP_SEGMENTS; k++) {
    const seg = parseSegment(await fs.readFile(path.join(dir, `seg${k}.m4s`)));
    segments.push({ bytes: seg.bytes, tfdtAt: seg.tfdtAt });
    times.push(seg.tfdt);
    bytes += seg.bytes.length;
  }
  const segmentTicks = (times[1] ?? 0) - (times[0] ?? 0);
  if (segmentTicks <= 0 || times.some((t, k) => t !== (times[0] ?? 0) + k * segmentTicks)) throw new Error('loop segments are not evenly spaced');
  return { init, segments, segmentTicks, kbps: Math.round((bytes * 8) / (LOOP_SEGMENTS * LOOP_SEGMENT_SECONDS) / 1000), dir };
}

export type LoopMaker = { ffmpegPath: string; fontFile: string | null; launcher: string[]; log: (line: string) => void };

/**
 * The loop from the cache, made first if it is not there (one ffmpeg run of about a second). Made in a
 * temporary folder and renamed into place, so a hub killed halfway leaves no half loop behind.
 */
export async function ensureLoop(cacheRoot: string, maker: LoopMaker): Promise<DemoLoop> {
  const dir = loopDir(cacheRoot, maker.fontFile);
  const existing = await readLoop(dir).catch(() => null);
  if (existing) return existing;
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(cacheRoot, { recursive: true });
  const tmp = await fs.mkdtemp(path.join(cacheRoot, '.making-'));
  try {
    await fs.writeFile(path.join(tmp, 'label.txt'), LOOP_LABEL);
    const [command, ...rest] = [...maker.launcher, maker.ffmpegPath, ...loopArgs(tmp, maker.fontFile)] as [string, ...string[]];
    await new Promise<void>((resolve, reject) => {
      const child = spawn(command, rest, { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (d: string) => { err = (err + d).slice(-2000); });
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`making the demo loop failed: ${lastLine(err) ?? `ffmpeg exited with ${code ?? '?'}`}`))));
    });
    await readLoop(tmp); // refuse to cache a loop we could not serve
    await fs.rename(tmp, dir);
    maker.log(`media: made the demo loop in ${dir}`);
    return await readLoop(dir);
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

/** A camera's phase in the loop, from its id, so tiles side by side do not show the same frame. */
export function loopPhase(cameraId: string): number {
  return createHash('sha256').update(cameraId).digest().readUInt32BE(0) % LOOP_SEGMENTS;
}

/** The newest complete virtual segment at `nowMs`. */
export const currentSegment = (nowMs: number) => Math.floor(nowMs / (LOOP_SEGMENT_SECONDS * 1000)) - 1;

/** A live playlist of the newest PLAYLIST_SIZE virtual segments, dated by when each one covers. */
export function loopPlaylist(nowMs: number): string {
  const last = currentSegment(nowMs);
  const first = last - PLAYLIST_SIZE + 1;
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', `#EXT-X-TARGETDURATION:${LOOP_SEGMENT_SECONDS}`, `#EXT-X-MEDIA-SEQUENCE:${first}`, `#EXT-X-MAP:URI="${LOOP_INIT}"`];
  for (let n = first; n <= last; n++) {
    lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(n * LOOP_SEGMENT_SECONDS * 1000).toISOString()}`, `#EXTINF:${LOOP_SEGMENT_SECONDS.toFixed(3)},`, `seg${n}.m4s`);
  }
  return `${lines.join('\n')}\n`;
}

/** How far back a player may still ask for a segment it saw listed (it may be slow or paused briefly). */
const SERVE_BACK = 30;

/** Virtual segment n of a camera with `phase`, or null when n is not (or no longer) on offer. */
export function loopSegment(loop: DemoLoop, n: number, phase: number, nowMs: number): Buffer | null {
  const newest = currentSegment(nowMs);
  if (!Number.isSafeInteger(n) || n > newest || n < newest - SERVE_BACK) return null;
  const seg = loop.segments[(n + phase) % LOOP_SEGMENTS];
  if (!seg) return null;
  const out = Buffer.from(seg.bytes);
  out.writeBigUInt64BE(BigInt(n) * BigInt(loop.segmentTicks), seg.tfdtAt);
  return out;
}
