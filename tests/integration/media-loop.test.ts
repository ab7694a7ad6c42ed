// Demo cameras from the pre-encoded loop, against real ffmpeg (which makes the loop once) and a real HTTP
// server on port 0: sixteen watched demo cameras run no encoder; the live playlist moves with the wall
// clock; the segments a player fetches decode as one continuous timeline across the loop's end; a second
// gateway on the same data dir reuses the cache; health says starting / up / idle / down truthfully.
import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { execFileSync } from 'node:child_process';
import type { Camera } from '../../shared/domain';
import { createMediaGateway, type MediaGateway } from '../../main/media/gateway';
import { LOOP_SEGMENTS } from '../../main/media/loop';

const TOKEN = 'good-token';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const demo = (id: string, url = `testsrc:${id}`): Camera =>
  ({ id, kind: 'fixed', name: `机位 ${id}`, position: [118.78, 32.04], facing: 0, unitId: null, sources: [{ kind: 'testsrc', url }], key: true });

type H = { gw: MediaGateway; base: string; server: http.Server; logs: string[] };
const open: H[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const h of open.splice(0)) {
    await h.gw.close();
    await new Promise<void>((r) => h.server.close(() => r()));
  }
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function dataDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'xiuhua-loop-'));
  dirs.push(d);
  return d;
}

async function start(dir: string, cameras: Camera[], opts: { idleStopMs?: number; ffmpegPath?: string } = {}): Promise<H> {
  const logs: string[] = [];
  const gw = createMediaGateway({ dataDir: dir, log: (l) => logs.push(l), onHealth: () => undefined, ...opts });
  gw.setCameras(cameras);
  const server = http.createServer((req, res) => { if (!gw.handleHttp(req, res, (t) => t === TOKEN)) { res.writeHead(404); res.end(); } });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const h = { gw, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, logs };
  open.push(h);
  return h;
}

/** ffmpeg processes that are children of this test process (the gateway runs in it). */
function ourFfmpeg(): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const argv0 = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0')[0] ?? '';
      if (ppid === process.pid && /(^|\/)(ffmpeg|setpriv)$/.test(argv0)) out.push(Number(name));
    } catch { /* exited */ }
  }
  return out;
}

async function playlist(h: H, id: string, timeoutMs = 30_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const res = await fetch(`${h.base}/media/${id}/index.m3u8?token=${TOKEN}`);
    const text = await res.text();
    if (res.status === 200) return text;
    expect(res.status).toBe(503);
    await sleep(100);
  }
  throw new Error(`no playlist for ${id}`);
}

const segmentsOf = (text: string) => [...text.matchAll(/^seg(\d+)\.m4s\?token=good-token$/gm)].map((m) => Number(m[1]));

describe('demo loop', () => {
  it('serves sixteen watched demo cameras with no encoder, on a live playlist that follows the wall clock', async () => {
    const cameras = Array.from({ length: 16 }, (_, i) => demo(`cam-${i + 1}`));
    const h = await start(dataDir(), cameras);
    await h.gw.ready();
    const texts = await Promise.all(cameras.map((c) => playlist(h, c.id)));
    // Live-encoded demo cameras ran one ffmpeg each from the first request on.
    expect(h.gw.pids()).toEqual({});
    expect(ourFfmpeg()).toEqual([]);
    for (const text of texts) {
      expect(text).toContain('#EXT-X-MAP:URI="init.mp4?token=good-token"');
      expect(text).not.toContain('#EXT-X-ENDLIST');
      expect(text).not.toContain('#EXT-X-DISCONTINUITY');
      const segs = segmentsOf(text);
      expect(segs).toHaveLength(4);
      expect(segs.every((n, i) => i === 0 || n === (segs[i - 1] as number) + 1)).toBe(true);
      // Segment n covers wall-clock second n: the newest complete one is at most two seconds old.
      expect(Math.floor(Date.now() / 1000) - (segs.at(-1) as number)).toBeLessThanOrEqual(2);
      const pdt = /#EXT-X-PROGRAM-DATE-TIME:(\S+)\n#EXTINF:[\d.]+,\nseg(\d+)/.exec(text);
      expect(Date.parse(pdt?.[1] ?? '')).toBe(Number(pdt?.[2]) * 1000);
    }
    expect(h.gw.health().every((s) => s.state === 'up' && (s.bitrateKbps ?? 0) > 0)).toBe(true);
    // A segment not (or no longer) on offer is 404; an unauthenticated one 401.
    const newest = segmentsOf(texts[0] as string).at(-1) as number;
    expect((await fetch(`${h.base}/media/cam-1/seg${newest + 5}.m4s?token=${TOKEN}`)).status).toBe(404);
    expect((await fetch(`${h.base}/media/cam-1/seg${newest - 1000}.m4s?token=${TOKEN}`)).status).toBe(404);
    expect((await fetch(`${h.base}/media/cam-1/seg${newest}.m4s`)).status).toBe(401);
    expect((await fetch(`${h.base}/media/cam-1/init.mp4?token=wrong`)).status).toBe(401);
  });

  it('gives segments that decode as one continuous timeline across the end of the loop', async () => {
    const dir = dataDir();
    const h = await start(dir, [demo('cam-a')]);
    await h.gw.ready();
    const newest = segmentsOf(await playlist(h, 'cam-a')).at(-1) as number;
    // More than a whole loop, so it wraps at least once.
    const parts = [Buffer.from(await (await fetch(`${h.base}/media/cam-a/init.mp4?token=${TOKEN}`)).arrayBuffer())];
    for (let n = newest - LOOP_SEGMENTS - 2; n <= newest; n++) {
      const res = await fetch(`${h.base}/media/cam-a/seg${n}.m4s?token=${TOKEN}`);
      expect(res.status, `seg${n}`).toBe(200);
      expect(res.headers.get('content-type')).toBe('video/iso.segment');
      parts.push(Buffer.from(await res.arrayBuffer()));
    }
    const file = path.join(dir, 'played.mp4');
    fs.writeFileSync(file, Buffer.concat(parts));
    const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v', '-show_entries', 'packet=pts_time,flags', '-of', 'csv=p=0', file], { encoding: 'utf8' });
    const packets = out.trim().split('\n').map((l) => { const [t, f] = l.split(','); return { t: Number(t), key: (f ?? '').startsWith('K') }; });
    expect(packets).toHaveLength((LOOP_SEGMENTS + 3) * 25);
    // Every frame 40 ms after the one before (no jump back at the wrap), a keyframe at each second = segment number.
    for (let i = 1; i < packets.length; i++) expect((packets[i] as { t: number }).t - (packets[i - 1] as { t: number }).t).toBeCloseTo(0.04, 3);
    const keys = packets.filter((p) => p.key).map((p) => p.t);
    expect(keys).toEqual(Array.from({ length: LOOP_SEGMENTS + 3 }, (_, i) => newest - LOOP_SEGMENTS - 2 + i));
  });

  it('makes the loop once per data dir: a second gateway reuses the cache and spawns nothing', async () => {
    const dir = dataDir();
    const first = await start(dir, [demo('cam-a')]);
    await first.gw.ready();
    expect(first.logs.filter((l) => l.includes('made the demo loop'))).toHaveLength(1);
    await first.gw.close();
    open.splice(open.indexOf(first), 1);
    await new Promise<void>((r) => first.server.close(() => r()));
    // The gateway's close removes the live media folder but keeps the cache.
    expect(fs.readdirSync(path.join(dir, 'media-cache')).filter((d) => d.startsWith('demo-loop-'))).toHaveLength(1);

    const second = await start(dir, [demo('cam-a'), demo('cam-b')]);
    await second.gw.ready();
    expect(ourFfmpeg()).toEqual([]);
    await playlist(second, 'cam-b');
    expect(second.logs.filter((l) => l.includes('made the demo loop'))).toEqual([]);
    expect(second.gw.pids()).toEqual({});
  });

  it('remakes a damaged cache instead of serving it', async () => {
    const dir = dataDir();
    const first = await start(dir, [demo('cam-a')]);
    await first.gw.ready();
    await first.gw.close();
    open.splice(open.indexOf(first), 1);
    await new Promise<void>((r) => first.server.close(() => r()));
    const cache = path.join(dir, 'media-cache');
    const loop = path.join(cache, fs.readdirSync(cache).find((d) => d.startsWith('demo-loop-')) as string);
    fs.writeFileSync(path.join(loop, 'seg3.m4s'), 'not a segment');

    const second = await start(dir, [demo('cam-a')]);
    await second.gw.ready();
    expect(second.logs.filter((l) => l.includes('made the demo loop'))).toHaveLength(1);
    const newest = segmentsOf(await playlist(second, 'cam-a')).at(-1) as number;
    for (let n = newest - LOOP_SEGMENTS + 1; n <= newest; n++) {
      const bytes = Buffer.from(await (await fetch(`${second.base}/media/cam-a/seg${n}.m4s?token=${TOKEN}`)).arrayBuffer());
      expect(bytes.toString('latin1', 4, 8)).toBe('styp');
    }
  });

  it('reports health truthfully: up while watched, idle after, down with the reason when the loop cannot be made', async () => {
    const h = await start(dataDir(), [demo('cam-a')], { idleStopMs: 1200 });
    await h.gw.ready();
    expect(h.gw.health()[0]?.state).toBe('idle'); // made, but nobody watches
    await playlist(h, 'cam-a');
    expect(h.gw.health()[0]?.state).toBe('up');
    await expect.poll(() => h.gw.health()[0]?.state, { timeout: 10_000 }).toBe('idle');

    // An "ffmpeg" that answers -version but cannot encode: the loop is never made, and the camera says why.
    const dir = dataDir();
    const fake = path.join(dir, 'ffmpeg');
    fs.writeFileSync(fake, '#!/bin/sh\n[ "$2" = "-version" ] && exit 0\necho "no encoder here" >&2\nexit 1\n', { mode: 0o755 });
    const broken = await start(dir, [demo('cam-a')], { ffmpegPath: fake });
    await expect(broken.gw.ready()).rejects.toThrow(/making the demo loop failed: no encoder here/);
    const res = await fetch(`${broken.base}/media/cam-a/index.m3u8?token=${TOKEN}`);
    await res.arrayBuffer();
    expect(res.status).toBe(503);
    await expect.poll(() => broken.gw.health()[0]?.state, { timeout: 10_000 }).toBe('down');
    expect(broken.gw.health()[0]?.reason).toMatch(/making the demo loop failed: no encoder here/);
  });

  it('moves a camera between the loop and a live encoder when its source changes', async () => {
    const h = await start(dataDir(), [demo('cam-a')]);
    await h.gw.ready();
    await playlist(h, 'cam-a');
    expect(h.gw.pids()).toEqual({});
    h.gw.setCameras([demo('cam-a', 'testsrc:clock:cam-a')]);
    const live = await playlist(h, 'cam-a');
    expect(live).toMatch(/^seg\d+\.ts\?token=good-token$/m);
    expect(h.gw.pids()['cam-a']).toBeGreaterThan(0);
    h.gw.setCameras([demo('cam-a')]);
    await expect.poll(async () => { await playlist(h, 'cam-a'); return h.gw.pids(); }, { timeout: 15_000 }).toEqual({});
    expect(await playlist(h, 'cam-a')).toContain('init.mp4');
  });
});
