// Position pipeline bench (issue 2): sustained positions/s persisted with 10 consoles attached, and
// unit→console latency p50/p99/p99.9 at 10,000 units reporting at 1 Hz — for the hub, and for a bare
// socket.io relay (no validation, no storage, no merging) measured in the same run, so the figures
// say what the hub's own work costs. Hub and relay run as child processes: load generator and server
// must not share an event loop. This file is also the relay's entry: `tsx tests/bench/positions.ts relay`.
//
// Reading the figures: on a shared machine fixes/s depend on what else runs; "CPU µs per fix" does
// not. When the bench's own event-loop delay is high, its consoles were starved and the latency
// figures describe the bench, not the server.
//
// Knobs (environment): BENCH_UNITS (10000), BENCH_CONSOLES (10), BENCH_LATENCY_S (15), BENCH_THROUGHPUT_S (10),
// BENCH_BATCH (2000 fixes per message at max throughput), BENCH_GATEWAYS (4), BENCH_INFLIGHT (2 unacked
// messages per gateway), BENCH_CPU_PROF (a directory: run the hub with node --cpu-prof writing there).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Server } from 'socket.io';
import { io, type Socket } from 'socket.io-client';
import type { PositionFix } from '../../shared/domain';
import type { Ack, PositionBatch } from '../../shared/protocol';
import type { ConsoleClientEvents, ConsoleServerEvents, FieldClientEvents, FieldServerEvents } from '../../shared/protocol/sockets';
import { openStoreReadOnly, type ReadDb } from '../../main/store/db';
import { countPositions } from '../../main/store/positions';
import { processCpuSeconds, selfCpuSeconds, envInt, sleep, round2, preciseNow } from './harness';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SELF = fileURLToPath(import.meta.url);

const UNITS = envInt('BENCH_UNITS', 10_000);
const CONSOLES = envInt('BENCH_CONSOLES', 10);
const LATENCY_S = envInt('BENCH_LATENCY_S', 15);
const THROUGHPUT_S = envInt('BENCH_THROUGHPUT_S', 10);
const BATCH = Math.min(5000, envInt('BENCH_BATCH', 2000));
const GATEWAYS = envInt('BENCH_GATEWAYS', 4);
const INFLIGHT = envInt('BENCH_INFLIGHT', 2);
const WARMUP_MS = 3000;
const ACK_TIMEOUT_MS = 30_000;
const MAX_PER_MESSAGE = 1000;
/** At 1 Hz the gateways send every 20 ms: 50 messages/s per gateway, half the hub's per-socket limit. */
const TICK_MS = 20;
const CENTER = [118.767825, 32.030982] as const; // the demo city's centre

type ConsoleSocket = Socket<ConsoleServerEvents, ConsoleClientEvents>;
type FieldSocket = Socket<FieldServerEvents, FieldClientEvents>;
type PositionAck = Ack<{ accepted: number }>;

const unitId = (i: number) => `load-${String(i + 1).padStart(5, '0')}`; // the ids loadUnits() seeds
const unitIndex = (id: string) => Number(id.slice(5)) - 1;
/** The order units report in: real devices report at their own phase, not in id order — and id order
 * would flatter the store, whose (unit, t) index then gets neighbouring keys in each transaction. */
const ORDER = (() => {
  const order = Array.from({ length: UNITS }, (_, i) => i);
  let seed = 0x5eed;
  for (let i = order.length - 1; i > 0; i--) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const j = seed % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
})();

// ---------------------------------------------------------------------------------------------------
// Servers under test, each a child process.

type Target = { kind: 'hub' | 'relay'; url: string; child: ChildProcess; dataDir: string | null; db: ReadDb | null };

function spawnServer(kind: 'hub' | 'relay', args: string[], nodeFlags: string[] = []): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  process.once('exit', () => child.kill('SIGKILL')); // never leave a server behind, even when the bench is killed
  let out = '';
  // The server's own output (write errors, warnings) is kept for whoever reads a strange figure.
  fs.mkdirSync(path.join(ROOT, 'tests/artifacts'), { recursive: true });
  const log = fs.createWriteStream(path.join(ROOT, `tests/artifacts/bench-positions-${kind}.log`));
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
// Clients: 10 consoles and a few gateway connections speaking for the load units.

function connected<S extends Socket>(socket: S, what: string): Promise<S> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no connection within 30 s`)), 30_000);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('connect_error', (e) => {
      clearTimeout(timer);
      reject(new Error(`${what}: ${e.message}`));
    });
  });
}

const connectConsole = (url: string, kind: Target['kind']) =>
  connected(io(`${url}/console`, {
    transports: ['websocket'], reconnection: false,
    auth: kind === 'hub' ? { username: 'operator', password: 'demo' } : {},
  }) as ConsoleSocket, 'console');

const connectGateway = (url: string) =>
  connected(io(`${url}/field`, { transports: ['websocket'], reconnection: false, auth: { deviceId: 'sim-gateway', secret: 'demo' } }) as FieldSocket, 'gateway');

/** Sends a batch; resolves with the ack, or 'timeout' (an overloaded server must not hang the bench). */
const emitBatch = (gw: FieldSocket, fixes: PositionFix[]) =>
  new Promise<PositionAck | 'timeout'>((resolve) => {
    // The typed maps do not model timeout() acks (err first), hence the untyped socket here.
    (gw.timeout(ACK_TIMEOUT_MS) as unknown as Socket).emit('unit:position', { fixes }, (err: Error | null, res: PositionAck) => resolve(err ? 'timeout' : res));
  });

/** Every unit's home spot, scattered over the central city, so fixes look like real ones. */
const HOMES = Array.from({ length: UNITS }, (_, i) => {
  const a = (i * 2.399963) % (2 * Math.PI); // golden-angle spiral
  const r = 0.02 * Math.sqrt((i + 0.5) / UNITS);
  return [CENTER[0] + r * Math.cos(a), CENTER[1] + r * Math.sin(a)] as const;
});

function fixOf(i: number, t: number): PositionFix {
  const [lng, lat] = HOMES[i]!;
  const wobble = ((t / 1000) % 60) * 1e-5;
  return {
    unitId: unitId(i), t, lng: Math.round((lng + wobble) * 1e6) / 1e6, lat: Math.round((lat + wobble) * 1e6) / 1e6,
    speed: Math.round(((i % 13) + 0.5) * 10) / 10, heading: (i * 37) % 360, accuracy: 5 + (i % 20),
  };
}

// ---------------------------------------------------------------------------------------------------
// Phase 1: 10,000 units at 1 Hz; latency from each fix's send to each console's receipt.

type LatencyFigures = { benchLoopDelayP99: number; accepted: number; sent: number; samples: number; delivered: number; p50: number; p99: number; p999: number; max: number; mean: number; errors: number };

async function latencyPhase(target: Target, consoles: ConsoleSocket[], gateways: FieldSocket[]): Promise<LatencyFigures> {
  // Each unit's last few sends (fix time → precise send time): a late fix is still matched to its send.
  const RING = 8;
  const ringT = new Float64Array(UNITS * RING).fill(-1);
  const ringAt = new Float64Array(UNITS * RING);
  const sends = new Uint32Array(UNITS);
  const samples: number[] = [];
  let window = { from: Infinity, to: Infinity };
  let sentMeasured = 0;
  let errors = 0;
  let accepted = 0;

  const onBatch = (b: PositionBatch) => {
    const now = preciseNow(); // after socket.io decoded the batch: decoding counts as latency
    for (const f of b.fixes) {
      const base = unitIndex(f.unitId) * RING;
      let at = f.t; // not found (sent long ago): fall back to the whole-ms fix time
      for (let k = 0; k < RING; k++) {
        if (ringT[base + k] === f.t) {
          at = ringAt[base + k]!;
          break;
        }
      }
      if (at >= window.from && at < window.to) samples.push(now - at);
    }
  };
  for (const c of consoles) c.on('unit:positions', onBatch);

  // Units report in ORDER, each at its own phase of every second; each tick sends whoever fell due, spread over the gateways.
  const start = performance.now();
  let cursor = 0;
  let nextGateway = 0;
  const acks: Array<Promise<void>> = [];
  const tick = () => {
    const due = Math.floor(((performance.now() - start) / 1000) * UNITS);
    if (due <= cursor) return;
    // A stalled tick must not turn into one oversized message (the server would drop the connection).
    const perGateway = Math.min(MAX_PER_MESSAGE, Math.ceil((due - cursor) / gateways.length));
    while (cursor < due) {
      const end = Math.min(due, cursor + perGateway);
      const fixes: PositionFix[] = [];
      const at = preciseNow();
      const t = Math.floor(at);
      for (let k = cursor; k < end; k++) {
        const i = ORDER[k % UNITS]!;
        const slot = i * RING + (sends[i]! % RING);
        sends[i] = sends[i]! + 1;
        ringT[slot] = t;
        ringAt[slot] = at;
        fixes.push(fixOf(i, t));
      }
      if (at >= window.from && at < window.to) sentMeasured += fixes.length;
      cursor = end;
      const gw = gateways[nextGateway++ % gateways.length]!;
      acks.push(emitBatch(gw, fixes).then((r) => {
        if (r !== 'timeout' && r.ok) accepted += r.result.accepted;
        else errors++;
      }));
    }
  };
  const timer = setInterval(tick, TICK_MS);
  await sleep(WARMUP_MS);
  // The consoles live in this process: if its own event loop lags, so do their receipts, and the
  // latency figures describe the bench, not the server. This says how much.
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  window = { from: preciseNow(), to: preciseNow() + LATENCY_S * 1000 };
  await sleep(LATENCY_S * 1000);
  loopDelay.disable();
  clearInterval(timer);
  await Promise.all(acks);
  await sleep(1000); // fixes sent in the window that are still on their way
  for (const c of consoles) c.off('unit:positions', onBatch);

  const sorted = Float64Array.from(samples).sort();
  const q = (p: number) => round2(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN);
  console.log(`${target.kind} latency: ${sentMeasured} fixes sent, ${sorted.length} console receipts`);
  return {
    benchLoopDelayP99: round2(loopDelay.percentile(99) / 1e6), accepted, sent: sentMeasured, samples: sorted.length, delivered: round2(sorted.length / (sentMeasured * consoles.length) || 0),
    p50: q(0.5), p99: q(0.99), p999: q(0.999), max: round2(sorted[sorted.length - 1] ?? NaN),
    mean: round2(sorted.reduce((a, b) => a + b, 0) / sorted.length), errors,
  };
}

// ---------------------------------------------------------------------------------------------------
// Phase 2: as fast as the server acks — each gateway keeps INFLIGHT batches of BATCH fixes unacknowledged.

type ThroughputFigures = {
  ackedPerS: number; persistedPerS: number | null; consoleFixesPerS: number; serverCpuPct: number; benchCpuPct: number;
  /** server CPU time per fix taken in: unlike fixes/s, this holds when other work shares the cores */
  serverCpuUsPerFix: number;
  errors: string; accepted: number;
};

async function throughputPhase(target: Target, consoles: ConsoleSocket[], gateways: FieldSocket[]): Promise<ThroughputFigures> {
  let consoleFixes = 0;
  const onBatch = (b: PositionBatch) => (consoleFixes += b.fixes.length);
  for (const c of consoles) c.on('unit:positions', onBatch);

  let running = true;
  let acked = 0;
  const errorCodes = new Map<string, number>();
  // A round gives every unit one fix; each round's time is later than the last, so no fix is a duplicate.
  let cursor = 0;
  let roundT = Date.now();
  const nextBatch = (): PositionFix[] => {
    const fixes: PositionFix[] = new Array(BATCH);
    for (let k = 0; k < BATCH; k++) {
      if (cursor === UNITS) {
        cursor = 0;
        roundT = Math.max(roundT + 1, Date.now());
      }
      fixes[k] = fixOf(ORDER[cursor++]!, roundT);
    }
    return fixes;
  };
  const pump = async (gw: FieldSocket) => {
    while (running) {
      const r = await emitBatch(gw, nextBatch());
      if (r !== 'timeout' && r.ok) {
        acked += r.result.accepted;
        continue;
      }
      const code = r === 'timeout' ? 'ack_timeout' : r.error.code;
      errorCodes.set(code, (errorCodes.get(code) ?? 0) + 1);
      if (code === 'rate_limited') await sleep(10);
      if (!gw.connected) return;
    }
  };
  const pumps = gateways.flatMap((gw) => Array.from({ length: INFLIGHT }, () => pump(gw)));

  await sleep(WARMUP_MS);
  const rows0 = target.db ? countPositions(target.db) : 0;
  const [acked0, console0, server0, self0, t0] = [acked, consoleFixes, processCpuSeconds(target.child.pid), selfCpuSeconds(), performance.now()];
  await sleep(THROUGHPUT_S * 1000);
  const rows1 = target.db ? countPositions(target.db) : 0;
  const [acked1, console1, server1, self1, t1] = [acked, consoleFixes, processCpuSeconds(target.child.pid), selfCpuSeconds(), performance.now()];
  running = false;
  await Promise.all(pumps);
  for (const c of consoles) c.off('unit:positions', onBatch);

  const s = (t1 - t0) / 1000;
  return {
    ackedPerS: Math.round((acked1 - acked0) / s),
    persistedPerS: target.db ? Math.round((rows1 - rows0) / s) : null,
    consoleFixesPerS: Math.round((console1 - console0) / s),
    serverCpuPct: Math.round(((server1 - server0) / s) * 100),
    serverCpuUsPerFix: round2(((server1 - server0) * 1e6) / Math.max(1, (target.db ? rows1 - rows0 : acked1 - acked0))),
    benchCpuPct: Math.round(((self1 - self0) / s) * 100),
    errors: errorCodes.size ? [...errorCodes].map(([k, v]) => `${k}×${v}`).join(' ') : 'none',
    accepted: acked,
  };
}

// ---------------------------------------------------------------------------------------------------

async function measure(target: Target) {
  const consoles = await Promise.all(Array.from({ length: CONSOLES }, () => connectConsole(target.url, target.kind)));
  const gateways = await Promise.all(Array.from({ length: GATEWAYS }, () => connectGateway(target.url)));
  const dropped: string[] = [];
  for (const sock of [...consoles, ...gateways]) {
    sock.on('disconnect', (reason) => {
      if (reason !== 'io client disconnect') dropped.push(reason);
    });
  }
  try {
    console.log(`${target.kind}: ${CONSOLES} consoles and ${GATEWAYS} gateways connected; ${UNITS} units at 1 Hz for ${LATENCY_S} s…`);
    const latency = await latencyPhase(target, consoles, gateways);
    console.log(`${target.kind}: max throughput, ${GATEWAYS}×${INFLIGHT} in flight, ${BATCH} fixes per message, ${THROUGHPUT_S} s…`);
    const throughput = await throughputPhase(target, consoles, gateways);
    await sleep(1000); // the hub writes every 100 ms: every acked fix must be on disk by now
    const lost = target.db ? latency.accepted + throughput.accepted - countPositions(target.db) : null;
    return { latency, throughput, lost, dropped: dropped.length ? dropped.join(', ') : 'none' };
  } finally {
    for (const s of [...consoles, ...gateways]) s.disconnect();
  }
}

export async function run(): Promise<Record<string, number | string>> {
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
  const h = hubFigures;
  const r = relayFigures;
  const persisted = h.throughput.persistedPerS ?? 0;
  return {
    units: UNITS,
    consoles: CONSOLES,
    'hub: persisted positions/s (max throughput)': persisted,
    'hub: acked positions/s': h.throughput.ackedPerS,
    'hub: fixes/s delivered to consoles (all 10, merged)': h.throughput.consoleFixesPerS,
    'hub: acked but not persisted after the run': h.lost ?? 'n/a',
    'hub: errors during max throughput': h.throughput.errors,
    'hub: connections lost during the run': h.dropped,
    'hub: CPU % of hub process / bench process': `${h.throughput.serverCpuPct} / ${h.throughput.benchCpuPct}`,
    'hub: CPU µs per persisted fix': h.throughput.serverCpuUsPerFix,
    'hub: fixes/s one free core could persist (1e6 / CPU µs per fix)': Math.round(1e6 / h.throughput.serverCpuUsPerFix),
    'hub: latency p50 ms (1 Hz)': h.latency.p50,
    'hub: latency p99 ms': h.latency.p99,
    'hub: latency p99.9 ms': h.latency.p999,
    'hub: latency max ms': h.latency.max,
    'hub: latency mean ms': h.latency.mean,
    'hub: share of fixes reaching every console': h.latency.delivered,
    'hub: errors at 1 Hz': h.latency.errors,
    'hub: bench event-loop delay p99 ms at 1 Hz': h.latency.benchLoopDelayP99,
    'relay: relayed positions/s (max throughput)': r.throughput.ackedPerS,
    'relay: fixes/s delivered to consoles (all 10)': r.throughput.consoleFixesPerS,
    'relay: CPU % of relay process / bench process': `${r.throughput.serverCpuPct} / ${r.throughput.benchCpuPct}`,
    'relay: connections lost during the run': r.dropped,
    'relay: CPU µs per relayed fix': r.throughput.serverCpuUsPerFix,
    'relay: latency p50 ms (1 Hz)': r.latency.p50,
    'relay: latency p99 ms': r.latency.p99,
    'relay: latency p99.9 ms': r.latency.p999,
    'relay: latency max ms': r.latency.max,
    'relay: share of fixes reaching every console': r.latency.delivered,
    'relay: bench event-loop delay p99 ms at 1 Hz': r.latency.benchLoopDelayP99,
    'ratio hub/relay: positions/s': round2(persisted / r.throughput.ackedPerS),
    'ratio hub/relay: CPU per fix': round2(h.throughput.serverCpuUsPerFix / r.throughput.serverCpuUsPerFix),
    'ratio hub/relay: latency p50': round2(h.latency.p50 / r.latency.p50),
    'ratio hub/relay: latency p99': round2(h.latency.p99 / r.latency.p99),
    'ratio hub/relay: latency p99.9': round2(h.latency.p999 / r.latency.p999),
    'aim ≥ 50,000 persisted/s': persisted >= 50_000 ? 'met' : 'not met',
    'aim p99 ≤ 25 ms at 10,000 units': h.latency.p99 <= 25 ? 'met' : 'not met',
    'load average at the end (2 cores; others\' work skews every figure)': os.loadavg().map((x) => x.toFixed(1)).join(' '),
  };
}


if (process.argv[1] && path.resolve(process.argv[1]) === SELF && process.argv[2] === 'relay') runRelay();
