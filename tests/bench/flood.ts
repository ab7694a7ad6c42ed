// Flood bench (issue 16, "Storms and floods"): one identity floods the hub from many sockets with invalid
// commands; another console's command latency is measured beside it, against the same console's latency
// on the same hub with no flood just before (the baseline, same run). The aim: p99 within 2× of quiet.
// The flood is refused by the per-identity budget (transport/limits.ts) and audited as summaries
// (refusals.ts), so it should cost the hub little beyond reading the frames.
//
// The hub is a child process (`npm run hub`'s code path) and so is the flood (`tsx tests/bench/flood.ts
// flood <url> <sockets>`), so that neither the flood's own work nor the hub's is counted in the measured
// console's latency; the measured console lives in this process.
// Knobs (environment): BENCH_FLOOD_SOCKETS (12), BENCH_FLOOD_SECONDS (10 per phase), BENCH_FLOOD_RATE (20 commands/s measured).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { io, type Socket } from 'socket.io-client';
import { hubArgv, startHubChild } from '../integration/hub-child';
import { tempDir } from '../integration/hub-fixture';
import { envInt } from './harness';

const FLOOD_SOCKETS = envInt('BENCH_FLOOD_SOCKETS', 12);
const SECONDS = envInt('BENCH_FLOOD_SECONDS', 10);
const RATE = envInt('BENCH_FLOOD_RATE', 20);
const NANJING = [118.7835, 32.0415];

type Ack = { ok: boolean; error?: { code: string } };

function connect(url: string, auth: { username: string } | { token: string }): Promise<Socket & { token?: string }> {
  const socket = io(`${url}/console`, { auth: 'token' in auth ? auth : { ...auth, password: 'demo' }, transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    socket.once('session:ready', (ready: { token: string }) => resolve(Object.assign(socket, { token: ready.token })));
    socket.once('connect_error', (e) => {
      socket.disconnect(); // a refused handshake leaves the engine.io connection open otherwise
      reject(e);
    });
  });
}

/**
 * BENCH_FLOOD_TRACE=<file>: each measured ack as [when it came, µs of the monotonic clock; its latency, ms],
 * the flooded phase after a [time, -1] mark. A CPU profile's timestamps (BENCH_FLOOD_PROFILE) are on the
 * same clock, so a slow ack can be set beside what the hub was doing meanwhile.
 */
const TRACE: Array<[number, number]> = [];
const traced = (latencyMs: number) => {
  if (process.env.BENCH_FLOOD_TRACE) TRACE.push([Number(process.hrtime.bigint() / 1000n), latencyMs]);
};
let n = 0;
const incident = () => ({ commandId: `flood-bench-${process.pid}-${n++}`, category: 'parking', priority: 2, position: NANJING, description: 'bench' });

/** The measured console: RATE commands a second, one at a time, each ack timed from its emit. */
async function measure(socket: Socket, seconds: number): Promise<{ p50: number; p99: number; max: number; acked: number }> {
  const times: number[] = [];
  const end = performance.now() + seconds * 1000;
  const gap = 1000 / RATE;
  while (performance.now() < end) {
    const t0 = performance.now();
    const res = (await socket.timeout(30_000).emitWithAck('incident:create', incident())) as Ack;
    if (!res.ok) throw new Error(`the measured console was refused: ${res.error?.code}`);
    times.push(performance.now() - t0);
    traced(times.at(-1)!);
    const wait = gap - (performance.now() - t0);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  times.sort((a, b) => a - b);
  const q = (p: number) => Math.round(times[Math.min(times.length - 1, Math.floor(p * times.length))]! * 100) / 100;
  return { p50: q(0.5), p99: q(0.99), max: q(1), acked: times.length };
}

type Tally = { sent: number; limited: number; invalid: number; reconnects: number; refusedHandshakes: number };

/**
 * One identity's sockets each keep up to 50 invalid commands unanswered until told to stop. A socket the
 * hub cuts comes straight back on its session token (the cheapest way back in, so the worst case).
 */
function flood(url: string, sockets: Array<Socket & { token?: string }>): { stop: () => Promise<Tally> } {
  let on = true;
  const tally = { sent: 0, limited: 0, invalid: 0, reconnects: 0, refusedHandshakes: 0 };
  const loops = sockets.map(async (first) => {
    let s = first;
    const inflight = new Set<Promise<void>>();
    while (on) {
      if (!s.connected) {
        // Straight back, whatever the refusal says: the worst case.
        s = await connect(url, { token: first.token! }).then((back) => {
          tally.reconnects++;
          return back;
        }, () => {
          tally.refusedHandshakes++;
          return s;
        });
        continue;
      }
      while (inflight.size < 50) {
        tally.sent++;
        const p: Promise<void> = s.timeout(30_000).emitWithAck('incident:create', { commandId: 42, position: 'nowhere' }).then((a: Ack) => {
          if (a.error?.code === 'rate_limited') tally.limited++;
          else if (a.error?.code === 'invalid_payload') tally.invalid++;
        }, () => {}).finally(() => inflight.delete(p));
        inflight.add(p);
      }
      await Promise.race(inflight);
    }
    await Promise.all(inflight);
  });
  return { stop: async () => { on = false; await Promise.all(loops); return tally; } };
}

/** The flood's own process: connects, prints 'flooding', floods until stdin closes, prints its tally. */
async function floodProcess(url: string, sockets: number): Promise<void> {
  const flooders = await Promise.all(Array.from({ length: sockets }, () => connect(url, { username: 'manager' })));
  const f = flood(url, flooders);
  console.log('flooding');
  await new Promise((r) => process.stdin.once('end', r).resume());
  console.log(JSON.stringify(await f.stop()));
  for (const s of flooders) s.disconnect();
  process.exit(0);
}

function startFlood(url: string): { started: Promise<void>; stop: () => Promise<Tally> } {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'flood', url, String(FLOOD_SOCKETS)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  const started = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('flooding')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the flood process ended (${code}) before flooding`)));
  });
  const stop = () => new Promise<Tally>((resolve, reject) => {
    child.once('exit', () => {
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line) as Tally);
      else reject(new Error(`no tally from the flood process: ${out}`));
    });
    child.stdin!.end();
  });
  return { started, stop };
}

/**
 * CPU time (user + system, µs) the hub's process has used so far, from /proc (clock ticks of 10 ms). Its
 * difference over a phase is what the hub spent, whatever else shares the machine: the CPU-independent
 * figure beside the latencies, which a shared 2-core machine stretches.
 */
function cpuMicros(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100; // utime, stime (fields 14, 15), at 100 Hz
}

export async function run(): Promise<Record<string, number | string>> {
  // BENCH_FLOOD_PROFILE=<dir>: the hub writes a CPU profile there when it stops (node --cpu-prof; a sample
  // every 200 µs, as a return of the flood lasts tens of ms).
  const argv = hubArgv(tempDir('xiuhua-bench-flood-'));
  if (process.env.BENCH_FLOOD_PROFILE) argv.splice(1, 0, '--cpu-prof', '--cpu-prof-interval', '200', '--cpu-prof-dir', process.env.BENCH_FLOOD_PROFILE);
  const hub = await startHubChild(argv);
  try {
    const measured = await connect(hub.url, { username: 'operator' });
    await measure(measured, 2); // warm-up: first commands compile the hub's paths
    let cpu = cpuMicros(hub.hubPid);
    const quiet = await measure(measured, SECONDS);
    const quietCpu = cpuMicros(hub.hubPid) - cpu;
    const f = startFlood(hub.url);
    await f.started;
    await new Promise((r) => setTimeout(r, 1000)); // the flood under way
    cpu = cpuMicros(hub.hubPid);
    traced(-1);
    const loud = await measure(measured, SECONDS);
    const loudCpu = cpuMicros(hub.hubPid) - cpu;
    const tally = await f.stop();
    if (process.env.BENCH_FLOOD_TRACE) fs.writeFileSync(process.env.BENCH_FLOOD_TRACE, JSON.stringify(TRACE));
    measured.disconnect();
    // Flood messages in the measured phase: the tally covers the second before it too, so per message the
    // phase's CPU is divided by the phase's share of them (SECONDS of SECONDS + 1).
    const floodInPhase = (tally.sent * SECONDS) / (SECONDS + 1);
    return {
      'load average at start': os.loadavg()[0]!.toFixed(1),
      'measured console, quiet: ack p50 / p99 / max (ms)': `${quiet.p50} / ${quiet.p99} / ${quiet.max}`,
      [`measured console, ${FLOOD_SOCKETS} sockets of one identity flooding: ack p50 / p99 / max (ms)`]: `${loud.p50} / ${loud.p99} / ${loud.max}`,
      'p99 ratio flood / quiet (aim ≤ 2)': Math.round((loud.p99 / quiet.p99) * 100) / 100,
      'flood messages sent': tally.sent,
      'flood refused rate_limited': tally.limited,
      'flood refused invalid_payload (within budget)': tally.invalid,
      'flood messages per second': Math.round(tally.sent / (SECONDS + 1)),
      'flood sockets cut and back (on their token)': tally.reconnects,
      'flood reconnects refused (back-off after a cut)': tally.refusedHandshakes,
      'hub CPU, quiet / beside the flood (% of one core)': `${Math.round(quietCpu / SECONDS / 1e4)} / ${Math.round(loudCpu / SECONDS / 1e4)}`,
      'hub CPU spent on the flood (ms per second, beyond the quiet phase)': Math.round((loudCpu - quietCpu) / SECONDS / 1000),
      'hub CPU per flood message (µs, beyond the quiet phase; reconnects included)': Math.round(((loudCpu - quietCpu) / floodInPhase) * 10) / 10,
    };
  } finally {
    await hub.stop();
  }
}

if (process.argv[2] === 'flood') await floodProcess(process.argv[3]!, Number(process.argv[4]));
