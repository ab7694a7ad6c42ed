// The benches' shared helpers (issue 17): one copy of what every bench used to define for itself.
// Not a bench: it exports no run(), so `npm run bench` skips it.
import fs from 'node:fs';
import os from 'node:os';
import type { Socket } from 'socket.io-client';

/** A positive integer knob from the environment (BENCH_*), or the default when unset or nonsense. */
export const envInt = (name: string, dflt: number): number => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? Math.floor(v) : dflt;
};

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
export const round2 = (x: number) => Math.round(x * 100) / 100;

/** A wall-clock time with sub-millisecond resolution, comparable across callbacks and across processes
 * on one machine (both use the same system clock at their time origin). */
export const preciseNow = () => performance.timeOrigin + performance.now();

/** The p-quantile (0..1) of an ascending array; NaN when empty. Nearest rank, as all benches report it. */
export function quantile(sorted: ArrayLike<number>, p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/** CPU seconds (user + system) a process has used so far, from Linux /proc; NaN elsewhere or once it exited. */
export function processCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

/** This process's CPU seconds (user + system). */
export const selfCpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** The 1/5/15-minute load averages as printed beside every figure: the machine is shared, and others' work skews them. */
export const loadAverage = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');

/** The run's size, from `npm run bench -- --size small|full` (run.ts sets BENCH_SIZE): small is a quick run. */
export const benchSize = (): 'small' | 'full' => (process.env.BENCH_SIZE === 'small' ? 'small' : 'full');

/** Resolves with the socket once it connects; rejects on its first connect_error or after `timeoutMs`. */
export function connected<S extends Socket>(socket: S, what: string, timeoutMs = 60_000): Promise<S> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no connection within ${timeoutMs / 1000} s`)), timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('connect_error', (e) => {
      clearTimeout(timer);
      reject(new Error(`${what}: ${e.message}`));
    });
  });
}
