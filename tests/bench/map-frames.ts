// Map frame times with 20,000 moving units at 1 Hz, in headless Chromium, while the map pans.
// Two update paths on the same page, same data, same basemap:
//   merged — the console's path: fixes merged by unit in the PositionStore, flushed on an animation frame
//            at most every 300 ms, and only changed units sent to the source as a diff (updateData);
//   naive  — a full GeoJSON setData of every unit per incoming message (what the best-known open-source
//            tracking UI does);
//   static — the same 20,000 units never moving: what drawing and panning alone cost on this machine
//            (with software GL this floor dominates; the difference to it is what an update path costs).
// Messages arrive the way the hub fans them out: a batch every 10 ms (here 200 fixes each).
// Reports p50/p95/p99 frame time and long tasks per path. Never fails on time.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { build } from 'vite';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PAGE_DIR = path.join(ROOT, 'tests/artifacts/map-bench');
const UNITS = 20_000;
const MESSAGE_EVERY_MS = 10;
const WARMUP_MS = 3000;
const MEASURE_MS = 10_000;
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu-sandbox', '--disable-background-networking', '--disable-component-update',
  '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
];

const MAIN_TS = `
import * as maplibregl from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import 'maplibre-gl/dist/maplibre-gl.css';
import roadsUrl from '../../../../resources/basemap/roads.geojson?url';
import waterUrl from '../../../../resources/basemap/water.geojson?url';
import { PositionStore } from '../../../../renderer/src/hub/positions';
import { UnitFeed } from '../../../../renderer/src/map/unit-feed';
import { unitColor } from '../../../../renderer/src/map/theme';
import type { Unit, PositionFix } from '../../../../shared/domain';

maplibregl.setWorkerUrl(new URL(workerUrl, location.href).href);
const q = new URLSearchParams(location.search);
const mode = q.get('mode') ?? 'merged';
const N = Number(q.get('units'));
const EVERY = Number(q.get('every'));
const WARMUP = Number(q.get('warmup'));
const MEASURE = Number(q.get('measure'));

const units = new Map<string, Unit>();
const pos: { lng: number; lat: number; heading: number }[] = [];
for (let i = 0; i < N; i++) {
  const id = 'u' + i;
  units.set(id, { id, kind: 'officer', name: id, badge: null, plate: null, squad: null, cellId: null, postId: null, routeId: null, cameraId: null, status: 'patrolling' });
  pos.push({ lng: 118.72 + Math.random() * 0.08, lat: 32.0 + Math.random() * 0.06, heading: Math.random() * 360 });
}

const map = new maplibregl.Map({
  container: 'map',
  style: { version: 8, sources: {}, layers: [{ id: 'bg', type: 'background', paint: { 'background-color': '#0d1420' } }] },
  center: [118.76, 32.03], zoom: 13, attributionControl: false,
});

function fc() {
  return { type: 'FeatureCollection' as const, features: pos.map((p, i) => ({ type: 'Feature' as const, id: 'u' + i, geometry: { type: 'Point' as const, coordinates: [p.lng, p.lat] }, properties: { id: 'u' + i, cls: 'patrolling', ago: '', heading: p.heading, name: 'u' + i } })) };
}

map.on('load', () => {
  map.addSource('water', { type: 'geojson', data: new URL(waterUrl, location.href).href });
  map.addSource('roads', { type: 'geojson', data: new URL(roadsUrl, location.href).href });
  map.addLayer({ id: 'water', type: 'fill', source: 'water', paint: { 'fill-color': '#15324d' } });
  map.addLayer({ id: 'roads', type: 'line', source: 'roads', paint: { 'line-color': '#3b4d66', 'line-width': 2 } });
  map.addSource('units', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
  map.addLayer({ id: 'units', type: 'circle', source: 'units', paint: { 'circle-radius': 4, 'circle-color': unitColor, 'circle-stroke-color': '#0b0f16', 'circle-stroke-width': 1 } });
  const source = map.getSource('units') as maplibregl.GeoJSONSource;

  const store = new PositionStore();
  const feed = new UnitFeed('officer');
  if (mode === 'merged') {
    store.subscribe((f) => {
      const diff = feed.diff(f.changed, units, f.tracks, Date.now());
      if (diff) void source.updateData(diff);
    });
  } else {
    void source.setData(fc());
  }

  // Every unit moves once a second; the fan-out delivers a slice of them every EVERY ms.
  const perMessage = Math.ceil(N / (1000 / EVERY));
  let next = 0;
  let messages = 0;
  setInterval(() => {
    if (mode === 'static') return;
    const fixes: PositionFix[] = [];
    const t = Date.now();
    for (let k = 0; k < perMessage; k++, next = (next + 1) % N) {
      const p = pos[next]!;
      p.heading = (p.heading + (Math.random() - 0.5) * 20 + 360) % 360;
      p.lng += Math.sin((p.heading * Math.PI) / 180) * 0.00004;
      p.lat += Math.cos((p.heading * Math.PI) / 180) * 0.00004;
      fixes.push({ unitId: 'u' + next, t, lng: p.lng, lat: p.lat, heading: p.heading });
    }
    messages++;
    if (mode === 'merged') store.merge(fixes);
    else void source.setData(fc());
  }, EVERY);

  // Pan back and forth all the time, as an operator dragging the map would.
  let dir = 1;
  setInterval(() => (dir = -dir), 2000);
  const pan = () => {
    map.panBy([3 * dir, 1 * dir], { duration: 0 });
    requestAnimationFrame(pan);
  };
  requestAnimationFrame(pan);

  const frames: number[] = [];
  const longTasks: number[] = [];
  let measuring = false;
  new PerformanceObserver((l) => { if (measuring) for (const e of l.getEntries()) longTasks.push(e.duration); }).observe({ type: 'longtask' });
  let last = 0;
  const tick = (t: number) => {
    if (measuring && last) frames.push(t - last);
    last = t;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  setTimeout(() => {
    measuring = true;
    const m0 = messages;
    setTimeout(() => {
      measuring = false;
      (window as unknown as { result: unknown }).result = { frames, longTasks, messages: messages - m0, rendered: map.queryRenderedFeatures({ layers: ['units'] }).length };
    }, MEASURE);
  }, WARMUP);
});
`;

async function buildPage(): Promise<string> {
  fs.mkdirSync(path.join(PAGE_DIR, 'src'), { recursive: true });
  fs.writeFileSync(path.join(PAGE_DIR, 'index.html'), '<!doctype html><html><body style="margin:0"><div id="map" style="width:1600px;height:900px"></div><script type="module" src="./src/main.ts"></script></body></html>');
  fs.writeFileSync(path.join(PAGE_DIR, 'src/main.ts'), MAIN_TS);
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiuhua-map-bench-'));
  await build({
    root: PAGE_DIR, base: './', configFile: false, logLevel: 'warn',
    build: { outDir, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 5000 },
  });
  return outDir;
}

function serve(dir: string): Promise<http.Server> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.geojson': 'application/json' };
  const server = http.createServer((req, res) => {
    const p = path.join(dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (!p.startsWith(dir) || !fs.existsSync(p) || !fs.statSync(p).isFile()) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': types[path.extname(p)] ?? 'application/octet-stream' });
    fs.createReadStream(p).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 10) / 10;
};

type PageResult = { frames: number[]; longTasks: number[]; messages: number; rendered: number };

export async function run(): Promise<Record<string, number | string>> {
  const dir = await buildPage();
  const server = await serve(dir);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/index.html`;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const figures: Record<string, number | string> = { units: UNITS, 'message every ms': MESSAGE_EVERY_MS, 'measured s per path': MEASURE_MS / 1000 };
  try {
    for (const mode of ['static', 'merged', 'naive'] as const) {
      const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
      await page.goto(`${url}?mode=${mode}&units=${UNITS}&every=${MESSAGE_EVERY_MS}&warmup=${WARMUP_MS}&measure=${MEASURE_MS}`);
      await page.waitForFunction(() => (window as unknown as { result?: unknown }).result, undefined, { timeout: 120_000, polling: 500 });
      const r = (await page.evaluate(() => (window as unknown as { result: unknown }).result)) as PageResult;
      await page.close();
      figures[`${mode} frames`] = r.frames.length;
      figures[`${mode} frame p50 ms`] = pct(r.frames, 50);
      figures[`${mode} frame p95 ms`] = pct(r.frames, 95);
      figures[`${mode} frame p99 ms`] = pct(r.frames, 99);
      figures[`${mode} long tasks`] = r.longTasks.length;
      figures[`${mode} long task total ms`] = Math.round(r.longTasks.reduce((a, b) => a + b, 0));
      figures[`${mode} messages handled`] = r.messages;
      figures[`${mode} units rendered at end`] = r.rendered;
    }
  } finally {
    await browser.close();
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}
