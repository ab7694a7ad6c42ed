// The map's live update path (issue 17, aim 3): 20,000 units (one in eight a vehicle, as the hub's load
// city) moving at 1 Hz in headless Chromium while the map pans. Four runs on the same page, same data, same
// basemap, same flush, the console's own layers (unit-styles.ts):
//   merged    — the console's whole path from DOTS_FROM_OFFICERS officers on, its own code: fixes merged by
//               unit in the PositionStore, flushed on an animation frame at most every 300 ms, and four feeds
//               run by feedFromPositions as UnitLayers runs them: the officers' slots written in place in a
//               UnitBuffer and uploaded by the UnitDotsLayer (a custom WebGL layer) in the next frame; the
//               officers' labels and badges GeoJSON source (exceptions always, every unit in view from zoom
//               15, kept on the view by followView); the vehicles' arrows likewise from a UnitBuffer drawn by
//               the UnitArrowsLayer, their labels' GeoJSON source (those in view from zoom 14), and their
//               trails from a TrailBuffer drawn by the UnitTrailsLayer (segment quads, uploaded as the dots');
//   fair      — the baseline: the same store and the same 300 ms flush, but each flush builds every unit's
//               feature and sends the whole collections with setData to the console's GeoJSON layers (the
//               ones it draws below the threshold: officers' circles, rings, halos, labels, badges; vehicles)
//               — what a tracking UI without diffs does, at the same rate: this compares update paths, not
//               throttling;
//   static, static-gl — each path's floor: the same layers (GeoJSON everywhere; the console's), the same
//               messages received and merged, but only the first flush fed to the map (the units stand
//               still): what drawing, panning and receiving cost. Each path is judged over its own floor.
// Messages arrive the way the hub fans them out: a batch every 10 ms (200 fixes each at 20,000 units).
// Per path: main-thread JavaScript per flush, measured in the page (performance.now() around the path's own
// work: every feed's diff and the calls handing it to the map, and the dots' uploads in the frames after; or
// building the collections and the setData calls) and by Chromium over the whole window (CDP
// Performance.getMetrics ScriptDuration, which also counts what the update sets off later on the main
// thread: the worker's answer, tile reloads; the path's floor run's script is subtracted); long tasks; how
// many updates reached the map; frame times (printed, not judged: no GPU here, SwiftShader draws). Never
// fails on time.
// Knobs: --size small (2,000 units, short windows), BENCH_MAP_UNITS, BENCH_MAP_MEASURE_MS, BENCH_MAP_VEHICLE_EVERY
// (one unit in N a vehicle, 8; 0 for officers only), BENCH_MAP_ZOOM (13), BENCH_MAP_MODES (a comma
// list of the runs; a ratio needs both sides and their floors), BENCH_MAP_PROFILE=<dir> (a .cpuprofile of each
// run's window, from an unminified page).
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
/** One unit in this many is a vehicle (the load city's ~12 %); 0: officers only. */
const VEHICLE_EVERY = Math.max(0, Math.floor(Number(process.env.BENCH_MAP_VEHICLE_EVERY ?? 8))) || 0;
/** The map's zoom: 13 has the whole city in view; from 15 the labels source holds every officer in view. */
const ZOOM = Number(process.env.BENCH_MAP_ZOOM ?? 13) || 13;
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
import { LabelsView, NO_EXCEPTIONS, UnitFeed, VEHICLE_LABELS_FROM_ZOOM, classify, feedFromPositions, followView, type Feed } from '../../../../renderer/src/map/unit-feed';
import { UnitArrowsLayer } from '../../../../renderer/src/map/unit-arrows-layer';
import { UnitBuffer } from '../../../../renderer/src/map/unit-buffer';
import { UnitDotsLayer } from '../../../../renderer/src/map/unit-dots-layer';
import { TrailBuffer } from '../../../../renderer/src/map/trail-buffer';
import { UnitTrailsLayer } from '../../../../renderer/src/map/unit-trails-layer';
import { addOfficerLayers, addVehicleLayers } from '../../../../renderer/src/map/unit-styles';
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
const VEHICLE_EVERY = Number(q.get('vehicleEvery'));
const ZOOM = Number(q.get('zoom'));

// Units as the hub's load city has them (main/sim/city/load.ts): about one in eight a vehicle, the officers
// on post, patrolling, on task or off duty, every 50th officer with an attendance mark (half of them late:
// an exception, whose badge shows at every zoom).
const STATUSES = ['patrolling', 'patrolling', 'on_post', 'on_task', 'off_duty'] as const;
const units = new Map<string, Unit>();
const marks = new Map<string, AttendanceMark>();
const pos: { lng: number; lat: number; heading: number }[] = [];
for (let i = 0; i < N; i++) {
  const id = 'u' + i;
  const vehicle = VEHICLE_EVERY > 0 && i % VEHICLE_EVERY === 0;
  units.set(id, vehicle
    ? { id, kind: 'vehicle', name: 'V' + i, badge: null, plate: 'P' + i, squad: null, cellId: null, postId: null, routeId: null, cameraId: null, status: 'patrolling' }
    : { id, kind: 'officer', name: id, badge: null, plate: null, squad: null, cellId: null, postId: null, routeId: null, cameraId: null, status: STATUSES[i % STATUSES.length]! });
  if (!vehicle && i % 50 === 1) marks.set(id, i % 100 === 1 ? 'late' : 'on');
  pos.push({ lng: 118.72 + Math.random() * 0.08, lat: 32.0 + Math.random() * 0.06, heading: Math.random() * 360 });
}

// The console's map (MapView): no glyphs (local fonts), no label fade, an anchor the unit layers go under.
const map = new maplibregl.Map({
  container: 'map',
  style: { version: 8, sources: {}, layers: [
    { id: 'bg', type: 'background', paint: { 'background-color': '#0d1420' } },
    { id: 'z-points', type: 'background', layout: { visibility: 'none' } },
  ] },
  center: [118.76, 32.03], zoom: ZOOM, attributionControl: false, fadeDuration: 0,
  localIdeographFontFamily: '"Noto Sans CJK SC", "Noto Sans SC", sans-serif',
});

map.on('load', () => {
  map.addSource('water', { type: 'geojson', data: new URL(waterUrl, location.href).href });
  map.addSource('roads', { type: 'geojson', data: new URL(roadsUrl, location.href).href });
  map.addLayer({ id: 'water', type: 'fill', source: 'water', paint: { 'fill-color': '#15324d' } }, 'z-points');
  map.addLayer({ id: 'roads', type: 'line', source: 'roads', paint: { 'line-color': '#3b4d66', 'line-width': 2 } }, 'z-points');
  // merged and static-gl: the console's layers from DOTS_FROM_OFFICERS officers on (the dots layer, the
  // officers' labels and badges source, the vehicles' sources); fair and static: the console's GeoJSON
  // layers for everything (below the threshold), fed whole.
  const gl = mode === 'merged' || mode === 'static-gl';
  const same = (id: string) => id;
  const label = (m: AttendanceMark) => m;
  const buffer = new UnitBuffer('officer');
  const dots = new UnitDotsLayer('officers-dots', buffer);
  const vehicleBuffer = new UnitBuffer('vehicle');
  const arrows = new UnitArrowsLayer('vehicles-arrows', vehicleBuffer);
  const trailBuffer = new TrailBuffer();
  const trailsLayer = new UnitTrailsLayer('vehicles-trails', trailBuffer);
  const layers = [dots, arrows, trailsLayer];
  addOfficerLayers(map, same, gl ? dots : null, label);
  addVehicleLayers(map, same, gl ? { arrows, trails: trailsLayer } : null);
  const source = (id: string) => map.getSource(id) as maplibregl.GeoJSONSource;

  const store = new PositionStore();
  // The path's own main-thread work, per flush: every feed's diff and the calls that hand them to the map
  // (merged), or building and handing over the whole collections (fair), wherever it runs (at the flush, or
  // when the map had the last diff: it counts to the latest flush).
  const workPerFlush: number[] = [];
  let updatesSent = 0;
  const changedPerFlush: number[] = [];
  let flushes = 0;
  let measuring = false;
  // And the same split by feed (merged) over the window.
  const workByFeed: Record<string, number> = {};
  const timed = <T,>(f: () => T, feed = 'all'): T => {
    const t = performance.now();
    try { return f(); } finally {
      if (measuring && workPerFlush.length) {
        const ms = performance.now() - t;
        workPerFlush[workPerFlush.length - 1]! += ms;
        workByFeed[feed] = (workByFeed[feed] ?? 0) + ms;
      }
    }
  };
  // First listener: a new flush opens its bucket before any feed runs.
  store.subscribe((f) => { if (measuring) { flushes++; changedPerFlush.push(f.changed.size); workPerFlush.push(0); } });
  // How often the map's own copy of the units changed: the dots layer's uploads (merged), the officers'
  // source finishing an update (its content event; a setData sent while the worker is busy replaces the one
  // waiting, so sent is not applied); the vehicles' arrows layer's uploads (merged) or source likewise.
  let applied = 0;
  let vehiclesApplied = 0;
  map.on('data', (e) => {
    if (!measuring || e.sourceDataType !== 'content') return;
    if (e.sourceId === 'officers' && !gl) applied++;
    if (e.sourceId === 'vehicles' && !gl) vehiclesApplied++;
  });
  let uploads0 = 0;
  let arrowUploads0 = 0;
  let uploadMs0 = 0;
  // The buffer layers' uploads in the frames after a flush (the dots', arrows' and trails').
  const sumUploadMs = () => layers.reduce((ms, l) => ms + l.stats.uploadMs, 0);
  const now = () => Date.now();
  const inputs = { positions: store, units: () => units, marks: () => marks, now };
  // The floors (static, static-gl) receive and merge the same messages but feed the map only the first
  // flush: the units stand still, and what is left over the floor in the other runs is the update path.
  const still = mode === 'static' || mode === 'static-gl';
  if (gl) {
    // The console's path (UnitLayers' OfficersLayer and VehiclesLayer, each feed through feedFromPositions):
    // the dots buffer's slots written at the flush and uploaded in the next frame (timed inside the layer:
    // uploadMs); the officers' labels and badges source (exceptions, and units in view from zoom 15, kept
    // on the map's view as the console does); the vehicles' arrows (slots and uploads as the dots'), their
    // labels (in view from zoom 14, kept on the view likewise) and trails (slots and uploads as the dots').
    const view = new LabelsView();
    const labels = new UnitFeed('officer', false, view);
    const vehicleView = new LabelsView(VEHICLE_LABELS_FROM_ZOOM, NO_EXCEPTIONS);
    const vehicleLabels = new UnitFeed('vehicle', false, vehicleView);
    const feeds: [string, Feed<unknown>, (d: unknown) => Promise<void> | void][] = [
      ['dots', buffer, () => dots.repaint()],
      ['labels', labels, (d) => source('officers').updateData(d as maplibregl.GeoJSONSourceDiff)],
      ['arrows', vehicleBuffer, () => arrows.repaint()],
      ['vehicles', vehicleLabels, (d) => source('vehicles').updateData(d as maplibregl.GeoJSONSourceDiff)],
      ['trails', trailBuffer, () => trailsLayer.repaint()],
    ];
    for (const [name, feed, send] of feeds) {
      const diff = feed.diff.bind(feed);
      feed.diff = (...a) => timed(() => diff(...a), name);
      const stop = feedFromPositions(feed, inputs, (d) => timed(() => {
        if (measuring) updatesSent++;
        const sent = send(d);
        if (still) stop();
        return sent;
      }, name));
    }
    followView(map, view, () => {
      if (still) return;
      const diff = labels.diff(store.all().keys(), units, store.all(), now(), marks); // timed: wrapped above
      if (diff) void timed(() => source('officers').updateData(diff), 'labels');
    });
    followView(map, vehicleView, () => {
      if (still) return;
      const diff = vehicleLabels.diff(store.all().keys(), units, store.all(), now(), marks); // timed: wrapped above
      if (diff) void timed(() => source('vehicles').updateData(diff), 'vehicles');
    });
  } else {
    // The fair baseline: the same flush, every unit's feature, the whole collections.
    let fed = false;
    store.subscribe((f) => timed(() => {
      if (still && fed) return;
      fed = f.changed.size > 0;
      const t = now();
      const officers: GeoJSON.Feature[] = [];
      const vehicles: GeoJSON.Feature[] = [];
      const trails: GeoJSON.Feature[] = [];
      for (const [id, track] of store.all()) {
        const unit = units.get(id);
        if (!unit) continue;
        const { cls, ago } = classify(unit, track, t);
        const point = { type: 'Point' as const, coordinates: [track.fix.lng, track.fix.lat] };
        if (unit.kind === 'officer') {
          officers.push({ type: 'Feature', id, geometry: point, properties: { id, cls, ago, name: unit.name, att: marks.get(id) ?? '' } });
          continue;
        }
        vehicles.push({ type: 'Feature', id, geometry: point, properties: { id, cls, ago, heading: track.fix.heading ?? 0, name: unit.name, att: '' } });
        if (track.trail.length >= 2) trails.push({ type: 'Feature', id, geometry: { type: 'LineString', coordinates: track.trail.map((p) => [p[0], p[1]]) }, properties: { id, cls, ago, name: unit.name, att: '' } });
      }
      if (measuring) updatesSent++;
      void source('officers').setData({ type: 'FeatureCollection', features: officers });
      void source('vehicles').setData({ type: 'FeatureCollection', features: vehicles });
      void source('vehicle-trails').setData({ type: 'FeatureCollection', features: trails });
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
    arrowUploads0 = arrows.stats.uploads;
    uploadMs0 = sumUploadMs();
    const m0 = messages;
    const w0 = performance.now();
    setTimeout(async () => {
      measuring = false;
      const windowMs = performance.now() - w0;
      await window.benchMark?.('end');
      if (gl) applied = dots.stats.uploads - uploads0;
      if (gl) vehiclesApplied = arrows.stats.uploads - arrowUploads0;
      const uploadMs = sumUploadMs() - uploadMs0;
      const rendered = gl ? buffer.count : map.queryRenderedFeatures({ layers: ['officers'] }).length;
      const labelled = map.querySourceFeatures('officers').length;
      window.result = { frames, longTasks, workPerFlush, workByFeed, updatesSent, uploadMs, flushes, applied, vehiclesApplied, changedPerFlush, windowMs, messages: messages - m0, rendered, labelled };
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
    // Profiled runs keep their names (a minified profile names nothing).
    build: { outDir, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 5000, minify: !PROFILE_DIR },
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

type PageResult = { frames: number[]; longTasks: number[]; workPerFlush: number[]; workByFeed: Record<string, number>; updatesSent: number; uploadMs: number; flushes: number; applied: number; vehiclesApplied: number; changedPerFlush: number[]; windowMs: number; messages: number; rendered: number; labelled: number };
type Metrics = Record<string, number>;

async function metrics(cdp: CDPSession): Promise<Metrics> {
  const { metrics: m } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(m.map((x) => [x.name, x.value]));
}

const ALL_MODES = ['static', 'static-gl', 'merged', 'fair'];
const MODES = process.env.BENCH_MAP_MODES?.split(',').filter((m) => ALL_MODES.includes(m)) ?? ALL_MODES;
/** Each path's drawing floor: the same layer with the units standing still. */
const FLOOR: Record<string, string> = { merged: 'static-gl', fair: 'static' };

export async function run(): Promise<Record<string, number | string>> {
  const dir = await buildPage();
  const server = await serve(dir);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/index.html`;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const figures: Record<string, number | string> = {
    units: UNITS, 'one unit in N a vehicle (0: none)': VEHICLE_EVERY, zoom: ZOOM, 'message every ms': MESSAGE_EVERY_MS, 'flush every ms': 300, 'measured s per path': MEASURE_MS / 1000, 'load average at start': loadAverage(),
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
      await page.goto(`${url}?mode=${mode}&units=${UNITS}&every=${MESSAGE_EVERY_MS}&warmup=${WARMUP_MS}&measure=${MEASURE_MS}&vehicleEvery=${VEHICLE_EVERY}&zoom=${ZOOM}`);
      await page.waitForFunction(() => (window as unknown as { result?: unknown }).result, undefined, { timeout: 180_000, polling: 500 });
      const r = (await page.evaluate(() => (window as unknown as { result: unknown }).result)) as PageResult;
      await page.close();
      const d = (k: string) => ((marks.end?.[k] ?? NaN) - (marks.start?.[k] ?? NaN)) * 1000; // s → ms
      const windowS = r.windowMs / 1000;
      scriptPerS[mode] = d('ScriptDuration') / windowS;
      figures[`${mode} main-thread script ms per s (CDP)`] = r2(scriptPerS[mode]);
      busyPerS[mode] = d('TaskDuration') / windowS;
      figures[`${mode} main-thread busy ms per s (CDP TaskDuration)`] = r2(busyPerS[mode]);
      if (FLOOR[mode] && scriptPerS[FLOOR[mode]] !== undefined) {
        const flushes = r.flushes;
        const flushesPerS = flushes / windowS;
        const overFloor = (scriptPerS[mode] - scriptPerS[FLOOR[mode]]!) / flushesPerS;
        // In the page: the path's own work at the flush, plus (dots layer) the uploads in the frames after it.
        // Busy (every task: script, GC, message (de)serialisation, drawing) over the floor: what the update
        // costs the main thread whatever it is spent on.
        const busyOverFloor = (busyPerS[mode] - busyPerS[FLOOR[mode]]!) / flushesPerS;
        perFlush[mode] = { inPage: (sum(r.workPerFlush) + r.uploadMs) / Math.max(1, flushes), window: overFloor, busy: busyOverFloor, longTaskMs: sum(r.longTasks) / Math.max(1, flushes), perS: scriptPerS[mode] };
        figures[`${mode} flushes`] = flushes;
        figures[`${mode} updates sent to the map (all sources)`] = r.updatesSent;
        figures[`${mode} officers' updates the map applied`] = r.applied;
        figures[`${mode} vehicles' updates the map applied`] = r.vehiclesApplied;
        figures[`${mode} units changed per flush, mean`] = Math.round(sum(r.changedPerFlush) / Math.max(1, flushes));
        figures[`${mode} flush script ms, in page, mean per flush`] = r2(perFlush[mode].inPage);
        figures[`${mode} script ms per flush at the flush, in page, p50 / p95 / max`] = `${pct(r.workPerFlush, 50)} / ${pct(r.workPerFlush, 95)} / ${pct(r.workPerFlush, 100)}`;
        if (mode === 'merged') {
          figures[`${mode} buffer upload ms in frames, per flush`] = r2(r.uploadMs / Math.max(1, flushes));
          figures[`${mode} in-page ms per flush by feed`] = Object.entries(r.workByFeed).map(([k, v]) => `${k} ${r2(v / Math.max(1, flushes))}`).join(' / ');
        }
        figures[`${mode} script ms per flush over its floor, ${FLOOR[mode]} (CDP)`] = r2(overFloor);
        figures[`${mode} main-thread busy ms per flush over its floor (CDP TaskDuration)`] = r2(busyOverFloor);
        figures[`${mode} messages handled`] = r.messages;
      }
      figures[`${mode} long tasks`] = r.longTasks.length;
      figures[`${mode} long task total ms`] = Math.round(sum(r.longTasks));
      figures[`${mode} frames`] = r.frames.length;
      figures[`${mode} frame p50 / p95 / p99 ms (not judged: SwiftShader)`] = `${pct(r.frames, 50)} / ${pct(r.frames, 95)} / ${pct(r.frames, 99)}`;
      figures[`${mode} officers on the map at end (dots: slots; GeoJSON: rendered)`] = r.rendered;
      figures[`${mode} officers in the GeoJSON source at end (tiles' copies)`] = r.labelled;
    }
    const m = perFlush.merged;
    const f = perFlush.fair;
    if (m && f) {
      figures['fair / merged, flush script in page'] = r2(f.inPage / m.inPage);
      figures['fair / merged, script per flush over each floor (CDP)'] = m.window > 0 ? r2(f.window / m.window) : `merged at or under its floor (${r2(m.window)})`;
      figures['fair / merged, whole main-thread script per s (CDP, floors included)'] = r2(f.perS / m.perS);
      figures['fair / merged, main-thread busy per flush over each floor (CDP TaskDuration)'] = m.busy > 0 ? r2(f.busy / m.busy) : `merged at or under its floor (${r2(m.busy)})`;
      figures['fair / merged, long task ms per flush'] = m.longTaskMs > 0 ? r2(f.longTaskMs / m.longTaskMs) : 'merged had none';
    }
  } finally {
    await browser.close();
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  figures['load average at end'] = loadAverage();
  return figures;
}
