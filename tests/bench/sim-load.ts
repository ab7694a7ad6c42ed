// Load simulator bench (issue 3): the field simulator drives 20,000 extra units at 1 Hz through a real
// hub (a child process, so simulator and hub do not share an event loop) for ~20 s, with one console
// attached. Figures: fixes/s the simulator sent, the hub accepted, SQLite persisted, and a console
// received (merged: a console gets a unit's latest fix, not every one), and the simulator's CPU share.
//
// Knobs (environment): BENCH_SIM_UNITS (20000), BENCH_SIM_SECONDS (20), BENCH_SIM_CONNECTIONS (4).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { io, type Socket } from 'socket.io-client';
import type { ConsoleClientEvents, ConsoleServerEvents } from '../../shared/protocol/sockets';
import { loadDemoCity } from '../../main/hub/seed';
import { startSimulator } from '../../main/sim/simulator';
import { openStoreReadOnly } from '../../main/store/db';
import { countPositions } from '../../main/store/positions';
import { envInt } from './harness';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const UNITS = envInt('BENCH_SIM_UNITS', 20_000);
const SECONDS = envInt('BENCH_SIM_SECONDS', 20);
const CONNECTIONS = envInt('BENCH_SIM_CONNECTIONS', 4);
const WARMUP_MS = 5000;

/** The hub with the demo city and the same load units, its own simulator off (this bench is the simulator). */
function spawnHub(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'main/cli/hub.ts', '--port', '0', '--data', dataDir, '--demo', '--no-sim', '--units', String(UNITS)], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const fail = (e: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(e);
    };
    const timer = setTimeout(() => fail(new Error('hub did not start within 180 s')), 180_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1]!, child });
      }
    });
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => fail(new Error(`hub exited (${code}) before listening:\n${out.slice(-2000)}`)));
  });
}

async function stopHub(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

export async function run(): Promise<Record<string, number>> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiuhua-simload-'));
  const { url, child } = await spawnHub(dataDir);
  const db = openStoreReadOnly(dataDir);
  const console_: Socket<ConsoleServerEvents, ConsoleClientEvents> = io(`${url}/console`, {
    auth: { username: 'operator', password: 'demo' }, transports: ['websocket'], forceNew: true,
  });
  let delivered = 0;
  let batches = 0;
  console_.on('unit:positions', ({ fixes }) => {
    delivered += fixes.length;
    batches++;
  });
  try {
    await new Promise<void>((resolve, reject) => {
      console_.once('session:ready', () => resolve());
      console_.once('connect_error', reject);
    });
    const sim = await startSimulator({
      hubUrl: url, deviceId: 'sim-gateway', secret: 'demo', city: loadDemoCity(), seed: 1, extraUnits: UNITS, connections: CONNECTIONS,
    });
    try {
      await new Promise((r) => setTimeout(r, WARMUP_MS));
      const s0 = sim.stats();
      const [rows0, del0, batches0, cpu0, t0] = [countPositions(db), delivered, batches, process.cpuUsage(), performance.now()];
      await new Promise((r) => setTimeout(r, SECONDS * 1000));
      const s1 = sim.stats();
      const [rows1, del1, batches1, cpu1, t1] = [countPositions(db), delivered, batches, process.cpuUsage(), performance.now()];
      const secs = (t1 - t0) / 1000;
      const rate = (a: number, b: number) => Math.round((b - a) / secs);
      return {
        units: s1.units,
        'fixes/s target (1 Hz each)': s1.units,
        'fixes/s sent': rate(s0.fixesSent, s1.fixesSent),
        'fixes/s accepted by hub': rate(s0.fixesAccepted, s1.fixesAccepted),
        'fixes/s given up (past the keep bound)': rate(s0.fixesDropped, s1.fixesDropped),
        'simulated seconds skipped (simulator behind)': Math.round((s1.skippedMs - s0.skippedMs) / 100) / 10,
        'fixes/s persisted': rate(rows0, rows1),
        'fixes/s delivered to a console': rate(del0, del1),
        'console batches/s': Math.round(((batches1 - batches0) / secs) * 10) / 10,
        'bench process CPU % of one core (sim + console)': Math.round(((cpu1.user - cpu0.user + cpu1.system - cpu0.system) / 1000 / (t1 - t0)) * 100),
        'commands sent': s1.commandsSent,
        'command errors': s1.commandErrors,
      };
    } finally {
      await sim.stop();
    }
  } finally {
    console_.disconnect();
    db.close();
    await stopHub(child);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.table(await run());
