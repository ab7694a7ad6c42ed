// The per-event guard every inbound socket message passes through: the ack rules, the rate limits,
// and a catch so that nothing a client sends can end the hub. Handlers behind it see one payload and
// one ack function that answers at most once.
import type { Socket } from 'socket.io';
import type { Ack, CommandError } from '../../../shared/protocol/commands';
import type { Actor } from '../commands';
import { tcpOf, type EngineConn } from './tcp';

export type AckFn = (res: Ack<unknown>) => void;
export type InboundHandler = (payload: unknown, ack: AckFn) => void | Promise<void>;

/** Refuses an inbound message with an audited error (commands.ts `refuse`). */
export type Refuser = (actor: Actor, action: string, raw: unknown, error: CommandError) => Ack<never>;

/**
 * Decides whether a message may be handled now; resolves to null, or to the refusal to send and whether
 * the socket has earned being cut (it went on sending after being told to slow down).
 */
export type Limiter = {
  (socket: Socket, actor: Actor, event: string): Promise<{ error: CommandError; cut: boolean } | null>;
  /** A message of this socket was refused as malformed (invalid_payload); true when that earns the cut. */
  malformed?(socket: Socket, actor: Actor, event: string): boolean;
};

export type Guard = {
  /** Handles `name` on `socket` through the ack rules, the limiter and the catch. */
  on(socket: Socket, actor: () => Actor, name: string, handle: InboundHandler): void;
  /** Refuses (audited) any event this socket has no handler for, instead of silence. */
  refuseUnknown(socket: Socket, actor: () => Actor, nsp: string): void;
};

/**
 * socket.io hands a listener the emitted arguments as they came: `emit(name, cb)` gives `(cb)`,
 * `emit(name, a, b, cb)` gives `(a, b, cb)`. The ack is the last argument when it is a function; the
 * payload is the one argument before it. More than one argument before it is refused, not guessed at.
 */
export function splitArgs(args: unknown[]): { payload: unknown; ack: AckFn | undefined; extra: number } {
  const last = args[args.length - 1];
  const ack = typeof last === 'function' ? (last as AckFn) : undefined;
  const data = ack ? args.slice(0, -1) : args;
  return { payload: data[0], ack, extra: Math.max(0, data.length - 1) };
}

/** An ack that answers once; a second answer is a bug in the hub, logged, never sent. */
function once(ack: AckFn | undefined, name: string, log: (line: string) => void): AckFn & { sent: () => boolean } {
  let sent = false;
  const fn = ((res: Ack<unknown>) => {
    if (sent) {
      log(`handler ${name} answered twice; the second answer was dropped`);
      return;
    }
    sent = true;
    ack?.(res);
  }) as AckFn & { sent: () => boolean };
  fn.sent = () => sent;
  return fn;
}

const INTERNAL: CommandError = { code: 'internal', message: 'the hub failed to handle this request' };
const CUT: CommandError = { code: 'rate_limited', message: 'connection cut: it went on sending after being told to slow down' };
/** How long a cut socket may wait for the answers it is owed before it is closed anyway. */
export const CUT_GRACE_MS = 2_000;

/**
 * What a socket still has in hand. A cut waits for the answers the hub already owes (a command in its
 * commit batch, a read under way): closing at once would drop acks of work that was done, so that a
 * client could not tell a committed command from a lost one. Nothing new is taken while it waits.
 */
type Flight = { inflight: number; cutting: boolean; timer: NodeJS.Timeout | null };

export function createGuard(deps: { limit: Limiter; refuse: Refuser; log: (line: string) => void; /** default CUT_GRACE_MS */ cutGraceMs?: number }): Guard {
  const { limit, refuse, log } = deps;
  const cutGraceMs = deps.cutGraceMs ?? CUT_GRACE_MS;
  const handled = new WeakMap<Socket, Set<string>>();
  const handledBy = (socket: Socket) => {
    let names = handled.get(socket);
    if (!names) handled.set(socket, (names = new Set()));
    return names;
  };

  const flights = new WeakMap<Socket, Flight>();
  const flightOf = (socket: Socket) => {
    let f = flights.get(socket);
    if (!f) flights.set(socket, (f = { inflight: 0, cutting: false, timer: null }));
    return f;
  };
  const close = (socket: Socket, f: Flight) => {
    if (f.timer) clearTimeout(f.timer);
    f.timer = null;
    // Reading again for the close handshake: what the client sent meanwhile reaches an engine.io
    // connection that is closing, which drops it undecoded.
    tcpOf(socket.conn as unknown as EngineConn)?.resume();
    if (socket.connected) socket.disconnect(true);
  };
  const cut = (socket: Socket, f: Flight) => {
    if (f.cutting) return;
    f.cutting = true;
    if (f.inflight === 0) return close(socket, f);
    // While the owed answers go out, nothing more is read: a flooding client answers each answer with a
    // new message, and each would cost a decode and a refusal (measured: ~50 per cut socket in
    // tests/bench/flood.ts while its commands waited for their commit). Writes go on.
    tcpOf(socket.conn as unknown as EngineConn)?.pause();
    f.timer = setTimeout(() => close(socket, f), cutGraceMs);
    f.timer.unref();
  };

  function run(socket: Socket, actor: () => Actor, name: string, args: unknown[], handle: InboundHandler): void {
    const { payload, ack: rawAck, extra } = splitArgs(args);
    const f = flightOf(socket);
    if (f.cutting) {
      rawAck?.({ ok: false, error: CUT });
      return;
    }
    f.inflight += 1;
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      f.inflight -= 1;
      if (f.cutting && f.inflight === 0) close(socket, f);
    };
    const answered = once(rawAck, name, log);
    const ack = ((res: Ack<unknown>) => {
      answered(res);
      settle();
      // Malformed messages count towards the cut as well (limits.ts): a client that sends them is not
      // one of the hub's own, and commands are refused as malformed at receipt (dispatch.ts), so this
      // comes before the rest of what it sent in the same read is handled.
      if (!res.ok && res.error.code === 'invalid_payload' && limit.malformed?.(socket, actor(), name)) cut(socket, f);
    }) as typeof answered;
    ack.sent = answered.sent;
    const fail = (e: unknown) => {
      log(`handler ${name} failed: ${(e as Error)?.stack ?? String(e)}`);
      if (!ack.sent()) ack({ ok: false, error: INTERNAL });
      settle();
    };
    limit(socket, actor(), name).then((verdict) => {
      // Let through, but the socket was cut while this message waited for its verdict (it came in the
      // same read as the one that earned the cut): answered as the cut, not handled. (A refusal is
      // answered as it is, cheap either way.)
      if (!verdict && f.cutting) {
        ack({ ok: false, error: CUT });
        return;
      }
      if (verdict) {
        ack({ ok: false, error: verdict.error });
        if (verdict.cut) cut(socket, f);
        return;
      }
      if (extra > 0) {
        ack(refuse(actor(), name, payload, { code: 'invalid_payload', message: `expected one payload and an ack, got ${extra + 1} arguments before the ack` }));
        return;
      }
      try {
        const out = handle(payload, ack);
        // A message sent without an ack is done when its handler is; one with an ack when it is answered.
        if (out instanceof Promise) out.then(() => { if (!rawAck) settle(); }, fail);
        else if (!rawAck) settle();
      } catch (e) {
        fail(e);
      }
    }).catch(fail);
  }

  return {
    on(socket, actor, name, handle) {
      handledBy(socket).add(name);
      socket.on(name, (...args: unknown[]) => run(socket, actor, name, args, handle));
    },
    refuseUnknown(socket, actor, nsp) {
      // A client can send any name socket.io's parser lets through, 'error' included. Node's emitter
      // throws on an 'error' nobody listens to, so one is always there: what a client sends under that
      // name is refused below like any unknown event, never taken as the socket's own error.
      socket.on('error', (e: unknown) => log(`socket ${socket.id}: ${e instanceof Error ? e.message : 'client sent an "error" event'}`));
      socket.onAny((name: unknown, ...args: unknown[]) => {
        // Only the names the hub registered count: socket.io and Node register listeners of their own.
        if (typeof name === 'string' && handledBy(socket).has(name)) return;
        const event = String(name).slice(0, 64);
        run(socket, actor, event, args, (payload, ack) => {
          ack(refuse(actor(), event, payload ?? null, { code: 'forbidden', message: `no event "${event}" on ${nsp}` }));
        });
      });
    },
  };
}
