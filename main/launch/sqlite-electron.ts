// Development runs of the Electron app need better-sqlite3 built for Electron's ABI, while tests and
// `npm run hub` keep the Node build in node_modules. The Electron build lives beside it, in
// node_modules/.cache, and reaches the store through XIUHUA_SQLITE_BINDING (main/store/db.ts).
// Packaged apps do not need this: electron-builder rebuilds native modules for Electron.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export function electronSqliteDir(root: string, electronVersion: string): string {
  return path.join(root, 'node_modules', '.cache', 'xiuhua', `electron-${electronVersion}-${process.platform}-${process.arch}`);
}

function run(cmd: string, args: string[], cwd: string): Promise<{ ok: boolean; output: string }> {
  const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolve) => {
    child.on('close', (code) => resolve({ ok: code === 0, output }));
    child.on('error', (e) => resolve({ ok: false, output: e.message }));
  });
}

/**
 * The path of an Electron-ABI better_sqlite3.node, building it once: the published prebuild for this
 * Electron first (prebuild-install, as better-sqlite3's own install does), else a source build with
 * @electron/rebuild.
 */
export async function ensureElectronSqlite(
  root: string,
  electronVersion: string,
  onPrepare: () => void = () => undefined,
): Promise<{ ok: true; binding: string } | { ok: false; why: string }> {
  const stage = path.join(electronSqliteDir(root, electronVersion), 'node_modules', 'better-sqlite3');
  const binding = path.join(stage, 'build', 'Release', 'better_sqlite3.node');
  if (fs.existsSync(binding)) return { ok: true, binding };
  onPrepare();

  const source = path.join(root, 'node_modules', 'better-sqlite3');
  fs.rmSync(stage, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(stage), { recursive: true });
  fs.cpSync(source, stage, { recursive: true, filter: (p) => !p.startsWith(path.join(source, 'build')) });
  fs.writeFileSync(path.join(path.dirname(path.dirname(stage)), 'package.json'), '{ "name": "xiuhua-electron-sqlite", "private": true, "dependencies": { "better-sqlite3": "*" } }\n');

  const prebuild = path.join(root, 'node_modules', 'prebuild-install', 'bin.js');
  const fetched = await run(process.execPath, [prebuild, '--runtime=electron', `--target=${electronVersion}`, `--arch=${process.arch}`], stage);
  if (fetched.ok && fs.existsSync(binding)) return { ok: true, binding };

  const rebuild = path.join(root, 'node_modules', '@electron', 'rebuild', 'lib', 'cli.js');
  const built = await run(process.execPath, [rebuild, '--version', electronVersion, '--module-dir', path.dirname(path.dirname(stage)), '--only', 'better-sqlite3', '--force'], root);
  if (built.ok && fs.existsSync(binding)) return { ok: true, binding };
  return { ok: false, why: 'better-sqlite3 could not be fetched or built for Electron' };
}
