// A "video lab" for end-to-end tests and the video benchmark: the real media gateway (real ffmpeg) and a
// page built with vite from the real renderer/src/video components, both served by one HTTP server the way
// the hub serves them (same origin, so the page's own requests share the browser's six connections too).
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { build } from 'vite';
import react from '@vitejs/plugin-react';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Camera } from '../../shared/domain';
import { createMediaGateway, type MediaGateway } from '../../main/media/gateway';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PAGE_DIR = path.join(ROOT, 'tests/e2e/video-lab');
const OUT_DIR = path.join(ROOT, 'tests/artifacts/video-lab');
export const LAB_TOKEN = 'lab-token';

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu-sandbox', '--disable-background-networking', '--disable-component-update',
  '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--autoplay-policy=no-user-gesture-required',
];

const NAMES = ['新街口 东向', '鼓楼广场', '夫子庙 北门', '中华门 城堡', '玄武湖 南岸', '河西 万达', '南京站 北广场', '湖南路 步行街',
  '大行宫', '珠江路口', '汉中门', '山西路', '龙江', '奥体中心', '南京南站', '江宁 百家湖'];

/**
 * Demo cameras like the city's: the pre-encoded test loop (no encoder), or with `clock` (all, or the ids
 * listed) a live-encoded test pattern with a millisecond clock, where latency or an encoder is tested.
 */
export function labCameras(n = 16, opts: { clock?: boolean | string[] } = {}): Camera[] {
  return Array.from({ length: n }, (_, i) => {
    const id = `cam-${String(i + 1).padStart(2, '0')}`;
    const clock = opts.clock === true || (Array.isArray(opts.clock) && opts.clock.includes(id));
    return {
      id, kind: 'fixed', name: NAMES[i % NAMES.length] ?? id, position: [118.78 + i / 1000, 32.04], facing: 0, unitId: null,
      sources: [{ kind: 'testsrc', url: clock ? `testsrc:clock:${id}` : `testsrc:${id}` }], key: i < 4,
    } satisfies Camera;
  });
}

let built: Promise<string> | null = null;

/** Builds the lab page once per process (production build: what consoles run). */
export function buildLabPage(): Promise<string> {
  built ??= (async () => {
    await build({
      root: PAGE_DIR, base: '/', configFile: false, logLevel: 'warn', plugins: [react()],
      build: { outDir: OUT_DIR, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 5000 },
    });
    return OUT_DIR;
  })();
  return built;
}

export type LabOptions = {
  cameras?: Camera[]; layout?: string; cameraIds?: (string | null)[]; displayKey?: string; idleStopMs?: number;
  /** the wall's mediaHosts: names of this server its tiles spread over (each gets its own six connections) */
  mediaHosts?: string[];
  /** the gateway's segment length for the clock demo (default ENCODED_SEGMENT_SECONDS; 1 is the old packaging) */
  encodedSegmentSeconds?: number;
};

export type Lab = {
  gateway: MediaGateway;
  url: string;
  /** how many requests the media server is answering right now, peak since start */
  peakInFlight: () => number;
  close(): Promise<void>;
};

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css' };

export async function startLab(opts: LabOptions = {}): Promise<Lab> {
  const dist = await buildLabPage();
  const cameras = opts.cameras ?? labCameras();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiuhua-video-lab-'));
  const gateway = createMediaGateway({
    dataDir, log: () => undefined, onHealth: () => undefined, idleStopMs: opts.idleStopMs ?? 30_000, encodedSegmentSeconds: opts.encodedSegmentSeconds,
  });
  gateway.setCameras(cameras);
  // The demo loop is made once per data dir, before anyone watches (as a hub does at start): tests measure
  // the wall, not that one-off.
  await gateway.ready();
  const config = {
    token: LAB_TOKEN, cameras, layout: opts.layout ?? '1', cameraIds: opts.cameraIds ?? [], displayKey: opts.displayKey ?? 'lab',
    mediaHosts: opts.mediaHosts,
  };
  let inFlight = 0;
  let peak = 0;
  const server = http.createServer((req, res) => {
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    res.on('close', () => { inFlight -= 1; });
    if (gateway.handleHttp(req, res, (t) => t === LAB_TOKEN)) return;
    const url = new URL(req.url ?? '/', 'http://lab');
    if (url.pathname === '/lab/config.json') { res.writeHead(200, { 'Content-Type': 'application/json' }); res.end(JSON.stringify(config)); return; }
    if (url.pathname === '/lab/health') { res.writeHead(200, { 'Content-Type': 'application/json' }); res.end(JSON.stringify(gateway.health())); return; }
    const file = path.join(dist, url.pathname === '/' ? 'index.html' : path.normalize(url.pathname));
    if (!file.startsWith(dist) || !fs.existsSync(file) || !fs.statSync(file).isFile()) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    res.end(fs.readFileSync(file));
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    gateway,
    url,
    peakInFlight: () => peak,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await gateway.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Host names that all lead to 127.0.0.1 in our Chromium, for spreading tiles over more connection pools. */
export const SHARD_HOSTS = ['127.0.0.1', 'media1.lab', 'media2.lab'];

export function launchChromium(): Promise<Browser> {
  const rules = SHARD_HOSTS.filter((h) => h !== '127.0.0.1').map((h) => `MAP ${h} 127.0.0.1`).join(', ');
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, `--host-resolver-rules=${rules}`] });
}

export async function openLab(browser: Browser, lab: Lab): Promise<Page> {
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1600, height: 900 } });
  const page = await context.newPage();
  await page.goto(lab.url);
  await page.waitForSelector('.xv-wall'); // the page's hooks (window.lab) exist once the wall has rendered
  return page;
}

export type TileState = { cameraId: string | null; phase: string | null; time: number; ttffMs: number | null; latencyMs: number | null; text: string };

/** Every tile's state as the operator would see it, plus its video's playhead. */
export function tiles(page: Page): Promise<TileState[]> {
  return page.$$eval('.xv-cell', (cells) => cells.map((cell) => {
    const tile = cell.querySelector<HTMLElement>('.xv-tile');
    const video = cell.querySelector('video');
    // No helper functions in here: tsx would wrap them in a __name() that does not exist in the page.
    return {
      cameraId: tile?.dataset.cameraId ?? null,
      phase: tile?.dataset.phase ?? null,
      time: video?.currentTime ?? 0,
      ttffMs: tile?.dataset.ttffMs === undefined ? null : Number(tile.dataset.ttffMs),
      latencyMs: tile?.dataset.latencyMs === undefined ? null : Number(tile.dataset.latencyMs),
      text: (tile?.textContent ?? '').trim(),
    };
  }));
}

/** Polls the page until `pred` holds for the tiles; returns them. */
export async function waitForTiles(page: Page, pred: (t: TileState[]) => boolean, timeoutMs: number): Promise<TileState[]> {
  const until = Date.now() + timeoutMs;
  let last: TileState[] = [];
  while (Date.now() < until) {
    last = await tiles(page);
    if (pred(last)) return last;
    await page.waitForTimeout(200);
  }
  throw new Error(`tiles never matched: ${JSON.stringify(last.map((t) => [t.cameraId, t.phase, t.time.toFixed(2)]))}`);
}

/** Indexes of tiles whose playhead moved between two looks `gapMs` apart: these are really playing. */
export async function advancing(page: Page, gapMs: number): Promise<TileState[]> {
  const a = await tiles(page);
  await page.waitForTimeout(gapMs);
  const b = await tiles(page);
  return b.filter((t, i) => t.cameraId !== null && t.time > (a[i]?.time ?? 0) && a[i]?.cameraId === t.cameraId);
}

export async function closeBrowser(browser: Browser | undefined): Promise<void> {
  await browser?.close();
}

/** ffmpeg processes started by this test process (the hub runs in it), with their command lines. */
export function ourEncoders(): { pid: number; args: string }[] {
  const out: { pid: number; args: string }[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const argv = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (ppid === process.pid && /(^|\/)ffmpeg$/.test(argv[0] ?? '')) out.push({ pid: Number(name), args: argv.join(' ') });
    } catch { /* exited */ }
  }
  return out;
}

/**
 * Gives a demo camera of a running hub the live-encoded source with the clock (`testsrc:clock:<id>`), as an
 * admin would, for tests that kill its encoder: the city's demo cameras are pre-encoded loops without one.
 */
export async function useClockSource(hubUrl: string, camera: Camera): Promise<Camera> {
  const { io } = await import('socket.io-client');
  const admin = io(`${hubUrl}/console`, { auth: { username: 'admin', password: 'demo' }, transports: ['websocket'], forceNew: true });
  try {
    await new Promise<void>((resolve, reject) => { admin.once('session:ready', () => resolve()); admin.once('connect_error', reject); });
    const next: Camera = { ...camera, sources: [{ kind: 'testsrc', url: `testsrc:clock:${camera.id}` }] };
    const res = (await admin.emitWithAck('camera:upsert', { commandId: `clock-${camera.id}-${Date.now().toString(36)}`, camera: next })) as { ok: boolean; error?: { message: string } };
    if (!res.ok) throw new Error(`camera:upsert refused: ${res.error?.message ?? '?'}`);
    return next;
  } finally {
    admin.disconnect();
  }
}
