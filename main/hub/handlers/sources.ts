// Where a camera's file source may be: inside the hub's data folder only, checked on the real path
// (symlinks resolved), and a regular file (not a device, pipe or folder). The schema in shared/ has already
// refused relative paths, dot segments and option-like values; this is the part that needs the file system.
import fs from 'node:fs';
import path from 'node:path';
import type { Camera } from '../../../shared/domain';
import { CommandFailure } from '../commands';

/** The camera with each file source replaced by its real path, or a CommandFailure saying which source is wrong. */
export function confineFileSources(dataDir: string, camera: Camera): Camera {
  if (!camera.sources.some((s) => s.kind === 'file')) return camera;
  const root = fs.realpathSync(dataDir);
  const sources = camera.sources.map((s, i) => {
    if (s.kind !== 'file') return s;
    const where = `camera.sources.${i}.url`;
    let real: string;
    try {
      real = fs.realpathSync(s.url);
    } catch {
      throw new CommandFailure('not_found', `${where}: no file ${s.url}`);
    }
    if (!real.startsWith(root + path.sep)) {
      throw new CommandFailure('invalid_payload', `${where}: a file source must lie inside the hub's data folder (${root})`);
    }
    if (!fs.statSync(real).isFile()) throw new CommandFailure('invalid_payload', `${where}: not a regular file`);
    return { ...s, url: real };
  });
  return { ...camera, sources };
}
