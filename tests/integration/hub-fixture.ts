// A real hub on port 0 with a real SQLite file in a temp dir, and real socket.io clients.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import type { ConsoleClientEvents, ConsoleServerEvents, FieldClientEvents, FieldServerEvents, SessionReady, Snapshot } from '../../shared/protocol/sockets';
import type { Issue } from '../../shared/protocol/commands';
import { startHub, type Hub, type HubOptions } from '../../main/hub/server';
import { simulateDemoCity } from '../../main/sim/demo';
import { consoleHandlers } from '../../main/hub/handlers/console';
import { consoleReads } from '../../main/hub/handlers/reads';
import { fieldHandlers, fieldRequests } from '../../main/hub/handlers/field';
import { VOICE_EVENTS } from '../../main/hub/voice/tables';

export type ConsoleClient = Socket<ConsoleServerEvents, ConsoleClientEvents>;
export type FieldClient = Socket<FieldServerEvents, FieldClientEvents>;

export function tempDir(prefix = 'xiuhua-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export type TestHubOptions = Partial<HubOptions> & { /** run the demo simulator beside it (default: a still city) */ simulate?: boolean };

export async function startTestHub(opts: TestHubOptions = {}): Promise<Hub & { dataDir: string }> {
  const { simulate, ...hubOpts } = opts;
  const dataDir = hubOpts.dataDir ?? tempDir();
  const hub = await startHub({ port: 0, dataDir, demo: true, log: () => {}, ...hubOpts });
  return Object.assign(simulate ? await simulateDemoCity(hub) : hub, { dataDir });
}

const sockets: Socket[] = [];
/** Disconnect every client the test opened (call in afterEach). */
export function closeClients(): void {
  for (const s of sockets.splice(0)) s.disconnect();
}

export function consoleClient(url: string, auth: Record<string, unknown>): Promise<{ socket: ConsoleClient; ready: SessionReady }> {
  const socket: ConsoleClient = io(`${url}/console`, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('session:ready', (ready) => resolve({ socket, ready }));
    socket.once('connect_error', (e) => reject(e));
  });
}

export function fieldClient(url: string, auth: Record<string, unknown> = { deviceId: 'sim-gateway', secret: 'demo' }): Promise<FieldClient> {
  const socket: FieldClient = io(`${url}/field`, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('session:ready', () => resolve(socket));
    socket.once('connect_error', (e) => reject(e));
  });
}

let n = 0;
/** A fresh commandId each call. */
export const cid = () => `test-${process.pid}-${Date.now().toString(36)}-${n++}`;

/** Emit and wait for the ack, typed loosely: tests also send payloads the types forbid. */
export function ask(socket: Socket, event: string, payload: unknown, timeoutMs = 5000): Promise<{ ok: boolean; result?: any; error?: { code: string; message: string; issues?: Issue[]; issueCount?: number } }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return socket.timeout(timeoutMs).emitWithAck(event, payload);
}

/**
 * `ask`, but waits out the hub's rate limit: a test that sends many messages in a row must not depend
 * on how fast the machine runs it (a fast run hits the per-second budget, a loaded one does not).
 */
export async function askPatiently(socket: Socket, event: string, payload: unknown): ReturnType<typeof ask> {
  for (;;) {
    const res = await ask(socket, event, payload, 10_000);
    if (res.error?.code !== 'rate_limited') return res;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Waits until `count()` reaches `target`. It fails only when the count has not risen for `stallMs`: on a
 * loaded machine a storm is slow but moves, while a stuck hub or client stays still — a fixed deadline
 * cannot tell the two apart.
 */
export async function untilReached(count: () => number, target: number, what: string, stallMs = 60_000): Promise<void> {
  let best = count();
  let movedAt = Date.now();
  for (;;) {
    const now = count();
    if (now >= target) return;
    if (now > best) {
      best = now;
      movedAt = Date.now();
    } else if (Date.now() - movedAt > stallMs) {
      throw new Error(`${what}: ${now} of ${target}, no progress for ${stallMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every event each namespace serves, read from the hub's command and request tables. */
export const CONSOLE_EVENTS = [...Object.keys(consoleHandlers({ dataDir: '/nonexistent' })), ...Object.keys(consoleReads({ token: 'x' })), ...VOICE_EVENTS.console];
export const FIELD_EVENTS = [...Object.keys(fieldHandlers), ...Object.keys(fieldRequests), ...VOICE_EVENTS.field];

export const NANJING: [number, number] = [118.7835, 32.0415];

/** The test's own view of the hub: a snapshot over a plain socket.io client of its own. */
export async function hubSnapshot(url: string): Promise<Snapshot> {
  const { socket } = await consoleClient(url, { username: 'operator', password: 'demo' });
  try {
    const res = await ask(socket, 'state:snapshot', {}, 10_000);
    if (!res.ok) throw new Error(res.error?.message);
    return res.result as Snapshot;
  } finally {
    socket.disconnect();
  }
}
