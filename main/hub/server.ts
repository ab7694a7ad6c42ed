// The hub: one HTTP server carrying socket.io (/console for people, /field for devices), the built
// console, and (when present) the media gateway. `startHub` is the one way to start it — the CLI,
// the Electron shell and the tests all call it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Namespace, type Socket } from 'socket.io';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { z } from 'zod';
import { PositionFix, type Unit } from '../../shared/domain';
import { NAMESPACES, type ConsoleClientEvents, type ConsoleServerEvents, type FieldClientEvents, type FieldServerEvents, type Snapshot } from '../../shared/protocol/sockets';
import type { Ack } from '../../shared/protocol/commands';
import { auditPage, verifyAudit } from '../store/audit';
import { listAreas, listCameras, listRoutes, listUnits } from '../store/city';
import { openStore, type Db } from '../store/db';
import { eventsAfter, fieldEventsAfter, headSeq } from '../store/log';
import { currentMode, listActiveIncidents, listActiveSos, listActiveTasks } from '../store/operations';
import { AuthError, authenticateDevice, login, resumeSession, sessionUser } from './auth';
import { refuse, runCommand, zodMessage, type Actor, type CommandDef, type ScopedEvent } from './commands';
import { consoleHandlers } from './handlers/console';
import { fieldHandlers } from './handlers/field';
import { PositionPipeline } from './positions';
import { DEMO_USERS, ensureInitialMode, loadDemoCity, seedDemo, SIM_DEVICE } from './seed';
import { DEFAULT_RENDERER_DIR, serveStatic } from './static';
import { createMediaGateway } from '../media/gateway';
import { keyCameraWatch } from './alerts';
import { startSimulator, type Simulator } from '../sim/simulator';

export type HubOptions = {
  port: number;
  host?: string;
  dataDir: string;
  /** seed and run the demo city; binds to 127.0.0.1 only */
  demo?: boolean;
  /** in demo mode, run the field simulator against this hub (default true; tests turn it off) */
  simulate?: boolean;
  /** extra synthetic load units seeded in demo mode */
  extraUnits?: Unit[];
  rendererDir?: string;
  /** origins besides the hub's own that may open sockets (e.g. the Electron app's custom protocol) */
  allowedOrigins?: string[];
  log?: (line: string) => void;
  /** fan-out and write intervals of the position pipeline, ms */
  positions?: { writeEveryMs?: number; fanoutEveryMs?: number };
};

export type Hub = {
  url: string;
  port: number;
  db: Db;
  pipeline: PositionPipeline;
  close(): Promise<void>;
};

const EVENTS_PAGE_MAX = 1000;
const PositionBatch = z.strictObject({ fixes: z.array(PositionFix).min(1).max(5000) });
const StreamRequest = z.strictObject({ cameraId: z.string().min(1).max(64) });
const SinceRequest = z.strictObject({ afterSeq: z.number().int().min(0), limit: z.number().int().min(1).max(EVENTS_PAGE_MAX).optional() });
const EmptyRequest = z.strictObject({}).optional();

type ConsoleSocket = Socket<ConsoleClientEvents, ConsoleServerEvents, Record<string, never>, { actor: Actor; token: string }>;
type FieldSocket = Socket<FieldClientEvents, FieldServerEvents, Record<string, never>, { actor: Actor }>;
type AckFn = (res: Ack<unknown>) => void;

export async function startHub(opts: HubOptions): Promise<Hub> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const host = opts.demo ? '127.0.0.1' : (opts.host ?? '127.0.0.1');
  const db = openStore(opts.dataDir);
  const now = Date.now();
  if (opts.demo) {
    const { seeded } = seedDemo(db, loadDemoCity(), opts.extraUnits ?? [], now);
    if (seeded) log('seeded the demo city');
  }
  ensureInitialMode(db, now);

  const rendererDir = opts.rendererDir ?? DEFAULT_RENDERER_DIR;
  const watchKeyCameras = keyCameraWatch(db, () => listCameras(db), (e) => broadcast([e]));
  const media = createMediaGateway({
    dataDir: opts.dataDir, log,
    onHealth: (changed) => {
      consoles.to('consoles').emit('stream:health', changed);
      watchKeyCameras(changed);
    },
  });
  media.setCameras(listCameras(db));
  // HLS goes to logged-in consoles only: the session token rides in the playlist URL.
  const authorizeMedia = (token: string) => sessionUser(db, token, Date.now()) !== undefined;
  // What a login screen may know before anyone logs in: that this is a Xiuhua hub, and whether it is the demo.
  const about = JSON.stringify({ product: 'xiuhua', protocol: 1, demo: !!opts.demo, demoUsers: opts.demo ? DEMO_USERS.map((u) => u.username) : [] });
  const httpServer = http.createServer((req, res) => {
    if (req.url === '/hub.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', 'access-control-allow-origin': '*' }).end(about);
    } else if (!media.handleHttp(req, res, authorizeMedia)) serveStatic(rendererDir, req, res);
  });
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
  const consoles = io.of(NAMESPACES.console) as unknown as Namespace<ConsoleClientEvents, ConsoleServerEvents, Record<string, never>, { actor: Actor; token: string }>;
  const field = io.of(NAMESPACES.field) as unknown as Namespace<FieldClientEvents, FieldServerEvents, Record<string, never>, { actor: Actor }>;

  const pipeline = new PositionPipeline(db, {
    ...opts.positions,
    fanout: (fixes) => consoles.to('consoles').emit('unit:positions', { fixes }),
    onWriteError: (e) => log(`position write failed, will retry: ${(e as Error).message}`),
  });
  pipeline.setKnownUnits(listUnits(db).map((u) => u.id));

  const broadcast = (events: ScopedEvent[]) => {
    for (const { event, unitId } of events) {
      consoles.to('consoles').emit('event', event);
      const rooms = unitId ? ['gateways', `unit:${unitId}`] : ['gateways', 'terminals'];
      field.to(rooms).emit('event', event);
    }
  };

  // Per-socket rate limits. A gateway batches many units per message, so the budget is per message.
  const consoleLimiter = new RateLimiterMemory({ points: 50, duration: 1 });
  const fieldLimiter = new RateLimiterMemory({ points: 100, duration: 1 });
  const lastRateAudit = new Map<string, number>();

  /** Wraps every inbound event: rate limit, safe ack, and a catch so nothing a client sends can crash the hub. */
  function guard(socket: Socket, actor: () => Actor, limiter: RateLimiterMemory, name: string, fn: (payload: unknown, ack: AckFn) => void) {
    socket.on(name, (payload: unknown, maybeAck: unknown) => {
      const ack: AckFn = typeof maybeAck === 'function' ? (maybeAck as AckFn) : () => {};
      limiter.consume(socket.id).then(
        () => {
          try {
            fn(payload, ack);
          } catch (e) {
            log(`handler ${name} failed: ${(e as Error).stack ?? e}`);
            ack({ ok: false, error: { code: 'internal', message: 'the hub failed to handle this request' } });
          }
        },
        () => {
          const t = Date.now();
          const error = { code: 'rate_limited' as const, message: 'too many messages; slow down' };
          // Audit a flood once a second per socket, not once per message.
          if ((lastRateAudit.get(socket.id) ?? 0) < t - 1000) {
            lastRateAudit.set(socket.id, t);
            refuse(db, actor(), name, payload, error, t);
          }
          ack({ ok: false, error });
        },
      );
    });
  }

  /** Anything a client sends that this namespace does not know gets a clear refusal, audited, not silence. */
  function refuseUnknown(socket: Socket, actor: () => Actor, limiter: RateLimiterMemory, nsp: string) {
    socket.onAny((name: unknown, ...args: unknown[]) => {
      if (typeof name === 'string' && socket.listeners(name).length > 0) return;
      const last = args[args.length - 1];
      const ack: AckFn = typeof last === 'function' ? (last as AckFn) : () => {};
      const event = String(name).slice(0, 64);
      limiter.consume(socket.id).then(
        () => ack(refuse(db, actor(), event, args.length > 1 ? args[0] : null, { code: 'forbidden', message: `no event "${event}" on ${nsp}` }, Date.now())),
        () => ack({ ok: false, error: { code: 'rate_limited', message: 'too many messages; slow down' } }),
      );
    });
  }

  function registerCommands(socket: Socket, actor: () => Actor, limiter: RateLimiterMemory, defs: Record<string, CommandDef<z.ZodType, unknown>>) {
    for (const def of Object.values(defs)) {
      guard(socket, actor, limiter, def.name, (payload, ack) => {
        const { ack: res, events } = runCommand(db, def, actor(), payload);
        ack(res); // the transaction has committed (or the refusal has been audited) by now
        broadcast(events);
        if (res.ok && def.name === 'camera:upsert') media.setCameras(listCameras(db));
      });
    }
  }

  /** Parses a request, or answers it with an audited invalid_payload refusal and returns null. */
  function validated<T>(schema: z.ZodType<T>, actor: Actor, name: string, payload: unknown, ack: AckFn): { value: T } | null {
    const parsed = schema.safeParse(payload);
    if (parsed.success) return { value: parsed.data };
    ack(refuse(db, actor, name, payload, { code: 'invalid_payload', message: zodMessage(parsed.error) }, Date.now()));
    return null;
  }

  consoles.use((socket, next) => {
    const auth = socket.handshake.auth as Record<string, unknown>;
    const t = Date.now();
    const fail = (e: unknown) => next(new Error(e instanceof AuthError ? e.message : 'auth_failed: login could not be checked'));
    if (typeof auth.token === 'string') {
      try {
        const user = resumeSession(db, auth.token, t);
        socket.data = { actor: { id: user.username, role: user.role }, token: auth.token };
        next();
      } catch (e) {
        fail(e);
      }
    } else if (typeof auth.username === 'string' && typeof auth.password === 'string') {
      login(db, auth.username, auth.password, t).then(({ user, token }) => {
        socket.data = { actor: { id: user.username, role: user.role }, token };
        next();
      }, (e) => {
        refuse(db, { id: String(auth.username).slice(0, 64), role: 'operator' }, 'session:login', { username: auth.username }, { code: 'forbidden', message: (e as Error).message }, t);
        fail(e);
      });
    } else if (typeof auth.deviceId === 'string') {
      next(new Error('wrong_namespace: field devices connect to /field, not /console'));
    } else {
      next(new Error('auth_required: give username and password, or a session token'));
    }
  });

  consoles.on('connection', (s) => {
    const socket = s as ConsoleSocket;
    const actor = () => socket.data.actor;
    socket.join('consoles');
    socket.on('disconnect', () => lastRateAudit.delete(socket.id));
    const user = sessionUser(db, socket.data.token, Date.now());
    socket.emit('session:ready', {
      token: socket.data.token, user: user ?? { id: actor().id, username: actor().id, role: actor().role as never },
      headSeq: headSeq(db), hubTime: Date.now(), demo: !!opts.demo,
    });
    refuseUnknown(socket, actor, consoleLimiter, NAMESPACES.console);
    registerCommands(socket, actor, consoleLimiter, consoleHandlers as unknown as Record<string, CommandDef<z.ZodType, unknown>>);
    guard(socket, actor, consoleLimiter, 'state:snapshot', (payload, ack) => {
      if (validated(EmptyRequest, actor(), 'state:snapshot', payload, ack)) ack({ ok: true, result: snapshot() });
    });
    guard(socket, actor, consoleLimiter, 'events:since', (payload, ack) => {
      const req = validated(SinceRequest, actor(), 'events:since', payload, ack)?.value;
      if (!req) return;
      const limit = req.limit ?? EVENTS_PAGE_MAX;
      const events = eventsAfter(db, req.afterSeq, limit);
      ack({ ok: true, result: { events, headSeq: headSeq(db), more: events.length === limit } });
    });
    guard(socket, actor, consoleLimiter, 'stream:token', (payload, ack) => {
      const req = validated(StreamRequest, actor(), 'stream:token', payload, ack)?.value;
      if (!req) return;
      if (!listCameras(db).some((c) => c.id === req.cameraId)) {
        ack({ ok: false, error: { code: 'not_found', message: `no camera ${req.cameraId}` } });
        return;
      }
      const where = media.streamPath(req.cameraId);
      const url = where.startsWith('/') ? `${hubUrl}${where}?token=${encodeURIComponent(socket.data.token)}` : where;
      ack({ ok: true, result: { url } });
    });
    guard(socket, actor, consoleLimiter, 'audit:verify', (payload, ack) => {
      if (validated(EmptyRequest, actor(), 'audit:verify', payload, ack)) ack({ ok: true, result: verifyAudit(db) });
    });
    guard(socket, actor, consoleLimiter, 'audit:page', (payload, ack) => {
      if (!['evaluator', 'admin', 'duty_manager'].includes(actor().role)) {
        ack(refuse(db, actor(), 'audit:page', payload, { code: 'forbidden', message: `role ${actor().role} may not read the audit log` }, Date.now()));
        return;
      }
      const req = validated(SinceRequest, actor(), 'audit:page', payload, ack)?.value;
      if (req) ack({ ok: true, result: { entries: auditPage(db, req.afterSeq, req.limit ?? 200) } });
    });
  });

  function snapshot(): Snapshot {
    return {
      headSeq: headSeq(db), hubTime: Date.now(), mode: currentMode(db)!,
      units: listUnits(db), areas: listAreas(db), routes: listRoutes(db), cameras: listCameras(db),
      incidents: listActiveIncidents(db), tasks: listActiveTasks(db), sos: listActiveSos(db),
      positions: [...pipeline.latest.values()], streams: media.health(),
    };
  }

  field.use((socket, next) => {
    const auth = socket.handshake.auth as Record<string, unknown>;
    if (typeof auth.deviceId !== 'string' || typeof auth.secret !== 'string') {
      next(new Error(typeof auth.username === 'string'
        ? 'wrong_namespace: people log in on /console, not /field'
        : 'auth_required: give deviceId and secret'));
      return;
    }
    authenticateDevice(db, auth.deviceId, auth.secret).then((device) => {
      socket.data = { actor: { id: device.id, role: 'device', unitIds: device.kind === 'gateway' ? 'any' : [device.unitId!] } };
      next();
    }, (e) => {
      refuse(db, { id: String(auth.deviceId).slice(0, 64), role: 'device' }, 'session:device', { deviceId: auth.deviceId }, { code: 'forbidden', message: (e as Error).message }, Date.now());
      next(new Error(e instanceof AuthError ? e.message : 'auth_failed: device could not be checked'));
    });
  });

  field.on('connection', (s) => {
    const socket = s as FieldSocket;
    const actor = () => socket.data.actor;
    const units = actor().unitIds!;
    socket.on('disconnect', () => lastRateAudit.delete(socket.id));
    if (units === 'any') socket.join('gateways');
    else socket.join(['terminals', ...units.map((u) => `unit:${u}`)]);
    socket.emit('session:ready', { deviceId: actor().id, unitIds: units, headSeq: headSeq(db), hubTime: Date.now(), mode: currentMode(db)! });
    refuseUnknown(socket, actor, fieldLimiter, NAMESPACES.field);
    registerCommands(socket, actor, fieldLimiter, fieldHandlers as unknown as Record<string, CommandDef<z.ZodType, unknown>>);
    guard(socket, actor, fieldLimiter, 'unit:position', (payload, ack) => {
      const batch = validated(PositionBatch, actor(), 'unit:position', payload, ack)?.value;
      if (!batch) return;
      const foreign = units === 'any' ? undefined : batch.fixes.find((f) => !units.includes(f.unitId));
      if (foreign) {
        ack(refuse(db, actor(), 'unit:position', { unitId: foreign.unitId }, { code: 'forbidden', message: `device ${actor().id} does not speak for unit ${foreign.unitId}` }, Date.now()));
        return;
      }
      ack({ ok: true, result: { accepted: pipeline.accept(batch.fixes) } });
    });
    guard(socket, actor, fieldLimiter, 'events:since', (payload, ack) => {
      const req = validated(SinceRequest, actor(), 'events:since', payload, ack)?.value;
      if (!req) return;
      const limit = req.limit ?? EVENTS_PAGE_MAX;
      const events = fieldEventsAfter(db, req.afterSeq, limit, units);
      ack({ ok: true, result: { events, headSeq: headSeq(db), more: events.length === limit } });
    });
  });

  io.engine.on('connection_error', (err: { message: string }) => log(`connection refused: ${err.message}`));

  let hubUrl = '';
  try {
    await listen(httpServer, opts.port, host);
  } catch (e) {
    // Leave nothing open behind a failed start (the Electron shell retries in the same process tree).
    pipeline.close();
    await media.close();
    io.close();
    db.close();
    throw e;
  }
  const port = (httpServer.address() as AddressInfo).port;
  const url = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${port}`;
  hubUrl = url;
  let sim: Simulator | undefined;
  if (opts.demo && opts.simulate !== false) {
    const city = loadDemoCity();
    sim = await startSimulator({ hubUrl: url, deviceId: SIM_DEVICE.id, secret: SIM_DEVICE.secret, city, seed: city.seed, log });
  }

  let closing: Promise<void> | undefined;
  return {
    url, port, db, pipeline,
    close: () => (closing ??= (async () => {
      await sim?.stop();
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await media.close();
      pipeline.close(); // pending fixes are written before the store closes
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
