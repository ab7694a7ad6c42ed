// The hub's composition root: the store, the demo seed, the media gateway, the position pipeline, the
// two socket.io namespaces (transport/) and the HTTP router (http/), on one HTTP server. `startHub` is
// the one way to start a hub — the CLI, the Electron hub process and the tests all call it. The demo
// simulator is not part of the hub: whoever starts a demo hub starts it (main/sim/demo.ts).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import type { Unit } from '../../shared/domain';
import type { ModeSchedule } from '../../shared/modes';
import { DEFAULT_TIME_ZONE, isTimeZone } from '../../shared/time';
import { NAMESPACES, type Snapshot } from '../../shared/protocol/sockets';
import { CONSOLE_ONLY_EVENTS } from '../../shared/protocol/events';
import { listAreas, listCameras, listRoutes, listUnits } from '../store/city';
import { startCheckpointer } from '../store/checkpointer';
import { busyWaitSwitch, openStore, setAsideDamaged, StoreError, storeStartError, type Db } from '../store/db';
import { headSeq } from '../store/log';
import { currentMode, dispatchStates, listActiveIncidents, listActiveTasks } from '../store/operations';
import { listActiveSos } from '../store/sos';
import { createMediaGateway } from '../media/gateway';
import { createCameraPreviews } from './camera-preview';
import { Recommender } from './dispatch/recommend';
import { loadRoadGraph, ROADS_FILE } from './dispatch/road-graph';
import { loadStreetIndex } from './streets';
import { GRID_COMMANDS } from './handlers/grid';
import { gridVersion } from '../store/grid';
import { activeAreaModes, profilesInForce } from './modes';
import type { ScopedEvent } from './commands';
import { createHttpRoutes } from './http/router';
import { enrolHandler } from './http/enrol';
import { createMediaAccess } from './http/media-access';
import { createMediaTokens } from '../media/token';
import { PositionPipeline, type PipelineOptions } from './positions';
import { DEFAULT_RETENTION, type RetentionPolicy } from '../store/retention';
import { SegmentWriter } from '../store/segments';
import { DEMO_USERS, ensureCalendar, ensureInitialMode, loadDemoCity, seedDemo } from './seed';
import type { HubServices } from './services';
import { DEFAULT_RENDERER_DIR } from './http/static';
import { startSystemActor } from './system-actor';
import { FIX_RULES } from '../../shared/attendance';
import { attendanceSnapshot } from '../store/attendance';
import { CoverageWatch, type CoverageWatchOptions } from './coverage';
import { FenceWatch } from './fences';
import { BodycamDesk } from './bodycam';
import { bodycamSnapshot } from '../store/bodycam';
import { planDemoShifts } from './roster';
import { loadScorecardConfig } from './scorecard';
import type { ScorecardConfig } from '../../shared/protocol/scorecard';
import { attachConsole, consolePresence, signOutEnded, type ConsoleNamespace } from './transport/console';
import { attachField, devicePresence, deviceRoom, type FieldNamespace } from './transport/field';
import { createCommandRunner, type GroupCommitOptions } from './group-commit';
import { StorageWatch } from './storage-watch';
import { createRefusalAuditor, refusalWriter } from './refusals';
import { createLoginThrottle, type ThrottleLimits } from './throttle';
import { createGuard, type Refuser } from './transport/guard';
import { CONSOLE_BUDGET, FIELD_BUDGET, messageLimiter, type MessageBudget } from './transport/limits';
import { floodBackoff, type FloodBackoffOptions } from './transport/backoff';
import { sessionAudit } from './session-audit';
import { sessionId } from './auth';
import { coalesceWrites } from './transport/cork';
import { outboundGuard } from './transport/outbound';
import { DEFAULT_VOICE_CONFIG, type VoiceConfig } from './voice/config';
import { VoiceHub } from './voice/floor';
import { findUnit } from '../store/city';
import type { Clock } from './scheduler';

export type HubOptions = {
  port: number;
  host?: string;
  dataDir: string;
  /** seed the demo city; binds to 127.0.0.1 only */
  demo?: boolean;
  /** extra synthetic load units seeded in demo mode */
  extraUnits?: Unit[];
  rendererDir?: string;
  /** origins besides the hub's own that may open sockets (e.g. the Electron app's custom protocol) */
  allowedOrigins?: string[];
  log?: (line: string) => void;
  /** how long a media URL's token lasts (default 5 minutes; tests shorten it) */
  mediaTokenTtlMs?: number;
  /** the street network travel times are estimated on (default resources/basemap/roads.geojson) */
  roadsFile?: URL | string;
  /** nearest units of each kind `units:recommend` ranks first (default 64; the set grows when it must) */
  recommendCandidates?: number;
  /** position pipeline tuning: fan-out and write intervals, write-backlog bound, time window, clock watch */
  positions?: Omit<PipelineOptions, 'fanout' | 'onWriteError' | 'onAlert' | 'log'>;
  /** the center's IANA time zone: day boundaries, shifts, schedules and every time a person reads (default Asia/Shanghai) */
  timeZone?: string;
  /** automatic mode switches (night, holidays) in the center's zone; absent: modes change by hand only */
  modeSchedule?: ModeSchedule;
  /** a key camera down this long raises an alert; back sooner, none (default 10) */
  cameraStaleSec?: number;
  /** how long positions are kept at full rate, and after (default DEFAULT_RETENTION); applied by applyRetention */
  retention?: RetentionPolicy;
  /** how often complete minutes are sealed into per-unit segments (ms, default 10 s) */
  sealEveryMs?: number;
  /** the scorecard's indicators, weights and star levels (default resources/scorecard/scorecard.json) */
  scorecard?: ScorecardConfig;
  /** how often route coverage and cell dwell are written (ms, default 30 s), and its other tuning */
  coverage?: { flushEveryMs?: number } & Pick<CoverageWatchOptions, 'shiftStartsMin' | 'pieceM' | 'maxGapMs' | 'batchRows'>;
  /** message budgets, login throttling and the refusal summary window (defaults in docs/protocol.md) */
  limits?: HubLimits;
  /** push-to-talk: ICE (STUN/TURN) servers, the talk limit, the recording size bound (default: LAN only, 60 s) */
  voice?: VoiceConfig;
  /** device enrolment by one-time code: how long a code lasts (default 10 min) and the clock its expiry is read on (tests move it) */
  enrolment?: { codeTtlMs?: number; now?: () => number };
  /** the clock timed work (the schedule: late check-ins, deadlines, mode switches) runs on (default the real one; e2e tests move it) */
  clock?: Clock;
  /** the clock body camera readings are received and judged on (default Date.now; tests move it to make a reading old) */
  bodycam?: { now?: () => number };
  /** how commands are committed: batched (default), or one transaction each (`perCommand`, the bench's baseline) */
  commands?: Omit<GroupCommitOptions, 'log'>;
};

export type HubLimits = {
  console?: Partial<MessageBudget>;
  field?: Partial<MessageBudget>;
  login?: Partial<ThrottleLimits>;
  refusalWindowMs?: number;
  /** (actor, action) pairs whose refusals are audited row by row in one window; the rest are summarised together (default 200) */
  refusalKeys?: number;
  /** bytes queued for one unread connection before the hub cuts it (default 16 MiB, transport/outbound.ts) */
  outboundBytes?: number;
  /** how long an identity's reconnects are refused after a flood cut (transport/backoff.ts) */
  floodBackoff?: FloodBackoffOptions;
};

export type Hub = {
  url: string;
  port: number;
  db: Db;
  pipeline: PositionPipeline;
  close(): Promise<void>;
};

/** The store opened and made ready; a storage fault on the way as one clear StoreError, nothing left open. */
function openPrepared(opts: HubOptions, city: ReturnType<typeof loadDemoCity> | null, timeZone: string, log: (line: string) => void): Db {
  const db = openStore(opts.dataDir);
  try {
    prepareStore(db, city, opts, timeZone, log);
  } catch (e) {
    // A damaged page, a full disk … met while seeding.
    db.close();
    throw storeStartError(e, db.name);
  }
  return db;
}

/** What a store needs before the hub serves it: the demo city (first start), the initial mode, the calendar, the demo roster. */
function prepareStore(db: Db, city: ReturnType<typeof loadDemoCity> | null, opts: HubOptions, timeZone: string, log: (line: string) => void): void {
  const now = Date.now();
  if (city) {
    const { seeded } = seedDemo(db, city, opts.extraUnits ?? [], now);
    if (seeded) log('seeded the demo city');
  }
  ensureInitialMode(db, now);
  ensureCalendar(db, city, opts.modeSchedule?.holidays ?? [], now);
  if (city) {
    // The roster's shifts for the days ahead, each with its late check (a restart adds only what is missing).
    const planned = planDemoShifts(db, city, now, timeZone);
    if (planned > 0) log(`planned ${planned} shifts from the demo roster`);
  }
}

export async function startHub(opts: HubOptions): Promise<Hub> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const timeZone = opts.timeZone ?? DEFAULT_TIME_ZONE;
  if (!isTimeZone(timeZone)) throw new Error(`unknown time zone "${timeZone}" (an IANA name such as Asia/Shanghai)`);
  const host = opts.demo ? '127.0.0.1' : (opts.host ?? '127.0.0.1');
  const city = opts.demo ? loadDemoCity() : null;
  let db: Db;
  try {
    db = openPrepared(opts, city, timeZone, log);
  } catch (e) {
    // The demo's store holds nothing but the demo: a damaged one is set aside (kept) and the demo starts
    // anew, so `npm start` never stays broken. A real store is a person's to restore (the error says how).
    if (!(opts.demo && e instanceof StoreError && e.fault === 'corrupt')) throw e;
    const aside = setAsideDamaged(opts.dataDir);
    log(`the demo database was damaged (${e.message}); it is kept as ${aside} and the demo starts on a new store`);
    db = openPrepared(opts, city, timeZone, log);
  }

  const media = createMediaGateway({
    dataDir: opts.dataDir, log,
    onHealth: (changed) => {
      consoles.to('consoles').emit('stream:health', changed);
      system.onStreamHealth(changed);
    },
  });
  const previews = createCameraPreviews(media, () => listCameras(db));
  previews.refresh();

  // What a login screen may know before anyone logs in: that this is a Xiuhua hub, and whether it is the demo.
  const about = JSON.stringify({ product: 'xiuhua', protocol: 1, demo: !!opts.demo, demoUsers: opts.demo ? DEMO_USERS.map((u) => u.username) : [] });
  // HLS goes to logged-in consoles only, on short-lived per-camera media tokens (never the session token).
  const mediaAccess = createMediaAccess(db, createMediaTokens({ ttlMs: opts.mediaTokenTtlMs }));
  const routes = createHttpRoutes({
    about, log, rendererDir: opts.rendererDir ?? DEFAULT_RENDERER_DIR,
    media: (req, res) => media.handleHttp(req, res, mediaAccess.authorize),
    // Bound below, once the command runner and the throttle exist (no request arrives before listen).
    enrol: (req, res) => enrol(req, res),
  });
  const httpServer = http.createServer(routes.handle);
  // Malformed requests (bad request line, overlong headers) are answered 400/431 and closed, never thrown.
  httpServer.on('clientError', routes.clientError);
  httpServer.on('connect', routes.connect);

  // The Electron app's pages come from xiuhua://app, an origin no website can have.
  const allowed = new Set(['xiuhua://app', ...(opts.allowedOrigins ?? [])]);
  const io = new Server(httpServer, {
    serveClient: false,
    maxHttpBufferSize: 1_000_000, // a full position batch (5000 fixes) fits; nothing larger is needed
    allowRequest: (req, cb) => {
      // Browsers send Origin: accept our own origin and configured ones. Devices and tools send none.
      const origin = req.headers.origin;
      cb(null, !origin || allowed.has(origin) || sameHost(origin, req.headers.host));
    },
  });
  const consoles: ConsoleNamespace = io.of(NAMESPACES.console);
  const field: FieldNamespace = io.of(NAMESPACES.field);
  // A committed batch's acks and events leave as one write per connection, not one per frame (cork.ts).
  coalesceWrites(io);
  // A client that stops reading is cut before its queue grows past the bound (checked where the hub sends).
  const outbound = outboundGuard([consoles, field], { limitBytes: opts.limits?.outboundBytes, log });

  // While another program holds the database locked, the hub's connection waits for the lock briefly
  // instead of SQLite's 5 s: each wait holds the event loop, so a long lock would otherwise freeze every
  // console for 5 s per command. The first write after the fault waits the full time again.
  const busyWait = busyWaitSwitch(db);
  // The storage fault alarm (issue 16): open from a failed write until a write on the same path succeeds.
  const storage = new StorageWatch({
    log,
    emit: (health) => consoles.to('consoles').emit('hub:storage', health),
    recovered: (alert) => system.raise(alert),
  });
  const pipeline = new PositionPipeline(db, {
    ...opts.positions,
    fanout: (fixes) => {
      consoles.to('consoles').emit('unit:positions', { fixes });
      outbound.check();
    },
    onWriteError: (e) => {
      log(`position write failed, will retry: ${(e as Error).message}`);
      storage.failed('positions', e);
    },
    // Alerts go through a callback so that they can move onto the scheduler without touching the pipeline.
    onAlert: (alert) => system.raise(alert),
    // Each device hears when its fixes are committed (docs/protocol.md, the durable mark).
    onDurable: (through, deviceIds) => field.to([...deviceIds].map(deviceRoom)).emit('positions:durable', { through }),
    onWritten: () => {
      storage.wrote('positions');
      busyWait.normal(); // whoever held the store has let go
    },
    log,
  });
  // Built now, not at the first incident or SOS: the street names they are stamped with (streets.ts).
  loadStreetIndex(ROADS_FILE, log);
  const units = listUnits(db);
  const kinds = new Map(units.map((u) => [u.id, u.kind]));
  pipeline.setKnownUnits(kinds.keys(), (id) => FIX_RULES.maxSpeedMps[kinds.get(id)!]);
  // Built once: the road graph, and what units are (seeded); the areas follow grid edits (afterCommit).
  const recommender = new Recommender({
    graph: loadRoadGraph(opts.roadsFile ?? ROADS_FILE, log), areas: listAreas(db), index: pipeline.index, latest: pipeline.latest,
    units: new Map(units.map((u) => [u.id, { kind: u.kind, cellId: u.cellId, postId: u.postId }])),
    states: (ids, incidentId) => dispatchStates(db, ids, incidentId), candidates: opts.recommendCandidates,
  });
  // Per-unit minute segments (store/segments.ts): fed by every flush, sealed when a minute is complete.
  const segments = new SegmentWriter(db);
  segments.recover(Date.now());
  pipeline.observe(segments.add, 'segments');
  const sealTimer = setInterval(() => {
    try {
      segments.seal(Date.now());
    } catch (e) {
      log(`sealing position segments failed, will retry: ${(e as Error).message}`); // the fixes stay pending
    }
  }, opts.sealEveryMs ?? 10_000);
  sealTimer.unref();

  function broadcast(events: ScopedEvent[]): void {
    for (const { event, unitId } of events) {
      consoles.to('consoles').emit('event', event);
      if (CONSOLE_ONLY_EVENTS.includes(event.data.type)) continue;
      const rooms = unitId ? ['gateways', `unit:${unitId}`] : ['gateways', 'terminals'];
      field.to(rooms).emit('event', event);
    }
    outbound.check();
  }

  function snapshot(): Snapshot {
    return {
      headSeq: headSeq(db), hubTime: Date.now(), mode: currentMode(db)!, areaModes: activeAreaModes(db, Date.now()), profiles: profilesInForce(db),
      units: listUnits(db), areas: listAreas(db), routes: listRoutes(db), cameras: listCameras(db),
      incidents: listActiveIncidents(db), tasks: listActiveTasks(db), sos: listActiveSos(db),
      positions: [...pipeline.latest.values()], streams: media.health(), storage: storage.health(), attendance: attendanceSnapshot(db, Date.now()),
      bodycam: { ...bodycamSnapshot(db), statuses: [...bodycam.latest.values()] },
    };
  }

  // Timed work as commands of the `system` actor; first whatever fell due while the hub was down.
  const system = startSystemActor({
    db, timeZone, broadcast, log, cameras: () => listCameras(db), modeSchedule: opts.modeSchedule, retention: opts.retention ?? DEFAULT_RETENTION,
    cameraStaleMs: (opts.cameraStaleSec ?? 10) * 1000, clock: opts.clock,
  });

  // Officers held to their cells and vehicles to their routes: state in memory, the store only on a change.
  const fences = new FenceWatch({ db, units, areas: listAreas(db), routes: listRoutes(db), schedule: (a) => system.scheduler.schedule(a), now: Date.now });
  pipeline.observe(fences.observe, 'fences');
  // Body camera readings: latest per unit in memory, fanned out and written at bounded rates; alerts on the scheduler.
  const bodycam = new BodycamDesk({
    db, units: kinds.keys(), schedule: (a) => system.scheduler.schedule(a), log, now: opts.bodycam?.now,
    fanout: (statuses) => {
      consoles.to('consoles').emit('bodycam:status', statuses);
      outbound.check();
    },
  });
  // Coverage for the evaluator: in memory per fix, written in bounded batches by its own timer.
  const { flushEveryMs: coverageEveryMs = 30_000, ...coverageTuning } = opts.coverage ?? {};
  const coverage = new CoverageWatch({ db, units, areas: listAreas(db), routes: listRoutes(db), timeZone, now: Date.now, ...coverageTuning });
  pipeline.observe(coverage.observe, 'coverage');
  const coverageTimer = setInterval(() => {
    try {
      coverage.flush();
    } catch (e) {
      log(`writing coverage failed, will retry: ${(e as Error).message}`); // kept in memory for the next flush
    }
  }, coverageEveryMs);
  coverageTimer.unref();

  const voice = new VoiceHub({
    config: opts.voice ?? DEFAULT_VOICE_CONFIG, dataDir: opts.dataDir, log,
    unitOnDuty: (id) => findUnit(db, id)?.status !== 'off_duty',
    exists: { unit: (id) => !!findUnit(db, id), area: (id) => listAreas(db).some((a) => a.id === id) },
  });
  let hubUrl = '';
  const services: HubServices = { pipeline, recommender, segments, coverage, retention: opts.retention ?? DEFAULT_RETENTION, media, voice, bodycam,
    evaluation: { scorecard: opts.scorecard ?? loadScorecardConfig(), dataDir: opts.dataDir, timeZone, log }, mediaAccess, url: () => hubUrl, snapshot,
    previews,
    presence: () => ({ sessions: consolePresence(consoles), devices: devicePresence(field) }) };
  const refusals = createRefusalAuditor(db, { windowMs: opts.limits?.refusalWindowMs, maxKeys: opts.limits?.refusalKeys, log });
  // Every refusal is audited; a flood of them by one actor as a few rows and a summary (refusals.ts).
  const refuse = refusalWriter(refusals);
  const refuseAudited: Refuser = (actor, action, raw, error) => refuse(actor, action, raw, error, Date.now());
  const throttle = createLoginThrottle(opts.limits?.login);
  // After a flood cut, the session's or device's reconnects are refused for a while (backoff.ts).
  const consoleBackoff = floodBackoff(opts.limits?.floodBackoff);
  // Device sessions' begin and end entries, one transaction per turn of the event loop (session-audit.ts).
  const deviceSessions = sessionAudit(db);
  const fieldBackoff = floodBackoff(opts.limits?.floodBackoff);
  // A console's back-off is its session's (the token it comes straight back on; a password login is a new
  // session behind the login throttle); a device's is the device's.
  const consoleLimit = messageLimiter({ ...CONSOLE_BUDGET, ...opts.limits?.console }, refusals, (socket) => consoleBackoff.cut(sessionId((socket.data as { token: string }).token)));
  const fieldLimit = messageLimiter({ ...FIELD_BUDGET, ...opts.limits?.field }, refusals, (_socket, actor) => fieldBackoff.cut(actor.id));
  let wakeQueued = false;
  const afterCommit = (name: string, result: unknown) => {
    // The command may have queued or cancelled timed work. Once per batch (group-commit.ts answers a
    // batch's commands in one go, before this microtask runs), not once per command.
    if (!wakeQueued) {
      wakeQueued = true;
      queueMicrotask(() => {
        wakeQueued = false;
        try {
          system.afterCommand();
        } catch (e) {
          log(`re-reading the schedule after a command failed: ${(e as Error).message}`);
        }
      });
    }
    if (name === 'camera:upsert') previews.refresh();
    // The grid's in-memory copies follow each committed edit: the recommender's cells and posts, the fences, coverage.
    if (GRID_COMMANDS.includes(name)) {
      const areas = listAreas(db);
      const gridRoutes = listRoutes(db);
      recommender.setAreas(areas);
      fences.setGrid(areas, gridRoutes, gridVersion(db));
      coverage.setGrid(areas, gridRoutes);
    }
    signOutEnded(consoles, name, result);
    // A revoked device is cut at once, after the commit that revoked it (its secret is refused from then on).
    if (name === 'device:revoke') field.in(deviceRoom((result as { deviceId: string }).deviceId)).disconnectSockets(true);
  };
  const commands = createCommandRunner(db, {
    ...opts.commands, log,
    onBatch: (r) => {
      if (r.committed) {
        storage.wrote('commands');
        busyWait.normal();
      } else if (storage.failed('commands', r.error, r.size) && storage.health().fault === 'busy') busyWait.short();
    },
  });
  const enrol = enrolHandler({ db, commands, throttle, refusals, now: opts.enrolment?.now ?? Date.now });
  attachConsole(consoles, {
    db, commands, services, broadcast, afterCommit, refuse, timeZone, demo: !!opts.demo, dataDir: opts.dataDir, throttle, refusals, enrolCodeTtlMs: opts.enrolment?.codeTtlMs, backoff: consoleBackoff,
    guard: createGuard({ limit: consoleLimit, refuse: refuseAudited, log }),
  });
  attachField(field, {
    db, commands, services, broadcast, afterCommit, refuse, timeZone, throttle, refusals, log, backoff: fieldBackoff, sessions: deviceSessions,
    guard: createGuard({ limit: fieldLimit, refuse: refuseAudited, log }),
  });
  io.engine.on('connection_error', (err: { message: string }) => log(`connection refused: ${err.message}`));

  // WAL checkpoints in a thread of their own, not inside the commits on the event loop (store/checkpointer.ts).
  const checkpointer = startCheckpointer(db, { log });
  try {
    await listen(httpServer, opts.port, host);
  } catch (e) {
    // Leave nothing open behind a failed start (the Electron shell retries in the same process tree).
    system.stop();
    commands.close();
    clearInterval(sealTimer);
    clearInterval(coverageTimer);
    await pipeline.close();
    bodycam.close();
    await media.close();
    io.close();
    refusals.close();
    await checkpointer.close();
    db.close();
    throw e;
  }
  const port = (httpServer.address() as AddressInfo).port;
  hubUrl = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url: hubUrl, port, db, pipeline,
    close: () => (closing ??= (async () => {
      system.stop(); // what is due later stays pending in the store
      storage.stop();
      voice.close(); // floors are live state only; a restart frees them
      commands.close(); // what was received is committed and answered; what comes after is refused
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await media.close();
      clearInterval(sealTimer);
      await pipeline.close(); // pending fixes are written (and the writer thread ended) before the store closes
      bodycam.close(); // so are the latest body camera readings
      segments.seal(Date.now()); // complete minutes; the rest is recovered from positions at the next start
      clearInterval(coverageTimer);
      try {
        coverage.flush(); // after the pipeline's last fixes were observed
      } catch (e) {
        log(`writing coverage at close failed: ${(e as Error).message}`);
      }
      deviceSessions.flush(); // the ends of the sessions io.close() ended
      refusals.close(); // so are the summaries of refusals still being counted
      await checkpointer.close(); // the connection's own close copies back what is left
      db.close();
    })()),
  };
}

function sameHost(origin: string, host: string | undefined): boolean {
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      reject(e.code === 'EADDRINUSE' ? new Error(`port ${port} on ${host} is already in use`) : e);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
