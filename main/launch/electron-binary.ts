// Finding the Electron binary without ever crashing. The electron package downloads its binary
// lazily on the first require() and throws if that fails (no internet); we ask in a child process,
// with output captured and a time limit, so a failure becomes a plain answer.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export type ElectronBinary = { ok: true; path: string; version: string } | { ok: false; why: string };

/** Installed already (no download needed)? Mirrors node_modules/electron/index.js without its side effects. */
export function installedElectron(electronDir: string, env: NodeJS.ProcessEnv = process.env): string | null {
  let rel: string | null;
  try {
    rel = fs.readFileSync(path.join(electronDir, 'path.txt'), 'utf8');
  } catch {
    rel = null;
  }
  const bin = env.ELECTRON_OVERRIDE_DIST_PATH
    ? path.join(env.ELECTRON_OVERRIDE_DIST_PATH, rel ?? 'electron')
    : rel ? path.join(electronDir, 'dist', rel) : null;
  return bin && fs.existsSync(bin) ? bin : null;
}

export function electronVersion(electronDir: string): string {
  return (JSON.parse(fs.readFileSync(path.join(electronDir, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * The binary's path, downloading it on first use where that is possible. `onSlow` is called once if
 * the answer takes more than a few seconds (a download is running), so the user knows why they wait.
 */
export async function findElectron(
  electronDir: string,
  opts: { timeoutMs?: number; onSlow?: () => void; env?: NodeJS.ProcessEnv } = {},
): Promise<ElectronBinary> {
  const env = opts.env ?? process.env;
  let version: string;
  try {
    version = electronVersion(electronDir);
  } catch {
    return { ok: false, why: 'the electron package is not installed' };
  }
  const installed = installedElectron(electronDir, env);
  if (installed) return { ok: true, path: installed, version };

  const child = spawn(process.execPath, ['-e', `process.stdout.write(require(${JSON.stringify(electronDir)}))`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const slow = setTimeout(() => opts.onSlow?.(), 3000);
  const timeout = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 10 * 60_000);
  const code = await new Promise<number | null>((resolve) => {
    child.on('close', (c) => resolve(c));
    child.on('error', () => resolve(null));
  });
  clearTimeout(slow);
  clearTimeout(timeout);
  // index.js prints its own "Downloading…" line on stdout before the path; the path is the last line.
  const bin = out.trim().split('\n').pop()?.trim() ?? '';
  if (code === 0 && bin && fs.existsSync(bin)) return { ok: true, path: bin, version };
  const firstError = err.split('\n').find((l) => /error/i.test(l))?.trim();
  return { ok: false, why: code === null ? 'the download timed out' : (firstError ?? 'the download failed') };
}
