// A hub as its own process, on `npm run hub`'s code path (main/cli/hub.ts, demo store, no simulator), for
// tests that do to it what cannot be done to the test's own process: limit its files, mount its data
// dir on a small filesystem, trace its system calls.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type HubChild = {
  proc: ChildProcess;
  /** the hub's own Node process (not a wrapper's) */
  hubPid: number;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
  /** SIGTERM to the hub and wait for its exit code */
  stop: () => Promise<number | null>;
};

/** The argv that runs the hub CLI; `wrap` puts it inside another command (e.g. a shell that mounts first). */
export function hubArgv(dataDir: string): string[] {
  return [process.execPath, '--import', 'tsx', path.join(ROOT, 'main/cli/hub.ts'), '--port', '0', '--data', dataDir, '--demo', '--no-sim'];
}

/** Direct children of a process, from /proc. */
function childrenOf(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** The Node process at or below `pid` (a wrapper such as sh or strace runs it as a child). */
function findNode(pid: number): number | undefined {
  try {
    if (fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'node') return pid;
  } catch {
    return undefined;
  }
  for (const c of childrenOf(pid)) {
    const found = findNode(c);
    if (found) return found;
  }
  return undefined;
}

export async function startHubChild(argv: string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<HubChild> {
  const proc = spawn(argv[0]!, argv.slice(1), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code, signal) => {
    if (code === null) out += `\n(hub child ended by ${signal})`;
    resolve(code);
  }));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hub did not listen within ${opts.timeoutMs ?? 120_000} ms:\n${out.slice(-3000)}`)), opts.timeoutMs ?? 120_000);
    const onData = () => {
      const m = /hub listening on (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    proc.stdout!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`hub exited (${code}) before listening:\n${out.slice(-3000)}`));
    });
  });
  const hubPid = findNode(proc.pid!);
  if (!hubPid) throw new Error('could not find the hub process');
  return {
    proc, hubPid, url, output: () => out, exited,
    stop: async () => {
      try { process.kill(hubPid, 'SIGTERM'); } catch { /* gone already */ }
      return exited;
    },
  };
}
