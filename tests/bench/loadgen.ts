// The positions bench's load generator and consoles, each group in its own child process (issue 17):
// when they shared the bench's event loop, the bench was the bottleneck (99 % of a core) and its
// consoles' receipt times described the bench, not the server. Now the server under test is the only
// thing in its process, the parent only coordinates, and each child reports its own event-loop delay.
//
// A child is `tsx tests/bench/loadgen.ts` with an IPC channel; the parent drives it with requests
// ({ id, op, args } → { id, result } | { id, error }), see LoadgenClient. Two roles:
//   consoles: N console sockets; in the latency window each receipt of a fix is timed against the fix's
//     time `t` (the gateways set t = the wall clock at send, floored to a whole ms: a figure reads up to
//     1 ms high, for hub and relay alike); quantiles are computed here, not shipped as millions of samples.
//   gateways: M field sockets speaking for a share of the units (unit order position k belongs to the
//     process k mod procs): open loop at 1 Hz per unit, or closed loop (INFLIGHT batches unacked per socket).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import type { PositionFix } from '../../shared/domain';
import type { Ack, PositionBatch } from '../../shared/protocol';
import type { ConsoleClientEvents, ConsoleServerEvents, FieldClientEvents, FieldServerEvents } from '../../shared/protocol/sockets';
import { preciseNow, quantile, round2, sleep, connected } from './harness';

const SELF = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(SELF), '../..');
const ACK_TIMEOUT_MS = 30_000;
const MAX_PER_MESSAGE = 1000;
/** At 1 Hz the gateways send every 20 ms: 50 messages/s per socket, half the hub's per-socket limit. */
const TICK_MS = 20;
const CENTER = [118.767825, 32.030982] as const; // the demo city's centre

type ConsoleSocket = Socket<ConsoleServerEvents, ConsoleClientEvents>;
type FieldSocket = Socket<FieldServerEvents, FieldClientEvents>;
type PositionAck = Ack<{ accepted: number }>;
export type TargetKind = 'hub' | 'relay';

// ---------------------------------------------------------------------------------------------------
// The parent's side.

type Reply = { id: number; result?: unknown; error?: string };

/** One load-generator child and a typed way to ask it things. */
export class LoadgenClient {
  private nextId = 1;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private constructor(readonly child: ChildProcess) {
    child.on('message', (m: Reply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m.result);
    });
    child.once('exit', (code) => {
      for (const p of this.pending.values()) p.reject(new Error(`load generator exited (${code})`));
      this.pending.clear();
    });
  }

  static spawn(): LoadgenClient {
    const child = spawn(process.execPath, ['--import', 'tsx', path.relative(ROOT, SELF)], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    process.once('exit', () => child.kill('SIGKILL'));
    return new LoadgenClient(child);
  }

  call<T>(op: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, op, args });
    });
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.disconnect(); // the child exits when its IPC channel closes
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

export type ConsoleLatency = { samples: number; p50: number; p99: number; p999: number; max: number; mean: number; loopDelayP99: number };
export type GatewayLatency = { sent: number; accepted: number; errors: number; loopDelayP99: number };
export type GatewayThroughput = { accepted: number; errors: Record<string, number> };

// ---------------------------------------------------------------------------------------------------
// The child's side.

/** The order units report in: real devices report at their own phase, not in id order — and id order
 * would flatter the store, whose (unit, t) index then gets neighbouring keys in each transaction. */
function shuffledOrder(units: number): Uint32Array {
  const order = Uint32Array.from({ length: units }, (_, i) => i);
  let seed = 0x5eed;
  for (let i = order.length - 1; i > 0; i--) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const j = seed % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

const unitId = (i: number) => `load-${String(i + 1).padStart(5, '0')}`; // the ids loadUnits() seeds


/** Disconnects that the bench did not ask for: which socket, its reason, and how long after it connected. */
const dropped: string[] = [];
const watchDrops = (s: Socket, who: string) => {
  const since = performance.now();
  s.on('disconnect', (reason) => {
    if (reason !== 'io client disconnect') dropped.push(`${who}: ${reason} after ${Math.round((performance.now() - since) / 1000)} s`);
  });
};

let loop: IntervalHistogram | null = null;
const loopStart = () => {
  loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
};
const loopStop = () => {
  loop?.disable();
  return round2((loop?.percentile(99) ?? NaN) / 1e6);
};

// --- consoles

let consoles: ConsoleSocket[] = [];
let window = { from: Infinity, to: Infinity };
let latencySamples: number[] = [];
let receivedFixes = 0;

function onConsoleBatch(b: PositionBatch): void {
  const now = preciseNow(); // after socket.io decoded the batch: decoding counts as latency
  receivedFixes += b.fixes.length;
  for (const f of b.fixes) if (f.t >= window.from && f.t < window.to) latencySamples.push(now - f.t);
}

const consoleOps = {
  /** n consoles on `url`, or spread over `urls` in turn (fanout-redis: several servers behind one Redis). */
  async connectConsoles({ url, urls, kind, n }: { url?: string; urls?: string[]; kind: TargetKind; n: number }) {
    const at = urls ?? [url!];
    consoles = await Promise.all(Array.from({ length: n }, (_, i) => connected(io(`${at[i % at.length]}/console`, {
      transports: ['websocket'], reconnection: false,
      auth: kind === 'hub' ? { username: 'operator', password: 'demo' } : {},
    }) as ConsoleSocket, 'console')));
    for (const [i, c] of consoles.entries()) {
      watchDrops(c, `console ${i + 1}`);
      c.on('unit:positions', onConsoleBatch);
    }
    return n;
  },
  consolesLatencyStart({ from, to }: { from: number; to: number }) {
    window = { from, to };
    latencySamples = [];
    loopStart();
    return true;
  },
  consolesLatencyStop(): ConsoleLatency {
    const loopDelayP99 = loopStop();
    const sorted = Float64Array.from(latencySamples).sort();
    latencySamples = [];
    window = { from: Infinity, to: Infinity };
    const q = (p: number) => round2(quantile(sorted, p));
    return {
      samples: sorted.length, p50: q(0.5), p99: q(0.99), p999: q(0.999), max: round2(sorted.at(-1) ?? NaN),
      mean: round2(sorted.reduce((a, b) => a + b, 0) / sorted.length), loopDelayP99,
    };
  },
  /** Fixes received by all consoles together so far. */
  consolesMark: () => receivedFixes,
};

// --- gateways

let gateways: FieldSocket[] = [];
let shard: { units: number; proc: number; procs: number; order: Uint32Array } = { units: 0, proc: 0, procs: 1, order: new Uint32Array() };

const emitBatch = (gw: FieldSocket, fixes: PositionFix[]) =>
  new Promise<PositionAck | 'timeout'>((resolve) => {
    // The typed maps do not model timeout() acks (err first), hence the untyped socket here.
    (gw.timeout(ACK_TIMEOUT_MS) as unknown as Socket).emit('unit:position', { fixes }, (err: Error | null, res: PositionAck) => resolve(err ? 'timeout' : res));
  });

/** Every unit's home spot, scattered over the central city (golden-angle spiral), so fixes look like real ones. */
let homes: Float64Array = new Float64Array();
function fixOf(i: number, t: number): PositionFix {
  const lng = homes[2 * i]!;
  const lat = homes[2 * i + 1]!;
  const wobble = ((t / 1000) % 60) * 1e-5;
  return {
    unitId: unitId(i), t, lng: Math.round((lng + wobble) * 1e6) / 1e6, lat: Math.round((lat + wobble) * 1e6) / 1e6,
    speed: Math.round(((i % 13) + 0.5) * 10) / 10, heading: (i * 37) % 360, accuracy: 5 + (i % 20),
  };
}

let openLoop: { timer: NodeJS.Timeout; acks: Array<Promise<void>>; sent: number; accepted: number; errors: number } | null = null;
let closedLoop: { running: boolean; pumps: Array<Promise<void>>; acked: number; accepted: number; errors: Map<string, number> } | null = null;

const gatewayOps = {
  async connectGateways({ url, n, units, proc, procs }: { url: string; n: number; units: number; proc: number; procs: number }) {
    shard = { units, proc, procs, order: shuffledOrder(units) };
    homes = new Float64Array(units * 2);
    for (let i = 0; i < units; i++) {
      const a = (i * 2.399963) % (2 * Math.PI);
      const r = 0.02 * Math.sqrt((i + 0.5) / units);
      homes[2 * i] = CENTER[0] + r * Math.cos(a);
      homes[2 * i + 1] = CENTER[1] + r * Math.sin(a);
    }
    gateways = await Promise.all(Array.from({ length: n }, () =>
      connected(io(`${url}/field`, { transports: ['websocket'], reconnection: false, auth: { deviceId: 'sim-gateway', secret: 'demo' } }) as FieldSocket, 'gateway')));
    gateways.forEach((g, i) => watchDrops(g, `gateway ${proc + 1}.${i + 1}`));
    return n;
  },
  /** Every unit of this shard reports once a second at its own phase, from `startAt` (epoch ms, shared by all
   * gateway processes so their shards interleave); fixes with t in [from, to) are counted as sent. */
  gatewaysLatencyStart({ startAt, from, to }: { startAt: number; from: number; to: number }) {
    const { units, proc, procs, order } = shard;
    const state = { timer: undefined as unknown as NodeJS.Timeout, acks: [] as Array<Promise<void>>, sent: 0, accepted: 0, errors: 0 };
    let cursor = 0; // position in the endless sequence of (round, order index)
    let nextGateway = 0;
    const tick = () => {
      const due = Math.floor(((preciseNow() - startAt) / 1000) * units);
      if (due <= cursor) return;
      // A stalled tick must not turn into one oversized message (the server would drop the connection).
      const perGateway = Math.min(MAX_PER_MESSAGE, Math.ceil((due - cursor) / procs / gateways.length));
      while (cursor < due) {
        const t = Math.floor(preciseNow());
        const fixes: PositionFix[] = [];
        while (cursor < due && fixes.length < perGateway) {
          if (cursor % procs === proc) fixes.push(fixOf(order[cursor % units]!, t));
          cursor++;
        }
        if (!fixes.length) continue;
        if (t >= from && t < to) state.sent += fixes.length;
        const gw = gateways[nextGateway++ % gateways.length]!;
        state.acks.push(emitBatch(gw, fixes).then((r) => {
          if (r !== 'timeout' && r.ok) state.accepted += r.result.accepted;
          else state.errors++;
        }));
      }
    };
    loopStart();
    state.timer = setInterval(tick, TICK_MS);
    openLoop = state;
    return true;
  },
  async gatewaysLatencyStop(): Promise<GatewayLatency> {
    const s = openLoop!;
    openLoop = null;
    clearInterval(s.timer);
    const loopDelayP99 = loopStop();
    await Promise.all(s.acks);
    return { sent: s.sent, accepted: s.accepted, errors: s.errors, loopDelayP99 };
  },
  /** As fast as the server acks: each socket keeps `inflight` batches of `batch` fixes unacknowledged. Each
   * round gives every unit of the shard one fix, later than the last round's, so no fix is a duplicate. */
  gatewaysThroughputStart({ batch, inflight }: { batch: number; inflight: number }) {
    const { units, proc, procs, order } = shard;
    const state = { running: true, pumps: [] as Array<Promise<void>>, acked: 0, accepted: 0, errors: new Map<string, number>() };
    let cursor = proc;
    let roundT = Date.now();
    const nextBatch = (): PositionFix[] => {
      const fixes: PositionFix[] = new Array(batch);
      for (let k = 0; k < batch; k++) {
        if (cursor >= units) {
          cursor = proc;
          roundT = Math.max(roundT + 1, Date.now());
        }
        fixes[k] = fixOf(order[cursor]!, roundT);
        cursor += procs;
      }
      return fixes;
    };
    const pump = async (gw: FieldSocket) => {
      while (state.running) {
        const r = await emitBatch(gw, nextBatch());
        if (r !== 'timeout' && r.ok) {
          state.acked += r.result.accepted;
          continue;
        }
        const code = r === 'timeout' ? 'ack_timeout' : r.error.code;
        state.errors.set(code, (state.errors.get(code) ?? 0) + 1);
        if (code === 'rate_limited') await sleep(10);
        if (!gw.connected) return;
      }
    };
    state.pumps = gateways.flatMap((gw) => Array.from({ length: inflight }, () => pump(gw)));
    closedLoop = state;
    return true;
  },
  /** Fixes acked so far in the closed loop. */
  gatewaysMark: () => closedLoop?.acked ?? 0,
  async gatewaysThroughputStop(): Promise<GatewayThroughput> {
    const s = closedLoop!;
    s.running = false;
    await Promise.all(s.pumps);
    closedLoop = null;
    return { accepted: s.acked, errors: Object.fromEntries(s.errors) };
  },
};

const commonOps = {
  dropped: () => [...dropped],
  disconnect() {
    for (const s of [...consoles, ...gateways]) s.disconnect();
    consoles = [];
    gateways = [];
    return true;
  },
};

function serve(): void {
  const ops: Record<string, (args: never) => unknown> = { ...consoleOps, ...gatewayOps, ...commonOps };
  process.on('message', (m: { id: number; op: string; args: never }) => {
    const op = ops[m.op];
    Promise.resolve()
      .then(() => {
        if (!op) throw new Error(`no load-generator op ${m.op}`);
        return op(m.args);
      })
      .then((result) => process.send!({ id: m.id, result }), (e: unknown) => process.send!({ id: m.id, error: e instanceof Error ? e.message : String(e) }));
  });
  process.on('disconnect', () => process.exit(0));
}

if (process.argv[1] && path.resolve(process.argv[1]) === SELF && process.send) serve();
