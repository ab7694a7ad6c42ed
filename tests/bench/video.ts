// Video benchmark, in real Chromium against the real media gateway (the e2e "video lab"):
// - time to first frame when a demo camera is clicked (cold: nobody watched it; warm: watched already)
// - live latency of a live-encoded demo camera (testsrc:clock:): the clock drawn in the picture (read by
//   OCR with tesseract when it is installed) against the wall clock at the moment that frame is shown;
//   also the player's estimate from the playlist's PROGRAM-DATE-TIME
// - a 16-tile wall from cold (an emergency switch), with the old live-encoded demo source as the baseline
//   and the pre-encoded loop, in the same run: first frames, all live after, CPU and memory of browser,
//   encoders and gateway, and how long requests queued in the browser for a connection
// - memory after 100, 500, 1,000 and 2,000 tile switches compared with the start (JS heap after GC, DOM
//   nodes, listeners, media objects alive, PSS by process, the renderer's allocators): a leak grows
//   steadily, caches level off; in Playwright (`switches`) and in a page no DevTools Network domain
//   watches (`switches_uninspected`, tests/bench/cdp-pipe.ts), which is what a console is
// Knobs: BENCH_VIDEO_PARTS (click,latency,wall,switches,switches_uninspected), BENCH_VIDEO_CLICK_CAMERAS (8),
// BENCH_VIDEO_WARM_CLICKS (24), BENCH_VIDEO_LATENCY_SEGMENTS, BENCH_VIDEO_SWITCH_MARKS.
// Figures only: a benchmark never fails on time.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import {
  CHROMIUM_ARGS, LAB_TOKEN, advancing, buildLabPage, labCameras, launchChromium, openLab, startLab, waitForTiles, type Lab,
} from '../e2e/video-harness';
import { launchPipeChromium } from './cdp-pipe';
import { ENCODED_SEGMENT_SECONDS } from '../../main/media/ffmpeg';
import { envInt } from './harness';

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
function ourProcesses(match: RegExp, root = process.pid): number[] {
  const all = processes();
  const mine = new Set([root]);
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

/** Our Chromium processes, or those of the one browser whose process is `root`. */
const chromiumPids = (root?: number) => ourProcesses(/chrom/i, root);

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
function chromiumPssByType(root?: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pid of chromiumPids(root)) {
    const type = chromiumType(pid).replace(/[^a-z0-9]+/gi, '_');
    out[type] = (out[type] ?? 0) + pssMb([pid]);
  }
  return out;
}
const ffmpegPids = () => ourProcesses(/^ffmpeg$/);

/** A DevTools protocol connection: Playwright's CDP sessions and the pipe browser both fit. */
type Send = (method: string, params?: object) => Promise<unknown>;
type BrowserCdp = { send: Send; on(event: string, l: (p: unknown) => void): void; off(event: string, l: (p: unknown) => void): void };

/** Playwright's browser-level CDP session as a BrowserCdp (its types name every method; ours take any). */
async function playwrightBrowserCdp(browser: Browser): Promise<BrowserCdp & { detach(): Promise<void> }> {
  const cdp = await browser.newBrowserCDPSession();
  const loose = cdp as unknown as BrowserCdp;
  return { send: (m, p) => loose.send(m, p), on: (e, l) => loose.on(e, l), off: (e, l) => loose.off(e, l), detach: () => cdp.detach() };
}

type TraceEvent = { ph: string; pid: number; args?: { dumps?: { allocators?: Record<string, { attrs?: { size?: { value?: string } } }> } } };

/**
 * What Chromium's own allocators hold in the renderers (a memory-infra dump over CDP: partition_alloc,
 * malloc, v8, blink_gc, cc, media, …), by their top names, in MB: where native memory is that neither the
 * JS heap nor the DOM counts show.
 */
async function rendererAllocators(browser: BrowserCdp, root?: number): Promise<Record<string, number>> {
  const renderers = new Set(chromiumPids(root).filter((p) => chromiumType(p) === 'renderer'));
  const events: TraceEvent[] = [];
  const collect = (e: unknown) => { events.push(...((e as { value: TraceEvent[] }).value)); };
  let done = () => undefined as void;
  const complete = new Promise<void>((r) => { done = r; });
  browser.on('Tracing.dataCollected', collect);
  browser.on('Tracing.tracingComplete', done);
  await browser.send('Tracing.start', {
    traceConfig: { includedCategories: ['disabled-by-default-memory-infra'], excludedCategories: ['*'], memoryDumpConfig: { triggers: [] } },
    transferMode: 'ReportEvents',
  });
  await browser.send('Tracing.requestMemoryDump', { deterministic: true, levelOfDetail: 'detailed' });
  await browser.send('Tracing.end');
  await complete;
  browser.off('Tracing.dataCollected', collect);
  browser.off('Tracing.tracingComplete', done);
  const out: Record<string, number> = {};
  for (const e of events) {
    const allocators = e.ph === 'v' && renderers.has(e.pid) ? e.args?.dumps?.allocators : undefined;
    for (const [name, dump] of Object.entries(allocators ?? {})) {
      const parts = name.split('/');
      // Each allocator's total, and the parts that tell: PartitionAlloc's partitions (buffer: strings and
      // vectors; array_buffer: ArrayBuffer contents) and V8's isolates (main, workers).
      const key = parts.length === 1 ? name
        : parts.length === 3 && parts[0] === 'partition_alloc' && parts[1] === 'partitions' ? `pa_${parts[2]}`
        : parts.length === 2 && parts[0] === 'v8' ? `v8_${parts[1]}` : null;
      const size = dump.attrs?.size?.value;
      if (key && size) out[key] = (out[key] ?? 0) + parseInt(size, 16) / 1024 / 1024;
    }
  }
  return out;
}

/** Media objects whose count a per-switch leak would grow (in the page and detached from it alike). */
const MEDIA_OBJECTS = ['HTMLVideoElement', 'MediaSource', 'SourceBuffer'] as const;

/**
 * The page's JS heap after a forced GC, its DOM nodes and event listeners, and how many media objects are
 * still alive (Runtime.queryObjects counts detached ones too): what a leak would grow.
 */
type PageMemory = { heapMb: number; backingMb: number; embedderMb: number; nodes: number; listeners: number; alive: Record<string, number> };

/** pageMemory of a Playwright page, through a CDP session of its own. */
async function playwrightPageMemory(page: Page): Promise<PageMemory> {
  const cdp = await page.context().newCDPSession(page);
  const loose = cdp as unknown as { send: Send };
  try { return await pageMemory((m, p) => loose.send(m, p)); } finally { await cdp.detach(); }
}

async function pageMemory(send: Send): Promise<PageMemory> {
  type Remote = { result: { objectId?: string; value?: unknown } };
  await send('HeapProfiler.collectGarbage');
  await send('Performance.enable');
  const { metrics } = await send('Performance.getMetrics') as { metrics: { name: string; value: number }[] };
  // ArrayBuffers' contents (media segments on their way to the decoder) are outside the JS heap's size.
  const usage = await send('Runtime.getHeapUsage') as { backingStorageSize: number; embedderHeapUsedSize: number };
  const alive: Record<string, number> = {};
  // The arrays queryObjects returns hold what they found until released: one group, released after.
  const objectGroup = 'bench-media-objects';
  for (const name of MEDIA_OBJECTS) {
    const proto = await send('Runtime.evaluate', { expression: `${name}.prototype`, objectGroup }) as Remote;
    if (!proto.result.objectId) continue;
    const { objects } = await send('Runtime.queryObjects', { prototypeObjectId: proto.result.objectId, objectGroup }) as { objects: { objectId: string } };
    const count = await send('Runtime.callFunctionOn', { objectId: objects.objectId, functionDeclaration: 'function () { return this.length; }', returnByValue: true }) as Remote;
    alive[name] = Number(count.result.value);
  }
  await send('Runtime.releaseObjectGroup', { objectGroup });
  const get = (name: string) => metrics.find((m) => m.name === name)?.value ?? NaN;
  return {
    heapMb: get('JSHeapUsedSize') / 1024 / 1024, backingMb: usage.backingStorageSize / 1024 / 1024,
    // Blink's own garbage-collected heap (DOM objects, media elements' Blink side)
    embedderMb: usage.embedderHeapUsedSize / 1024 / 1024,
    nodes: get('Nodes'), listeners: get('JSEventListeners'), alive,
  };
}

// ---- time to first frame on a click

async function clickToFirstFrame(browser: Browser): Promise<Figures> {
  const cameras = labCameras(envInt('BENCH_VIDEO_CLICK_CAMERAS', 8));
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
    for (let i = 0; i < envInt('BENCH_VIDEO_WARM_CLICKS', 24); i++) { warm.push(await click(cameras[i % cameras.length]!.id)); await page.waitForTimeout(700); }
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
      [`wall16_${label}_page_js_heap_mb`]: round((await playwrightPageMemory(page)).heapMb, 1),
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

/** `BENCH_VIDEO_SWITCH_MARKS=100,500` measures after fewer switches (a quicker look; the aim is at 2,000). */
const SWITCH_MARKS = (process.env.BENCH_VIDEO_SWITCH_MARKS ?? '100,500,1000,1500,2000').split(',').map(Number);

/** A lab page to switch tiles on: in Playwright (as every e2e test sees it) or on the DevTools pipe. */
type SwitchPage = {
  /** a JS expression in the page, its promise awaited, its value returned */
  evaluate<T>(expression: string): Promise<T>;
  /** a CDP command to the page */
  send: Send;
  browser: BrowserCdp;
  /** the browser process whose processes are counted (default: all our Chromium processes) */
  root?: number;
  close(): Promise<void>;
};

async function playwrightSwitchPage(browser: Browser, lab: Lab): Promise<SwitchPage> {
  const page = await openLab(browser, lab);
  const cdp = await page.context().newCDPSession(page);
  const loose = cdp as unknown as { send: Send };
  const browserCdp = await playwrightBrowserCdp(browser);
  return {
    evaluate: (expression) => page.evaluate(expression),
    send: (m, p) => loose.send(m, p),
    browser: browserCdp,
    async close() { await cdp.detach(); await browserCdp.detach(); await page.context().close(); },
  };
}

async function pipeSwitchPage(lab: Lab): Promise<SwitchPage> {
  const browser = await launchPipeChromium(CHROMIUM_ARGS);
  const session = await browser.openPage(lab.url);
  const send: Send = (method, params) => browser.send(method, params, session);
  const evaluate = async <T>(expression: string): Promise<T> => {
    const r = await send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }) as
      { result: { value: T }; exceptionDetails?: { text: string; exception?: { description?: string } } };
    if (r.exceptionDetails) throw new Error(r.exceptionDetails.exception?.description ?? r.exceptionDetails.text);
    return r.result.value;
  };
  const until = Date.now() + 30_000;
  while (!(await evaluate<boolean>("!!document.querySelector('.xv-wall')"))) {
    if (Date.now() > until) throw new Error('the lab page did not render its wall');
    await new Promise((r) => setTimeout(r, 200));
  }
  return { evaluate, send, browser, root: browser.pid, close: () => browser.close() };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function allTilesLive(page: SwitchPage, n: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  let phases: (string | null)[] = [];
  while (Date.now() < until) {
    phases = await page.evaluate<(string | null)[]>(
      "[...document.querySelectorAll('.xv-cell')].map((c) => c.querySelector('.xv-tile')?.getAttribute('data-phase') ?? null)");
    if (phases.length === n && phases.every((p) => p === 'live')) return;
    await sleep(200);
  }
  throw new Error(`tiles never all live: ${JSON.stringify(phases)}`);
}

/**
 * Tile switches on a 4-tile wall (8 loop cameras, a drop every 120 ms), memory after each mark. `prefix`
 * names the figures: `switch` in Playwright, `switch_uninspected` on the pipe (no DevTools Network domain).
 */
async function tileSwitchesOn(open: (lab: Lab) => Promise<SwitchPage>, prefix: string): Promise<Figures> {
  const cameras = labCameras(8);
  const lab = await startLab({ cameras, layout: '4', cameraIds: cameras.slice(0, 4).map((c) => c.id), displayKey: 'bench-switch' });
  try {
    const page = await open(lab);
    await allTilesLive(page, 4, 60_000);
    // Warm the other cameras too, so switches measure the console, not stream start-up.
    await Promise.all(cameras.slice(4).map((c) => fetch(`${lab.url}media/${c.id}/index.m3u8?token=${LAB_TOKEN}`).then((r) => r.arrayBuffer())));
    await sleep(3000);
    const ids = cameras.map((c) => c.id);
    const figures: Figures = {};
    const measure = async (label: string) => {
      const at = `${prefix}_${label}`;
      const mem = await pageMemory(page.send);
      figures[`${at}_js_heap_mb`] = round(mem.heapMb, 1);
      figures[`${at}_array_buffers_mb`] = round(mem.backingMb, 1);
      figures[`${at}_embedder_heap_mb`] = round(mem.embedderMb, 1);
      figures[`${at}_dom_nodes`] = mem.nodes;
      figures[`${at}_listeners`] = mem.listeners;
      for (const [name, n] of Object.entries(mem.alive)) figures[`${at}_alive_${name}`] = n;
      figures[`${at}_browser_pss_mb`] = round(pssMb(chromiumPids(page.root)));
      for (const [type, mb] of Object.entries(chromiumPssByType(page.root))) figures[`${at}_pss_${type}_mb`] = round(mb);
      for (const [name, mb] of Object.entries(await rendererAllocators(page.browser, page.root))) {
        if (mb >= 1) figures[`${at}_alloc_${name.replace(/[^a-z0-9]+/gi, '_')}_mb`] = round(mb, 1);
      }
    };
    await measure('0');
    let from = 0;
    for (const to of SWITCH_MARKS) {
      await page.evaluate(`(async () => {
        const all = ${JSON.stringify(ids)};
        for (let i = ${from}; i < ${to}; i++) {
          const data = new DataTransfer();
          data.setData('application/x-xiuhua-camera', all[(i * 3 + Math.floor(i / 4)) % all.length]);
          document.querySelectorAll('.xv-cell')[i % 4].dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
          await new Promise((r) => setTimeout(r, 120));
        }
      })()`);
      await allTilesLive(page, 4, 60_000);
      await sleep(5000);
      await measure(String(to));
      from = to;
    }
    const last = SWITCH_MARKS.at(-1)!;
    // What Chromium gives back when told memory is short: caches and allocator free lists go, a leak stays.
    await page.send('Memory.simulatePressureNotification', { level: 'critical' });
    await sleep(5000);
    await measure(`${last}_pressed`);
    const ratio = (name: string) => round(Number(figures[`${prefix}_${last}_${name}`]) / Number(figures[`${prefix}_100_${name}`]), 3);
    figures[`${prefix}_${last}_vs_100_renderer_pss_ratio`] = ratio('pss_renderer_mb');
    figures[`${prefix}_${last}_vs_100_browser_pss_ratio`] = ratio('browser_pss_mb');
    figures[`${prefix}_${last}_vs_100_js_heap_ratio`] = ratio('js_heap_mb');
    await page.close();
    return figures;
  } finally {
    await lab.close();
  }
}

/** In Playwright, as measured before (its Network domain keeps response bodies in the renderer). */
const tileSwitches = (browser: Browser) => tileSwitchesOn((lab) => playwrightSwitchPage(browser, lab), 'switch');
/** The same switches in a page no DevTools Network domain watches: the console's own memory. */
const tileSwitchesUninspected = () => tileSwitchesOn(pipeSwitchPage, 'switch_uninspected');

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

const PARTS = {
  click: clickToFirstFrame, latency: latencyBoth, wall: wallFromCold, switches: tileSwitches, switches_uninspected: tileSwitchesUninspected,
} as const;

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
