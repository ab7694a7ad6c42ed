// Position pipeline bench (issues 2, 17): sustained positions/s persisted with 10 consoles attached, and
// unit→console latency p50/p99/p99.9 at 20,000 units reporting at 1 Hz — for the hub, and for a bare
// socket.io relay (no validation, no storage, no merging) measured in the same run, so the figures
// say what the hub's own work costs. Every party has its own process: the server under test, one
// process with the consoles, BENCH_GEN_PROCS with the gateways (loadgen.ts); this one only coordinates
// and reads the server's CPU from /proc. This file is also the relay's entry: `tsx tests/bench/positions.ts relay`.
//
// Reading the figures: on a shared machine fixes/s depend on what else runs; "CPU µs per fix" does
// not. When a load generator's event-loop delay is high, it was starved and the latency figures
// describe the machine, not the server.
//
// Sizes: BENCH_SIZE=small (`npm run bench -- --size small`) is a quick run (2,000 units, short phases).
// Knobs (environment, over the size): BENCH_UNITS (20000), BENCH_CONSOLES (10), BENCH_LATENCY_S (15), BENCH_THROUGHPUT_S (10),
// BENCH_BATCH (2000 fixes per message at max throughput), BENCH_GATEWAYS (4), BENCH_INFLIGHT (2 unacked
// messages per gateway), BENCH_GEN_PROCS (2 gateway processes), BENCH_CPU_PROF (a directory: run the hub
// with node --cpu-prof writing there), BENCH_POS_ONLY=pipeline (the hub's own work per fix, in-process: pipelineOnly below).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Server } from 'socket.io';
import type { Ack, PositionBatch } from '../../shared/protocol';
import { openStoreReadOnly, type ReadDb } from '../../main/store/db';
import { countPositions } from '../../main/store/positions';
import { benchSize, envInt, loadAverage, preciseNow, processCpuSeconds, round2, sleep } from './harness';
import { LoadgenClient, type ConsoleLatency, type GatewayLatency, type GatewayThroughput } from './loadgen';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SELF = fileURLToPath(import.meta.url);
const SMALL = benchSize() === 'small';

const UNITS = envInt('BENCH_UNITS', SMALL ? 2000 : 20_000);
const CONSOLES = envInt('BENCH_CONSOLES', 10);
const LATENCY_S = envInt('BENCH_LATENCY_S', SMALL ? 4 : 15);
const THROUGHPUT_S = envInt('BENCH_THROUGHPUT_S', SMALL ? 3 : 10);
const BATCH = Math.min(5000, envInt('BENCH_BATCH', 2000));
const GATEWAYS = envInt('BENCH_GATEWAYS', 4);
const INFLIGHT = envInt('BENCH_INFLIGHT', 2);
const GEN_PROCS = Math.min(GATEWAYS, envInt('BENCH_GEN_PROCS', 2));
const WARMUP_MS = SMALL ? 1000 : 3000;

type PositionAck = Ack<{ accepted: number }>;

// ---------------------------------------------------------------------------------------------------
// Servers under test, each a child process.

type Target = { kind: 'hub' | 'relay'; url: string; child: ChildProcess; dataDir: string | null; db: ReadDb | null };

const serverLog = (kind: Target['kind']) => path.join(ROOT, `tests/artifacts/bench-positions-${kind}.log`);

/** The consoles the hub cut for not reading (transport/outbound.ts logs each): a bench console that falls
 * behind at maximum throughput is cut by the hub's guard, where the relay, which has none, keeps queueing. */
const slowConsumerCuts = (): number =>
  (fs.existsSync(serverLog('hub')) ? fs.readFileSync(serverLog('hub'), 'utf8').match(/^slow consumer:/gm)?.length : 0) ?? 0;

function spawnServer(kind: 'hub' | 'relay', args: string[], nodeFlags: string[] = []): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  process.once('exit', () => child.kill('SIGKILL')); // never leave a server behind, even when the bench is killed
  let out = '';
  // The server's own output (write errors, warnings) is kept for whoever reads a strange figure.
  fs.mkdirSync(path.join(ROOT, 'tests/artifacts'), { recursive: true });
  const log = fs.createWriteStream(serverLog(kind));
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${kind} did not start within 180 s`)), 180_000);
    const fail = (e: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(e);
    };
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1]!, child });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => fail(new Error(`${kind} exited (${code}) before listening:\n${out.slice(-2000)}`)));
  });
}

async function startHubTarget(): Promise<Target> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiuhua-bench-'));
  const prof = process.env.BENCH_CPU_PROF;
  const flags = prof ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(prof)}`] : [];
  const { url, child } = await spawnServer('hub', ['main/cli/hub.ts', '--port', '0', '--data', dataDir, '--demo', '--no-sim', '--units', String(UNITS)], flags);
  return { kind: 'hub', url, child, dataDir, db: openStoreReadOnly(dataDir) };
}

async function startRelayTarget(): Promise<Target> {
  const { url, child } = await spawnServer('relay', [path.relative(ROOT, SELF), 'relay']);
  return { kind: 'relay', url, child, dataDir: null, db: null };
}

async function stopTarget(t: Target): Promise<void> {
  t.db?.close();
  if (t.child.exitCode === null) {
    const exited = new Promise<void>((resolve) => t.child.once('exit', () => resolve()));
    t.child.kill('SIGTERM'); // the hub commits pending writes and (with --cpu-prof) writes its profile
    const timer = setTimeout(() => t.child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }
  if (t.dataDir) fs.rmSync(t.dataDir, { recursive: true, force: true });
}

/** The bare relay: one socket.io server that re-emits every batch to every console and acks it. */
function runRelay(): void {
  const server = http.createServer();
  const ioServer = new Server(server, { serveClient: false, maxHttpBufferSize: 1_000_000 });
  const consoles = ioServer.of('/console');
  ioServer.of('/field').on('connection', (socket) => {
    socket.on('unit:position', (batch: PositionBatch, ack?: (r: PositionAck) => void) => {
      consoles.emit('unit:positions', batch);
      ack?.({ ok: true, result: { accepted: batch.fixes.length } });
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    console.log(`relay listening on http://127.0.0.1:${port}`);
  });
  process.on('SIGTERM', () => ioServer.close(() => process.exit(0)));
}


// ---------------------------------------------------------------------------------------------------
// Clients, in child processes (loadgen.ts): one with the consoles, GEN_PROCS with the gateways.

type Loadgen = { consoles: LoadgenClient; gateways: LoadgenClient[] };

async function startLoadgen(target: Target): Promise<Loadgen> {
  const lg: Loadgen = { consoles: LoadgenClient.spawn(), gateways: Array.from({ length: GEN_PROCS }, () => LoadgenClient.spawn()) };
  await lg.consoles.call('connectConsoles', { url: target.url, kind: target.kind, n: CONSOLES });
  await Promise.all(lg.gateways.map((g, proc) =>
    g.call('connectGateways', { url: target.url, n: Math.max(1, Math.round(GATEWAYS / GEN_PROCS)), units: UNITS, proc, procs: GEN_PROCS })));
  return lg;
}

async function stopLoadgen(lg: Loadgen): Promise<string[]> {
  const all = [lg.consoles, ...lg.gateways];
  const dropped = (await Promise.all(all.map((c) => c.call<string[]>('dropped').catch(() => ['load generator gone'])))).flat();
  await Promise.all(all.map((c) => c.call('disconnect').catch(() => undefined)));
  await Promise.all(all.map((c) => c.close()));
  return dropped;
}

// ---------------------------------------------------------------------------------------------------
// Phase 1: UNITS units at 1 Hz; latency from each fix's send to each console's receipt.

type LatencyFigures = { consolesLoopDelayP99: number; gatewaysLoopDelayP99: number; accepted: number; sent: number; samples: number; delivered: number; p50: number; p99: number; p999: number; max: number; mean: number; errors: number };

async function latencyPhase(target: Target, lg: Loadgen): Promise<LatencyFigures> {
  const startAt = preciseNow() + 200;
  const from = Math.ceil(startAt + WARMUP_MS);
  const to = from + LATENCY_S * 1000;
  await lg.consoles.call('consolesLatencyStart', { from, to });
  await Promise.all(lg.gateways.map((g) => g.call('gatewaysLatencyStart', { startAt, from, to })));
  await sleep(to - preciseNow());
  const sent = await Promise.all(lg.gateways.map((g) => g.call<GatewayLatency>('gatewaysLatencyStop')));
  await sleep(1000); // fixes sent in the window that are still on their way
  const c = await lg.consoles.call<ConsoleLatency>('consolesLatencyStop');
  const sentMeasured = sent.reduce((a, s) => a + s.sent, 0);
  console.log(`${target.kind} latency: ${sentMeasured} fixes sent, ${c.samples} console receipts`);
  return {
    consolesLoopDelayP99: c.loopDelayP99, gatewaysLoopDelayP99: Math.max(...sent.map((s) => s.loopDelayP99)),
    accepted: sent.reduce((a, s) => a + s.accepted, 0), sent: sentMeasured, samples: c.samples,
    delivered: round2(c.samples / (sentMeasured * CONSOLES) || 0),
    p50: c.p50, p99: c.p99, p999: c.p999, max: c.max, mean: c.mean, errors: sent.reduce((a, s) => a + s.errors, 0),
  };
}

// ---------------------------------------------------------------------------------------------------
// Phase 2: as fast as the server acks — each gateway keeps INFLIGHT batches of BATCH fixes unacknowledged.

type ThroughputFigures = {
  ackedPerS: number; persistedPerS: number | null; consoleFixesPerS: number; serverCpuPct: number; loadgenCpuPct: number;
  /** server CPU time per fix taken in: unlike fixes/s, this holds when other work shares the cores */
  serverCpuUsPerFix: number;
  errors: string; accepted: number;
};

async function throughputPhase(target: Target, lg: Loadgen): Promise<ThroughputFigures> {
  await Promise.all(lg.gateways.map((g) => g.call('gatewaysThroughputStart', { batch: BATCH, inflight: INFLIGHT })));
  const loadgenCpu = () => [lg.consoles, ...lg.gateways].reduce((a, c) => a + processCpuSeconds(c.child.pid), 0);
  const sample = async () => {
    const [acked, fixes] = await Promise.all([
      Promise.all(lg.gateways.map((g) => g.call<number>('gatewaysMark'))).then((a) => a.reduce((x, y) => x + y, 0)),
      lg.consoles.call<number>('consolesMark'),
    ]);
    return { acked, fixes, rows: target.db ? countPositions(target.db) : 0, server: processCpuSeconds(target.child.pid), gen: loadgenCpu(), t: performance.now() };
  };
  await sleep(WARMUP_MS);
  const a = await sample();
  await sleep(THROUGHPUT_S * 1000);
  const b = await sample();
  const done = await Promise.all(lg.gateways.map((g) => g.call<GatewayThroughput>('gatewaysThroughputStop')));
  const errorCodes = new Map<string, number>();
  for (const d of done) for (const [k, v] of Object.entries(d.errors)) errorCodes.set(k, (errorCodes.get(k) ?? 0) + v);

  const s = (b.t - a.t) / 1000;
  const taken = target.db ? b.rows - a.rows : b.acked - a.acked;
  return {
    ackedPerS: Math.round((b.acked - a.acked) / s),
    persistedPerS: target.db ? Math.round((b.rows - a.rows) / s) : null,
    consoleFixesPerS: Math.round((b.fixes - a.fixes) / s),
    serverCpuPct: Math.round(((b.server - a.server) / s) * 100),
    serverCpuUsPerFix: round2(((b.server - a.server) * 1e6) / Math.max(1, taken)),
    loadgenCpuPct: Math.round(((b.gen - a.gen) / s) * 100),
    errors: errorCodes.size ? [...errorCodes].map(([k, v]) => `${k}×${v}`).join(' ') : 'none',
    accepted: done.reduce((x, d) => x + d.accepted, 0),
  };
}

// ---------------------------------------------------------------------------------------------------

async function measure(target: Target) {
  const lg = await startLoadgen(target);
  let figures;
  let dropped: string[];
  try {
    console.log(`${target.kind}: ${CONSOLES} consoles and ${GATEWAYS} gateways in ${1 + GEN_PROCS} processes; ${UNITS} units at 1 Hz for ${LATENCY_S} s…`);
    const latency = await latencyPhase(target, lg);
    console.log(`${target.kind}: max throughput, ${GATEWAYS}×${INFLIGHT} in flight, ${BATCH} fixes per message, ${THROUGHPUT_S} s…`);
    const throughput = await throughputPhase(target, lg);
    await sleep(1000); // the hub writes every 100 ms: every acked fix must be on disk by now
    const lost = target.db ? latency.accepted + throughput.accepted - countPositions(target.db) : null;
    figures = { latency, throughput, lost };
  } finally {
    dropped = await stopLoadgen(lg);
  }
  return { ...figures!, dropped: dropped.length ? dropped.join(', ') : 'none' };
}

// ---------------------------------------------------------------------------------------------------
// BENCH_POS_ONLY=pipeline: the hub's own work per fix, in this process, no sockets — a demo hub with UNITS
// extra units, accept of BATCH-fix batches parsed from JSON (as off the wire) and a flush after each (the
// write, the alerts, every observer: segments, fences, coverage). CPU per fix holds on a busy machine
// better than the full bench's figures do; it leaves out what the relay also does (decode, fan-out).

async function pipelineOnly(): Promise<Record<string, number | string>> {
  const { startHub } = await import('../../main/hub/server');
  const { loadDemoCity } = await import('../../main/hub/seed');
  const { loadUnits } = await import('../../main/sim/city/index');
  const city = loadDemoCity();
  const extra = loadUnits(city, UNITS, city.seed);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiuhua-bench-pipeline-'));
  const hub = await startHub({ port: 0, dataDir, demo: true, extraUnits: extra, log: () => {}, positions: { writeEveryMs: 1e9, fanoutEveryMs: 1e9 } });
  try {
    const ids = extra.map((u) => u.id);
    const rounds = SMALL ? 8 : 20;
    const t0 = Date.now() - 30_000;
    const batches: string[] = [];
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < ids.length; k += BATCH) {
        const fixes = ids.slice(k, k + BATCH).map((unitId, j) => {
          const i = k + j;
          const wobble = r * 1e-5;
          return { unitId, t: t0 + r * 1000, lng: city.center[0] + 0.02 * Math.cos(i) + wobble, lat: city.center[1] + 0.02 * Math.sin(i) + wobble, speed: 3.5, heading: (i * 37) % 360, accuracy: 5 + (i % 20) };
        });
        batches.push(JSON.stringify(fixes));
      }
    }
    const parsed = batches.map((b) => JSON.parse(b) as PositionBatch['fixes']);
    const p = hub.pipeline;
    // Each flush is awaited (the write is in the writer thread), which lets timers run: the fan-out is
    // held back (one at the start, none after) so that, as before, no socket work is counted.
    const take = async (from: number, to: number) => {
      for (let b = from; b < to; b++) {
        p.accept(parsed[b]!, 'sim-gateway');
        await p.flush();
      }
    };
    const warm = Math.floor(parsed.length / 4);
    await take(0, warm);
    // process CPU: every thread's, the position writer's included
    const c0 = process.cpuUsage();
    await take(warm, parsed.length);
    const c = process.cpuUsage(c0);
    const n = parsed.slice(warm).reduce((a, b) => a + b.length, 0);
    return {
      units: UNITS, 'fixes timed': n,
      'pipeline: CPU µs per fix (accept, write, observers; no sockets)': round2((c.user + c.system) / n),
      'pipeline: persisted': p.stats.persisted,
      'pipeline: refused': Object.entries(p.stats.refused).filter(([, v]) => v > 0).map(([k, v]) => `${k}×${v}`).join(' ') || 'none',
      'load average at the end (2 cores; others\' work skews every figure)': loadAverage(),
    };
  } finally {
    await hub.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function run(): Promise<Record<string, number | string>> {
  if (process.env.BENCH_POS_ONLY === 'pipeline') return pipelineOnly();
  const hub = await startHubTarget();
  let hubFigures;
  try {
    hubFigures = await measure(hub);
  } finally {
    await stopTarget(hub);
  }
  const relay = await startRelayTarget();
  let relayFigures;
  try {
    relayFigures = await measure(relay);
  } finally {
    await stopTarget(relay);
  }
  const h = hubFigures!;
  const r = relayFigures!;
  const persisted = h.throughput.persistedPerS ?? 0;
  return {
    units: UNITS,
    consoles: CONSOLES,
    'load generator processes (consoles + gateways)': `1 + ${GEN_PROCS}`,
    'hub: persisted positions/s (max throughput)': persisted,
    'hub: acked positions/s': h.throughput.ackedPerS,
    'hub: fixes/s delivered to consoles (all, merged)': h.throughput.consoleFixesPerS,
    'hub: acked but not persisted after the run': h.lost ?? 'n/a',
    'hub: errors during max throughput': h.throughput.errors,
    'hub: connections lost during the run': h.dropped,
    'hub: of those, cut by the hub as slow consumers (its log)': slowConsumerCuts(),
    'hub: CPU % of hub process / load generators': `${h.throughput.serverCpuPct} / ${h.throughput.loadgenCpuPct}`,
    'hub: CPU µs per persisted fix': h.throughput.serverCpuUsPerFix,
    'hub: fixes/s one free core could persist (1e6 / CPU µs per fix)': Math.round(1e6 / h.throughput.serverCpuUsPerFix),
    [`hub: latency p50 ms (${UNITS} units × 1 Hz)`]: h.latency.p50,
    'hub: latency p99 ms': h.latency.p99,
    'hub: latency p99.9 ms': h.latency.p999,
    'hub: latency max ms': h.latency.max,
    'hub: latency mean ms': h.latency.mean,
    'hub: share of fixes reaching every console': h.latency.delivered,
    'hub: errors at 1 Hz': h.latency.errors,
    'hub: event-loop delay p99 ms at 1 Hz, consoles / gateways process': `${h.latency.consolesLoopDelayP99} / ${h.latency.gatewaysLoopDelayP99}`,
    'relay: relayed positions/s (max throughput)': r.throughput.ackedPerS,
    'relay: fixes/s delivered to consoles (all)': r.throughput.consoleFixesPerS,
    'relay: CPU % of relay process / load generators': `${r.throughput.serverCpuPct} / ${r.throughput.loadgenCpuPct}`,
    'relay: connections lost during the run': r.dropped,
    'relay: CPU µs per relayed fix': r.throughput.serverCpuUsPerFix,
    'relay: latency p50 ms (1 Hz)': r.latency.p50,
    'relay: latency p99 ms': r.latency.p99,
    'relay: latency p99.9 ms': r.latency.p999,
    'relay: latency max ms': r.latency.max,
    'relay: share of fixes reaching every console': r.latency.delivered,
    'relay: event-loop delay p99 ms at 1 Hz, consoles / gateways process': `${r.latency.consolesLoopDelayP99} / ${r.latency.gatewaysLoopDelayP99}`,
    'ratio hub/relay: positions/s': round2(persisted / r.throughput.ackedPerS),
    'ratio hub/relay: CPU per fix': round2(h.throughput.serverCpuUsPerFix / r.throughput.serverCpuUsPerFix),
    'ratio hub/relay: latency p50': round2(h.latency.p50 / r.latency.p50),
    'ratio hub/relay: latency p99': round2(h.latency.p99 / r.latency.p99),
    'ratio hub/relay: latency p99.9': round2(h.latency.p999 / r.latency.p999),
    'aim ≥ 100,000 persisted/s': persisted >= 100_000 ? 'met' : 'not met',
    [`aim p99 ≤ 25 ms at 20,000 units (this run: ${UNITS})`]: h.latency.p99 <= 25 ? 'met' : 'not met',
    'aim hub CPU per fix ≤ 1.5× relay': h.throughput.serverCpuUsPerFix <= 1.5 * r.throughput.serverCpuUsPerFix ? 'met' : 'not met',
    'load average at the end (2 cores; others\' work skews every figure)': loadAverage(),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === SELF && process.argv[2] === 'relay') runRelay();
