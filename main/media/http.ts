// Parsing of /media/<cameraId>/<file> requests. Strict on purpose: anything that is not exactly a camera id
// and one of the few file names ffmpeg writes is refused before it gets near the file system.
import { Id } from '../../shared/domain';

export const MEDIA_PREFIX = '/media/';
const FILE = /^(index\.m3u8|seg\d{1,20}\.ts|init\.mp4|seg\d{1,20}\.m4s)$/;

export type MediaRequest =
  | { ok: true; cameraId: string; file: string; token: string | null }
  | { ok: false; status: 400 | 405; message: string };

/** null when the path is not under /media/ at all (the request belongs to someone else). */
export function parseMediaRequest(method: string | undefined, rawUrl: string | undefined): MediaRequest | null {
  const url = rawUrl ?? '/';
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  if (!rawPath.startsWith(MEDIA_PREFIX) && rawPath !== '/media') return null;
  if (method !== 'GET' && method !== 'HEAD') return { ok: false, status: 405, message: 'method not allowed' };
  // Valid ids and file names never need percent-encoding, so any escape, backslash or dot segment is an attack.
  const parts = rawPath.slice(MEDIA_PREFIX.length).split('/');
  const [cameraId, file] = parts;
  if (parts.length !== 2 || cameraId === undefined || file === undefined || /[%\\]/.test(rawPath)
    || cameraId === '.' || cameraId === '..' || !Id.safeParse(cameraId).success || !FILE.test(file)) {
    return { ok: false, status: 400, message: 'bad media path' };
  }
  const params = new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
  return { ok: true, cameraId, file, token: params.get('token') };
}

export function contentType(file: string): string {
  if (file.endsWith('.m3u8')) return 'application/vnd.apple.mpegurl';
  if (file.endsWith('.ts')) return 'video/mp2t';
  if (file.endsWith('.m4s')) return 'video/iso.segment';
  return 'video/mp4';
}
