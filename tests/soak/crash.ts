// The crash harness (issue 16): a hub child process — `npm run hub`'s code path, demo store, no simulator —
// under steady load from this process (consoles and a device sending commands, thousands of units'
// positions over gateway connections, a duty manager declaring area emergencies that end by themselves
// a moment later — timed actions the hub's scheduler must do once each, late if it was down), killed with SIGKILL at seeded random moments and restarted on the
// same port and data dir, again and again. Afterwards the store is checked against what the clients saw
// acknowledged. Used by tests/integration/crash.test.ts (CI size) and tests/soak/run.ts (`npm run soak`).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { io, type Socket } from 'socket.io-client';
import type { PositionFix } from '../../shared/domain';
import type { Ack, HubEvent } from '../../shared/protocol';
import { loadDemoCity } from '../../main/hub/seed';
import { verifyAudit } from '../../main/store/audit';
import { openStoreReadOnly } from '../../main/store/db';
import { startSimulator } from '../../main/sim/simulator';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export type CrashOptions = {
  kills: number;
  seed: number;
  /** synthetic load units (one fix a second each), spread over `connections` gateway connections */
  units: number;
  connections?: number;
  consoles?: number;
  /** the longest random wait between load resuming after a restart and the next kill (ms) */
  maxKillDelayMs?: number;
  log?: (line: string) => void;
};

export type CrashReport = {
  kills: number; runMs: number;
  commandsAcked: number; commandsMissing: string[]; commandsAppliedTwice: string[];
  fixesSent: number; fixesDurable: number; fixesResent: number; fixesKept: number; fixesDropped: number; fixesLost: number;
  integrity: string; auditOk: boolean; auditCount: number;
  resumes: number; resumeGaps: string[]; consoleGaps: string[];
  /** area emergencies switched with an end time, and what the scheduler did with each end */
  /** per kill: SIGKILL to listening again, and listening to every client back with work answered (ms, median) */
  restartMsP50: number; resumeMsP50: number;
  /** handshakes the hub refused on a reconnect, by error code (each retried) */
  refusedReconnects: Record<string, number>;
  timedSwitches: number; timedDone: number; timedPending: string[]; timedCancelled: string[]; timedDoneTwice: string[]; timedEndsWrong: string[];
};

/** mulberry32: the kill moments are the same for the same seed */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * main/cli/hub.ts bundled into one file: a restart then costs one Node start, not tsx's wrapper process
 * (which a SIGKILL would not reach) and its per-file transforms. import.meta.url keeps naming the source file.
 */
async function bundleHub(dir: string): Promise<string> {
  const out = path.join(dir, 'hub.mjs');
  await build({
    entryPoints: [path.join(ROOT, 'main/cli/hub.ts')], outfile: out, bundle: true, platform: 'node', format: 'esm',
    packages: 'external', logLevel: 'warning',
    plugins: [{
      name: 'source-urls',
      setup(b) {
        b.onLoad({ filter: /\.tsx?$/ }, async (args) => {
          const text = await fs.promises.readFile(args.path, 'utf8');
          if (!text.includes('import.meta.url')) return undefined;
          return { contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts' };
        });
      },
    }],
  });
  return out;
}

type Child = { proc: ChildProcess; port: number; exited: Promise<number | null> };

/** Starts the hub child and resolves once it listens; on a port still held (rare after SIGKILL) it tries again. */
async function startChild(entry: string, dataDir: string, port: number, units: number, log: (l: string) => void): Promise<Child> {
  for (let attempt = 1; ; attempt++) {
    const proc = spawn(process.execPath, [entry, '--port', String(port), '--data', dataDir, '--demo', '--no-sim', '--units', String(units)], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    let out = '';
    const listening = new Promise<number>((resolve, reject) => {
      const onData = (d: Buffer) => {
        out += d.toString();
        const m = /hub listening on http:\/\/[^:]+:(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      };
      proc.stdout!.on('data', onData);
      proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      void exited.then((code) => reject(new Error(`hub exited (${code}) before listening:\n${out.slice(-2000)}`)));
    });
    try {
      const p = await listening;
      return { proc, port: p, exited };
    } catch (e) {
      if (attempt < 20 && /already in use|EADDRINUSE/.test(out)) {
        log(`port ${port} still held, retrying`);
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      throw e;
    }
  }
}

type Client = Socket;
/** An ask that fails as soon as its connection drops (an ack from a killed hub never comes). */
function ask(s: Client, event: string, payload: unknown, ms: number): Promise<Ack<unknown>> {
  let onDrop = () => {};
  const dropped = new Promise<never>((_, reject) => s.once('disconnect', (onDrop = () => reject(new Error('disconnected')))));
  return Promise.race([s.timeout(ms).emitWithAck(event, payload) as Promise<Ack<unknown>>, dropped]).finally(() => s.off('disconnect', onDrop));
}

/** A command sender: one command at a time, the same commandId until it is answered. */
class CommandLoad {
  readonly acked: string[] = [];
  refused = 0;
  private stopped = false;
  private n = 0;
  readonly done: Promise<void>;
  constructor(readonly socket: Client, readonly name: string, private readonly make: (commandId: string) => [string, Record<string, unknown>]) {
    this.done = this.run();
  }
  private async run(): Promise<void> {
    while (!this.stopped) {
      const commandId = `${this.name}-${this.n++}`;
      const [event, payload] = this.make(commandId);
      for (;;) {
        try {
          const res = await ask(this.socket, event, { ...payload, commandId }, 3000);
          if (res.ok) this.acked.push(commandId);
          else if (res.error.code === 'rate_limited') {
            await new Promise((r) => setTimeout(r, 200));
            continue;
          } else this.refused++;
          break;
        } catch {
          // no answer (the hub died with it, or is restarting): the same commandId again
          if (!this.socket.connected) await new Promise<void>((r) => this.socket.once('connect', () => r()));
        }
      }
      // a modest pace, well inside the hub's per-socket budget
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  stop(): Promise<void> {
    this.stopped = true;
    return this.done;
  }
}

/** A console's event stream: live events plus `events:since` after every reconnect, checked for gaps. */
class EventWatch {
  lastSeq = 0;
  resumes = 0;
  readonly resumeGaps: string[] = [];
  readonly seen = new Set<number>();
  constructor(readonly socket: Client, readonly name: string) {
    socket.on('event', (e: HubEvent) => this.seen.add(e.seq));
    socket.on('session:ready', () => void this.resume());
  }
  /** asks for everything after the last seq it holds, checking each page is contiguous */
  async resume(): Promise<void> {
    try {
      for (;;) {
        const after = this.lastSeq;
        const res = await ask(this.socket, 'events:since', { afterSeq: after }, 5000);
        if (!res.ok) return;
        const page = res.result as { events: HubEvent[]; headSeq: number; more: boolean };
        page.events.forEach((e, i) => {
          if (e.seq !== after + 1 + i) this.resumeGaps.push(`${this.name}: after ${after} got ${e.seq} at ${i}`);
          this.seen.add(e.seq);
        });
        this.lastSeq = Math.max(this.lastSeq, page.events.at(-1)?.seq ?? after);
        if (!page.more) {
          if (this.lastSeq < page.headSeq) this.resumeGaps.push(`${this.name}: stopped at ${this.lastSeq} below head ${page.headSeq}`);
          this.resumes++;
          return;
        }
      }
    } catch {
      // The hub went away mid-resume: the next session:ready resumes again from lastSeq. An answer
      // that only came late (a loaded machine) is asked again on the same connection.
      if (this.socket.connected) {
        await new Promise((r) => setTimeout(r, 200));
        if (this.socket.connected) return this.resume();
      }
    }
  }
}

/** Refusals of a reconnect by the hub's handshake (e.g. `rate_limited` while a restarted hub checks every login at once). */
const refusedReconnects = new Map<string, number>();

function connectClient(url: string, ns: string, auth: Record<string, unknown>): Promise<Client> {
  const socket = io(`${url}${ns}`, { auth, transports: ['websocket'], forceNew: true, reconnectionDelay: 100, reconnectionDelayMax: 400 });
  return new Promise((resolve, reject) => {
    socket.once('session:ready', () => {
      // A handshake the hub refuses is not retried by socket.io; a real client tries again (as the console
      // does on rate_limited), so this one does too, and the report counts why.
      socket.on('connect_error', (err) => {
        if (socket.active) return;
        const why = /^([a-z_]+):/.exec(err.message)?.[1] ?? err.message.slice(0, 40);
        refusedReconnects.set(why, (refusedReconnects.get(why) ?? 0) + 1);
        setTimeout(() => socket.connect(), 300);
      });
      resolve(socket);
    });
    // A first connection that times out on a loaded machine is retried by socket.io; a refusal is not.
    const first = (err: Error) => {
      if (socket.active) return;
      socket.off('connect_error', first);
      reject(err);
    };
    socket.on('connect_error', first);
    socket.once('session:ready', () => socket.off('connect_error', first));
  });
}

const until = async (what: string | (() => string), check: () => boolean, timeoutMs = 120_000): Promise<void> => {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

export async function runCrash(opts: CrashOptions): Promise<CrashReport> {
  const started = Date.now();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'xiuhua-crash-'));
  fs.mkdirSync(path.join(ROOT, 'tests/artifacts'), { recursive: true });
  // inside the repo, so that the bundle's packages resolve from its node_modules
  const bundleDir = fs.mkdtempSync(path.join(ROOT, 'tests/artifacts/crash-'));
  try {
    return await crash(opts, path.join(work, 'data'), await bundleHub(bundleDir), started);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
    fs.rmSync(bundleDir, { recursive: true, force: true });
  }
}

async function crash(opts: CrashOptions, dataDir: string, entry: string, started: number): Promise<CrashReport> {
  const log = opts.log ?? (() => {});
  const random = rng(opts.seed);
  let child = await startChild(entry, dataDir, 0, opts.units, log);
  const port = child.port;
  const url = `http://127.0.0.1:${port}`;
  const city = loadDemoCity();

  const durable: PositionFix[] = [];
  const sim = await startSimulator({
    hubUrl: url, deviceId: 'sim-gateway', secret: 'demo', city, seed: opts.seed, extraUnits: opts.units, cityUnits: false,
    connections: opts.connections ?? 4, reconnectDelayMs: 100, onDurable: (f) => durable.push(...f),
    // the load units only: the world's own commands (check-ins, incidents) come from the loads below
    tuning: { checkInScale: 0, incidentScale: 0, sosPerHour: 0 },
  });
  const consoles = await Promise.all(Array.from({ length: opts.consoles ?? 3 }, () => connectClient(url, '/console', { username: 'operator', password: 'demo' })));
  const watches = consoles.map((s, i) => new EventWatch(s, `console${i}`));
  await Promise.all(watches.map((w) => w.resume()));
  const device = await connectClient(url, '/field', { deviceId: 'sim-gateway', secret: 'demo' });
  const base: [number, number] = [118.7835, 32.0415];
  const loads = [
    ...consoles.map((s, i) => new CommandLoad(s, `console${i}-${opts.seed}`, (commandId) => ['incident:create', {
      category: 'sanitation', priority: 2, position: base, description: `crash test ${commandId}`,
    }])),
    new CommandLoad(device, `device-${opts.seed}`, (commandId) => ['incident:report', {
      unitId: 'off-001', category: 'muck', priority: 3, position: base, description: `crash test ${commandId}`,
    }]),
  ];
  // Area emergencies that end 0.3–1.5 s after they are declared, cycling through the cells: each end is a
  // timed action (scheduled_actions) the scheduler performs as a system command across the kills.
  const cells = (() => {
    const db = openStoreReadOnly(dataDir);
    try { return db.prepare("SELECT id FROM areas WHERE kind = 'cell' ORDER BY id LIMIT 40").pluck().all() as string[]; } finally { db.close(); }
  })();
  const manager = await connectClient(url, '/console', { username: 'manager', password: 'demo' });
  let nextCell = 0;
  loads.push(new CommandLoad(manager, `manager-${opts.seed}`, () => ['mode:switch', {
    mode: 'emergency', areaId: cells[nextCell++ % cells.length], reason: 'crash test drill', endsAt: Date.now() + 300 + Math.floor(random() * 1200),
  }]));
  const acked = () => loads.reduce((n, l) => n + l.acked.length, 0);

  let kills = 0;
  const restartMs: number[] = [];
  const resumeMs: number[] = [];
  let listeningAt = 0;
  /** each console's resume count when the last hub died: after the restart each must have resumed again */
  let r0: number[] | undefined;
  try {
    for (; kills < opts.kills; kills++) {
      // Load has resumed on this process: every client answered again, fixes are being taken.
      const a0 = acked();
      const f0 = sim.stats().fixesAccepted;
      await until(() => `load to resume after restart ${kills}: clients connected ${loads.map((l) => l.socket.connected).join('/')}, `
        + `commands acked ${acked() - a0}, fixes accepted ${sim.stats().fixesAccepted - f0}, consoles resumed ${watches.map((w, i) => w.resumes - (r0?.[i] ?? 0)).join('/')}`,
      () => loads.every((l) => l.socket.connected) && acked() > a0 + loads.length
        && sim.stats().fixesAccepted > f0 && (!r0 || watches.every((w, i) => w.resumes > r0![i]!)));
      if (listeningAt) resumeMs.push(Date.now() - listeningAt);
      await new Promise((r) => setTimeout(r, Math.floor(random() * (opts.maxKillDelayMs ?? 400))));
      const killedAt = Date.now();
      child.proc.kill('SIGKILL');
      await child.exited;
      r0 = watches.map((w) => w.resumes);
      if ((kills + 1) % 25 === 0) log(`${kills + 1} kills, ${acked()} commands acked, ${sim.stats().fixesDurable} fixes durable`);
      child = await startChild(entry, dataDir, port, opts.units, log);
      listeningAt = Date.now();
      restartMs.push(listeningAt - killedAt);
    }
    await until('load to resume after the last restart', () => loads.every((l) => l.socket.connected) && acked() > 0);
    await Promise.all(loads.map((l) => l.stop()));
    // every end time has passed and the live hub has done what fell due (a wait on the store, not a sleep)
    await until('the scheduler to do every end that fell due', () => {
      const db = openStoreReadOnly(dataDir);
      try {
        return db.prepare("SELECT count(*) FROM scheduled_actions WHERE kind = 'mode:expire' AND state = 'pending' AND due_at <= ?").pluck().get(Date.now() - 100) === 0
          && (db.prepare("SELECT coalesce(max(due_at), 0) FROM scheduled_actions WHERE kind = 'mode:expire'").pluck().get() as number) < Date.now() - 100;
      } finally { db.close(); }
    });
    await sim.stop({ drainMs: 60_000 });
    // consoles catch up to the head before the checks
    await Promise.all(watches.map((w) => w.resume()));
  } finally {
    consoles.forEach((s) => s.disconnect());
    manager.disconnect();
    device.disconnect();
    await sim.stop();
    child.proc.kill('SIGTERM');
    await child.exited;
  }

  const db = openStoreReadOnly(dataDir);
  try {
    const integrity = (db.pragma('integrity_check', { simple: true }) as string);
    const audit = verifyAudit(db);
    const ledger = new Set((db.prepare('SELECT command_id FROM commands').pluck().all() as string[]));
    const accepted = new Map<string, number>();
    for (const row of db.prepare(`SELECT json_extract(entry, '$.payload.commandId') AS cid, count(*) AS n FROM audit_log
      WHERE json_extract(entry, '$.outcome') = 'accepted' AND json_extract(entry, '$.payload.commandId') IS NOT NULL GROUP BY cid`).all() as Array<{ cid: string; n: number }>) {
      accepted.set(row.cid, row.n);
    }
    const ackedIds = loads.flatMap((l) => l.acked);
    const head = (db.prepare('SELECT coalesce(max(seq), 0) FROM events').pluck().get() as number);
    const consoleGaps = watches.flatMap((w) => {
      const missing: number[] = [];
      for (let s = 1; s <= head && missing.length < 5; s++) if (!w.seen.has(s)) missing.push(s);
      return missing.length ? [`${w.name} never saw seq ${missing.join(', ')}`] : [];
    });
    const has = db.prepare('SELECT 1 FROM positions WHERE t = ? AND unit_id = ?').pluck();
    const lost = durable.filter((f) => has.get(f.t, f.unitId) === undefined).length;
    const s = sim.stats();
    const timed = timedActions(db);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    return {
      ...timed, restartMsP50: median(restartMs), resumeMsP50: median(resumeMs), refusedReconnects: Object.fromEntries(refusedReconnects),
      kills, runMs: Date.now() - started,
      commandsAcked: ackedIds.length,
      commandsMissing: ackedIds.filter((c) => !ledger.has(c) || !accepted.has(c)),
      commandsAppliedTwice: ackedIds.filter((c) => (accepted.get(c) ?? 0) > 1),
      fixesSent: s.fixesSent, fixesDurable: durable.length, fixesResent: s.fixesResent, fixesKept: s.fixesKept, fixesDropped: s.fixesDropped, fixesLost: lost,
      integrity, auditOk: audit.ok, auditCount: audit.count,
      resumes: watches.reduce((n, w) => n + w.resumes, 0), resumeGaps: watches.flatMap((w) => w.resumeGaps), consoleGaps,
    };
  } finally {
    db.close();
  }
}

/**
 * What the scheduler did with the area emergencies' end times. Every switch with an end time has one
 * `mode:expire` action; each must be done (not pending: skipped; not cancelled: nothing superseded them
 * here), accepted once in the audit log, and have ended that switch with one 'end' change by the system.
 */
function timedActions(db: ReturnType<typeof openStoreReadOnly>) {
  const switches = db.prepare(`SELECT area_id AS areaId, at, ends_at AS endsAt FROM mode_changes
    WHERE kind = 'switch' AND area_id IS NOT NULL AND ends_at IS NOT NULL ORDER BY at`).all() as Array<{ areaId: string; at: number; endsAt: number }>;
  const actions = db.prepare(`SELECT id, state, json_extract(payload, '$.switchedAt') AS switchedAt, json_extract(payload, '$.areaId') AS areaId
    FROM scheduled_actions WHERE kind = 'mode:expire'`).all() as Array<{ id: number; state: string; switchedAt: number; areaId: string }>;
  const accepted = new Map<number, number>();
  for (const r of db.prepare(`SELECT json_extract(entry, '$.payload.actionId') AS id, count(*) AS n FROM audit_log
    WHERE json_extract(entry, '$.action') = 'mode:expire' AND json_extract(entry, '$.outcome') = 'accepted' GROUP BY id`).all() as Array<{ id: number; n: number }>) {
    accepted.set(r.id, r.n);
  }
  const ends = db.prepare(`SELECT count(*) FROM mode_changes WHERE kind = 'end' AND area_id = ? AND by = 'system' AND at >= ? AND at < ?`).pluck();
  const nextSwitch = db.prepare(`SELECT coalesce(min(at), 9e15) FROM mode_changes WHERE kind = 'switch' AND area_id = ? AND at > ?`).pluck();
  const of = (a: { areaId: string; switchedAt: number }) => `${a.areaId}@${a.switchedAt}`;
  return {
    timedSwitches: switches.length,
    timedDone: actions.filter((a) => a.state === 'done').length,
    timedPending: actions.filter((a) => a.state === 'pending').map(of),
    timedCancelled: actions.filter((a) => a.state === 'cancelled').map(of),
    timedDoneTwice: actions.filter((a) => (accepted.get(a.id) ?? 0) > 1).map(of),
    timedEndsWrong: switches.flatMap((w) => {
      const n = ends.get(w.areaId, w.at, nextSwitch.get(w.areaId, w.at)) as number;
      const a = actions.filter((x) => x.areaId === w.areaId && x.switchedAt === w.at);
      return n === 1 && a.length === 1 && accepted.get(a[0]!.id) === 1 ? [] : [`${w.areaId}@${w.at}: ${a.length} actions, ${n} ends, accepted ${a[0] ? accepted.get(a[0].id) ?? 0 : '-'}`];
    }),
  };
}
