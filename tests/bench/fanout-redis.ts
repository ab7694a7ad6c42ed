// Console fan-out behind one Redis (issue 17, aim 8; docs/scaling.md "Past one machine"): N socket.io
// server processes with @socket.io/redis-adapter, the consoles spread over them, one of them taking
// the position stream (the gateways of loadgen.ts, UNITS units at 1 Hz) and broadcasting merged batches
// every ~10 ms as the hub does; against, in the same run, one process that takes the stream and serves
// every console itself. Redis (Debian's redis-server) is started here on a free loopback port, no
// persistence, and stopped after; without redis-server on PATH the bench says it is skipped.
//
// This is the fan-out tier alone: no validation, no store, no observers (the positions bench measures
// the hub's own work). The command path stays single-writer and is not in it.
//
// Figures per setup: consoles served, unit→console latency, CPU µs per fix of each server process and of
// Redis (from /proc), bytes through Redis per second (its INFO counters). Each setup runs ROUNDS times,
// the setups alternating, so the load hits them alike.
// Knobs: BENCH_FANOUT_UNITS (10000; small 5000), BENCH_FANOUT_CONSOLES (20), BENCH_FANOUT_PROCS (the
// Redis setups' process counts, "2,4"; small "2"), BENCH_FANOUT_S (15 s window; small 5), BENCH_FANOUT_ROUNDS (2; small 1).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import type { PositionFix } from '../../shared/domain';
import type { Ack, PositionBatch } from '../../shared/protocol';
import { benchSize, envInt, loadAverage, preciseNow, processCpuSeconds, round2, sleep } from './harness';
import { LoadgenClient, type ConsoleLatency, type GatewayLatency } from './loadgen';

const SELF = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(SELF), '../..');
const SMALL = benchSize() === 'small';
const UNITS = envInt('BENCH_FANOUT_UNITS', SMALL ? 5000 : 10_000);
const CONSOLES = envInt('BENCH_FANOUT_CONSOLES', 20);
const WINDOW_S = envInt('BENCH_FANOUT_S', SMALL ? 5 : 15);
const ROUNDS = envInt('BENCH_FANOUT_ROUNDS', SMALL ? 1 : 2);
const PROCS = (process.env.BENCH_FANOUT_PROCS ?? (SMALL ? '2' : '2,4')).split(',').map(Number).filter((n) => Number.isInteger(n) && n >= 2);
const GATEWAYS = 4;
const GEN_PROCS = 2;
const WARMUP_MS = SMALL ? 1500 : 3000;
/** The hub's fan-out gap (main/hub/positions.ts, fanoutEveryMs): the latest fix per unit, at most every 10 ms. */
const FANOUT_EVERY_MS = 10;

type PositionAck = Ack<{ accepted: number }>;

// ---------------------------------------------------------------------------------------------------
// A fan-out server (this file's entry: `tsx tests/bench/fanout-redis.ts server [--redis PORT] [--ingest]`).

/** Takes the gateways' batches (when `ingest`), merges them per unit as the hub does and broadcasts to the
 * room of consoles — with the Redis adapter, to the consoles of every process. */
async function runServer(redisPort: number | null, ingest: boolean): Promise<void> {
  const server = http.createServer();
  const io = new Server(server, { serveClient: false, maxHttpBufferSize: 1_000_000 });
  if (redisPort !== null) {
    const pub = new Redis({ host: '127.0.0.1', port: redisPort, lazyConnect: true });
    const sub = pub.duplicate();
    await Promise.all([pub.connect(), sub.connect()]);
    io.adapter(createAdapter(pub, sub));
  }
  const consoles = io.of('/console');
  consoles.on('connection', (socket) => void socket.join('consoles'));
  if (ingest) {
    const pending = new Map<string, PositionFix>();
    let timer: NodeJS.Timeout | undefined;
    let last = 0;
    const fanout = () => {
      timer = undefined;
      last = Date.now();
      const fixes = [...pending.values()];
      pending.clear();
      consoles.to('consoles').emit('unit:positions', { fixes });
    };
    io.of('/field').on('connection', (socket) => {
      socket.on('unit:position', (batch: PositionBatch, ack?: (r: PositionAck) => void) => {
        for (const f of batch.fixes) pending.set(f.unitId, f);
        timer ??= setTimeout(fanout, Math.max(0, last + FANOUT_EVERY_MS - Date.now()));
        ack?.({ ok: true, result: { accepted: batch.fixes.length } });
      });
    });
  }
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    console.log(`fanout listening on http://127.0.0.1:${port}`);
  });
  process.on('SIGTERM', () => io.close(() => process.exit(0)));
}

// ---------------------------------------------------------------------------------------------------
// The bench's side: Redis, the servers, the load generators.

type Child = { child: ChildProcess; out: string };

function spawnChild(cmd: string, args: string[], ready: RegExp, what: string): Promise<Child & { match: RegExpExecArray }> {
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  process.once('exit', () => child.kill('SIGKILL')); // never leave a server behind, even when the bench is killed
  const c: Child = { child, out: '' };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${what} did not start within 60 s:\n${c.out.slice(-2000)}`)), 60_000);
    const fail = (e: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(e);
    };
    const onData = (chunk: Buffer) => {
      c.out = (c.out + chunk.toString()).slice(-20_000);
      const match = ready.exec(c.out);
      if (match) {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve({ ...c, match });
      }
    };
    const onExit = (code: number | null) => fail(new Error(`${what} exited (${code}) before it was ready:\n${c.out.slice(-2000)}`));
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
  });
}

async function stopChild(c: Child): Promise<void> {
  if (c.child.exitCode !== null || c.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => c.child.once('exit', () => resolve()));
  c.child.kill('SIGTERM');
  const timer = setTimeout(() => c.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** A loopback port free a moment ago (Redis cannot be asked to pick one and say which). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

type RedisServer = Child & { port: number; client: Redis };

async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const c = await spawnChild('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'notice', '--databases', '1'],
    /Ready to accept connections/, 'redis-server');
  const client = new Redis({ host: '127.0.0.1', port });
  await client.ping();
  return { ...c, port, client };
}

/** Bytes Redis has taken in and sent out since it started (INFO stats). */
async function redisBytes(r: RedisServer): Promise<{ in: number; out: number }> {
  const info = await r.client.info('stats');
  const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? NaN);
  return { in: field('total_net_input_bytes'), out: field('total_net_output_bytes') };
}

type Setup = { name: string; procs: number; redis: boolean };

type SetupFigures = {
  consoles: number; sent: number; delivered: number; p50: number; p99: number; p999: number;
  /** CPU µs per fix sent, for each server process (the ingest first) */
  cpuUsPerFix: number[]; redisCpuUsPerFix: number | null; redisCpuPct: number | null;
  redisBytesPerS: number | null; redisBytesPerFix: number | null; totalCpuUsPerFix: number;
  loopDelay: string; dropped: string; load: string;
};

async function measure(setup: Setup, redis: RedisServer | null): Promise<SetupFigures> {
  const servers: Child[] = [];
  const lg = { consoles: LoadgenClient.spawn(), gateways: Array.from({ length: GEN_PROCS }, () => LoadgenClient.spawn()) };
  try {
    for (let i = 0; i < setup.procs; i++) {
      const args = ['--import', 'tsx', path.relative(ROOT, SELF), 'server', ...(redis ? ['--redis', String(redis.port)] : []), ...(i === 0 ? ['--ingest'] : [])];
      servers.push(await spawnChild(process.execPath, args, /fanout listening on (http:\/\/\S+)/, `fan-out server ${i}`));
    }
    const urls = servers.map((s) => /fanout listening on (http:\/\/\S+)/.exec(s.out)![1]!);
    await lg.consoles.call('connectConsoles', { urls, kind: 'relay', n: CONSOLES });
    await Promise.all(lg.gateways.map((g, proc) =>
      g.call('connectGateways', { url: urls[0], n: GATEWAYS / GEN_PROCS, units: UNITS, proc, procs: GEN_PROCS })));

    const startAt = preciseNow() + 200;
    const from = Math.ceil(startAt + WARMUP_MS);
    const to = from + WINDOW_S * 1000;
    await lg.consoles.call('consolesLatencyStart', { from, to });
    await Promise.all(lg.gateways.map((g) => g.call('gatewaysLatencyStart', { startAt, from, to })));
    // The CPU and Redis counters are read over the window itself (the clock of `from`…`to`).
    await sleep(from - preciseNow());
    const cpu0 = servers.map((s) => processCpuSeconds(s.child.pid));
    const redisCpu0 = redis ? processCpuSeconds(redis.child.pid) : NaN;
    const bytes0 = redis ? await redisBytes(redis) : null;
    const t0 = preciseNow();
    await sleep(to - preciseNow());
    const cpu1 = servers.map((s) => processCpuSeconds(s.child.pid));
    const redisCpu1 = redis ? processCpuSeconds(redis.child.pid) : NaN;
    const bytes1 = redis ? await redisBytes(redis) : null;
    const seconds = (preciseNow() - t0) / 1000;
    const sent = await Promise.all(lg.gateways.map((g) => g.call<GatewayLatency>('gatewaysLatencyStop')));
    await sleep(1000); // fixes sent in the window that are still on their way
    const c = await lg.consoles.call<ConsoleLatency>('consolesLatencyStop');
    const fixes = sent.reduce((a, s) => a + s.sent, 0);
    const perFix = (cpuS: number) => round2((cpuS * 1e6) / Math.max(1, fixes));
    const cpuUsPerFix = servers.map((_, i) => perFix(cpu1[i]! - cpu0[i]!));
    const redisCpuUsPerFix = redis ? perFix(redisCpu1 - redisCpu0) : null;
    const throughRedis = bytes0 && bytes1 ? bytes1.in - bytes0.in + (bytes1.out - bytes0.out) : null;
    const dropped = (await Promise.all([lg.consoles, ...lg.gateways].map((g) => g.call<string[]>('dropped')))).flat();
    return {
      consoles: CONSOLES, sent: fixes, delivered: round2(c.samples / (fixes * CONSOLES) || 0), p50: c.p50, p99: c.p99, p999: c.p999,
      cpuUsPerFix, redisCpuUsPerFix,
      redisCpuPct: redis ? Math.round(((redisCpu1 - redisCpu0) / seconds) * 100) : null,
      redisBytesPerS: throughRedis === null ? null : Math.round(throughRedis / seconds),
      redisBytesPerFix: throughRedis === null ? null : Math.round(throughRedis / Math.max(1, fixes)),
      totalCpuUsPerFix: round2(cpuUsPerFix.reduce((a, b) => a + b, 0) + (redisCpuUsPerFix ?? 0)),
      loopDelay: `${c.loopDelayP99} / ${Math.max(...sent.map((s) => s.loopDelayP99))}`,
      dropped: dropped.length ? dropped.join(', ') : 'none',
      load: loadAverage(),
    };
  } finally {
    const all = [lg.consoles, ...lg.gateways];
    await Promise.all(all.map((g) => g.call('disconnect').catch(() => undefined)));
    await Promise.all(all.map((g) => g.close()));
    await Promise.all(servers.map(stopChild));
  }
}

function redisServerPresent(): boolean {
  const r = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return r.status === 0 && /Redis server/.test(r.stdout);
}

export async function run(): Promise<Record<string, number | string>> {
  if (!redisServerPresent()) {
    return { skipped: 'redis-server is not on PATH (Debian: apt-get install -y --no-install-recommends redis-server); nothing was measured' };
  }
  const setups: Setup[] = [{ name: 'one process', procs: 1, redis: false }, ...PROCS.map((n) => ({ name: `${n} processes + Redis`, procs: n, redis: true }))];
  const figures: Record<string, number | string> = {
    units: UNITS, 'consoles (spread over the processes)': CONSOLES, 'fan-out gap ms (the hub’s)': FANOUT_EVERY_MS,
    'load average at the start': loadAverage(),
  };
  const redis = await startRedis();
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const setup of setups) {
        console.log(`fanout-redis: ${setup.name}, round ${round}: ${UNITS} units at 1 Hz, ${CONSOLES} consoles, ${WINDOW_S} s…`);
        const f = await measure(setup, setup.redis ? redis : null);
        const key = (what: string) => `${setup.name}, round ${round}: ${what}`;
        Object.assign(figures, {
          [key('fixes sent in the window / share reaching every console')]: `${f.sent} / ${f.delivered}`,
          [key('latency p50 / p99 / p99.9 ms')]: `${f.p50} / ${f.p99} / ${f.p999}`,
          [key('CPU µs per fix, each process (the ingest first)')]: f.cpuUsPerFix.join(' / '),
          [key('CPU µs per fix, all processes and Redis')]: f.totalCpuUsPerFix,
          ...(f.redisCpuUsPerFix === null ? {} : {
            [key('Redis: CPU µs per fix / % of a core')]: `${f.redisCpuUsPerFix} / ${f.redisCpuPct}`,
            [key('Redis: bytes in + out per s / per fix')]: `${f.redisBytesPerS} / ${f.redisBytesPerFix}`,
          }),
          [key('event-loop delay p99 ms, consoles / gateways process')]: f.loopDelay,
          [key('connections lost')]: f.dropped,
          [key('load average after')]: f.load,
        });
      }
    }
  } finally {
    redis.client.disconnect();
    await stopChild(redis);
  }
  return figures;
}

if (process.argv[1] && path.resolve(process.argv[1]) === SELF && process.argv[2] === 'server') {
  const at = process.argv.indexOf('--redis');
  void runServer(at > 0 ? Number(process.argv[at + 1]) : null, process.argv.includes('--ingest'));
}
