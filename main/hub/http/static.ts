// The built console (dist/renderer): files are found and streamed by @fastify/send, which decodes the path,
// refuses NUL bytes, `..` and dotfiles and answers conditional and range requests; this file adds only
// our caching and type rules. Nothing outside the renderer folder is ever served.
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { IncomingMessage, ServerResponse } from 'node:http';
import send from '@fastify/send';
import { answer } from './answer';

export const DEFAULT_RENDERER_DIR = fileURLToPath(new URL('../../../dist/renderer', import.meta.url));

export const NOT_BUILT = 'The console is not built yet: run `npm run build` (or `npx vite build --config renderer/vite.config.ts`).';

// Our own table for what browsers are strict about: module workers (.mjs) must come as JavaScript.
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.woff2': 'font/woff2', '.geojson': 'application/geo+json', '.wasm': 'application/wasm', '.ico': 'image/x-icon',
  '.mp3': 'audio/mpeg', '.wav': 'audio/wav',
};

/** Vite names every file under assets/ by its content hash, so those may be cached for good; nothing else may. */
function cacheControl(relPath: string): string {
  return relPath.startsWith('assets/') && path.extname(relPath) !== '.html' ? 'public, max-age=31536000, immutable' : 'no-cache';
}

/**
 * Serves one file of the renderer folder. `urlPath` is the request's path, still percent-encoded, without
 * the query (send decodes it and refuses what does not decode).
 */
export async function serveRendererFile(rootDir: string, urlPath: string, req: IncomingMessage, res: ServerResponse, log: (line: string) => void): Promise<void> {
  const root = path.resolve(rootDir);
  const result = await send(req, urlPath, { root, index: false, dotfiles: 'deny', cacheControl: false, extensions: false });
  if (result.type !== 'file') {
    result.stream.destroy();
    const status = result.type === 'directory' ? 404 : result.statusCode;
    if (status === 404 && !fs.existsSync(path.join(root, 'index.html'))) { answer(res, 503, NOT_BUILT); return; }
    // Keep what send says about the refusal (e.g. Content-Range on 416), with our own short body.
    const { 'Content-Type': _type, 'Content-Length': _length, ...extra } = result.headers;
    answer(res, status, status === 404 ? 'not found' : status === 400 ? 'bad path' : status === 403 ? 'forbidden' : status < 400 ? '' : 'refused', extra);
    return;
  }
  const file = result.metadata.path;
  // send already confines the path to root; this is the line that says so, checked on the real path.
  if (!file.startsWith(root + path.sep)) { result.stream.destroy(); answer(res, 404, 'not found'); return; }
  const rel = path.relative(root, file).split(path.sep).join('/');
  const headers: Record<string, string> = {
    ...result.headers,
    'Cache-Control': cacheControl(rel),
    'X-Content-Type-Options': 'nosniff',
  };
  const type = TYPES[path.extname(file).toLowerCase()];
  if (type) headers['Content-Type'] = type;
  res.writeHead(result.statusCode, headers);
  pipeline(result.stream, res, (err) => {
    // A viewer that goes away mid-file is normal; anything else is worth a line.
    if (err && (err as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') log(`http: streaming ${rel} failed: ${err.message}`);
  });
}
