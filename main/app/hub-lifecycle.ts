// The embedded hub's lifecycle. The hub runs in an Electron utility process (hub-process.ts), not in
// the main process: a hub crash or a native-module failure then cannot take the windows down, and the
// supervisor restarts it with backoff and tells the user, in words, what went wrong.
import type { ForkOptions, UtilityProcess } from 'electron';

/** What the embedded hub is started with (serialised to the utility process as argv[2]). */
export type HubLaunch = { dataDir: string; demo: boolean; port: number; rendererDir: string };

/** Messages the hub process posts to the main process. */
export type HubChildMessage =
  | { type: 'ready'; url: string; port: number }
  | { type: 'failed'; reason: string }
  | { type: 'log'; line: string };

/** A running hub process, whatever runs it (utility process in the app, a fake in tests). */
export interface HubChild {
  onMessage(listener: (m: HubChildMessage) => void): void;
  onExit(listener: (code: number) => void): void;
  /** Asks for a clean stop (close sockets, flush the store); the process then exits. */
  stop(): void;
  kill(): void;
}

export type HubStatus =
  | { state: 'starting' }
  | { state: 'running'; url: string }
  | { state: 'restarting'; attempt: number; delayMs: number; reason: string }
  | { state: 'failed'; reason: string }
  | { state: 'stopped' }
  | { state: 'remote'; url: string };

export const READY_TIMEOUT_MS = 30_000;
export const STOP_TIMEOUT_MS = 5_000;
/** A hub that ran this long before dying was healthy: its next failure starts the backoff afresh. */
export const HEALTHY_RUN_MS = 60_000;
/** Consecutive failed starts before we stop trying on our own and ask the user. */
export const MAX_ATTEMPTS = 6;

/** 0.5 s, 1 s, 2 s, 4 s … capped at 30 s. */
export function restartDelay(attempt: number): number {
  return Math.min(30_000, 500 * 2 ** Math.max(0, attempt - 1));
}

export type Timers = {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
};

export type SupervisorDeps = {
  spawn(launch: HubLaunch): HubChild;
  launch: HubLaunch;
  timers: Timers;
  onStatus(status: HubStatus): void;
  log(line: string): void;
};

export class HubSupervisor {
  private child: HubChild | null = null;
  private attempt = 0;
  private readyAt: number | null = null;
  private lastReason: string | null = null;
  private port: number;
  private restartTimer: unknown = null;
  private readyTimer: unknown = null;
  private stopping: Promise<void> | null = null;
  private status: HubStatus = { state: 'stopped' };

  constructor(private readonly deps: SupervisorDeps) {
    this.port = deps.launch.port;
  }

  get current(): HubStatus {
    return this.status;
  }

  start(): void {
    this.stopping = null;
    this.attempt = 0;
    this.spawnOnce();
  }

  /** After `failed`, the user asked to try again. */
  retry(): void {
    if (this.status.state === 'failed') this.start();
  }

  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    this.clear('restartTimer');
    this.clear('readyTimer');
    const child = this.child;
    if (!child) {
      this.setStatus({ state: 'stopped' });
      this.stopping = Promise.resolve();
      return this.stopping;
    }
    this.stopping = new Promise<void>((resolve) => {
      const killTimer = this.deps.timers.setTimeout(() => {
        this.deps.log('hub did not stop in time; killing it');
        child.kill();
      }, STOP_TIMEOUT_MS);
      child.onExit(() => {
        this.deps.timers.clearTimeout(killTimer);
        this.setStatus({ state: 'stopped' });
        resolve();
      });
      child.stop();
    });
    return this.stopping;
  }

  private spawnOnce(): void {
    this.restartTimer = null;
    this.readyAt = null;
    this.lastReason = null;
    this.setStatus({ state: 'starting' });
    const child = this.deps.spawn({ ...this.deps.launch, port: this.port });
    this.child = child;
    this.readyTimer = this.deps.timers.setTimeout(() => {
      this.lastReason = `the hub did not start within ${READY_TIMEOUT_MS / 1000} s`;
      child.kill();
    }, READY_TIMEOUT_MS);
    child.onMessage((m) => {
      if (this.child !== child) return;
      if (m.type === 'ready') {
        this.clear('readyTimer');
        // Restarts reuse the port, so open consoles reconnect without a reload.
        this.port = m.port;
        this.readyAt = this.deps.timers.now();
        this.setStatus({ state: 'running', url: m.url });
      } else if (m.type === 'failed') {
        this.lastReason = m.reason;
      } else {
        this.deps.log(m.line);
      }
    });
    child.onExit((code) => {
      if (this.child !== child) return;
      this.child = null;
      this.clear('readyTimer');
      if (this.stopping) return;
      this.onUnexpectedExit(code);
    });
  }

  private onUnexpectedExit(code: number): void {
    if (this.readyAt !== null && this.deps.timers.now() - this.readyAt >= HEALTHY_RUN_MS) this.attempt = 0;
    this.attempt += 1;
    const reason = this.lastReason ?? `the hub stopped unexpectedly (exit code ${code})`;
    this.deps.log(`hub exited (code ${code}): ${reason}`);
    if (this.attempt >= MAX_ATTEMPTS) {
      this.setStatus({ state: 'failed', reason });
      return;
    }
    const delayMs = restartDelay(this.attempt);
    this.setStatus({ state: 'restarting', attempt: this.attempt, delayMs, reason });
    this.restartTimer = this.deps.timers.setTimeout(() => this.spawnOnce(), delayMs);
  }

  private clear(which: 'restartTimer' | 'readyTimer'): void {
    if (this[which] !== null) this.deps.timers.clearTimeout(this[which]);
    this[which] = null;
  }

  private setStatus(s: HubStatus): void {
    this.status = s;
    this.deps.onStatus(s);
  }
}

/** The status in words, for the window title, the console's banner and dialogs. */
export function describeHubStatus(s: HubStatus): { en: string; zh: string } {
  switch (s.state) {
    case 'starting':
      return { en: 'Starting the hub…', zh: '正在启动中枢…' };
    case 'running':
      return { en: `Hub running at ${s.url}`, zh: `中枢运行中：${s.url}` };
    case 'remote':
      return { en: `Connected to the hub at ${s.url}`, zh: `已连接中枢：${s.url}` };
    case 'restarting': {
      const sec = Math.round(s.delayMs / 100) / 10;
      return {
        en: `The hub stopped: ${s.reason}. Restarting in ${sec} s (attempt ${s.attempt} of ${MAX_ATTEMPTS - 1}).`,
        zh: `中枢已停止：${s.reason}。${sec} 秒后重启（第 ${s.attempt}/${MAX_ATTEMPTS - 1} 次）。`,
      };
    }
    case 'failed':
      return {
        en: `The hub could not be started: ${s.reason}.`,
        zh: `中枢无法启动：${s.reason}。`,
      };
    case 'stopped':
      return { en: 'The hub is stopped.', zh: '中枢已停止。' };
  }
}

export function isHubChildMessage(m: unknown): m is HubChildMessage {
  if (m === null || typeof m !== 'object') return false;
  const r = m as Record<string, unknown>;
  return (r.type === 'ready' && typeof r.url === 'string' && typeof r.port === 'number')
    || (r.type === 'failed' && typeof r.reason === 'string')
    || (r.type === 'log' && typeof r.line === 'string');
}

/** Runs the hub in an Electron utility process (entry: the bundled hub-process.cjs). */
export function utilityHubSpawner(
  utilityProcess: { fork(modulePath: string, args?: string[], options?: ForkOptions): UtilityProcess },
  entry: string,
  log: (line: string) => void,
): (launch: HubLaunch) => HubChild {
  return (launch) => {
    const proc = utilityProcess.fork(entry, [JSON.stringify(launch)], { serviceName: 'Xiuhua hub', stdio: 'pipe' });
    const forward = (stream: NodeJS.ReadableStream | null) => stream?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) log(`[hub] ${line}`);
    });
    forward(proc.stdout);
    forward(proc.stderr);
    return {
      onMessage: (listener) => proc.on('message', (m: unknown) => {
        if (isHubChildMessage(m)) listener(m);
      }),
      onExit: (listener) => proc.on('exit', listener),
      stop: () => proc.postMessage({ type: 'stop' }),
      kill: () => proc.kill(),
    };
  };
}
