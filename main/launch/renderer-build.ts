// `npm start` builds the console only when it has to: when dist/renderer is missing or older than
// anything it is built from.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

function newestMtime(entry: string): number {
  let st: fs.Stats;
  try {
    st = fs.statSync(entry);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of fs.readdirSync(entry)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(path.join(entry, name)));
  }
  return newest;
}

/** The sources the renderer bundle is made of (shared/ is compiled into it, basemap too). */
export function rendererInputs(root: string): string[] {
  return ['renderer', 'shared', 'resources/basemap'].map((p) => path.join(root, p));
}

export function rendererIsStale(root: string, outDir: string): boolean {
  const built = newestMtime(path.join(outDir, 'index.html'));
  if (built === 0) return true;
  return rendererInputs(root).some((p) => newestMtime(p) > built);
}

/** Runs vite build; resolves with vite's output when it fails so the caller can show it. */
export function buildRenderer(root: string): Promise<{ ok: true } | { ok: false; output: string }> {
  const vite = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const child = spawn(process.execPath, [vite, 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolve) => {
    child.on('close', (code) => resolve(code === 0 ? { ok: true } : { ok: false, output }));
    child.on('error', (e) => resolve({ ok: false, output: e.message }));
  });
}
