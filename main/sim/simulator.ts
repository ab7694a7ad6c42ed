// The socket driver over the simulation core: connects as a field device (a gateway speaks for every
// unit; load mode spreads the units over a few gateway connections), runs the world in step with the
// clock, sends each tick's fixes as one batch per connection, keeps every fix until the hub says it is
// durable and sends it again after a reconnect, sends commands with retries under the same commandId,
// and feeds the hub's events (tasks, mode changes, incidents) back into the world.
import { io, type Socket } from 'socket.io-client';
import type { BodycamReport } from '../../shared/bodycam';
import type { DemoCity } from '../../shared/city';
import type { ModeName, PositionFix } from '../../shared/domain';
import type { ModeProfile } from '../../shared/modes';
import { NAMESPACES, type Ack, type FieldClientEvents, type FieldServerEvents, type HubEvent } from '../../shared/protocol';
import { loadUnits } from './city/index';
import { World, type SimCommand, type WorldOptions } from './world';

export type SimulatorOptions = {
  hubUrl: string;
  deviceId: string;
  secret: string;
  city: DemoCity;
  /** seeds every simulated decision; load units themselves come from the city's seed, as the hub's do */
  seed: number;
  /** synthetic load units beyond the city's (the hub must know them: start it with the same --units) */
  extraUnits?: number;
  /** simulate the demo city's own units too (default true); false leaves them to another simulator */
  cityUnits?: boolean;
  /** gateway connections to spread the units over; default 1, or 4 with load units */
  connections?: number;
  log?: (line: string) => void;
  /** ms since the epoch; simulated time follows it */
  clock?: () => number;
  /** demo tuning passed to the world (check-in scale, incident scale, SOS rate, tick) */
  tuning?: Pick<WorldOptions, 'checkInScale' | 'incidentScale' | 'sosPerHour' | 'tickMs' | 'bodycamStopPerTask' | 'bodycamStopTiming'>;
  connectTimeoutMs?: number;
  /** socket.io's reconnection delay (ms; default its own 1–5 s); a test restarting the hub uses less */
  reconnectDelayMs?: number;
  /** called with fixes once the hub has committed them (tests compare these with the store) */
  onDurable?: (fixes: readonly PositionFix[]) => void;
};

export type SimulatorStats = {
  units: number;
  fixesSent: number;
  /** over the last few seconds */
  fixesPerSec: number;
  /** fixes the hub acknowledged as accepted */
  fixesAccepted: number;
  /** fixes the hub answered but did not take (units it does not know, or a refused batch) */
  fixesRejected: number;
  /** fixes the hub has committed to its store (the durable mark reached them) */
  fixesDurable: number;
  /** fixes kept because they are not durable yet: sent and waiting for the mark, or waiting to be sent */
  fixesKept: number;
  /** fixes sent again after a reconnect because the mark had not reached them */
  fixesResent: number;
  /** fixes given up: more than MAX_KEPT waiting (a hub away for a long time; the oldest go first) */
  fixesDropped: number;
  /** simulated time jumped over because this process fell behind the clock (nothing was sent for it) */
  skippedMs: number;
  commandsSent: number;
  commandErrors: number;
  /** body camera readings sent, taken by the hub, and refused by it (with a reason, logged) */
  bodycamSent: number;
  bodycamAccepted: number;
  bodycamRefused: number;
};

export type Simulator = {
  /** Stops simulating; waits up to drainMs (default 2 s) for kept fixes to become durable, then disconnects. */
  stop(opts?: { drainMs?: number }): Promise<void>;
  stats(): SimulatorStats;
};

type FieldSocket = Socket<FieldServerEvents, FieldClientEvents>;
type SessionReady = Parameters<FieldServerEvents['session:ready']>[0];
/** socket.io's typed emit cannot follow a union of command names to their payloads; the world built each
 * payload for its own name (SimCommand), so this one loose signature is sound. */
type LooseAsk = { emitWithAck(name: string, payload: unknown): Promise<Ack<unknown>> };

/** The hub takes at most 5000 fixes a message; smaller batches also keep its event loop responsive. */
const MAX_BATCH = 2000;
const COMMAND_TIMEOUT_MS = 10_000;
/** Unanswered position batches per connection: about five seconds of them (four ticks a second). */
const MAX_IN_FLIGHT = 20;
/** Fixes kept per connection while the hub is away or slow (about a minute of 4,000 units). */
const MAX_KEPT = 250_000;
const COMMAND_ATTEMPTS = 4;
/** Further behind than this, the world jumps ahead rather than flooding the hub with stale fixes. */
const MAX_LAG_MS = 3000;
const RATE_WINDOW_MS = 5000;

/** Why connecting failed, in one line a person can act on. */
export class SimulatorConnectError extends Error {}

export async function startSimulator(opts: SimulatorOptions): Promise<Simulator> {
  const log = opts.log ?? (() => {});
  const clock = opts.clock ?? Date.now;
  const extra = opts.extraUnits ? loadUnits(opts.city, opts.extraUnits, opts.city.seed) : [];
  const nConn = Math.max(1, opts.connections ?? (extra.length > 0 ? 4 : 1));

  const sockets: FieldSocket[] = [];
  let sessions: SessionReady[];
  try {
    sessions = await Promise.all(Array.from({ length: nConn }, () => connect(opts, sockets)));
  } catch (e) {
    sockets.forEach((s) => s.disconnect());
    throw e;
  }
  const session = sessions[0]!;
  const tickMs = opts.tuning?.tickMs ?? 250;
  const runId = `sim${opts.seed}-${clock().toString(36)}`.replace(/[^A-Za-z0-9_-]/g, '');
  const world = new World({
    city: opts.city, seed: opts.seed, mode: session.mode.mode, runId,
    startAt: Math.floor(clock() / tickMs) * tickMs,
    extraUnits: extra,
    only: session.unitIds !== 'any' ? session.unitIds : opts.cityUnits === false ? extra.map((u) => u.id) : undefined,
    ...opts.tuning,
  });
  // Emergencies declared for areas before this run: the hub lists those in force on every connection.
  world.syncAreaModes(session.areaModes);
  world.syncProfiles(profilesOf(session));
  const connOf = new Map(world.actors.map((a, i) => [a.unit.id, i % nConn]));
  const declared = session.areaModes.length ? `; emergency in ${session.areaModes.map((c) => c.areaId).join(', ')}` : '';
  log(`simulating ${world.actors.length} units over ${nConn} connection(s) as ${opts.deviceId}, mode ${world.mode}${declared}`);

  const st = {
    fixesSent: 0, fixesAccepted: 0, fixesRejected: 0, fixesDurable: 0, fixesResent: 0, fixesDropped: 0, skippedMs: 0, commandsSent: 0, commandErrors: 0,
    bodycamSent: 0, bodycamAccepted: 0, bodycamRefused: 0,
  };
  const inFlight = sockets.map(() => 0);
  const sentLog: { at: number; total: number }[] = [];
  let stopped = false;
  const pending = new Set<Promise<void>>();

  // Events: every gateway connection gets the same ones, so keep each seq once.
  const seen = new Set<number>();
  let lastSeq = session.headSeq;
  const onEvent = (e: HubEvent) => {
    if (seen.has(e.seq)) return;
    seen.add(e.seq);
    if (seen.size > 10_000) seen.delete(seen.values().next().value!);
    lastSeq = Math.max(lastSeq, e.seq);
    world.handleEvent(e.data);
  };
  sockets.forEach((s) => {
    s.on('event', onEvent);
    s.on('disconnect', (reason) => {
      if (!stopped) log(`connection lost (${reason}); reconnecting`);
    });
    // After a reconnect, fetch what was missed (the hub re-sends session:ready on every connection).
    s.on('session:ready', (ready) => {
      if (stopped) return;
      log('reconnected; catching up on missed events');
      // What holds now, before the missed events are replayed (they end in the same state).
      world.setMode(ready.mode.mode);
      world.syncAreaModes(ready.areaModes);
      world.syncProfiles(profilesOf(ready));
      void catchUp(s, () => lastSeq, onEvent, log);
    });
  });
  // Events sent between session:ready and the listeners above are fetched once.
  void catchUp(sockets[0]!, () => lastSeq, onEvent, log);

  const send = async (cmd: SimCommand) => {
    st.commandsSent++;
    const sock = sockets[connOf.get(cmd.unitId) ?? 0]!;
    for (let attempt = 1; attempt <= COMMAND_ATTEMPTS && !stopped; attempt++) {
      try {
        // The timeout flag holds for one emit only, so it is set again on every attempt.
        const res = await (sock.timeout(COMMAND_TIMEOUT_MS) as unknown as LooseAsk).emitWithAck(cmd.name, cmd.payload);
        if (!res.ok) {
          st.commandErrors++;
          log(`${cmd.name} for ${cmd.unitId} refused: ${res.error.code} ${res.error.message}`);
        }
        world.settle(cmd, res);
        return;
      } catch {
        // No answer in time: retry under the same commandId, which the hub applies at most once.
      }
    }
    if (stopped) return;
    st.commandErrors++;
    log(`${cmd.name} for ${cmd.unitId}: no answer from the hub after ${COMMAND_ATTEMPTS} tries`);
    world.settle(cmd, { ok: false, error: { code: 'internal', message: 'no answer from the hub' } });
  };
  const track = (p: Promise<void>) => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };

  // Keep-until-durable, per connection: `queue` waits to be sent, `sent` waits for the durable mark
  // (durableAt is known once the batch is acked). The mark is compared within one connection only.
  type SentBatch = { fixes: PositionFix[]; durableAt?: number };
  const conns = sockets.map(() => ({ queue: [] as PositionFix[], sent: [] as SentBatch[], through: 0 }));
  const kept = () => conns.reduce((n, c) => n + c.queue.length + c.sent.reduce((m, b) => m + b.fixes.length, 0), 0);
  const settleDurable = (conn: number) => {
    const c = conns[conn]!;
    c.sent = c.sent.filter((b) => {
      if (b.durableAt === undefined || b.durableAt > c.through) return true;
      st.fixesDurable += b.fixes.length;
      opts.onDurable?.(b.fixes);
      return false;
    });
  };
  const pump = (conn: number) => {
    const sock = sockets[conn]!;
    const c = conns[conn]!;
    // A device whose uplink is backed up keeps its fixes queued rather than flooding the hub.
    while (sock.connected && c.queue.length > 0 && inFlight[conn]! < MAX_IN_FLIGHT) {
      const entry: SentBatch = { fixes: c.queue.splice(0, MAX_BATCH) };
      c.sent.push(entry);
      inFlight[conn]!++;
      st.fixesSent += entry.fixes.length;
      sock.emit('unit:position', { fixes: entry.fixes }, (res) => {
        if (!c.sent.includes(entry)) return; // its connection was lost meanwhile: already queued again
        inFlight[conn] = Math.max(0, inFlight[conn]! - 1);
        if (res.ok) {
          st.fixesAccepted += res.result.accepted;
          st.fixesRejected += entry.fixes.length - res.result.accepted;
          // Refused fixes are not kept (the hub said why: unknown unit, outside its time window).
          const refused = new Set((res.result.refused ?? []).map((r) => `${r.unitId}@${r.t}`));
          if (refused.size > 0) entry.fixes = entry.fixes.filter((f) => !refused.has(`${f.unitId}@${f.t}`));
          // A hub without the mark makes the ack the only promise there is.
          entry.durableAt = res.result.durableAt ?? 0;
          c.through = Math.max(c.through, res.result.durableThrough ?? 0);
          settleDurable(conn);
        } else {
          st.fixesRejected += entry.fixes.length;
          c.sent.splice(c.sent.indexOf(entry), 1);
        }
        pump(conn);
      });
    }
  };
  const keep = (conn: number, fixes: PositionFix[]) => {
    const c = conns[conn]!;
    c.queue.push(...fixes);
    if (c.queue.length > MAX_KEPT) st.fixesDropped += c.queue.splice(0, c.queue.length - MAX_KEPT).length;
    pump(conn);
  };
  sockets.forEach((s, i) => {
    s.on('positions:durable', (d) => {
      conns[i]!.through = Math.max(conns[i]!.through, d.through);
      settleDurable(i);
    });
    // A batch lost with its connection is never answered, and the next connection's mark starts
    // afresh (it may be a restarted hub): whatever was not durable goes to the front of the queue.
    s.on('disconnect', () => {
      const c = conns[i]!;
      const again = c.sent.flatMap((b) => b.fixes);
      st.fixesResent += again.length;
      c.queue = [...again, ...c.queue];
      c.sent = [];
      c.through = 0;
      inFlight[i] = 0;
    });
    s.on('connect', () => pump(i));
  });

  // Body camera readings are telemetry, not records: one message per connection per tick, not kept for
  // a reconnect (the next reading, ten seconds later, says what is true then).
  const sendBodycam = (conn: number, reports: BodycamReport[]) => {
    const sock = sockets[conn]!;
    if (!sock.connected) return;
    st.bodycamSent += reports.length;
    sock.emit('bodycam:report', { reports }, (res) => {
      if (!res.ok) {
        st.bodycamRefused += reports.length;
        log(`bodycam:report refused: ${res.error.code} ${res.error.message}`);
        return;
      }
      st.bodycamAccepted += res.result.accepted;
      st.bodycamRefused += reports.length - res.result.accepted;
      for (const r of res.result.refused ?? []) log(`body camera reading of ${r.unitId} at ${r.t} refused: ${r.reason}`);
    });
  };

  let timer: NodeJS.Timeout | undefined;
  let warnedLag = false;
  const tick = () => {
    if (stopped) return;
    const wall = clock();
    if (wall - world.now > MAX_LAG_MS + tickMs) {
      // Building 20,000 units can itself take seconds on a busy machine: that first jump is no news.
      if (!warnedLag && sentLog.length > 0) log(`falling behind the clock by ${Math.round(wall - world.now)} ms; skipping ahead (this machine cannot keep up)`);
      warnedLag = sentLog.length > 0;
      const resumeAt = Math.floor(wall / tickMs) * tickMs - tickMs;
      if (sentLog.length > 0) st.skippedMs += resumeAt - world.now;
      world.now = resumeAt;
    }
    const batches: PositionFix[][] = sockets.map(() => []);
    const cams: BodycamReport[][] = sockets.map(() => []);
    while (world.now + tickMs <= wall) {
      const out = world.step();
      for (const f of out.fixes) batches[connOf.get(f.unitId) ?? 0]!.push(f);
      for (const c of out.commands) track(send(c));
      for (const r of out.bodycam) cams[connOf.get(r.unitId) ?? 0]!.push(r);
    }
    batches.forEach((b, i) => b.length > 0 && keep(i, b));
    cams.forEach((b, i) => b.length > 0 && sendBodycam(i, b));
    sentLog.push({ at: wall, total: st.fixesSent });
    while (sentLog.length > 2 && sentLog[0]!.at < wall - RATE_WINDOW_MS) sentLog.shift();
    timer = setTimeout(tick, Math.max(0, world.now + tickMs - clock()));
  };
  tick();

  return {
    stats: () => {
      const first = sentLog[0];
      const last = sentLog[sentLog.length - 1];
      const span = first && last ? last.at - first.at : 0;
      return { units: world.actors.length, ...st, fixesKept: kept(), fixesPerSec: span > 0 ? ((last!.total - first!.total) * 1000) / span : 0 };
    },
    stop: async ({ drainMs = 2000 } = {}) => {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      // Commands in flight get their answers (or time out), and kept fixes their durable mark, before the connections close.
      const drained = new Promise<void>((resolve) => {
        const check = () => (kept() === 0 ? resolve() : setTimeout(check, 50));
        check();
      });
      const wait = new Promise((r) => setTimeout(r, drainMs));
      await Promise.race([Promise.allSettled([...pending, drained]), wait]);
      sockets.forEach((s) => s.disconnect());
    },
  };
}

/** The profiles a session names, by mode. */
function profilesOf(s: SessionReady): Partial<Record<ModeName, ModeProfile>> {
  return Object.fromEntries(Object.entries(s.profiles).map(([m, v]) => [m, v.profile]));
}

function connect(opts: SimulatorOptions, sockets: FieldSocket[]): Promise<SessionReady> {
  const url = opts.hubUrl.replace(/\/+$/, '') + NAMESPACES.field;
  const sock: FieldSocket = io(url, { auth: { deviceId: opts.deviceId, secret: opts.secret }, transports: ['websocket'], forceNew: true,
    ...(opts.reconnectDelayMs === undefined ? {} : { reconnectionDelay: opts.reconnectDelayMs, reconnectionDelayMax: opts.reconnectDelayMs * 4 }),
  });
  sockets.push(sock);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new SimulatorConnectError(`中心无应答 / no answer from the hub at ${opts.hubUrl} within ${(opts.connectTimeoutMs ?? 10_000) / 1000} s`)), opts.connectTimeoutMs ?? 10_000);
    sock.once('session:ready', (s) => {
      clearTimeout(timer);
      resolve(s);
    });
    sock.once('connect_error', (err) => {
      clearTimeout(timer);
      // A refusal by the hub's auth leaves the socket inactive; a transport failure keeps it retrying.
      reject(new SimulatorConnectError(sock.active
        ? `无法连接中心 / hub unreachable at ${opts.hubUrl}: ${err.message}`
        : `中心拒绝了设备 / hub at ${opts.hubUrl} refused device "${opts.deviceId}": ${err.message}`));
    });
  });
}

async function catchUp(sock: FieldSocket, after: () => number, onEvent: (e: HubEvent) => void, log: (line: string) => void): Promise<void> {
  try {
    for (let page = 0; page < 100; page++) {
      const res = await sock.timeout(COMMAND_TIMEOUT_MS).emitWithAck('events:since', { afterSeq: after() });
      if (!res.ok) throw new Error(res.error.message);
      res.result.events.forEach(onEvent);
      if (!res.result.more) return;
    }
  } catch (e) {
    log(`could not catch up on missed events: ${(e as Error).message}`);
  }
}
