// Serves the built console (dist/renderer) at / and the field page at /field. Nothing outside that folder.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IncomingMessage, ServerResponse } from 'node:http';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2', '.geojson': 'application/geo+json',
  '.wasm': 'application/wasm', '.ico': 'image/x-icon', '.mp3': 'audio/mpeg', '.wav': 'audio/wav',
};

export const DEFAULT_RENDERER_DIR = fileURLToPath(new URL('../../dist/renderer', import.meta.url));

export function serveStatic(rootDir: string, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  const url = new URL(req.url ?? '/', 'http://hub');
  const pathname = url.pathname === '/' ? '/index.html' : url.pathname === '/field' ? '/field.html' : url.pathname;
  const root = path.resolve(rootDir);
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    res.writeHead(400).end('bad path');
    return;
  }
  const file = path.resolve(root, `.${decoded}`);
  if (decoded.includes('\0') || !file.startsWith(root + path.sep)) {
    res.writeHead(400).end('bad path');
    return;
  }
  fs.stat(file, (err, st) => {
    if (err || !st.isFile()) {
      const missingBuild = !fs.existsSync(path.join(root, 'index.html'));
      res.writeHead(missingBuild ? 503 : 404, { 'content-type': 'text/plain; charset=utf-8' })
        .end(missingBuild ? 'The console is not built yet: run `npm run build`.' : 'not found');
      return;
    }
    const ext = path.extname(file);
    res.writeHead(200, {
      'content-type': TYPES[ext] ?? 'application/octet-stream',
      'content-length': st.size,
      // hashed asset names can be cached; the HTML must not be, so a new build is picked up
      'cache-control': ext === '.html' ? 'no-cache' : 'public, max-age=31536000, immutable',
      'x-content-type-options': 'nosniff',
    });
    if (req.method === 'HEAD') res.end();
    else fs.createReadStream(file).pipe(res);
  });
}
