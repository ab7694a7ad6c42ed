// How the gateway talks to ffmpeg: finding it, finding a CJK font for the overlay, and the argument
// lists for each kind of source. Pure functions except for the one-off lookups, so they can be read at a glance.
import { spawnSync, execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { StreamSource } from '../../shared/domain';

/** Segment length in seconds asked of ffmpeg when it copies a camera's H.264 (it cuts at the camera's keyframes). */
export const SEGMENT_SECONDS = 1;
/**
 * Segment length of the live clock demo (`testsrc:clock:`), with a keyframe at each: a quarter second, so
 * the player can sit half a second behind the newest frame (issue 17 aim 5: the clock in the picture
 * 1.39 s behind the wall clock at p50, 1.68 s with 0.5 s segments, 2.68 s with 1 s, one run of 3 Dec at
 * load 14; for ~7 media requests a second per tile instead of ~4 and ~2). Real cameras, copied or
 * transcoded, keep 1 s segments: their keyframes are the camera's, and a wall of them must not stall.
 */
export const ENCODED_SEGMENT_SECONDS = 0.25;
/**
 * How far behind the live edge the hub asks players to sit on its own encodes (EXT-X-SERVER-CONTROL
 * HOLD-BACK): two segments. None at 1 s segments and longer: players keep their own 1.5 s.
 */
export const holdBackFor = (segmentSeconds: number): number | null => (segmentSeconds < SEGMENT_SECONDS ? 2 * segmentSeconds : null);
/** Segments kept in the live playlist: short enough that a new viewer starts near the live edge. */
export const PLAYLIST_SIZE = 4;
export const PLAYLIST = 'index.m3u8';

export const DEMO_SIZE = '640x360';
export const DEMO_FPS = 25;

/**
 * True when `ffmpegPath -version` runs. Asked when a gateway is created, and answered once per path and
 * process: the check blocks for ~90 ms here, which a process starting several hubs (the tests) paid each time.
 */
const ffmpegRuns = new Map<string, boolean>();
export function ffmpegAvailable(ffmpegPath: string): boolean {
  let runs = ffmpegRuns.get(ffmpegPath);
  if (runs === undefined) {
    const r = spawnSync(ffmpegPath, ['-hide_banner', '-version'], { stdio: 'ignore', timeout: 5000 });
    runs = r.error === undefined && r.status === 0;
    ffmpegRuns.set(ffmpegPath, runs);
  }
  return runs;
}

/**
 * What encoders are started through so that they die with the hub — also when the hub is SIGKILLed or
 * crashes, when no exit handler of ours runs. On Linux: util-linux's `setpriv --pdeathsig KILL`, which has
 * the kernel (prctl PR_SET_PDEATHSIG) kill ffmpeg when the process that spawned it dies, then execs ffmpeg
 * under the same pid. Measured not to work: a stdin pipe from the hub (ffmpeg ignores EOF on stdin; only
 * a 'q' stops it, and a dead hub sends none). Empty where setpriv is missing: `killLeftoverEncoders` then
 * cleans up at the next start.
 */
export function encoderLauncher(): string[] {
  if (process.platform !== 'linux') return [];
  const prefix = ['setpriv', '--pdeathsig', 'KILL', '--'];
  const r = spawnSync(prefix[0] as string, [...prefix.slice(1), 'true'], { stdio: 'ignore', timeout: 5000 });
  return r.error === undefined && r.status === 0 ? prefix : [];
}

/**
 * Kills ffmpeg processes still writing into this data dir's media folder: encoders a previous hub left
 * behind (one without setpriv, or one killed while setpriv was not used). Linux only (/proc). Returns their pids.
 */
export function killLeftoverEncoders(ffmpegPath: string, mediaRoot: string): number[] {
  if (process.platform !== 'linux') return [];
  let entries: string[];
  try { entries = fs.readdirSync('/proc'); } catch { return []; }
  const name = path.basename(ffmpegPath);
  const inRoot = path.resolve(mediaRoot) + path.sep;
  const killed: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let argv: string[];
    try { argv = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0'); } catch { continue; }
    if (path.basename(argv[0] ?? '') !== name || !argv.some((a) => a.startsWith(inRoot))) continue;
    try { process.kill(Number(entry), 'SIGKILL'); killed.push(Number(entry)); } catch { /* gone, or not ours to kill */ }
  }
  return killed;
}

/** A Noto CJK font file so Chinese camera names render; null lets drawtext fall back to fontconfig's default. Asked once per process. */
let cjkFont: string | null | undefined;
export function findCjkFont(): string | null {
  if (cjkFont === undefined) {
    const r = spawnSync('fc-match', ['-f', '%{file}', 'Noto Sans CJK SC'], { encoding: 'utf8', timeout: 5000 });
    const file = r.status === 0 ? r.stdout.trim() : '';
    cjkFont = file.length > 0 ? file : null;
  }
  return cjkFont;
}

/** ffprobe sits next to ffmpeg in every distribution we know of. */
export function ffprobeFor(ffmpegPath: string): string {
  const dir = path.dirname(ffmpegPath);
  const name = path.basename(ffmpegPath).replace(/ffmpeg/, 'ffprobe');
  return dir === '.' ? name : path.join(dir, name);
}

/** The video codec of a pulled source (e.g. 'h264'), so the gateway can copy instead of transcoding. */
export async function probeVideoCodec(ffprobePath: string, source: StreamSource, timeoutMs = 8000): Promise<string> {
  const args = ['-v', 'error', ...inputOptions(source, false), '-i', inputUrl(source), '-select_streams', 'v:0',
    '-show_entries', 'stream=codec_name', '-of', 'default=nw=1:nk=1'];
  return new Promise((resolve, reject) => {
    execFile(ffprobePath, args, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      const codec = stdout.trim().split('\n')[0] ?? '';
      if (err || codec === '') reject(new Error(lastLine(stderr) ?? `ffprobe found no video in ${source.kind} source`));
      else resolve(codec);
    });
  });
}

export function lastLine(text: string): string | null {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  return lines.at(-1) ?? null;
}

function inputOptions(source: StreamSource, live: boolean): string[] {
  switch (source.kind) {
    case 'rtsp': return ['-rtsp_transport', 'tcp'];
    // Files stand in for cameras: loop them and play at their own pace, like a live feed. Only the file
    // protocol may open them, so a path cannot smuggle in concat:, subfile: or a network fetch.
    case 'file': return live ? ['-protocol_whitelist', 'file', '-re', '-stream_loop', '-1'] : ['-protocol_whitelist', 'file'];
    default: return [];
  }
}

/**
 * The value after `-i`. Always given with `-i` (never as a bare argument, which ffprobe would take for an
 * option if it began with `-`), and a file as `file:<path>` so that nothing in it is read as a protocol.
 * The schema refuses such sources already; this holds even for a camera stored before it did.
 */
function inputUrl(source: StreamSource): string {
  if (source.url.startsWith('-')) throw new Error(`refusing a ${source.kind} source that starts with "-"`);
  return source.kind === 'file' ? `file:${source.url}` : source.url;
}

/**
 * Escapes a value (a file path) for a filter option inside a filtergraph: once for the option parser
 * (`:` separates options), once more for the graph parser (`,` `;` `[` `]` separate filters).
 */
function filterValue(value: string): string {
  const option = value.replace(/[\\':]/g, '\\$&');
  return option.replace(/[\\'[\],;]/g, '\\$&');
}

function hlsOutput(outDir: string, startNumber: number, segmentSeconds: number): string[] {
  return [
    '-f', 'hls',
    '-hls_time', String(segmentSeconds),
    // About the same span of time in the window whatever the segment length (4 s at 1 s, 3 s when shorter).
    '-hls_list_size', String(segmentSeconds < SEGMENT_SECONDS ? Math.round(3 / segmentSeconds) : PLAYLIST_SIZE),
    // temp_file: segments and playlist appear atomically, so we never serve half a file.
    '-hls_flags', 'delete_segments+program_date_time+temp_file+omit_endlist',
    // Numbers keep rising across restarts, so a player never sees the media sequence go backwards.
    '-start_number', String(startNumber),
    '-hls_segment_filename', path.join(outDir, 'seg%d.ts'),
    path.join(outDir, PLAYLIST),
  ];
}

const X264_LIVE = ['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'baseline', '-pix_fmt', 'yuv420p', '-crf', '30'];

export type OverlayFiles = { nameFile: string; clockFile: string; fontFile: string | null };

/** The text of the clock overlay: wall-clock time with milliseconds, so latency can be read off the picture. */
export const CLOCK_TEXT = '%{pts:localtime:0:%H\\:%M\\:%S}.%{eif:mod(t,1)*1000:d:3}';

/**
 * A demo camera: a moving test pattern with the camera's name and a millisecond clock. The clock is the
 * wall time at which the frame was drawn (pts temporarily set from RTCTIME), then pts are made regular
 * again for the encoder.
 */
export function testsrcArgs(overlay: OverlayFiles, outDir: string, startNumber: number, segmentSeconds = ENCODED_SEGMENT_SECONDS): string[] {
  const font = overlay.fontFile ? `fontfile=${filterValue(overlay.fontFile)}:` : '';
  const box = 'fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=6';
  const vf = [
    'settb=1/1000',
    'setpts=RTCTIME/1000',
    `drawtext=${font}textfile=${filterValue(overlay.nameFile)}:expansion=none:x=16:y=16:fontsize=28:${box}`,
    `drawtext=${font}textfile=${filterValue(overlay.clockFile)}:x=16:y=h-56:fontsize=32:${box}`,
    `setpts=N*${1000 / DEMO_FPS}`,
  ].join(',');
  return [
    '-hide_banner', '-loglevel', 'error', '-nostdin',
    '-re', '-f', 'lavfi', '-i', `testsrc2=size=${DEMO_SIZE}:rate=${DEMO_FPS}`,
    '-vf', vf,
    ...X264_LIVE,
    '-g', String(DEMO_FPS), '-sc_threshold', '0', '-force_key_frames', `expr:gte(t,n_forced*${segmentSeconds})`,
    ...hlsOutput(outDir, startNumber, segmentSeconds),
  ];
}

/** An RTSP/RTMP/file source: copy H.264 as it is (cheap, no quality loss), transcode anything else. */
export function pulledArgs(source: StreamSource, codec: string, outDir: string, startNumber: number): string[] {
  const video = codec === 'h264'
    ? ['-c:v', 'copy']
    : [...X264_LIVE, '-force_key_frames', `expr:gte(t,n_forced*${SEGMENT_SECONDS})`];
  return [
    '-hide_banner', '-loglevel', 'error', '-nostdin',
    ...inputOptions(source, true), '-i', inputUrl(source),
    '-map', '0:v:0', '-an', // the wall is silent; audio would only cost bandwidth
    ...video,
    ...hlsOutput(outDir, startNumber, SEGMENT_SECONDS),
  ];
}
