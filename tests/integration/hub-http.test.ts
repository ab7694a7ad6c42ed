// The hub's HTTP side on a real hub: the requests that used to end the process, the console's caching and
// type rules, the not-built notice, and media URLs carrying short-lived per-camera tokens.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { closeClients, consoleClient, ask, startTestHub, tempDir } from './hub-fixture';
import { fakeRenderer, get, rawRequest } from './raw-http';
import type { Hub } from '../../main/hub/server';
import { createMediaTokens } from '../../main/media/token';
import { sessionId } from '../../main/hub/auth';

describe('hub HTTP: malformed paths', () => {
  let hub: Hub & { dataDir: string };
  let logs: string[];
  beforeAll(async () => {
    const dir = tempDir('xiuhua-http-');
    fakeRenderer(path.join(dir, 'renderer'));
    logs = [];
    hub = await startTestHub({ rendererDir: path.join(dir, 'renderer'), log: (l) => logs.push(l) });
  });
  afterAll(async () => { await hub.close(); });

  it('answers the three paths that used to end the hub with 400, and keeps serving', async () => {
    for (const p of ['/%00', '/index.html%00.js', '/%E0%A4%A']) {
      const res = await get(hub.port, p);
      expect(res.status, p).toBe(400);
    }
    const after = await fetch(`${hub.url}/hub.json`);
    expect(after.status).toBe(200);
    expect((await after.json()).product).toBe('xiuhua');
  });

  it('refuses paths that climb out of the renderer folder', async () => {
    fs.writeFileSync(path.join(hub.dataDir, 'outside.txt'), 'SECRET');
    for (const p of ['/../outside.txt', '/%2e%2e/outside.txt', '/..%2foutside.txt', '/assets/..%2f..%2foutside.txt', '/..%5coutside.txt', '/.git/config']) {
      const res = await get(hub.port, p);
      expect([400, 403, 404], p).toContain(res.status);
      expect(res.body.toString(), p).not.toContain('SECRET');
    }
  });

  it('answers unknown methods, malformed request lines and overlong headers, and logs them', async () => {
    expect((await get(hub.port, '/', 'POST')).status).toBe(405);
    expect((await get(hub.port, '/', 'DELETE')).headers.allow).toBe('GET, HEAD');
    expect((await rawRequest(hub.port, 'BREW / HTTP/1.1\r\nHost: x\r\n\r\n')).status).toBe(400);
    expect((await rawRequest(hub.port, 'GET / HTTP/1.1\r\nX-Long: ' + 'a'.repeat(20_000) + '\r\n\r\n')).status).toBe(431);
    const junk = await rawRequest(hub.port, Buffer.from([0, 1, 2, 255, 13, 10, 13, 10]));
    expect(junk.status).toBe(400);
    expect(logs.some((l) => l.startsWith('http: malformed request'))).toBe(true);
    expect((await fetch(`${hub.url}/`)).status).toBe(200);
  });
});

describe('hub HTTP: the console', () => {
  let hub: Hub & { dataDir: string };
  let files: Record<string, string>;
  beforeAll(async () => {
    const dir = tempDir('xiuhua-http-');
    files = fakeRenderer(path.join(dir, 'renderer'));
    hub = await startTestHub({ rendererDir: path.join(dir, 'renderer') });
  });
  afterAll(async () => { await hub.close(); });

  it('serves the console at /, the field page at /field, with HTML never cached', async () => {
    for (const [p, file] of [['/', 'index.html'], ['/field', 'field.html'], ['/index.html', 'index.html']] as const) {
      const res = await fetch(`${hub.url}${p}`);
      expect(res.status, p).toBe(200);
      expect(await res.text(), p).toBe(files[file]);
      expect(res.headers.get('content-type'), p).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control'), p).toBe('no-cache');
      expect(res.headers.get('x-content-type-options'), p).toBe('nosniff');
    }
  });

  it('caches hashed assets for good, other files not, and serves .mjs as JavaScript', async () => {
    const js = await fetch(`${hub.url}/assets/index-3f9a1c.js`);
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const mjs = await fetch(`${hub.url}/assets/maplibre-worker-a1b2c3.mjs`);
    expect(mjs.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await mjs.text()).toBe(files['assets/maplibre-worker-a1b2c3.mjs']);
    const svg = await fetch(`${hub.url}/favicon.svg`);
    expect(svg.headers.get('cache-control')).toBe('no-cache');
    expect(svg.headers.get('x-content-type-options')).toBe('nosniff');
    // Conditional requests are answered by the file server: a revalidation costs no body. (Raw, because
    // fetch() adds `Cache-Control: no-cache` to conditional requests, which rightly forces a full answer.)
    const etag = (await fetch(`${hub.url}/`)).headers.get('etag');
    expect(etag).toBeTruthy();
    const again = await rawRequest(hub.port, `GET / HTTP/1.1\r\nHost: x\r\nIf-None-Match: ${etag}\r\nConnection: close\r\n\r\n`);
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect((await fetch(`${hub.url}/missing.js`)).status).toBe(404);
    expect((await fetch(`${hub.url}/assets`)).status).toBe(404);
  });

  it('says the console is not built when the folder has no index.html', async () => {
    const empty = tempDir('xiuhua-http-empty-');
    const bare = await startTestHub({ rendererDir: empty });
    try {
      for (const p of ['/', '/field', '/assets/index-3f9a1c.js']) {
        const res = await fetch(`${bare.url}${p}`);
        expect(res.status, p).toBe(503);
        expect(await res.text(), p).toMatch(/not built yet: run `npm run build`/);
      }
    } finally {
      await bare.close();
    }
  });
});

describe('media tokens', () => {
  let hub: Hub & { dataDir: string };
  beforeAll(async () => { hub = await startTestHub(); });
  afterAll(async () => { await hub.close(); });
  afterEach(() => closeClients());

  const tokenOf = (url: string) => new URL(url).searchParams.get('token') ?? '';
  const status = async (url: string) => { const r = await fetch(url); await r.arrayBuffer(); return r.status; };

  async function mediaUrl(socket: Parameters<typeof ask>[0], cameraId: string): Promise<string> {
    const res = await ask(socket, 'stream:token', { cameraId });
    expect(res.ok, res.error?.message).toBe(true);
    return res.result.url as string;
  }

  it('gives a URL that opens its own camera only, and never carries the session token', async () => {
    const { socket, ready } = await consoleClient(hub.url, { username: 'operator', password: 'demo' });
    const snap = await ask(socket, 'state:snapshot', {});
    const [a, b] = (snap.result.cameras as { id: string; sources: { kind: string }[] }[]).filter((c) => c.sources[0]?.kind !== 'hls');
    expect(a && b).toBeTruthy();
    const urlA = await mediaUrl(socket, a!.id);
    expect(urlA).not.toContain(ready.token);
    expect(urlA).not.toContain(encodeURIComponent(ready.token));
    expect(await status(urlA)).not.toBe(401); // 200 or 503 "starting": the token was accepted
    const stolen = new URL(urlA);
    stolen.pathname = stolen.pathname.replace(`/media/${a!.id}/`, `/media/${b!.id}/`);
    expect(await status(stolen.href)).toBe(401);
    // The session token itself is no media token.
    expect(await status(`${hub.url}/media/${a!.id}/index.m3u8?token=${encodeURIComponent(ready.token)}`)).toBe(401);
  });

  it('refuses a media token as a socket login', async () => {
    const { socket } = await consoleClient(hub.url, { username: 'operator', password: 'demo' });
    const snap = await ask(socket, 'state:snapshot', {});
    const cam = (snap.result.cameras as { id: string; sources: { kind: string }[] }[]).find((c) => c.sources[0]?.kind !== 'hls')!;
    const token = tokenOf(await mediaUrl(socket, cam.id));
    await expect(consoleClient(hub.url, { token })).rejects.toThrow(/session_expired/);
  });

  it('refuses a media token once its session is gone, and an expired or forged one', async () => {
    const { socket, ready } = await consoleClient(hub.url, { username: 'operator', password: 'demo' });
    const snap = await ask(socket, 'state:snapshot', {});
    const cam = (snap.result.cameras as { id: string; sources: { kind: string }[] }[]).find((c) => c.sources[0]?.kind !== 'hls')!;
    const url = await mediaUrl(socket, cam.id);
    expect(await status(url)).not.toBe(401);
    // Tokens signed with another key (another hub, or a forger) are refused, however well-formed.
    const foreign = createMediaTokens().issue(sessionId(ready.token), cam.id, Date.now()).token;
    expect(await status(`${hub.url}/media/${cam.id}/index.m3u8?token=${foreign}`)).toBe(401);
    // The session expires (as after 12 hours) or is removed: its media URLs stop working at once.
    hub.db.prepare('UPDATE sessions SET expires_at = ? WHERE token_hash = ?').run(Date.now() - 1, sessionId(ready.token));
    expect(await status(url)).toBe(401);
  });
});

describe('media token format', () => {
  const tokens = createMediaTokens({ ttlMs: 1000 });
  const sid = sessionId('a session token');
  it('is bound to a camera, a session and an expiry', () => {
    const now = 1_000_000;
    const { token, expiresAt } = tokens.issue(sid, 'cam-a', now);
    expect(expiresAt).toBe(now + 1000);
    expect(token).not.toContain('a session token');
    expect(tokens.verify(token, 'cam-a', now + 999)).toBe(sid);
    expect(tokens.verify(token, 'cam-a', now + 1000)).toBeNull(); // expired
    expect(tokens.verify(token, 'cam-b', now)).toBeNull();
    const [v, exp, s, mac] = token.split('.');
    const later = (parseInt(exp!, 36) + 60_000).toString(36);
    expect(tokens.verify([v, later, s, mac].join('.'), 'cam-a', now)).toBeNull(); // expiry cannot be stretched
    expect(tokens.verify([v, exp, sessionId('another'), mac].join('.'), 'cam-a', now)).toBeNull();
    expect(tokens.verify('a session token', 'cam-a', now)).toBeNull();
  });
});
