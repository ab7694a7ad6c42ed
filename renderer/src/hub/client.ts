// The renderer's one socket client. See index.ts for how the UI uses it.
import { io, type Socket } from 'socket.io-client';
import type { ConsoleCommandName, CommandInput, CommandResult, consoleCommands } from '../../../shared/protocol/commands';
import type {
  Ack, ConsoleClientEvents, ConsoleServerEvents, EventsPage, HubEvent, SessionReady, Snapshot,
} from '../../../shared/protocol';
import { NAMESPACES } from '../../../shared/protocol/sockets';
import { HEALTHY_STORAGE } from '../../../shared/protocol/events';
import type { VoiceServerEvents } from '../../../shared/protocol/voice';
import type { VoiceLink } from '../common/voice/link';
import { PositionStore } from './positions';
import { Sequencer } from './sequencer';
import {
  applyBodycamStatus, applyEvent, applyStreamHealth, emptyState, fromSnapshot, type ConnectionProblem, type ConnectionStatus, type HubState,
} from './state';

type ConsoleSocket = Socket<ConsoleServerEvents, ConsoleClientEvents>;

/**
 * A command's outcome: the hub's ack, `timeout` when a connected hub did not answer in time, `signed_out`, or
 * `cancelled` (the operator dropped it from the queue, or signed out, while the hub was away). The UI words it
 * from the code (i18n `errors.<code>`); `message` is the hub's English detail, for logs.
 */
export type CommandOutcome<R> = Ack<R> | { ok: false; error: { code: 'timeout' | 'signed_out' | 'cancelled'; message: string } };

export type CommandName = ConsoleCommandName;
export type CommandArgs<N extends CommandName> = Omit<CommandInput<(typeof consoleCommands)[N]>, 'commandId'>;
export type CommandReturn<N extends CommandName> = CommandResult<(typeof consoleCommands)[N]>;

/** Requests that read (no commandId): name → [request, result]. */
type Requests = {
  [K in 'state:snapshot' | 'events:since' | 'audit:verify' | 'audit:page' | 'stream:token' | 'units:recommend' | 'incident:trace' | 'photo:get'
    | 'audit:timeline' | 'unit:track' | 'replay:window' | 'positions:retention' | 'score:card' | 'score:coverage' | 'audit:export' | 'audit:raw' | 'audit:checkpoints'
    | 'people:list' | 'devices:list' | 'camera:preview' | 'calendar:list' | 'grid:get' | 'roster:upcoming'
    | 'voice:talks' | 'voice:audio']:
    Parameters<ConsoleClientEvents[K]> extends [infer Req, (res: Ack<infer R>) => void] ? [Req, R] : never;
};

const SESSION_KEY = 'xiuhua.session';
/** A connected hub that has not acked a command after this long (per attempt, two attempts) has failed it. */
const ACK_TIMEOUT_MS = 4500;
/** After this long without the hub, "reconnecting" becomes "offline since …". */
const OFFLINE_AFTER_MS = 10_000;
const EVENTS_PAGE = 500;

export function newCommandId(): string {
  return crypto.randomUUID().replaceAll('-', '');
}

/** Turn a socket.io connect_error into something a person can act on. */
function problemOf(err: Error, usedToken: boolean): ConnectionProblem {
  const m = /^([a-z_]+):\s*(.*)$/.exec(err.message);
  const code = m?.[1];
  if (code === 'auth_failed' || code === 'forbidden' || code === 'invalid_payload') {
    return usedToken ? { kind: 'session_expired', detail: m?.[2] ?? err.message } : { kind: 'auth_failed', detail: m?.[2] ?? err.message };
  }
  if (code) return { kind: 'other', detail: err.message };
  return { kind: 'unreachable', detail: err.message };
}

type Stored = { url: string; token: string };

export class HubClient {
  readonly positions = new PositionStore();
  private state: HubState;
  private readonly listeners = new Set<() => void>();
  private readonly eventListeners = new Set<(e: HubEvent) => void>();
  private socket: ConsoleSocket | null = null;
  private readonly sequencer = new Sequencer();
  /** bumped on every (re)connect so a sync from an older connection stops */
  private generation = 0;
  private catchingUp = false;
  /** kept in memory only, so a wall display can sign in again by itself if the hub forgot its token */
  private credentials: { username: string; password: string } | null = null;
  private offlineTimer: ReturnType<typeof setTimeout> | null = null;
  private notifyQueued = false;
  /** Commands made while the hub was away, sent in order (same commandId) once it is back and caught up. */
  private readonly outbox = new Map<string, { name: string; payload: unknown; send: () => void; cancel: () => void }>();

  /** The intercom's listeners: they outlive any one socket (a reconnect makes a new one). */
  private readonly voice = { 'voice:floor': new Set<VoiceServerEvents['voice:floor']>(), 'voice:signal': new Set<VoiceServerEvents['voice:signal']>(), ready: new Set<() => void>() };

  constructor(private readonly storage: Storage | null = typeof sessionStorage === 'undefined' ? null : sessionStorage) {
    this.state = emptyState(typeof location === 'undefined' ? '' : location.origin);
  }

  // ---- store (for useSyncExternalStore) ----

  getState = (): HubState => this.state;

  subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  /** Called once per applied sequenced event, in order (alarms, toasts). */
  onEvent(l: (e: HubEvent) => void): () => void {
    this.eventListeners.add(l);
    return () => this.eventListeners.delete(l);
  }

  /** Hub clock now (ms): position ages are measured against this. */
  hubNow(): number {
    return Date.now() + this.state.clockSkewMs;
  }

  private set(next: HubState): void {
    this.state = next;
    if (this.notifyQueued) return;
    this.notifyQueued = true;
    queueMicrotask(() => {
      this.notifyQueued = false;
      for (const l of this.listeners) l();
    });
  }

  private setStatus(status: ConnectionStatus, problem: ConnectionProblem | null = this.state.connection.problem): void {
    const c = this.state.connection;
    if (c.status === status && c.problem === problem) return;
    const since = c.status === status ? c.since : status === 'offline' && c.status === 'reconnecting' ? c.since : Date.now();
    this.set({ ...this.state, connection: { ...c, status, since, problem } });
  }

  // ---- session ----

  /** Sign in with a password. Resolves when the hub says the session is ready; rejects with a ConnectionProblem. */
  login(url: string, username: string, password: string): Promise<void> {
    this.credentials = { username, password };
    return this.open(url, { username, password });
  }

  /** Resume the session kept in sessionStorage (page reload). Returns false when there is none. */
  resume(): Promise<void> | null {
    const raw = this.storage?.getItem(SESSION_KEY);
    if (!raw) return null;
    try {
      const s = JSON.parse(raw) as Stored;
      return this.open(s.url, { token: s.token });
    } catch {
      this.storage?.removeItem(SESSION_KEY);
      return null;
    }
  }

  logout(): void {
    // The hub ends the session (the token stops working, also in HLS URLs); the emit is sent before the close.
    if (this.socket?.connected) this.socket.emit('session:logout', {}, () => {});
    this.storage?.removeItem(SESSION_KEY);
    this.credentials = null;
    this.close();
    this.state = emptyState(this.state.connection.url);
    this.set(this.state);
  }

  private close(): void {
    for (const q of [...this.outbox.values()]) q.cancel();
    this.generation++;
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
    this.positions.clear();
    this.sequencer.reset(0);
    this.sequencer.hold();
    if (this.offlineTimer) clearTimeout(this.offlineTimer);
  }

  private open(rawUrl: string, auth: { username: string; password: string } | { token: string }): Promise<void> {
    this.close();
    const url = rawUrl.replace(/\/+$/, '');
    this.state = { ...emptyState(url), connection: { status: 'connecting', url, since: Date.now(), problem: null } };
    this.set(this.state);
    const socket: ConsoleSocket = io(url + NAMESPACES.console, {
      auth,
      reconnectionDelay: 500,
      reconnectionDelayMax: 4000,
      timeout: 5000,
    });
    this.socket = socket;
    const gen = this.generation;
    let everReady = false;

    return new Promise<void>((resolve, reject) => {
      socket.on('session:ready', (s) => {
        everReady = true;
        this.onSessionReady(s, url, gen);
        resolve();
      });
      socket.on('connect_error', (err) => {
        const usedToken = 'token' in (socket.auth as object);
        const problem = problemOf(err, usedToken);
        if (!socket.active) {
          // The hub refused us (auth middleware): socket.io will not retry by itself.
          if (problem.kind === 'session_expired' && this.credentials) {
            socket.auth = { ...this.credentials };
            socket.connect();
            return;
          }
          this.storage?.removeItem(SESSION_KEY);
          this.setStatus('signed_out', problem);
          reject(problem);
          return;
        }
        if (!everReady) {
          // First contact failed (wrong URL, hub down): say so at once rather than retrying silently.
          socket.disconnect();
          this.setStatus('signed_out', problem);
          reject(problem);
          return;
        }
        this.setStatus(this.state.connection.status === 'offline' ? 'offline' : 'reconnecting', problem);
      });
      socket.on('disconnect', (reason) => {
        if (gen !== this.generation) return;
        this.positions.breakTrails();
        this.setStatus('reconnecting', { kind: 'unreachable', detail: reason });
        if (this.offlineTimer) clearTimeout(this.offlineTimer);
        this.offlineTimer = setTimeout(() => {
          if (this.state.connection.status === 'reconnecting') this.setStatus('offline');
        }, OFFLINE_AFTER_MS);
        // The hub closed us on purpose (e.g. restarting): socket.io will not retry by itself, so we do.
        if (reason === 'io server disconnect') setTimeout(() => gen === this.generation && socket.connect(), 1000);
      });
      // An admin ended this session (disabled the account, revoked it …): signed out for good, not reconnecting,
      // and not signing in again by itself with remembered credentials.
      socket.on('session:ended', ({ reason }) => {
        if (gen !== this.generation) return;
        this.storage?.removeItem(SESSION_KEY);
        this.credentials = null;
        this.close();
        this.state = { ...emptyState(url), connection: { status: 'signed_out', url, since: Date.now(), problem: { kind: 'session_ended', detail: reason } } };
        this.set(this.state);
      });
      socket.on('event', (e) => this.onHubEvent(e, gen));
      socket.on('unit:positions', (b) => this.positions.merge(b.fixes));
      socket.on('stream:health', (hs) => this.set(applyStreamHealth(this.state, hs)));
      socket.on('hub:storage', (storage) => this.set({ ...this.state, storage }));
      socket.on('bodycam:status', (xs) => this.set(applyBodycamStatus(this.state, xs)));
      socket.on('voice:floor', (f) => this.voice['voice:floor'].forEach((l) => l(f)));
      socket.on('voice:signal', (s) => this.voice['voice:signal'].forEach((l) => l(s)));
    });
  }

  private onSessionReady(s: SessionReady, url: string, gen: number): void {
    if (!this.socket || gen !== this.generation) return;
    this.socket.auth = { token: s.token };
    this.storage?.setItem(SESSION_KEY, JSON.stringify({ url, token: s.token } satisfies Stored));
    if (this.offlineTimer) clearTimeout(this.offlineTimer);
    this.set({
      ...this.state,
      user: s.user,
      demo: s.demo,
      // The hub names its center's zone (session:ready timeZone); an older hub that does not leaves the default.
      timeZone: 'timeZone' in s && typeof s.timeZone === 'string' ? s.timeZone : this.state.timeZone,
      clockSkewMs: s.hubTime - Date.now(),
      connection: { ...this.state.connection, status: 'live', since: Date.now(), problem: null },
    });
    for (const l of this.voice.ready) l(); // each connection is a voice peer of its own: join again
    // A hub whose history is behind ours has been replaced: start over from a snapshot.
    const fresh = !this.state.ready || s.headSeq < this.sequencer.lastSeq;
    void this.sync(gen, fresh).then(() => {
      if (gen === this.generation) this.flushOutbox();
    }, () => {
      // The connection dropped mid-sync; the next session:ready syncs again.
    });
  }

  /** Bring the picture up to date after (re)connecting: snapshot first time, else replay what was missed. */
  private async sync(gen: number, fresh: boolean): Promise<void> {
    if (fresh) {
      this.sequencer.hold();
      const snap = await this.request('state:snapshot', {});
      if (gen !== this.generation) return;
      this.loadSnapshot(snap);
      return;
    }
    await this.catchUp(gen);
    // Positions and stream health are live state, not history: take them fresh.
    const snap = await this.request('state:snapshot', {});
    if (gen !== this.generation) return;
    this.positions.merge(snap.positions);
    this.set(applyBodycamStatus({
      ...this.state, streams: new Map(snap.streams.map((h) => [h.cameraId, h])), storage: snap.storage ?? HEALTHY_STORAGE,
    }, snap.bodycam?.statuses ?? []));
  }

  private loadSnapshot(snap: Snapshot): void {
    this.state = fromSnapshot(this.state, snap);
    this.positions.clear();
    this.positions.merge(snap.positions);
    this.applyReady(this.sequencer.reset(snap.headSeq));
    this.set(this.state);
  }

  private async catchUp(gen: number): Promise<void> {
    if (this.catchingUp) return;
    this.catchingUp = true;
    try {
      for (;;) {
        const page: EventsPage = await this.request('events:since', { afterSeq: this.sequencer.lastSeq, limit: EVENTS_PAGE });
        if (gen !== this.generation) return;
        for (const e of page.events) this.applyReady(this.sequencer.offer(e));
        if (!page.more || page.events.length === 0) break;
      }
    } finally {
      this.catchingUp = false;
    }
  }

  private onHubEvent(e: HubEvent, gen: number): void {
    if (gen !== this.generation) return;
    this.applyReady(this.sequencer.offer(e));
    if (this.sequencer.hasGap && !this.catchingUp) void this.catchUp(gen).catch(() => undefined);
  }

  private applyReady(events: HubEvent[]): void {
    if (events.length === 0) return;
    let s = this.state;
    for (const e of events) s = applyEvent(s, e);
    this.set(s);
    for (const e of events) for (const l of this.eventListeners) l(e);
  }

  // ---- talking to the hub ----

  private async emit(name: string, payload: unknown, timeoutMs: number): Promise<unknown> {
    const socket = this.socket;
    if (!socket) throw new Error('signed_out');
    // The one untyped spot: the name/payload pairing is checked by the public signatures below.
    const timed = socket.timeout(timeoutMs) as unknown as { emitWithAck(ev: string, p: unknown): Promise<unknown> };
    return timed.emitWithAck(name, payload);
  }

  /** The intercom's view of this connection, whichever socket it is on now (common/voice/link.ts). */
  voiceLink(): VoiceLink {
    return {
      ask: (name, payload, timeoutMs = 10_000) => this.emit(name, payload, timeoutMs) as never,
      on: (event, fn) => {
        const set = this.voice[event] as Set<typeof fn>;
        set.add(fn);
        return () => void set.delete(fn);
      },
      onReady: (fn) => {
        this.voice.ready.add(fn);
        if (this.socket?.connected && this.state.connection.status === 'live') queueMicrotask(fn);
        return () => void this.voice.ready.delete(fn);
      },
      connected: () => !!this.socket?.connected,
    };
  }

  /** A read request (no commandId). Rejects with the hub's error message, or on timeout. */
  async request<K extends keyof Requests>(name: K, req: Requests[K][0], timeoutMs = 15_000): Promise<Requests[K][1]> {
    const res = (await this.emit(name, req, timeoutMs)) as Ack<Requests[K][1]>;
    if (!res.ok) throw new Error(`${res.error.code}: ${res.error.message}`);
    return res.result;
  }

  /**
   * Send a command. The commandId is made here once and reused on every retry, so the hub applies it at
   * most once even when an ack was lost. While the hub is away the command is queued (visible in
   * `state.queued`, `onQueued` is told its commandId) and sent when the hub is back and the console has
   * caught up; a connected hub that does not answer fails it with `timeout` within about 10 s.
   */
  async command<N extends CommandName>(
    name: N,
    args: CommandArgs<N>,
    opts: { timeoutMs?: number; attempts?: number; onQueued?: (commandId: string) => void } = {},
  ): Promise<CommandOutcome<CommandReturn<N>>> {
    const payload = { ...args, commandId: newCommandId() };
    const attempts = opts.attempts ?? 2;
    for (let i = 1; ; i++) {
      if (!this.socket) return { ok: false, error: { code: 'signed_out', message: 'not signed in' } };
      if (!this.socket.connected || this.state.connection.status !== 'live') {
        const sent = await this.enqueue(name, payload, opts.onQueued);
        if (!sent) return { ok: false, error: { code: 'cancelled', message: 'dropped from the queue' } };
        i = 1; // a fresh start once the hub is back
      }
      try {
        return (await this.emit(name, payload, opts.timeoutMs ?? ACK_TIMEOUT_MS)) as Ack<CommandReturn<N>>;
      } catch {
        // Lost the hub on the way: back to the queue. A connected hub that stays silent: give up.
        if (this.socket?.connected && i >= attempts) return { ok: false, error: { code: 'timeout', message: 'the hub did not answer' } };
      }
    }
  }

  /** Wait in the outbox until the hub is back (true) or the command is dropped (false). */
  private enqueue(name: string, payload: { commandId: string }, onQueued?: (commandId: string) => void): Promise<boolean> {
    return new Promise((resolve) => {
      const id = payload.commandId;
      const done = (sent: boolean) => {
        this.outbox.delete(id);
        this.set({ ...this.state, queued: this.state.queued.filter((q) => q.commandId !== id) });
        resolve(sent);
      };
      this.outbox.set(id, { name, payload, send: () => done(true), cancel: () => done(false) });
      this.set({ ...this.state, queued: [...this.state.queued.filter((q) => q.commandId !== id), { commandId: id, name, since: Date.now() }] });
      onQueued?.(id);
    });
  }

  /** Drop a queued command (the operator changed their mind while the hub was away). */
  cancelQueued(commandId: string): void {
    this.outbox.get(commandId)?.cancel();
  }

  private flushOutbox(): void {
    for (const q of [...this.outbox.values()]) q.send();
  }

  /** A playable HLS URL for a camera (the hub adds a short-lived token). */
  async streamUrl(cameraId: string): Promise<string> {
    const { url } = await this.request('stream:token', { cameraId });
    return new URL(url, this.state.connection.url + '/').href;
  }
}
