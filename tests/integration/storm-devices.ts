// Field devices for the reconnect storm (reconnect-storm.test.ts), in a child process of their own: with
// the devices and the hub in one process, its open files (a client and a server socket per device, 20,000
// here and not to be raised) ran out at 9,988 of 10,000. A child holds its share of the devices' sockets,
// counts their session:ready events and reports the counts to the test over IPC (as the benches'
// loadgen.ts does), so the hub's process holds only the server's side.
//
// Protocol (IPC): the parent sends { op: 'connect', url, devices: [{ id, secret }] } once; the child
// answers { type: 'progress', ready1, ready2, errors } every PROGRESS_MS and whenever asked
// ({ op: 'progress' }), where readyN counts devices that have had at least N session:ready events;
// { op: 'report' } answers { type: 'report', readyAt: number[][] } (epoch ms of each device's readies,
// the same clock as the parent's). The child exits when its IPC channel closes.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { io, type Socket } from 'socket.io-client';

const SELF = fileURLToPath(import.meta.url);
const PROGRESS_MS = 200;

export type DeviceCredential = { id: string; secret: string };
export type DeviceProgress = { ready1: number; ready2: number; errors: Record<string, number> };
type ChildMessage = ({ type: 'progress' } & DeviceProgress) | { type: 'report'; readyAt: number[][] };

/** One child holding a share of the storm's devices, as the parent sees it. */
export class DeviceGroup {
  progress: DeviceProgress = { ready1: 0, ready2: 0, errors: {} };
  private reportWaiter: ((readyAt: number[][]) => void) | null = null;
  private exitCode: number | null | undefined;
  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: ChildMessage) => {
      if (m.type === 'progress') this.progress = { ready1: m.ready1, ready2: m.ready2, errors: m.errors };
      else this.reportWaiter?.(m.readyAt);
    });
    child.once('exit', (code) => (this.exitCode = code));
  }

  /** Spawns the child and has it open one socket per device on `url`'s /field namespace. */
  static start(url: string, devices: DeviceCredential[]): DeviceGroup {
    const child = spawn(process.execPath, ['--import', 'tsx', SELF], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    process.once('exit', () => child.kill('SIGKILL'));
    child.send({ op: 'connect', url, devices });
    return new DeviceGroup(child);
  }

  /** Undefined while the child runs; its exit code (or null, killed) once it ended. */
  exited(): number | null | undefined {
    return this.exitCode;
  }

  /** Every device's session:ready times. */
  report(): Promise<number[][]> {
    return new Promise((resolve, reject) => {
      if (this.exitCode !== undefined) return reject(new Error(`device child exited (${this.exitCode})`));
      this.reportWaiter = resolve;
      this.child.send({ op: 'report' });
    });
  }

  async close(): Promise<void> {
    if (this.exitCode !== undefined) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.disconnect(); // the child closes its sockets and exits
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------------
// The child's side.

function serve(): void {
  const sockets: Socket[] = [];
  let readyAt: number[][] = [];
  const errors: Record<string, number> = {};
  const progress = () => {
    let ready1 = 0;
    let ready2 = 0;
    for (const r of readyAt) {
      if (r.length > 0) ready1++;
      if (r.length > 1) ready2++;
    }
    if (process.connected) process.send!({ type: 'progress', ready1, ready2, errors });
  };
  process.on('message', (m: { op: string; url?: string; devices?: DeviceCredential[] }) => {
    if (m.op === 'connect') {
      readyAt = m.devices!.map(() => []);
      m.devices!.forEach((d, i) => {
        const socket = io(`${m.url}/field`, { auth: { deviceId: d.id, secret: d.secret }, transports: ['websocket'], forceNew: true, reconnectionDelay: 200, reconnectionDelayMax: 2000 });
        sockets.push(socket);
        socket.on('session:ready', () => readyAt[i]!.push(Date.now()));
        socket.on('connect_error', (e) => (errors[e.message] = (errors[e.message] ?? 0) + 1));
      });
      setInterval(progress, PROGRESS_MS).unref();
    } else if (m.op === 'progress') {
      progress();
    } else if (m.op === 'report') {
      process.send!({ type: 'report', readyAt });
    }
  });
  process.on('disconnect', () => {
    for (const s of sockets) s.disconnect();
    process.exit(0);
  });
}

if (process.argv[1] === SELF && process.send) serve();
