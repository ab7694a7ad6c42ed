// Our pages come from xiuhua://app/, served from the built renderer (dist/renderer, inside the asar
// when packaged) rather than from the hub: the code next to the preload bridge is always the code we
// shipped, even when the hub is a remote machine; and the origin stays the same when the embedded
// hub's port or the remote hub changes, so the console's local storage (language, layouts) survives.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Protocol } from 'electron';
import { APP_ORIGIN, APP_SCHEME, contentSecurityPolicy, originOf } from './security';

/** Must run before `app` is ready: a standard, secure scheme gets an origin, storage, fetch and CORS. */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([{
    scheme: APP_SCHEME,
    privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, stream: true, codeCache: true },
  }]);
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.geojson': 'application/geo+json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.pbf': 'application/x-protobuf',
  '.wasm': 'application/wasm',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.wav': 'audio/wav',
  '.txt': 'text/plain; charset=utf-8',
};

/** The file a request maps to, or null when it is not ours or would leave the renderer folder. */
export function resolveAppFile(rendererDir: string, url: string): string | null {
  if (originOf(url) !== APP_ORIGIN) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(url).pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0')) return null;
  const rel = path.posix.normalize(pathname === '/' ? '/index.html' : pathname).replace(/^\/+/, '');
  const root = path.resolve(rendererDir);
  const file = path.resolve(root, rel);
  return file.startsWith(root + path.sep) ? file : null;
}

export type AppResponse = { status: number; headers: Record<string, string>; body: Uint8Array<ArrayBuffer> | null };

/** Answers one request to xiuhua://app/: the file, with our CSP, or a plain 404/405. */
export async function appResponse(
  rendererDir: string,
  method: string,
  url: string,
  hubUrl: string | null,
): Promise<AppResponse> {
  const headers = {
    'Content-Security-Policy': contentSecurityPolicy(hubUrl),
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-cache',
  };
  if (method !== 'GET' && method !== 'HEAD') return { status: 405, headers, body: null };
  const file = resolveAppFile(rendererDir, url);
  if (!file) return { status: 404, headers, body: null };
  try {
    const body = new Uint8Array(await fs.readFile(file));
    const type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    return { status: 200, headers: { ...headers, 'Content-Type': type }, body: method === 'HEAD' ? null : body };
  } catch {
    return { status: 404, headers, body: null };
  }
}

export function serveAppProtocol(
  protocol: Pick<Protocol, 'handle'>,
  rendererDir: string,
  hubUrl: () => string | null,
): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const r = await appResponse(rendererDir, request.method, request.url, hubUrl());
    return new Response(r.body, { status: r.status, headers: r.headers });
  });
}
