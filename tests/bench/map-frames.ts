// The map's live update path (issue 17, aim 3): 20,000 units moving at 1 Hz in headless Chromium while the
// map pans. Four runs on the same page, same data, same basemap, same flush:
//   merged    — the console's path, its own code: fixes merged by unit in the PositionStore, flushed on an
//               animation frame at most every 300 ms, the changed units' slots written in place in a
//               UnitBuffer (feedFromPositions → UnitBuffer.diff) and uploaded by the UnitDotsLayer (a custom
//               WebGL layer) with bufferSubData in the next frame, as OfficersLayer runs them;
//   fair      — the baseline: the same store and the same 300 ms flush, but each flush builds every unit's
//               feature and sends the whole collection with setData to a GeoJSON circle layer (what a
//               tracking UI without diffs does, at the same rate: this compares update paths, not throttling);
//   static, static-gl — each path's floor: the same layer (GeoJSON circles, the dots layer), the same
//               messages received and merged, but only the first flush fed to the map (the units stand
//               still): what drawing, panning and receiving cost. Each path is judged over its own floor.
// Messages arrive the way the hub fans them out: a batch every 10 ms (200 fixes each at 20,000 units).
// Per path: main-thread JavaScript per flush, measured in the page (performance.now() around the path's own
// work: writing the slots and the uploads in the frames after, or building the collection and the setData
// call) and by Chromium over the whole window (CDP Performance.getMetrics ScriptDuration, which also counts
// what the update sets off later on the main thread: the worker's answer, tile reloads; the path's floor run's
// script is subtracted); long tasks; how many updates reached the map; frame times (printed, not judged: no
// GPU here, SwiftShader draws). Never fails on time.
// Knobs: --size small (2,000 units, short windows), BENCH_MAP_UNITS, BENCH_MAP_MEASURE_MS, BENCH_MAP_PROFILE=<dir>
// (a .cpuprofile of each run's window).
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { build } from 'vite';
import { chromium, type CDPSession } from 'playwright-core';
import { benchSize, envInt, loadAverage } from './harness';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PAGE_DIR = path.join(ROOT, 'tests/artifacts/map-bench');
const SMALL = benchSize() === 'small';
const UNITS = envInt('BENCH_MAP_UNITS', SMALL ? 2000 : 20_000);
const MESSAGE_EVERY_MS = 10;
const WARMUP_MS = SMALL ? 1500 : 4000;
const MEASURE_MS = envInt('BENCH_MAP_MEASURE_MS', SMALL ? 3000 : 15_000);
const PROFILE_DIR = process.env.BENCH_MAP_PROFILE;
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
import { classify, feedFromPositions } from '../../../../renderer/src/map/unit-feed';
import { UnitBuffer } from '../../../../renderer/src/map/unit-buffer';
import { UnitDotsLayer } from '../../../../renderer/src/map/unit-dots-layer';
import { unitColor } from '../../../../renderer/src/map/theme';
import type { AttendanceMark } from '../../../../renderer/src/state/attendance';
import type { Unit, PositionFix } from '../../../../shared/domain';

declare global { interface Window { benchMark?: (what: string) => Promise<void>; result?: unknown } }

maplibregl.setWorkerUrl(new URL(workerUrl, location.href).href);
const q = new URLSearchParams(location.search);
const mode = q.get('mode') ?? 'merged';
const N = Number(q.get('units'));
const EVERY = Number(q.get('every'));
const WARMUP = Number(q.get('warmup'));
const MEASURE = Number(q.get('measure'));

// Officers as the console has them: a few on post, on task, off duty; every 50th with an attendance mark.
const STATUSES = ['patrolling', 'patrolling', 'on_post', 'on_task', 'off_duty'] as const;
const units = new Map<string, Unit>();
const marks = new Map<string, AttendanceMark>();
const pos: { lng: number; lat: number; heading: number }[] = [];
for (let i = 0; i < N; i++) {
  const id = 'u' + i;
  units.set(id, { id, kind: 'officer', name: id, badge: null, plate: null, squad: null, cellId: null, postId: null, routeId: null, cameraId: null, status: STATUSES[i % STATUSES.length]! });
  if (i % 50 === 0) marks.set(id, i % 100 === 0 ? 'late' : 'on');
  pos.push({ lng: 118.72 + Math.random() * 0.08, lat: 32.0 + Math.random() * 0.06, heading: Math.random() * 360 });
}

const map = new maplibregl.Map({
  container: 'map',
  style: { version: 8, sources: {}, layers: [{ id: 'bg', type: 'background', paint: { 'background-color': '#0d1420' } }] },
  center: [118.76, 32.03], zoom: 13, attributionControl: false,
});

map.on('load', () => {
  map.addSource('water', { type: 'geojson', data: new URL(waterUrl, location.href).href });
  map.addSource('roads', { type: 'geojson', data: new URL(roadsUrl, location.href).href });
  map.addLayer({ id: 'water', type: 'fill', source: 'water', paint: { 'fill-color': '#15324d' } });
  map.addLayer({ id: 'roads', type: 'line', source: 'roads', paint: { 'line-color': '#3b4d66', 'line-width': 2 } });
  // merged and static-gl: the console's dots layer (a vertex buffer); fair and static: the GeoJSON layer
  // the console had (UnitLayers' 'officers' paint), fed whole.
  const gl = mode === 'merged' || mode === 'static-gl';
  const buffer = new UnitBuffer('officer');
  const dots = new UnitDotsLayer('units', buffer);
  if (gl) map.addLayer(dots);
  else {
    map.addSource('units', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
    // The console's officer dot (UnitLayers' 'officers' layer paint).
    map.addLayer({
      id: 'units', type: 'circle', source: 'units', filter: ['!=', ['get', 'cls'], 'off_duty'],
      paint: {
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 11, 3.5, 15, 7, 18, 11], 'circle-color': unitColor,
        'circle-opacity': ['match', ['get', 'cls'], ['stale', 'offline'], 0.35, 1],
        'circle-stroke-color': ['match', ['get', 'cls'], ['stale', 'offline'], unitColor, '#0b0f16'],
        'circle-stroke-width': ['match', ['get', 'cls'], ['stale', 'offline'], 2, 1],
      },
    });
  }
  const source = map.getSource('units') as maplibregl.GeoJSONSource | undefined;

  const store = new PositionStore();
  // The path's own main-thread work: the diff and the call that hands it to the map (merged), or building
  // and handing over the whole collection (fair), wherever it runs (a flush, or when the map had the last diff).
  const workMs: number[] = [];
  const changedPerFlush: number[] = [];
  let flushes = 0;
  let measuring = false;
  const timed = <T,>(f: () => T): T => {
    const t = performance.now();
    try { return f(); } finally { if (measuring) workMs.push(performance.now() - t); }
  };
  store.subscribe((f) => { if (measuring) { flushes++; changedPerFlush.push(f.changed.size); } });
  // How often the map's own copy of the units changed (its worker finished an update): what an operator sees
  // move. A setData sent while the worker is busy replaces the one waiting, so sent is not applied.
  let applied = 0;
  map.on('data', (e) => { if (measuring && e.sourceId === 'units' && e.sourceDataType === 'content') applied++; });
  let uploads0 = 0;
  let uploadMs0 = 0;
  const now = () => Date.now();
  // The floors (static, static-gl) receive and merge the same messages but feed the map only the first
  // flush: the units stand still, and what is left over the floor in the other runs is the update path.
  const still = mode === 'static' || mode === 'static-gl';
  if (gl) {
    // The console's path (UnitLayers' OfficersLayer): the flush writes the changed units' slots, the next
    // frame uploads them (timed inside the layer: uploadMs).
    const stop = feedFromPositions(buffer, { positions: store, units: () => units, marks: () => marks, now }, () => {
      dots.repaint();
      if (still) stop();
    });
    const diff = buffer.diff.bind(buffer);
    buffer.diff = (...a) => timed(() => diff(...a));
  } else if (source) {
    // The fair baseline: the same flush, every unit's feature, the whole collection.
    let fed = false;
    store.subscribe((f) => timed(() => {
      if (still && fed) return;
      fed = f.changed.size > 0;
      const t = now();
      const features: GeoJSON.Feature[] = [];
      for (const [id, track] of store.all()) {
        const unit = units.get(id);
        if (!unit) continue;
        const { cls, ago } = classify(unit, track, t);
        features.push({ type: 'Feature', id, geometry: { type: 'Point', coordinates: [track.fix.lng, track.fix.lat] }, properties: { id, cls, ago, name: unit.name, att: marks.get(id) ?? '' } });
      }
      void source.setData({ type: 'FeatureCollection', features });
    }));
  }

  // Every unit has a first fix before the window (the console gets a snapshot on connect).
  const t0 = Date.now();
  store.merge(pos.map((p, i) => ({ unitId: 'u' + i, t: t0, lng: p.lng, lat: p.lat, heading: p.heading })));

  // Every unit moves once a second; the fan-out delivers a slice of them every EVERY ms.
  const perMessage = Math.ceil(N / (1000 / EVERY));
  let next = 0;
  let messages = 0;
  setInterval(() => {
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
    store.merge(fixes);
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
  new PerformanceObserver((l) => { if (measuring) for (const e of l.getEntries()) longTasks.push(e.duration); }).observe({ type: 'longtask' });
  let last = 0;
  const tick = (t: number) => {
    if (measuring && last) frames.push(t - last);
    last = t;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  setTimeout(async () => {
    await window.benchMark?.('start');
    measuring = true;
    uploads0 = dots.stats.uploads;
    uploadMs0 = dots.stats.uploadMs;
    const m0 = messages;
    const w0 = performance.now();
    setTimeout(async () => {
      measuring = false;
      const windowMs = performance.now() - w0;
      await window.benchMark?.('end');
      if (gl) applied = dots.stats.uploads - uploads0;
      const uploadMs = dots.stats.uploadMs - uploadMs0;
      const rendered = gl ? buffer.count : map.queryRenderedFeatures({ layers: ['units'] }).length;
      window.result = { frames, longTasks, workMs, uploadMs, flushes, applied, changedPerFlush, windowMs, messages: messages - m0, rendered };
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
const r2 = (x: number) => Math.round(x * 100) / 100;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

type PageResult = { frames: number[]; longTasks: number[]; workMs: number[]; uploadMs: number; flushes: number; applied: number; changedPerFlush: number[]; windowMs: number; messages: number; rendered: number };
type Metrics = Record<string, number>;

async function metrics(cdp: CDPSession): Promise<Metrics> {
  const { metrics: m } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(m.map((x) => [x.name, x.value]));
}

const MODES = ['static', 'static-gl', 'merged', 'fair'] as const;
/** Each path's drawing floor: the same layer with the units standing still. */
const FLOOR: Record<string, string> = { merged: 'static-gl', fair: 'static' };

export async function run(): Promise<Record<string, number | string>> {
  const dir = await buildPage();
  const server = await serve(dir);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/index.html`;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const figures: Record<string, number | string> = {
    units: UNITS, 'message every ms': MESSAGE_EVERY_MS, 'flush every ms': 300, 'measured s per path': MEASURE_MS / 1000, 'load average at start': loadAverage(),
  };
  const scriptPerS: Record<string, number> = {};
  const busyPerS: Record<string, number> = {};
  const perFlush: Record<string, { inPage: number; window: number; busy: number; longTaskMs: number; perS: number }> = {};
  try {
    for (const mode of MODES) {
      const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
      page.on('pageerror', (e) => console.error(`map-frames ${mode}: page error: ${e.message}`));
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
      const marks: Record<string, Metrics> = {};
      await page.exposeFunction('benchMark', async (what: string) => {
        if (what === 'start' && PROFILE_DIR) {
          await cdp.send('Profiler.enable');
          await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
          await cdp.send('Profiler.start');
        }
        marks[what] = await metrics(cdp);
        if (what === 'end' && PROFILE_DIR) {
          const { profile } = await cdp.send('Profiler.stop');
          fs.mkdirSync(PROFILE_DIR, { recursive: true });
          fs.writeFileSync(path.join(PROFILE_DIR, `map-${mode}-${UNITS}.cpuprofile`), JSON.stringify(profile));
        }
      });
      await page.goto(`${url}?mode=${mode}&units=${UNITS}&every=${MESSAGE_EVERY_MS}&warmup=${WARMUP_MS}&measure=${MEASURE_MS}`);
      await page.waitForFunction(() => (window as unknown as { result?: unknown }).result, undefined, { timeout: 180_000, polling: 500 });
      const r = (await page.evaluate(() => (window as unknown as { result: unknown }).result)) as PageResult;
      await page.close();
      const d = (k: string) => ((marks.end?.[k] ?? NaN) - (marks.start?.[k] ?? NaN)) * 1000; // s → ms
      const windowS = r.windowMs / 1000;
      scriptPerS[mode] = d('ScriptDuration') / windowS;
      figures[`${mode} main-thread script ms per s (CDP)`] = r2(scriptPerS[mode]);
      busyPerS[mode] = d('TaskDuration') / windowS;
      figures[`${mode} main-thread busy ms per s (CDP TaskDuration)`] = r2(busyPerS[mode]);
      if (FLOOR[mode]) {
        const flushes = r.flushes;
        const flushesPerS = flushes / windowS;
        const overFloor = (scriptPerS[mode] - scriptPerS[FLOOR[mode]]!) / flushesPerS;
        // In the page: the path's own work at the flush, plus (dots layer) the uploads in the frames after it.
        // Busy (every task: script, GC, message (de)serialisation, drawing) over the floor: what the update
        // costs the main thread whatever it is spent on.
        const busyOverFloor = (busyPerS[mode] - busyPerS[FLOOR[mode]]!) / flushesPerS;
        perFlush[mode] = { inPage: (sum(r.workMs) + r.uploadMs) / Math.max(1, flushes), window: overFloor, busy: busyOverFloor, longTaskMs: sum(r.longTasks) / Math.max(1, flushes), perS: scriptPerS[mode] };
        figures[`${mode} flushes`] = flushes;
        figures[`${mode} updates sent to the map`] = r.workMs.length;
        figures[`${mode} updates the map applied`] = r.applied;
        figures[`${mode} units changed per flush, mean`] = Math.round(sum(r.changedPerFlush) / Math.max(1, flushes));
        figures[`${mode} flush script ms, in page, mean per flush`] = r2(perFlush[mode].inPage);
        figures[`${mode} script ms per update sent, in page, p50 / p95 / max`] = `${pct(r.workMs, 50)} / ${pct(r.workMs, 95)} / ${pct(r.workMs, 100)}`;
        if (mode === 'merged') figures[`${mode} buffer upload ms in frames, per flush`] = r2(r.uploadMs / Math.max(1, flushes));
        figures[`${mode} script ms per flush over its floor, ${FLOOR[mode]} (CDP)`] = r2(overFloor);
        figures[`${mode} main-thread busy ms per flush over its floor (CDP TaskDuration)`] = r2(busyOverFloor);
        figures[`${mode} messages handled`] = r.messages;
      }
      figures[`${mode} long tasks`] = r.longTasks.length;
      figures[`${mode} long task total ms`] = Math.round(sum(r.longTasks));
      figures[`${mode} frames`] = r.frames.length;
      figures[`${mode} frame p50 / p95 / p99 ms (not judged: SwiftShader)`] = `${pct(r.frames, 50)} / ${pct(r.frames, 95)} / ${pct(r.frames, 99)}`;
      figures[`${mode} units rendered at end`] = r.rendered;
    }
    const m = perFlush.merged!;
    const f = perFlush.fair!;
    figures['fair / merged, flush script in page'] = r2(f.inPage / m.inPage);
    figures['fair / merged, script per flush over each floor (CDP)'] = m.window > 0 ? r2(f.window / m.window) : `merged at or under its floor (${r2(m.window)})`;
    figures['fair / merged, whole main-thread script per s (CDP, floors included)'] = r2(f.perS / m.perS);
    figures['fair / merged, main-thread busy per flush over each floor (CDP TaskDuration)'] = m.busy > 0 ? r2(f.busy / m.busy) : `merged at or under its floor (${r2(m.busy)})`;
    figures['fair / merged, long task ms per flush'] = m.longTaskMs > 0 ? r2(f.longTaskMs / m.longTaskMs) : 'merged had none';
  } finally {
    await browser.close();
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  figures['load average at end'] = loadAverage();
  return figures;
}
