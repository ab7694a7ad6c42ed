// Durable commands bench (issue 17, aim 2): acked commands/s and ack latency from many consoles while
// 10,000 units move at 1 Hz, on a hub with synchronous=FULL — with group commit (the hub's default)
// and, in the same run, with one transaction per command (`commands.perCommand`, the baseline). Each
// hub is a child process on a fresh store; the consoles and gateways live in this process.
//
// Two phases per hub: throughput (closed loop: every console keeps BENCH_CMD_INFLIGHT commands
// unanswered, so the hub is never idle), then latency (open loop: BENCH_CMD_RATE commands/s spread
// over the consoles, each ack timed from its emit; first at BENCH_CMD_LOW_RATE, which the baseline can carry
// too, so that latency is also compared where both keep up). Every command is `incident:create` with a fresh
// commandId; every console receives every resulting event, as real consoles do. The console message
// budget (50/s per socket) is lifted for the bench: it is flood policy, not the commit path. Hub CPU per
// command is gross; beside it, the hub's CPU share while only the units move (same hub, just before).
// Last, the store side alone (no sockets, this process): one per transaction vs 64 per transaction.
//
// Knobs (environment): BENCH_UNITS (10000), BENCH_CMD_CONSOLES (10), BENCH_CMD_INFLIGHT (16),
// BENCH_CMD_RATE (2000), BENCH_CMD_LOW_RATE (100), BENCH_CMD_SECONDS (10 per phase), BENCH_CMD_STORE_MS (3000 per store-side size), BENCH_CPU_PROF (a directory: profile the hubs there),
// BENCH_CMD_ONLY=store (only the store side: no hubs, no sockets; a quick before/after on the commit path),
// BENCH_CMD_ONLY=group (only the group-commit hub, no baseline and no store side: a quick before/after of the whole path).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import type { PositionFix } from '../../shared/domain';
import type { ConsoleClientEvents, ConsoleServerEvents, FieldClientEvents, FieldServerEvents } from '../../shared/protocol/sockets';
import { envInt, loadAverage, preciseNow, processCpuSeconds, round2, connected, selfCpuSeconds } from './harness';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SELF = fileURLToPath(import.meta.url);
const UNITS = envInt('BENCH_UNITS', 10_000);
const CONSOLES = envInt('BENCH_CMD_CONSOLES', 10);
const INFLIGHT = envInt('BENCH_CMD_INFLIGHT', 16);
const RATE = envInt('BENCH_CMD_RATE', 2000);
/** an offered rate one transaction per command can carry too (one fsync here takes ~4.5 ms): latency like for like */
const LOW_RATE = envInt('BENCH_CMD_LOW_RATE', 100);
const SECONDS = envInt('BENCH_CMD_SECONDS', 10);
const WARMUP_MS = 2000;
const ACK_TIMEOUT_MS = 30_000;
const MAX_UNANSWERED = 100; // per console, open loop
const STORE_MS = envInt('BENCH_CMD_STORE_MS', 3000);
const BUSY_DAY = 10_000; // incidents of the day before the store side's third measurement
const GATEWAYS = 4;
const TICK_MS = 20; // gateways: 10,000 units at 1 Hz = 50 messages/s per gateway
const CENTER = [118.767825, 32.030982] as const;

type Mode = 'group' | 'per-command';
type ConsoleSocket = Socket<ConsoleServerEvents, ConsoleClientEvents>;
type FieldSocket = Socket<FieldServerEvents, FieldClientEvents>;
type CommandAck = { ok: boolean; error?: { code: string } };


// ---------------------------------------------------------------------------------------------------
// The hub under test: `tsx tests/bench/commands.ts hub <dataDir> <mode>`. It prints its commit figures
// (batches, commands) for each line on stdin.

async function runHub(dataDir: string, mode: Mode): Promise<void> {
  const { startHub } = await import('../../main/hub/server');
  const { loadDemoCity } = await import('../../main/hub/seed');
  const { loadUnits } = await import('../../main/sim/city/index');
  const city = loadDemoCity();
  let batches = 0;
  let commands = 0;
  const hub = await startHub({
    port: 0, dataDir, demo: true, extraUnits: loadUnits(city, UNITS, city.seed), log: () => {},
    limits: { console: { perSocket: 1_000_000, perIdentity: 1_000_000 } },
    commands: {
      perCommand: mode === 'per-command',
      beforeCommit: (n) => {
        batches++;
        commands += n;
      },
    },
  });
  console.log(`hub listening on ${hub.url}`);
  readline.createInterface({ input: process.stdin }).on('line', () => console.log(`commits ${batches} ${commands}`));
  process.on('SIGTERM', () => void hub.close().then(() => process.exit(0)));
}

type Target = { mode: Mode; url: string; child: ChildProcess; dataDir: string; lines: readline.Interface };

async function startTarget(mode: Mode): Promise<Target> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiuhua-bench-commands-'));
  const prof = process.env.BENCH_CPU_PROF;
  const flags = prof ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(prof)}`] : [];
  const child = spawn(process.execPath, [...flags, '--import', 'tsx', path.relative(ROOT, SELF), 'hub', dataDir, mode], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  process.once('exit', () => child.kill('SIGKILL'));
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-4000)));
  const lines = readline.createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('hub did not start within 180 s')), 180_000);
    lines.on('line', (line) => {
      const m = /listening on (http:\/\/\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`hub exited (${code}) before listening:\n${err}`)));
  });
  return { mode, url, child, dataDir, lines };
}

function commitFigures(t: Target): Promise<{ batches: number; commands: number }> {
  return new Promise((resolve) => {
    const onLine = (line: string) => {
      const m = /^commits (\d+) (\d+)$/.exec(line);
      if (!m) return;
      t.lines.off('line', onLine);
      resolve({ batches: Number(m[1]), commands: Number(m[2]) });
    };
    t.lines.on('line', onLine);
    t.child.stdin!.write('stats\n');
  });
}

async function stopTarget(t: Target): Promise<void> {
  if (t.child.exitCode === null) {
    const exited = new Promise<void>((resolve) => t.child.once('exit', () => resolve()));
    t.child.kill('SIGTERM');
    const timer = setTimeout(() => t.child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }
  fs.rmSync(t.dataDir, { recursive: true, force: true });
}


// ---------------------------------------------------------------------------------------------------
// Clients.

const connectConsole = (url: string, i: number) => connected(io(`${url}/console`, {
  transports: ['websocket'], reconnection: false, forceNew: true,
  auth: { username: i % 2 ? 'manager' : 'operator', password: 'demo' },
}) as ConsoleSocket, 'console', 30_000);
const connectGateway = (url: string) => connected(io(`${url}/field`, {
  transports: ['websocket'], reconnection: false, forceNew: true, auth: { deviceId: 'sim-gateway', secret: 'demo' },
}) as FieldSocket, 'gateway', 30_000);

let commandSeq = 0;
/** One incident:create; resolves with its ack latency (ms), or the refusal / timeout. */
function sendCommand(c: ConsoleSocket): Promise<{ ms: number; ok: boolean; code?: string }> {
  const commandId = `bench-${process.pid}-${commandSeq++}`;
  const payload = { commandId, category: 'sanitation', priority: 2, position: [CENTER[0] + (commandSeq % 100) * 1e-4, CENTER[1]], description: `bench ${commandId}` };
  const t0 = preciseNow();
  return new Promise((resolve) => {
    (c.timeout(ACK_TIMEOUT_MS) as unknown as Socket).emit('incident:create', payload, (err: Error | null, res: CommandAck) => {
      const ms = preciseNow() - t0;
      resolve(err ? { ms, ok: false, code: 'timeout' } : { ms, ok: res.ok, code: res.error?.code });
    });
  });
}

/** 10,000 units at 1 Hz through the gateways, until stopped. */
function moveUnits(gateways: FieldSocket[]): () => void {
  let next = 0;
  const perTick = Math.ceil(UNITS / (1000 / TICK_MS) / gateways.length);
  const timer = setInterval(() => {
    const t = Date.now();
    for (const gw of gateways) {
      const fixes: PositionFix[] = [];
      for (let k = 0; k < perTick; k++, next = (next + 1) % UNITS) {
        const a = (next * 2.399963) % (2 * Math.PI);
        const r = 0.02 * Math.sqrt((next + 0.5) / UNITS) + ((t / 1000) % 60) * 1e-6;
        fixes.push({
          unitId: `load-${String(next + 1).padStart(5, '0')}`, t, lng: Math.round((CENTER[0] + r * Math.cos(a)) * 1e6) / 1e6,
          lat: Math.round((CENTER[1] + r * Math.sin(a)) * 1e6) / 1e6, speed: 5, heading: 90, accuracy: 8,
        });
      }
      gw.emit('unit:position', { fixes }, () => {});
    }
  }, TICK_MS);
  return () => clearInterval(timer);
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN);

type PhaseFigures = { ackedPerS: number; p50: number; p99: number; p999: number; max: number; refused: number; timeouts: number; skipped: number; hubCpuPct: number; benchCpuPct: number; cpuUsPerCommand: number; meanBatch: number; eventsPerConsolePerS: number };

/** `rate` null: closed loop (INFLIGHT per console); a number: open loop at that many commands/s. */
async function phase(t: Target, consoles: ConsoleSocket[], rate: number | null): Promise<PhaseFigures> {
  let events = 0;
  const onEvent = () => events++;
  for (const c of consoles) c.on('event', onEvent);
  const latencies: number[] = [];
  let acked = 0;
  let refused = 0;
  let timeouts = 0;
  let skipped = 0;
  let measuring = false;
  let running = true;
  const pending: Array<Promise<unknown>> = [];
  const record = (r: { ms: number; ok: boolean; code?: string }) => {
    if (!measuring) return;
    if (r.ok) {
      acked++;
      latencies.push(r.ms);
    } else if (r.code === 'timeout') timeouts++;
    else refused++;
  };
  let stopOpen = () => {};
  if (rate === null) {
    const loop = async (c: ConsoleSocket) => {
      while (running) record(await sendCommand(c));
    };
    for (const c of consoles) for (let k = 0; k < INFLIGHT; k++) pending.push(loop(c));
  } else {
    // Open loop: `rate` per second whatever the answers, spread over the consoles every 10 ms.
    // A console with MAX_UNANSWERED commands unanswered skips its turn (counted): a hub that cannot
    // carry the rate is then measured with a bounded backlog, not one that grows for minutes.
    let owed = 0;
    let last = preciseNow();
    let turn = 0;
    const unanswered = new Map(consoles.map((c) => [c, 0]));
    const timer = setInterval(() => {
      const now = preciseNow();
      owed += ((now - last) / 1000) * rate;
      last = now;
      for (; owed >= 1; owed--) {
        const c = consoles[turn++ % consoles.length]!;
        if (unanswered.get(c)! >= MAX_UNANSWERED) {
          if (measuring) skipped++;
          continue;
        }
        unanswered.set(c, unanswered.get(c)! + 1);
        pending.push(sendCommand(c).then((r) => {
          unanswered.set(c, unanswered.get(c)! - 1);
          record(r);
        }));
      }
    }, 10);
    stopOpen = () => clearInterval(timer);
  }
  await new Promise((r) => setTimeout(r, WARMUP_MS));
  // CPU, time and events read together; the hub's commit counters may answer later (it is busy).
  const before = { cpu: processCpuSeconds(t.child.pid), self: selfCpuSeconds(), at: preciseNow(), events, commits: await commitFigures(t) };
  measuring = true;
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  measuring = false;
  const after = { cpu: processCpuSeconds(t.child.pid), self: selfCpuSeconds(), at: preciseNow(), events, commits: await commitFigures(t) };
  running = false;
  stopOpen();
  await Promise.all(pending);
  for (const c of consoles) c.off('event', onEvent);
  const s = (after.at - before.at) / 1000;
  const sorted = latencies.sort((a, b) => a - b);
  const committed = after.commits.commands - before.commits.commands;
  return {
    ackedPerS: Math.round(acked / s), p50: round2(percentile(sorted, 50)), p99: round2(percentile(sorted, 99)), p999: round2(percentile(sorted, 99.9)),
    max: round2(sorted.at(-1) ?? NaN), refused, timeouts, skipped,
    hubCpuPct: Math.round(((after.cpu - before.cpu) / s) * 100),
    // The consoles and gateways are this process: when it is at a full core, it is what limits the figures.
    benchCpuPct: Math.round(((after.self - before.self) / s) * 100),
    // Gross: the units' own cost is in it (printed beside it). Subtracting it only works on a hub that
    // is not starved of CPU — on a loaded machine both shares are capped by the scheduler, not by work.
    cpuUsPerCommand: round2(((after.cpu - before.cpu) * 1e6) / Math.max(1, committed)),
    meanBatch: round2(committed / Math.max(1, after.commits.batches - before.commits.batches)),
    eventsPerConsolePerS: Math.round((after.events - before.events) / s / consoles.length),
  };
}

/** The hub's CPU share while only the units move (no commands), to read the command phases against. */
async function positionsOnlyCpu(t: Target): Promise<number> {
  await new Promise((r) => setTimeout(r, WARMUP_MS));
  const c0 = processCpuSeconds(t.child.pid);
  const t0 = preciseNow();
  await new Promise((r) => setTimeout(r, (SECONDS * 1000) / 2));
  return (processCpuSeconds(t.child.pid) - c0) / ((preciseNow() - t0) / 1000);
}

let positionsCpuRate = 0;

async function measure(mode: Mode): Promise<{ closed: PhaseFigures; open: PhaseFigures; low: PhaseFigures; benchLoopDelayP99: number; positionsCpuPct: number }> {
  const t = await startTarget(mode);
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  try {
    const gateways = await Promise.all(Array.from({ length: GATEWAYS }, () => connectGateway(t.url)));
    const consoles = await Promise.all(Array.from({ length: CONSOLES }, (_, i) => connectConsole(t.url, i)));
    const stopUnits = moveUnits(gateways);
    loopDelay.enable();
    try {
      positionsCpuRate = await positionsOnlyCpu(t);
      const closed = await phase(t, consoles, null);
      // The low rate before the high one: a hub that cannot carry the high one is left with a backlog.
      const low = await phase(t, consoles, LOW_RATE);
      const open = await phase(t, consoles, RATE);
      return { closed, open, low, benchLoopDelayP99: round2(loopDelay.percentile(99) / 1e6), positionsCpuPct: Math.round(positionsCpuRate * 100) };
    } finally {
      loopDelay.disable();
      stopUnits();
      for (const s of [...consoles, ...gateways]) s.disconnect();
    }
  } finally {
    await stopTarget(t);
  }
}

/**
 * The store side alone, in this process, no sockets: the same command through the runner's path
 * (runCommands) one per transaction and in batches — what the commit costs, apart from the transport.
 */
async function storeOnly(): Promise<Record<string, { perS: number; cpuUs: number; commitMs: number }>> {
  const { runCommands } = await import('../../main/hub/commands');
  const { consoleHandlers } = await import('../../main/hub/handlers/console');
  const { ensureInitialMode, loadDemoCity, seedDemo } = await import('../../main/hub/seed');
  const { openStore } = await import('../../main/store/db');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiuhua-bench-commands-store-'));
  const db = openStore(dir);
  try {
    seedDemo(db, loadDemoCity(), [], Date.now());
    ensureInitialMode(db, Date.now());
    const def = consoleHandlers({ dataDir: dir })['incident:create'] as unknown as Parameters<typeof runCommands>[1][number]['def'];
    let n = 0;
    const call = () => ({
      def, actor: { id: 'operator', role: 'operator' as const }, now: Date.now(),
      raw: { commandId: `store-${n++}-bench`, category: 'sanitation', priority: 2, position: [CENTER[0], CENTER[1]], description: 'store bench' },
    });
    const out: Record<string, { perS: number; cpuUs: number; commitMs: number }> = {};
    const sizes: Array<[string, number]> = [['1', 1], ['64', 64], [`64, past the day's ${BUSY_DAY.toLocaleString('en')}th incident`, 64]];
    for (const [label, size] of sizes) {
      // A busy day: the hub at 2,000 commands/s passes the day's 10,000th incident in five seconds.
      if (label !== String(size)) while (n < BUSY_DAY) runCommands(db, Array.from({ length: 128 }, call));
      let commands = 0;
      let batches = 0;
      const c0 = process.cpuUsage();
      const t0 = preciseNow();
      while (preciseNow() - t0 < STORE_MS) {
        runCommands(db, Array.from({ length: size }, call));
        commands += size;
        batches++;
      }
      const s = (preciseNow() - t0) / 1000;
      const cpu = process.cpuUsage(c0);
      out[label] = { perS: Math.round(commands / s), cpuUs: round2((cpu.user + cpu.system) / commands), commitMs: round2((s * 1000) / batches) };
    }
    return out;
  } finally {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<Record<string, number | string>> {
  if (process.env.BENCH_CMD_ONLY === 'store') {
    // The quick look while working on the commit path: no hubs, no sockets, CPU per command in this process.
    const store = await storeOnly();
    const f: Record<string, number | string> = { 'load average': loadAverage() };
    for (const [size, r] of Object.entries(store)) f[`store only, ${size} per transaction: commands/s, CPU µs per command, ms per transaction`] = `${r.perS}, ${r.cpuUs}, ${r.commitMs}`;
    return f;
  }
  if (process.env.BENCH_CMD_ONLY === 'group') {
    // The quick look while working on the whole path: the group-commit hub alone, figures as in the full run.
    const load0 = loadAverage();
    const group = await measure('group');
    console.log(`  group commit: ${JSON.stringify(group)}`);
    return {
      'load average at start / end': `${load0} / ${loadAverage()}`,
      'group: max acked commands/s, closed loop; ack p50 / p99 ms': `${group.closed.ackedPerS}; ${group.closed.p50} / ${group.closed.p99}`,
      'group: closed loop commands per commit / hub CPU µs per command (gross)': `${group.closed.meanBatch} / ${group.closed.cpuUsPerCommand} (units alone: ${group.positionsCpuPct} %)`,
      [`group: open loop at ${RATE}/s: acked/s (skipped), p50 / p99 ms, hub CPU %`]: `${group.open.ackedPerS} (${group.open.skipped}), ${group.open.p50} / ${group.open.p99}, ${group.open.hubCpuPct}`,
      'group: bench process CPU %, closed / open loop': `${group.closed.benchCpuPct} / ${group.open.benchCpuPct}`,
    };
  }
  console.log(`commands: ${CONSOLES} consoles, ${UNITS} units at 1 Hz; closed loop ${INFLIGHT} in flight per console, open loop ${RATE}/s and ${LOW_RATE}/s; ${SECONDS} s per phase`);
  const load0 = os.loadavg()[0]!;
  const base = await measure('per-command');
  console.log(`  one transaction per command: ${JSON.stringify(base)}`);
  const group = await measure('group');
  console.log(`  group commit: ${JSON.stringify(group)}`);
  const store = await storeOnly();
  console.log(`  store only: ${JSON.stringify(store)}`);
  const load1 = os.loadavg()[0]!;
  const f: Record<string, number | string> = {
    'setup': `${CONSOLES} consoles, ${UNITS} units at 1 Hz, synchronous=FULL, incident:create`,
    'load average (1 min) at start / end': `${round2(load0)} / ${round2(load1)}`,
  };
  for (const [label, r] of [['group', group], ['baseline (1 tx per command)', base]] as const) {
    f[`${label}: max acked commands/s (closed loop, ${CONSOLES}×${INFLIGHT} in flight)`] = r.closed.ackedPerS;
    f[`${label}: closed loop ack p50 / p99 ms`] = `${r.closed.p50} / ${r.closed.p99}`;
    f[`${label}: closed loop commands per commit / hub CPU µs per command (gross; the units alone: ${r.positionsCpuPct} % hub CPU)`] = `${r.closed.meanBatch} / ${r.closed.cpuUsPerCommand}`;
    f[`${label}: open loop at ${RATE}/s: acked/s (not sent: ${MAX_UNANSWERED} unanswered on that console)`] = `${r.open.ackedPerS} (${r.open.skipped})`;
    f[`${label}: open loop ack p50 / p99 / p99.9 / max ms`] = `${r.open.p50} / ${r.open.p99} / ${r.open.p999} / ${r.open.max}`;
    f[`${label}: open loop commands per commit, hub CPU %`] = `${r.open.meanBatch} / ${r.open.hubCpuPct}`;
    f[`${label}: open loop at ${LOW_RATE}/s: acked/s, ack p50 / p99 / max ms`] = `${r.low.ackedPerS}, ${r.low.p50} / ${r.low.p99} / ${r.low.max}`;
    f[`${label}: refused / timed out (all phases)`] = `${r.closed.refused + r.open.refused + r.low.refused} / ${r.closed.timeouts + r.open.timeouts + r.low.timeouts}`;
    f[`${label}: bench event-loop delay p99 ms`] = r.benchLoopDelayP99;
  }
  for (const [size, r] of Object.entries(store)) {
    f[`store only, ${size} per transaction: commands/s, CPU µs per command, ms per transaction`] = `${r.perS}, ${r.cpuUs}, ${r.commitMs}`;
  }
  f['ratio: max acked commands/s, group / baseline'] = round2(group.closed.ackedPerS / base.closed.ackedPerS);
  f[`ratio: ack p99 at ${LOW_RATE}/s, baseline / group`] = round2(base.low.p99 / group.low.p99);
  const carried = group.open.skipped === 0 && group.open.ackedPerS >= 0.95 * RATE;
  f[`aims (group): ≥ 2000 commands/s; ack p99 ≤ 50 ms at ${RATE}/s`] = `${group.closed.ackedPerS >= 2000 ? 'met' : 'not met'}; ${!carried ? 'rate not carried' : group.open.p99 <= 50 ? 'met' : 'not met'}`;
  return f;
}

if (process.argv[1] && path.resolve(process.argv[1]) === SELF && process.argv[2] === 'hub') {
  void runHub(process.argv[3]!, process.argv[4] === 'per-command' ? 'per-command' : 'group');
}
