// The newest playlist and the segments it lists, held in memory as ffmpeg publishes them, so answering a
// player is a map lookup rather than four file-system round trips on libuv's small thread pool. With 16
// tiles polling twice a second each, shorter answers free the browser's six connections sooner.
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { PLAYLIST } from './ffmpeg';

export type HlsCache = { get(file: string): Buffer | null; close(): void };

export function watchHlsDir(dir: string): HlsCache {
  const files = new Map<string, Buffer>();
  let closed = false;
  let reading = false;
  let again = false;
  let previous: string[] = [];

  // Segments are read only once the playlist names them: ffmpeg lists a segment only when it is complete.
  async function refresh(): Promise<void> {
    if (reading) { again = true; return; }
    reading = true;
    try {
      do {
        again = false;
        const playlist = await fs.readFile(path.join(dir, PLAYLIST)).catch(() => null);
        if (!playlist || closed) continue;
        const listed = playlist.toString('utf8').split('\n').map((l) => l.trim()).filter((l) => l.length > 0 && !l.startsWith('#'));
        for (const name of listed) {
          if (files.has(name)) continue;
          const seg = await fs.readFile(path.join(dir, name)).catch(() => null);
          if (seg && !closed) files.set(name, seg);
        }
        // Keep what this playlist lists plus what the previous one did (a player may still be fetching it).
        const keep = new Set([...listed, ...previous]);
        for (const name of files.keys()) if (name !== PLAYLIST && !keep.has(name)) files.delete(name);
        previous = listed;
        if (!closed) files.set(PLAYLIST, playlist);
      } while (again && !closed);
    } finally {
      reading = false;
    }
  }

  const watcher = fsSync.watch(dir, (_event, name) => { if (name === PLAYLIST) void refresh(); });
  watcher.on('error', () => undefined); // the directory is removed on stop; nothing to do
  return {
    get: (file) => files.get(file) ?? null,
    close() { closed = true; watcher.close(); files.clear(); },
  };
}
