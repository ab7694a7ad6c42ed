// Mode-switch propagation bench (issue 11): a duty manager switches the city's mode; how long until 50
// consoles and the gateway connections speaking for 10,000 moving field units all have the
// `mode:changed` event — for the hub (validation, the transaction with its audit entry, sequenced
// events to every console and field room) and for a bare socket.io server that broadcasts the same
// payload on receipt, measured in the same run under the same position load, so the ratio says what
// the hub's own work costs. Hub and baseline run as child processes; the consoles run in a few client
// processes (50 consoles decoding 10,000 units' positions would starve one event loop, and then the
// figures would describe the bench). Receipt times are wall-clock with sub-ms resolution, comparable
// across processes on one machine. This file is also the baseline's and the client processes' entry.
//
// Figures: "to all" is from the switch's send to the last of the 50 consoles and gateways receiving
// it (what a center sees: every screen changed); "after ack" is that last receipt less the moment the
// manager got the ack (the hub acks after commit, so consoles can be told before the ack arrives:
// negative values are possible); "per receipt" pools every console's and gateway's own delay.
//
// Knobs (environment): BENCH_CONSOLES (50), BENCH_UNITS (10000), BENCH_GATEWAYS (4), BENCH_SWITCHES (100),
// BENCH_CLIENT_PROCS (5).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Server } from 'socket.io';
import { io, type Socket } from 'socket.io-client';
import type { ModeChange, PositionFix } from '../../shared/domain';
import type { HubEvent } from '../../shared/protocol';
import { envInt, sleep, round2, preciseNow, connected } from './harness';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SELF = fileURLToPath(import.meta.url);

const CONSOLES = envInt('BENCH_CONSOLES', 50);
const UNITS = envInt('BENCH_UNITS', 10_000);
const GATEWAYS = envInt('BENCH_GATEWAYS', 4);
const SWITCHES = envInt('BENCH_SWITCHES', 100);
const CLIENT_PROCS = Math.min(CONSOLES, envInt('BENCH_CLIENT_PROCS', 5));
const WARMUP_MS = 3000;
const GAP_MS = 100; // between one switch reaching everyone and the next
const RECEIPT_TIMEOUT_MS = 10_000;
const TICK_MS = 20; // the gateways send every 20 ms, as in the positions bench
const INFLIGHT = 2;
const CENTER = [118.767825, 32.030982] as const;

const unitId = (i: number) => `load-${String(i + 1).padStart(5, '0')}`; // the ids `--units` seeds

type Kind = 'hub' | 'baseline';
type Receipt = { tag: string; at: number };

// ---------------------------------------------------------------------------------------------------
// Servers under test.

/** Every process this bench started: killed when it exits, however it exits, so none is left behind. */
const children = new Set<ChildProcess>();
process.once('exit', () => { for (const c of children) c.kill('SIGKILL'); });

function spawnNode(args: string[], what: string, ipc = false): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe', ...(ipc ? ['ipc' as const] : [])] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  fs.mkdirSync(path.join(ROOT, 'tests/artifacts'), { recursive: true });
  const log = fs.createWriteStream(path.join(ROOT, `tests/artifacts/bench-modes-${what}.log`));
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  return child;
}

function listening(child: ChildProcess, what: string): Promise<string> {
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start within 180 s`)), 180_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}) before listening:\n${out.slice(-2000)}`));
    });
  });
}

type Target = { kind: Kind; url: string; child: ChildProcess; dataDir: string | null };

async function startTarget(kind: Kind): Promise<Target> {
  if (kind === 'baseline') {
    const child = spawnNode([path.relative(ROOT, SELF), 'baseline'], 'baseline');
    return { kind, url: await listening(child, 'baseline'), child, dataDir: null };
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiuhua-bench-modes-'));
  const child = spawnNode(['main/cli/hub.ts', '--port', '0', '--data', dataDir, '--demo', '--no-sim', '--units', String(UNITS)], 'hub');
  return { kind, url: await listening(child, 'hub'), child, dataDir };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

/**
 * The baseline: one socket.io server that relays positions to every console merged at the hub's pace
 * (the same load the hub's fan-out carries) and, on `mode:switch`, broadcasts the change as an event to every console and
 * field connection, then acks — no validation, no store, no audit.
 */
function runBaseline(): void {
  const server = http.createServer();
  const ioServer = new Server(server, { serveClient: false, maxHttpBufferSize: 1_000_000 });
  const consoles = ioServer.of('/console');
  const field = ioServer.of('/field');
  let seq = 0;
  consoles.on('connection', (socket) => {
    socket.emit('session:ready', { token: 'baseline' });
    socket.on('mode:switch', (p: { commandId: string; mode: ModeChange['mode']; reason: string }, ack: (r: unknown) => void) => {
      const change: ModeChange = { mode: p.mode, reason: p.reason, areaId: null, by: 'manager', at: Date.now(), kind: 'switch', from: null, endsAt: null, profileVersion: 1 };
      const event = { seq: ++seq, at: change.at, data: { type: 'mode:changed', change } };
      consoles.emit('event', event);
      field.emit('event', event);
      ack({ ok: true, result: { change } });
    });
  });
  // Positions reach the consoles as the hub sends them: the newest fix of each unit, merged, at most every 10 ms.
  const latest = new Map<string, PositionFix>();
  setInterval(() => {
    if (latest.size === 0) return;
    consoles.emit('unit:positions', { fixes: [...latest.values()] });
    latest.clear();
  }, 10);
  field.on('connection', (socket) => {
    socket.on('unit:position', (batch: { fixes: PositionFix[] }, ack?: (r: unknown) => void) => {
      for (const f of batch.fixes) latest.set(f.unitId, f);
      ack?.({ ok: true, result: { accepted: batch.fixes.length } });
    });
  });
  server.listen(0, '127.0.0.1', () => console.log(`baseline listening on http://127.0.0.1:${(server.address() as { port: number }).port}`));
  process.on('SIGTERM', () => ioServer.close(() => process.exit(0)));
}

// ---------------------------------------------------------------------------------------------------
// Clients.


const consoleSocket = (url: string, auth: Record<string, unknown>) =>
  io(`${url}/console`, { transports: ['websocket'], reconnection: false, forceNew: true, auth });

/** A client process: n consoles (on the session token it was given); each mode:changed is reported with its receipt time. */
async function runConsoles(url: string, token: string, n: number): Promise<void> {
  const sockets: Socket[] = [];
  for (let i = 0; i < n; i++) {
    const s = await connected(consoleSocket(url, { token }), `console ${i}`);
    s.on('event', (e: HubEvent) => {
      if (e.data.type === 'mode:changed') process.send!({ tag: e.data.change.reason, at: preciseNow() } satisfies Receipt);
    });
    s.on('unit:positions', () => undefined); // decoded like a real console's, and dropped
    sockets.push(s);
  }
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  process.send!({ ready: n });
  process.on('message', (m: { done?: boolean }) => {
    if (!m.done) return;
    loop.disable();
    process.send!({ loopP99: loop.percentile(99) / 1e6 }, () => {
      for (const s of sockets) s.disconnect();
      process.exit(0);
    });
  });
}

type ClientProc = { child: ChildProcess; loopP99: Promise<number> };

function startClients(url: string, token: string, n: number, onReceipt: (r: Receipt) => void, index: number): Promise<ClientProc> {
  const child = spawnNode([path.relative(ROOT, SELF), 'consoles', url, token, String(n)], `clients-${index}`, true);
  let loopP99!: (x: number) => void;
  const loop = new Promise<number>((resolve) => (loopP99 = resolve));
  return new Promise((resolve, reject) => {
    child.on('message', (m: Partial<Receipt> & { ready?: number; loopP99?: number }) => {
      if (m.tag !== undefined) onReceipt(m as Receipt);
      else if (m.ready !== undefined) resolve({ child, loopP99: loop });
      else if (m.loopP99 !== undefined) loopP99(m.loopP99);
    });
    child.once('exit', (code) => {
      reject(new Error(`client process ${index} exited (${code})`));
      loopP99(NaN);
    });
  });
}

/**
 * 10,000 units at 1 Hz, moving a little each second, spread over the gateway connections. At most
 * INFLIGHT unacked messages per gateway, as real gateways do: a server that falls behind is not fed an
 * ever-growing queue; the fixes it could not take are counted as skipped.
 */
function drivePositions(gateways: Socket[]): { stop: () => void; skipped: () => number } {
  const start = performance.now();
  const inflight = gateways.map(() => 0);
  let cursor = 0;
  let next = 0;
  let skipped = 0;
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - start) / 1000) * UNITS);
    const per = Math.min(1000, Math.ceil((due - cursor) / gateways.length));
    while (cursor < due) {
      const end = Math.min(due, cursor + per);
      const g = next++ % gateways.length;
      if (inflight[g]! >= INFLIGHT) {
        skipped += end - cursor;
        cursor = end;
        continue;
      }
      const t = Date.now();
      const fixes: PositionFix[] = [];
      for (let k = cursor; k < end; k++) {
        const i = k % UNITS;
        const a = (i * 2.399963) % (2 * Math.PI);
        const r = 0.02 * Math.sqrt((i + 0.5) / UNITS) + ((t / 1000) % 60) * 2e-6;
        fixes.push({ unitId: unitId(i), t, lng: Math.round((CENTER[0] + r * Math.cos(a)) * 1e6) / 1e6, lat: Math.round((CENTER[1] + r * Math.sin(a)) * 1e6) / 1e6, speed: 1.5 });
      }
      cursor = end;
      inflight[g] = inflight[g]! + 1;
      gateways[g]!.timeout(30_000).emit('unit:position', { fixes }, () => { inflight[g] = inflight[g]! - 1; });
    }
  }, TICK_MS);
  return { stop: () => clearInterval(timer), skipped: () => skipped };
}

type Figures = { toAll: number[]; afterAck: number[]; perReceipt: number[]; ack: number[]; missing: number; refused: string[]; clientLoopP99: number; benchLoopP99: number; skippedFixes: number };

async function measure(target: Target): Promise<Figures> {
  const gateways: Socket[] = [];
  const clients: ClientProc[] = [];
  const receipts = new Map<string, number[]>();
  const onReceipt = (r: Receipt) => {
    const list = receipts.get(r.tag);
    if (list) list.push(r.at);
    else receipts.set(r.tag, [r.at]);
  };
  let positions: ReturnType<typeof drivePositions> | null = null;
  try {
    for (let g = 0; g < GATEWAYS; g++) {
      const gw = await connected(io(`${target.url}/field`, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { deviceId: 'sim-gateway', secret: 'demo' } }), 'gateway');
      gw.on('event', (e: HubEvent) => { if (e.data.type === 'mode:changed') onReceipt({ tag: e.data.change.reason, at: preciseNow() }); });
      gateways.push(gw);
    }
    const manager = await connected(consoleSocket(target.url, { username: 'manager', password: 'demo' }), 'manager');
    manager.on('unit:positions', () => undefined);
    // The consoles sign in once (one scrypt) and share the operator's session token, as walls of one desk do.
    const operator = consoleSocket(target.url, { username: 'operator', password: 'demo' });
    const token = await new Promise<string>((resolve, reject) => {
      operator.once('session:ready', (s: { token: string }) => resolve(s.token));
      operator.once('connect_error', reject);
    });
    for (let i = 0; i < CLIENT_PROCS; i++) {
      const n = Math.floor(CONSOLES / CLIENT_PROCS) + (i < CONSOLES % CLIENT_PROCS ? 1 : 0);
      clients.push(await startClients(target.url, token, n, onReceipt, i));
    }
    operator.disconnect();
    positions = drivePositions(gateways);
    await sleep(WARMUP_MS);

    const expected = CONSOLES + GATEWAYS;
    const out: Figures = { toAll: [], afterAck: [], perReceipt: [], ack: [], missing: 0, refused: [], clientLoopP99: NaN, benchLoopP99: NaN, skippedFixes: 0 };
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    for (let i = 0; i < SWITCHES; i++) {
      const tag = `bench ${target.kind} switch ${i}`;
      const mode = i % 2 === 0 ? 'night' : 'daily';
      const sent = preciseNow();
      const ack = await new Promise<{ ok: boolean; error?: { code: string; message: string } } | null>((resolve) => {
        manager.timeout(RECEIPT_TIMEOUT_MS).emit('mode:switch', { commandId: `bench-modes-${process.pid}-${target.kind}-${i}`, mode, reason: tag },
          (err: Error | null, res: { ok: boolean; error?: { code: string; message: string } }) => resolve(err ? null : res));
      });
      const acked = preciseNow();
      if (!ack?.ok) {
        out.refused.push(ack ? `${ack.error?.code}: ${ack.error?.message}` : 'no ack');
        continue;
      }
      out.ack.push(acked - sent);
      const deadline = performance.now() + RECEIPT_TIMEOUT_MS;
      while ((receipts.get(tag)?.length ?? 0) < expected && performance.now() < deadline) await sleep(2);
      const got = receipts.get(tag) ?? [];
      out.missing += Math.max(0, expected - got.length);
      if (got.length >= expected) {
        const last = Math.max(...got);
        out.toAll.push(last - sent);
        out.afterAck.push(last - acked);
      }
      for (const at of got) out.perReceipt.push(at - sent);
      receipts.delete(tag);
      await sleep(GAP_MS);
    }
    loop.disable();
    out.benchLoopP99 = loop.percentile(99) / 1e6;
    positions.stop();
    out.skippedFixes = positions.skipped();
    for (const c of clients) c.child.send({ done: true });
    out.clientLoopP99 = Math.max(...(await Promise.all(clients.map((c) => c.loopP99))));
    manager.disconnect();
    return out;
  } finally {
    positions?.stop();
    for (const g of gateways) g.disconnect();
    await Promise.all(clients.map((c) => stop(c.child)));
  }
}

const pct = (xs: number[], p: number) => {
  const s = Float64Array.from(xs).sort();
  return s.length ? round2(s[Math.min(s.length - 1, Math.floor(p * s.length))]!) : NaN;
};

export async function run(): Promise<Record<string, number | string>> {
  const results: Partial<Record<Kind, Figures>> = {};
  for (const kind of ['hub', 'baseline'] as const) {
    const target = await startTarget(kind);
    try {
      results[kind] = await measure(target);
    } finally {
      await stop(target.child);
      if (target.dataDir) fs.rmSync(target.dataDir, { recursive: true, force: true });
    }
  }
  const h = results.hub!;
  const b = results.baseline!;
  const side = (name: string, f: Figures) => ({
    [`${name}: to all p50 ms`]: pct(f.toAll, 0.5),
    [`${name}: to all p99 ms`]: pct(f.toAll, 0.99),
    [`${name}: to all max ms`]: pct(f.toAll, 1),
    [`${name}: last receipt after ack p50 ms`]: pct(f.afterAck, 0.5),
    [`${name}: last receipt after ack p99 ms`]: pct(f.afterAck, 0.99),
    [`${name}: per receipt p50 ms`]: pct(f.perReceipt, 0.5),
    [`${name}: per receipt p99 ms`]: pct(f.perReceipt, 0.99),
    [`${name}: ack p50 ms`]: pct(f.ack, 0.5),
    [`${name}: switches measured / refused`]: `${f.toAll.length} / ${f.refused.length}${f.refused[0] ? ` (${f.refused[0]})` : ''}`,
    [`${name}: receipts missing`]: f.missing,
    [`${name}: fixes the server could not take (skipped, ≤ ${INFLIGHT} unacked per gateway)`]: f.skippedFixes,
    [`${name}: event-loop delay p99 ms, bench / worst client process`]: `${round2(f.benchLoopP99)} / ${round2(f.clientLoopP99)}`,
  });
  return {
    consoles: CONSOLES,
    'gateway connections (for the units)': GATEWAYS,
    'moving units (1 Hz)': UNITS,
    switches: SWITCHES,
    ...side('hub', h),
    ...side('baseline', b),
    'ratio hub/baseline: to all p50': round2(pct(h.toAll, 0.5) / pct(b.toAll, 0.5)),
    'ratio hub/baseline: to all p99': round2(pct(h.toAll, 0.99) / pct(b.toAll, 0.99)),
    'aim: to all p99 ≤ 200 ms': pct(h.toAll, 0.99) <= 200 ? 'met' : 'not met',
    'load average at the end (2 cores; others\' work skews every figure)': os.loadavg().map((x) => x.toFixed(1)).join(' '),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === SELF) {
  if (process.argv[2] === 'baseline') runBaseline();
  if (process.argv[2] === 'consoles') {
    runConsoles(process.argv[3]!, process.argv[4]!, Number(process.argv[5])).catch((e: unknown) => {
      console.error(e);
      process.exit(1);
    });
  }
}
