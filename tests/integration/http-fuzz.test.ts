// Fuzzing the hub's HTTP side over raw TCP: thousands of generated requests (paths of random bytes,
// percent-escapes, NUL, `..`, overlong segments; known, unknown and lower-case methods; odd encodings,
// ranges, conditionals, overlong headers; malformed request lines). At the end the hub must be alive,
// every request must have been answered with a status (malformed HTTP: or the connection closed by the
// server), no answer may be a 500, and nothing but the renderer's own files (or /hub.json) is ever served.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import fs from 'node:fs';
import path from 'node:path';
import { startTestHub, tempDir, hubSnapshot } from './hub-fixture';
import { fakeRenderer, rawRequest, type RawAnswer } from './raw-http';
import type { Hub } from '../../main/hub/server';

const SEED = 20261201;
const SECRET = 'XIUHUA-FUZZ-SECRET-7f3a';

type Case = { kind: 'request' | 'malformed'; bytes: Buffer; halfClose: boolean };

const hex = (n: number) => `%${n.toString(16).padStart(2, '0').toUpperCase()}`;

const known = fc.constantFrom('index.html', 'field.html', 'assets', 'index-3f9a1c.js', 'maplibre-worker-a1b2c3.mjs', 'favicon.svg', 'field', 'hub.json');
const segment = fc.oneof(
  { weight: 12, arbitrary: known },
  // A real name with some characters percent-encoded: decodes to a file that exists.
  { weight: 3, arbitrary: fc.tuple(known, fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }))
    .map(([name, enc]) => [...name].map((ch, i) => (enc[i] ? hex(ch.charCodeAt(0)) : ch)).join('')) },
  fc.constantFrom('', '.', '..', '%2e%2e', '%2E%2e', '.%2e', '%2f', '%5c', '%00', '%', '%E0%A4%A', '%C0%AE%C0%AE', '%FF', '\\',
    'index.html', 'field.html', 'assets', 'index-3f9a1c.js', 'maplibre-worker-a1b2c3.mjs', 'favicon.svg', 'outside.txt',
    'xiuhua.db', 'media', 'hub.json', 'socket.io', 'field', '.git', '..%2f..%2foutside.txt', 'index.html%00.js', '~', ';', '?', '#'),
  fc.string({ unit: 'grapheme', maxLength: 12 }).map((s) => encodeURIComponent(s)),
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) }, // control bytes and spaces: a malformed request line
  fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 6 }).map((bs) => bs.map(hex).join('')),
  fc.integer({ min: 200, max: 6000 }).map((n) => 'a'.repeat(n)),
);
const query = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: fc.constantFrom(...'abcz019=&%+-._~:@!$\'()*,;/?'), maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) }, // spaces, quotes, #: often no longer a request line
);
const rawPath = fc.tuple(fc.array(segment, { minLength: 1, maxLength: 6 }), fc.option(query, { nil: undefined }))
  .map(([segs, query]) => `/${segs.join('/')}${query === undefined ? '' : `?${query}`}`);
const mediaPath = fc.tuple(fc.constantFrom('cam-001', 'cam-002', 'nope', '..', '%2e%2e', 'x'.repeat(100)),
  fc.constantFrom('index.m3u8', 'seg1.ts', 'seg99999999999999999999999.ts', 'init.mp4', '../../xiuhua.db', 'index.m3u8.tmp'),
  fc.constantFrom('', '?token=', '?token=m1.zzzz.00.AAAA', `?token=m1.${'f'.repeat(64)}`, '?token=%00', '?token=a&token=b'))
  .map(([cam, file, q]) => `/media/${cam}/${file}${q}`);
const method = fc.oneof(
  { weight: 16, arbitrary: fc.constantFrom('GET', 'HEAD') },
  fc.constantFrom('GET', 'GET', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE', 'PROPFIND', 'CONNECT', 'SEARCH'),
  fc.constantFrom('get', 'FOO', 'G ET', 'GET\t', ''),
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ-'), minLength: 1, maxLength: 10 }) },
);
const header = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('Accept-Encoding: gzip, deflate, br', 'Accept-Encoding: identity;q=0, *;q=0', 'Accept-Encoding: \u00ff\u00fe',
    'Range: bytes=0-0', 'Range: bytes=-5', 'Range: bytes=5-1', 'Range: bytes=0-1,2-3,4-5', 'Range: bytes=abc', 'Range: chars=0-1',
    'If-None-Match: *', 'If-None-Match: W/"x"', 'If-Modified-Since: yesterday', 'If-Range: "nope"', 'If-Match: "x"',
    'Content-Length: 5', 'Content-Length: -1', 'Content-Length: 1, 2', 'Transfer-Encoding: chunked', 'Transfer-Encoding: gzip',
    'Expect: 100-continue', 'Origin: http://evil.example', 'Upgrade: websocket', 'Cookie: a=b', 'Host: ', 'Host: a\u0000b') },
  { weight: 1, arbitrary: fc.integer({ min: 8000, max: 40_000 }).map((n) => `X-Long: ${'x'.repeat(n)}`) },
  fc.tuple(fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 10 }), fc.string({ unit: 'binary', maxLength: 20 })).map(([k, v]) => `${k}: ${v}`),
);
const version = fc.constantFrom(...Array<string>(12).fill('HTTP/1.1'), 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1 ', 'HTTP/9.9', 'http/1.1', '');

/** A request that is well-formed enough to have a request line: the hub must answer it with a status. */
const request: fc.Arbitrary<Case> = fc.tuple(method, fc.oneof({ weight: 4, arbitrary: rawPath }, { weight: 1, arbitrary: mediaPath }), version,
  fc.array(header, { maxLength: 3 }), fc.constantFrom('', '', '', 'hello', '0\r\n\r\n', 'zz\r\nxx'))
  .map(([m, p, v, hs, body]) => ({
    kind: 'request' as const,
    bytes: Buffer.from(`${m} ${p} ${v}\r\nHost: 127.0.0.1\r\nConnection: close\r\n${hs.map((h) => `${h}\r\n`).join('')}\r\n${body}`, 'latin1'),
    halfClose: false,
  }));

/** Bytes that are not HTTP at all, or break off: the hub must answer 4xx or close the connection. */
const malformed: fc.Arbitrary<Case> = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => Buffer.from(b)),
  fc.constantFrom('GET\r\n\r\n', 'GET /\r\n\r\n', '\r\n\r\n', 'GET / HTTP/1.1\n\n', 'GET / HTTP/1.1\r\nHost\r\n\r\n', 'GET / HTTP/1.1\r\n : x\r\n\r\n',
    'GET  / HTTP/1.1\r\n\r\n', 'GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc', 'GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: a', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'GET http://127.0.0.1/../outside.txt HTTP/1.1\r\nHost: a\r\n\r\n')
    .map((s) => Buffer.from(s, 'latin1')),
  fc.integer({ min: 70_000, max: 120_000 }).map((n) => Buffer.from(`GET /${'a'.repeat(n)} HTTP/1.1\r\nHost: a\r\n\r\n`)),
  fc.array(fc.constant('X-A: b\r\n'), { minLength: 2100, maxLength: 2300 }).map((hs) => Buffer.from(`GET / HTTP/1.1\r\n${hs.join('')}\r\n`)),
).map((bytes) => ({ kind: 'malformed' as const, bytes, halfClose: true }));

const ANSWERS = new Set([200, 204, 206, 304, 400, 401, 403, 404, 405, 408, 412, 413, 416, 431, 505]);

async function pool<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => { while (next < items.length) await fn(items[next++] as T); }));
}

describe('HTTP fuzz against a real hub', () => {
  let hub: Hub & { dataDir: string };
  let served: Set<string>;
  const logs: string[] = [];
  beforeAll(async () => {
    const dir = tempDir('xiuhua-fuzz-');
    const rendererDir = path.join(dir, 'renderer');
    served = new Set(Object.values(fakeRenderer(rendererDir)));
    // Bait next to the renderer folder and in the data dir: it must never come back in any answer.
    fs.writeFileSync(path.join(dir, 'outside.txt'), SECRET);
    hub = await startTestHub({ dataDir: path.join(dir, 'data'), rendererDir, log: (l) => logs.push(l) });
    fs.writeFileSync(path.join(hub.dataDir, 'outside.txt'), SECRET);
    served.add((await (await fetch(`${hub.url}/hub.json`)).text()));
  });
  afterAll(async () => { await hub.close(); });

  it('answers 5,000 generated requests, serves nothing outside the renderer and stays up', async () => {
    const cases = [
      ...fc.sample(request, { seed: SEED, numRuns: 4200 }),
      ...fc.sample(malformed, { seed: SEED + 1, numRuns: 800 }),
    ];
    const problems: string[] = [];
    const tally = new Map<string, number>();
    const check = (c: Case, a: RawAnswer) => {
      const what = JSON.stringify(c.bytes.subarray(0, 160).toString('latin1'));
      tally.set(String(a.status ?? a.ended), (tally.get(String(a.status ?? a.ended)) ?? 0) + 1);
      if (a.body.includes(SECRET)) problems.push(`served the bait: ${what}`);
      if (a.status === null) {
        if (c.kind === 'request') problems.push(`no status (${a.ended}) for ${what}`);
        return;
      }
      if (!ANSWERS.has(a.status)) problems.push(`status ${a.status} for ${what}: ${a.body.subarray(0, 200).toString()}`);
      const isHead = c.bytes.subarray(0, 5).toString('latin1') === 'HEAD ';
      if ((a.status === 200 || a.status === 206) && !isHead && a.headers['transfer-encoding'] === undefined) {
        const body = a.body.toString('utf8');
        const known = a.status === 200 ? served.has(body) : [...served].some((f) => f.includes(body));
        if (!known) problems.push(`served something that is not a renderer file for ${what}: ${JSON.stringify(body.slice(0, 80))}`);
      }
    };
    await pool(cases, 12, async (c) => {
      try {
        check(c, await rawRequest(hub.port, c.bytes, { halfClose: c.halfClose }));
      } catch (e) {
        problems.push(String(e));
      }
    });
    expect(problems.slice(0, 20).map((x) => x.slice(0, 300))).toEqual([]);
    expect(cases.length).toBeGreaterThanOrEqual(5000);
    // The generators reach the interesting answers, not only one kind of refusal.
    for (const s of ['200', '400', '403', '404', '405', '431']) expect(tally.get(s) ?? 0, `answers ${s}: ${JSON.stringify([...tally])}`).toBeGreaterThan(0);
    expect(logs.filter((l) => / failed: /.test(l))).toEqual([]);
    // Alive: HTTP answers, and a console can still log in and read the state.
    expect((await fetch(`${hub.url}/`)).status).toBe(200);
    expect((await hubSnapshot(hub.url)).cameras.length).toBeGreaterThan(0);
  }, 180_000);
});
