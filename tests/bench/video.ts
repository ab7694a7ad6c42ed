// Video benchmark, in real Chromium against the real media gateway (the e2e "video lab"):
// - time to first frame when a demo camera is clicked (cold: nobody watched it; warm: watched already)
// - live latency of a live-encoded demo camera (testsrc:clock:): the clock drawn in the picture (read by
//   OCR with tesseract when it is installed) against the wall clock at the moment that frame is shown;
//   also the player's estimate from the playlist's PROGRAM-DATE-TIME
// - a 16-tile wall from cold (an emergency switch), with the old live-encoded demo source as the baseline
//   and the pre-encoded loop, in the same run: first frames, all live after, CPU and memory of browser,
//   encoders and gateway, and how long requests queued in the browser for a connection
// - memory after 100, 500, 1,000 and 2,000 tile switches compared with the start (JS heap after GC, DOM
//   nodes, listeners, browser PSS): a leak grows steadily, caches level off
// Figures only: a benchmark never fails on time.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import {
  LAB_TOKEN, advancing, buildLabPage, labCameras, launchChromium, openLab, startLab, waitForTiles,
} from '../e2e/video-harness';
import { ENCODED_SEGMENT_SECONDS } from '../../main/media/ffmpeg';

type Figures = Record<string, number>;
type LabWindow = { lab: { firstFrames: { cameraId: string; ms: number }[]; focus(id: string): void } };

const round = (v: number, digits = 0) => Math.round(v * 10 ** digits) / 10 ** digits;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

// ---- processes: CPU from /proc/<pid>/stat, memory as PSS (shared pages counted once across Chromium's processes)

type Proc = { pid: number; ppid: number; comm: string };

function processes(): Proc[] {
  const out: Proc[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const rest = stat.slice(close + 2).split(' ');
      out.push({ pid: Number(name), ppid: Number(rest[1]), comm: stat.slice(stat.indexOf('(') + 1, close) });
    } catch { /* exited while we looked */ }
  }
  return out;
}

/** Our descendants whose command name matches. */
function ourProcesses(match: RegExp): number[] {
  const all = processes();
  const mine = new Set([process.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of all) if (!mine.has(p.pid) && mine.has(p.ppid)) { mine.add(p.pid); grew = true; }
  }
  return all.filter((p) => mine.has(p.pid) && p.pid !== process.pid && match.test(p.comm)).map((p) => p.pid);
}

function cpuTicks(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[11]) + Number(rest[12]);
  } catch { return null; }
}

function pssMb(pids: number[]): number {
  let kb = 0;
  for (const pid of pids) {
    try { kb += Number(/^Pss:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0); } catch { /* gone */ }
  }
  return kb / 1024;
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** CPU use of a group of processes over `ms`, in percent of one core. */
async function cpuPercent(pids: () => number[], ms: number): Promise<number> {
  const before = new Map(pids().map((p) => [p, cpuTicks(p)]));
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  const seconds = (performance.now() - t0) / 1000;
  let ticks = 0;
  for (const [pid, start] of before) {
    const end = cpuTicks(pid);
    if (start !== null && end !== null) ticks += end - start;
  }
  return (ticks / CLK_TCK / seconds) * 100;
}

const chromiumPids = () => ourProcesses(/chrom/i);

/** Chromium's process type from its command line: browser (no --type), renderer, gpu-process, network, … */
function chromiumType(pid: number): string {
  try {
    // Chromium rewrites its command line (spaces, not NULs, between the arguments).
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/);
    const type = argv.find((a) => a.startsWith('--type='))?.slice('--type='.length);
    if (!type) return 'browser';
    const sub = argv.find((a) => a.startsWith('--utility-sub-type='))?.slice('--utility-sub-type='.length);
    return sub ? (sub.split('.')[0] ?? type) : type;
  } catch { return 'gone'; }
}

/** PSS of our Chromium processes by type (renderers summed), to see which one grows. */
function chromiumPssByType(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pid of chromiumPids()) {
    const type = chromiumType(pid).replace(/[^a-z0-9]+/gi, '_');
    out[type] = (out[type] ?? 0) + pssMb([pid]);
  }
  return out;
}
const ffmpegPids = () => ourProcesses(/^ffmpeg$/);

/** The page's JS heap after a forced GC, its DOM nodes and event listeners: what a leak would grow. */
async function pageMemory(page: Page): Promise<{ heapMb: number; nodes: number; listeners: number }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  await cdp.detach();
  const get = (name: string) => metrics.find((m) => m.name === name)?.value ?? NaN;
  return { heapMb: get('JSHeapUsedSize') / 1024 / 1024, nodes: get('Nodes'), listeners: get('JSEventListeners') };
}

// ---- time to first frame on a click

async function clickToFirstFrame(browser: Browser): Promise<Figures> {
  const cameras = labCameras(8);
  const lab = await startLab({ cameras, layout: '1', displayKey: 'bench-click', idleStopMs: 120_000 });
  try {
    const page = await openLab(browser, lab);
    const click = async (id: string) => {
      const before = await page.evaluate(() => (window as unknown as LabWindow).lab.firstFrames.length);
      await page.evaluate((c) => (window as unknown as LabWindow).lab.focus(c), id);
      await page.waitForFunction((n) => (window as unknown as LabWindow).lab.firstFrames.length > n, before, { timeout: 30_000 });
      return page.evaluate(() => (window as unknown as LabWindow).lab.firstFrames.at(-1)!.ms);
    };
    const cold: number[] = [];
    for (const c of cameras) { cold.push(await click(c.id)); await page.waitForTimeout(1500); }
    const warm: number[] = [];
    for (let i = 0; i < 24; i++) { warm.push(await click(cameras[i % cameras.length]!.id)); await page.waitForTimeout(700); }
    await page.context().close();
    return {
      ttff_cold_p50_ms: percentile(cold, 50), ttff_cold_p95_ms: percentile(cold, 95),
      ttff_warm_p50_ms: percentile(warm, 50), ttff_warm_p95_ms: percentile(warm, 95),
    };
  } finally {
    await lab.close();
  }
}

// ---- live latency: the clock in the picture against the wall clock

const hasTesseract = () => spawnSync('tesseract', ['--version'], { stdio: 'ignore' }).status === 0;

/** Grabs the current frame's clock area (bottom-left of the 640×360 picture) and the time it is displayed. */
async function grabClock(page: Page): Promise<{ png: Buffer; shownAt: number }> {
  const { dataUrl, shownAt } = await page.evaluate(() => new Promise<{ dataUrl: string; shownAt: number }>((resolve) => {
    const video = document.querySelector('video')!;
    video.requestVideoFrameCallback((_now, meta) => {
      const canvas = document.createElement('canvas');
      canvas.width = 560; canvas.height = 120;
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(video, 0, 296, 280, 60, 0, 0, 560, 120);
      resolve({ dataUrl: canvas.toDataURL('image/png'), shownAt: performance.timeOrigin + meta.expectedDisplayTime });
    });
  }));
  return { png: Buffer.from(dataUrl.split(',')[1]!, 'base64'), shownAt };
}

function readClock(png: Buffer, dir: string): number | null {
  const file = path.join(dir, 'clock.png');
  fs.writeFileSync(file, png);
  const text = execFileSync('tesseract', [file, 'stdout', '--psm', '7', '-c', 'tessedit_char_whitelist=0123456789:.'], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'],
  });
  const m = /(\d\d):(\d\d):(\d\d)\.(\d\d\d)/.exec(text.replace(/\s/g, ''));
  if (!m) return null;
  const d = new Date();
  d.setHours(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]));
  let t = d.getTime();
  if (t - Date.now() > 12 * 3600_000) t -= 86_400_000; // read just before midnight
  return t;
}

/**
 * Latency of one live-encoded clock camera with the gateway's `segmentSeconds` (1: the old packaging, the
 * baseline; 0.5 with HOLD-BACK 1 s: the new one), and what it costs: the encoder's CPU and the tile's
 * media requests per second.
 */
async function liveLatency(browser: Browser, label: string, segmentSeconds: number): Promise<Figures> {
  const lab = await startLab({
    cameras: labCameras(1, { clock: true }), layout: '1', cameraIds: ['cam-01'], displayKey: `bench-latency-${label}`, encodedSegmentSeconds: segmentSeconds,
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiuhua-ocr-'));
  try {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1600, height: 900 } });
    await context.addInitScript(() => performance.setResourceTimingBufferSize(100_000));
    const page = await context.newPage();
    await page.goto(lab.url);
    await waitForTiles(page, (t) => t[0]?.phase === 'live', 30_000);
    await page.waitForTimeout(5000); // let the player settle at its live distance
    await page.evaluate(() => performance.clearResourceTimings());
    const window0 = performance.now();
    const cpu = cpuPercent(ffmpegPids, 12_000);
    const pdt: number[] = [];
    const ocr: number[] = [];
    const ocrAvailable = hasTesseract();
    for (let i = 0; i < 15; i++) {
      const tile = (await waitForTiles(page, (t) => t[0]?.latencyMs !== null, 5000))[0]!;
      pdt.push(tile.latencyMs!);
      if (ocrAvailable) {
        const { png, shownAt } = await grabClock(page);
        const drawnAt = readClock(png, dir);
        if (drawnAt !== null && Math.abs(shownAt - drawnAt) < 60_000) ocr.push(shownAt - drawnAt);
      }
      await page.waitForTimeout(800);
    }
    const requests = await page.evaluate(() => performance.getEntriesByType('resource').filter((e) => e.name.includes('/media/')).length);
    const seconds = (performance.now() - window0) / 1000;
    const stalls = await page.evaluate(() => (document.querySelector('video')?.getVideoPlaybackQuality().droppedVideoFrames ?? 0));
    const figures: Figures = {
      [`latency_${label}_pdt_p50_ms`]: percentile(pdt, 50), [`latency_${label}_pdt_p95_ms`]: percentile(pdt, 95),
      [`latency_${label}_encoder_cpu_pct`]: round(await cpu, 1),
      [`latency_${label}_media_requests_per_s`]: round(requests / seconds, 2),
      [`latency_${label}_dropped_frames`]: stalls,
    };
    if (ocr.length > 0) {
      figures[`latency_${label}_clock_ocr_p50_ms`] = round(percentile(ocr, 50));
      figures[`latency_${label}_clock_ocr_p95_ms`] = round(percentile(ocr, 95));
      figures[`latency_${label}_clock_ocr_samples`] = ocr.length;
    }
    await context.close();
    return figures;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await lab.close();
  }
}

/** `seg1s`, `seg05s`, `seg025s`: a figure's label for a segment length. */
const segLabel = (seconds: number) => `seg${String(seconds).replace('.', '')}s`;

/**
 * The old packaging (1 s segments, the player's own 1.5 s) against the hub's (ENCODED_SEGMENT_SECONDS,
 * HOLD-BACK two segments), in the same run. `BENCH_VIDEO_LATENCY_SEGMENTS=1,0.5,0.25` measures other
 * segment lengths too (the first is the baseline of the ratios).
 */
async function latencyBoth(browser: Browser): Promise<Figures> {
  const lengths = (process.env.BENCH_VIDEO_LATENCY_SEGMENTS ?? `1,${ENCODED_SEGMENT_SECONDS}`).split(',').map(Number);
  if (lengths.some((s) => !(s > 0))) throw new Error('BENCH_VIDEO_LATENCY_SEGMENTS: segment lengths in seconds, e.g. 1,0.5');
  const out: Figures = {};
  for (const seconds of lengths) Object.assign(out, await liveLatency(browser, segLabel(seconds), seconds));
  const base = segLabel(lengths[0]!);
  for (const seconds of lengths.slice(1)) {
    const label = segLabel(seconds);
    const ratio = (name: string) => round(Number(out[`latency_${label}_${name}`]) / Number(out[`latency_${base}_${name}`]), 3);
    out[`latency_${label}_vs_${base}_pdt_p50_ratio`] = ratio('pdt_p50_ms');
    if (out[`latency_${label}_clock_ocr_p50_ms`] !== undefined && out[`latency_${base}_clock_ocr_p50_ms`] !== undefined) {
      out[`latency_${label}_vs_${base}_clock_ocr_p50_ratio`] = ratio('clock_ocr_p50_ms');
    }
    out[`latency_${label}_vs_${base}_encoder_cpu_ratio`] = ratio('encoder_cpu_pct');
    out[`latency_${label}_vs_${base}_requests_ratio`] = ratio('media_requests_per_s');
  }
  return out;
}

// ---- a 16-tile wall from cold

/**
 * An emergency switch to a 16-tile wall nobody was watching: the page opens on 16 cameras at once. `clock`
 * is the old demo source (one live x264 encoder per camera, started by the first request), the baseline;
 * without it the pre-encoded loop (made before the switch, as a hub makes it at start). `hosts` is the
 * wall's mediaHosts (default: 127.0.0.1 and localhost).
 */
async function sixteenTileWall(browser: Browser, label: string, clock: boolean, hosts?: string[]): Promise<Figures> {
  const cameras = labCameras(16, { clock });
  const lab = await startLab({ cameras, layout: '16', cameraIds: cameras.map((c) => c.id), displayKey: `bench-16-${label}`, mediaHosts: hosts });
  try {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1600, height: 900 } });
    await context.addInitScript(() => performance.setResourceTimingBufferSize(100_000));
    const page = await context.newPage();
    const t0 = Date.now();
    await page.goto(lab.url);
    await waitForTiles(page, (t) => t.length === 16 && t.every((x) => x.phase === 'live'), 90_000);
    const allLive = Date.now() - t0;
    // Each tile's first frame, from when the tile asked for its camera (the first one per tile).
    const first = new Map<string, number>();
    for (const f of await page.evaluate(() => (window as unknown as LabWindow).lab.firstFrames)) if (!first.has(f.cameraId)) first.set(f.cameraId, f.ms);
    const ttff = [...first.values()];
    const figures: Figures = {
      [`wall16_${label}_all_live_after_ms`]: allLive,
      [`wall16_${label}_first_frame_p50_ms`]: percentile(ttff, 50),
      [`wall16_${label}_first_frame_p95_ms`]: percentile(ttff, 95),
      [`wall16_${label}_first_frame_max_ms`]: Math.max(...ttff),
    };
    await page.waitForTimeout(3000);
    await page.evaluate(() => performance.clearResourceTimings());
    const window0 = performance.now();
    const server0 = process.cpuUsage();
    const [browserCpu, encoderCpu] = await Promise.all([cpuPercent(chromiumPids, 10_000), cpuPercent(ffmpegPids, 10_000)]);
    const serverUs = process.cpuUsage(server0);
    const seconds = (performance.now() - window0) / 1000;
    const serverCpu = ((serverUs.user + serverUs.system) / 1e6 / seconds) * 100;
    Object.assign(figures, {
      [`wall16_${label}_encoders`]: ffmpegPids().length,
      [`wall16_${label}_encoders_cpu_pct`]: round(encoderCpu),
      [`wall16_${label}_encoders_pss_mb`]: round(pssMb(ffmpegPids())),
      // The gateway and its HTTP server run in this process (with the bench's own playwright client): an upper bound.
      [`wall16_${label}_gateway_process_cpu_pct`]: round(serverCpu, 1),
      [`wall16_${label}_demo_cpu_pct`]: round(encoderCpu + serverCpu, 1),
      [`wall16_${label}_browser_cpu_pct`]: round(browserCpu),
      [`wall16_${label}_browser_pss_mb`]: round(pssMb(chromiumPids())),
      [`wall16_${label}_page_js_heap_mb`]: round((await pageMemory(page)).heapMb, 1),
    });
    figures[`wall16_${label}_tiles_playing`] = (await advancing(page, 3000)).length;
    // How long each media request waited in the browser before it was sent (aborted ones excluded).
    const waits = await page.evaluate(() => performance.getEntriesByType('resource')
      .filter((e) => e.name.includes('/media/') && (e as PerformanceResourceTiming).responseStart > 0)
      .map((e) => (e as PerformanceResourceTiming).requestStart - e.startTime));
    figures[`wall16_${label}_media_requests_per_s`] = round(waits.length / ((performance.now() - window0) / 1000), 1);
    figures[`wall16_${label}_request_queue_p50_ms`] = round(percentile(waits, 50), 1);
    figures[`wall16_${label}_request_queue_p95_ms`] = round(percentile(waits, 95), 1);
    await context.close();
    return figures;
  } finally {
    await lab.close();
  }
}

// ---- 2,000 tile switches

const SWITCH_MARKS = [100, 500, 1000, 1500, 2000];

async function tileSwitches(browser: Browser): Promise<Figures> {
  const cameras = labCameras(8);
  const lab = await startLab({ cameras, layout: '4', cameraIds: cameras.slice(0, 4).map((c) => c.id), displayKey: 'bench-switch' });
  try {
    const page = await openLab(browser, lab);
    await waitForTiles(page, (t) => t.length === 4 && t.every((x) => x.phase === 'live'), 60_000);
    // Warm the other cameras too, so switches measure the console, not stream start-up.
    await Promise.all(cameras.slice(4).map((c) => fetch(`${lab.url}media/${c.id}/index.m3u8?token=${LAB_TOKEN}`).then((r) => r.arrayBuffer())));
    await page.waitForTimeout(3000);
    const ids = cameras.map((c) => c.id);
    const figures: Figures = {};
    const measure = async (label: string) => {
      const mem = await pageMemory(page);
      figures[`switch_${label}_js_heap_mb`] = round(mem.heapMb, 1);
      figures[`switch_${label}_dom_nodes`] = mem.nodes;
      figures[`switch_${label}_listeners`] = mem.listeners;
      figures[`switch_${label}_browser_pss_mb`] = round(pssMb(chromiumPids()));
      for (const [type, mb] of Object.entries(chromiumPssByType())) figures[`switch_${label}_pss_${type}_mb`] = round(mb);
    };
    await measure('0');
    let from = 0;
    for (const to of SWITCH_MARKS) {
      // No named helpers inside evaluate: tsx would wrap them in a __name() the page does not have.
      await page.evaluate(async ([all, first, last]) => {
        for (let i = first; i < last; i++) {
          const data = new DataTransfer();
          data.setData('application/x-xiuhua-camera', all[(i * 3 + Math.floor(i / 4)) % all.length]!);
          document.querySelectorAll('.xv-cell')[i % 4]!.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
          await new Promise((r) => setTimeout(r, 120));
        }
      }, [ids, from, to] as const);
      await waitForTiles(page, (t) => t.every((x) => x.phase === 'live'), 60_000);
      await page.waitForTimeout(5000);
      await measure(String(to));
      from = to;
    }
    const last = SWITCH_MARKS.at(-1)!;
    // What Chromium gives back when told memory is short: caches and allocator free lists go, a leak stays.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Memory.simulatePressureNotification', { level: 'critical' });
    await cdp.detach();
    await page.waitForTimeout(5000);
    await measure(`${last}_pressed`);
    figures[`switch_${last}_vs_100_browser_pss_ratio`] = round(Number(figures[`switch_${last}_browser_pss_mb`]) / Number(figures.switch_100_browser_pss_mb), 3);
    figures[`switch_${last}_vs_100_js_heap_ratio`] = round(Number(figures[`switch_${last}_js_heap_mb`]) / Number(figures.switch_100_js_heap_mb), 3);
    await page.context().close();
    return figures;
  } finally {
    await lab.close();
  }
}

/** The 16-tile wall from cold, old live-encoded demo source (baseline) and pre-encoded loop, in the same run. */
async function wallFromCold(browser: Browser): Promise<Figures> {
  const live = await sixteenTileWall(browser, 'live', true);
  const loop = await sixteenTileWall(browser, 'loop', false);
  const ratio = (name: string) => round(Number(loop[`wall16_loop_${name}`]) / Number(live[`wall16_live_${name}`]), 3);
  return {
    ...live, ...loop,
    wall16_loop_vs_live_first_frame_p95_ratio: ratio('first_frame_p95_ms'),
    wall16_loop_vs_live_all_live_ratio: ratio('all_live_after_ms'),
    wall16_loop_vs_live_demo_cpu_ratio: ratio('demo_cpu_pct'),
    wall16_loop_vs_live_browser_cpu_ratio: ratio('browser_cpu_pct'),
  };
}

const PARTS = { click: clickToFirstFrame, latency: latencyBoth, wall: wallFromCold, switches: tileSwitches } as const;

/** `BENCH_VIDEO_PARTS=latency,wall` runs only those parts (default: all). */
export async function run(): Promise<Figures> {
  const wanted = (process.env.BENCH_VIDEO_PARTS ?? Object.keys(PARTS).join(',')).split(',').map((p) => p.trim()) as (keyof typeof PARTS)[];
  for (const p of wanted) if (!(p in PARTS)) throw new Error(`BENCH_VIDEO_PARTS: no part "${p}" (${Object.keys(PARTS).join(', ')})`);
  await buildLabPage();
  const browser = await launchChromium();
  try {
    const figures: Figures = {};
    for (const p of wanted) Object.assign(figures, await PARTS[p](browser));
    return { ...figures, cpu_cores: os.cpus().length };
  } finally {
    await browser.close();
  }
}
