// The video wall through the real hub (startHub, demo city, SQLite, socket.io): the page logs in with a
// session token, gets stream URLs with `stream:token` and health from the snapshot and `stream:health`,
// exactly as the console does; the hub serves the HLS. The page is the video lab (the console's own
// screens are wired by the console engineer), built from the real renderer/src/video components.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import type { Browser } from 'playwright-core';
import type { ConsoleClientEvents, ConsoleServerEvents, SessionReady, Snapshot } from '../../shared/protocol/sockets';
import { startHub, type Hub } from '../../main/hub/server';
import { advancing, buildLabPage, closeBrowser, launchChromium, ourEncoders, useClockSource, waitForTiles } from './video-harness';

type ConsoleSocket = Socket<ConsoleServerEvents, ConsoleClientEvents>;

let browser: Browser | undefined;
let hub: Hub;
let dataDir: string;
let socket: ConsoleSocket;
let session: SessionReady;
let snapshot: Snapshot;

beforeAll(async () => {
  const rendererDir = await buildLabPage();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiuhua-video-hub-'));
  // Media tokens of 4 s (instead of 5 minutes), so a test sees several of them expire while a tile plays.
  hub = await startHub({ port: 0, dataDir, demo: true, rendererDir, log: () => undefined, mediaTokenTtlMs: 4000 });
  socket = io(`${hub.url}/console`, { auth: { username: 'operator', password: 'demo' }, transports: ['websocket'], forceNew: true });
  session = await new Promise<SessionReady>((resolve, reject) => {
    socket.once('session:ready', resolve);
    socket.once('connect_error', reject);
  });
  const snap = await socket.emitWithAck('state:snapshot', {});
  if (!snap.ok) throw new Error(snap.error.message);
  snapshot = snap.result;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  socket?.disconnect();
  await closeBrowser(browser);
  await hub?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('video through the hub', () => {
  it('plays demo cameras on a wall, and a killed encoder goes to the slate and comes back', async () => {
    const fixed = snapshot.cameras.filter((c) => c.kind === 'fixed').slice(0, 4);
    expect(fixed).toHaveLength(4);
    // The other three are the demo loop, which runs no encoder; the victim gets a live-encoded source.
    await useClockSource(hub.url, fixed[1]!);
    const config = { token: session.token, layout: '4', cameraIds: fixed.map((c) => c.id), displayKey: 'hub-wall', renewUrlEveryMs: 1000 };
    const page = await browser!.newPage({ locale: 'zh-CN', viewport: { width: 1280, height: 800 } });
    await page.goto(`${hub.url}/#hub=${encodeURIComponent(JSON.stringify(config))}`);
    const live = await waitForTiles(page, (t) => t.length === 4 && t.every((x) => x.phase === 'live'), 60_000);
    expect(live.map((t) => t.cameraId)).toEqual(fixed.map((c) => c.id));
    expect((await advancing(page, 2000)).length).toBe(4);
    expect(ourEncoders().map((e) => /\/media\/([^/]+)\//.exec(e.args)?.[1])).toEqual([fixed[1]!.id]);

    const victim = fixed[1]!;
    const encoder = ourEncoders().find((e) => e.args.includes(`/media/${victim.id}/`));
    expect(encoder).toBeDefined();
    process.kill(encoder!.pid, 'SIGKILL');
    const down = await waitForTiles(page, (t) => t[1]?.phase === 'offline', 15_000);
    expect(down[1]?.text).toMatch(/离线 自 \d\d:\d\d — 重试中/);
    await waitForTiles(page, (t) => t[1]?.phase === 'live', 30_000);
    const moving = await advancing(page, 2000);
    expect(moving.map((t) => t.cameraId)).toContain(victim.id);
    await page.close();
  }, 120_000);

  it('keeps playing across media-token expiries: tiles renew their URL and every request takes the new token', async () => {
    const camera = snapshot.cameras.filter((c) => c.kind === 'fixed')[4]!;
    const first = await socket.emitWithAck('stream:token', { cameraId: camera.id });
    const config = { token: session.token, layout: '1', cameraIds: [camera.id], displayKey: 'hub-renew', renewUrlEveryMs: 1000 };
    const page = await browser!.newPage({ locale: 'zh-CN', viewport: { width: 800, height: 600 } });
    await page.goto(`${hub.url}/#hub=${encodeURIComponent(JSON.stringify(config))}`);
    await waitForTiles(page, (t) => t[0]?.phase === 'live', 60_000);
    const phases = new Set<string>();
    // Three token lifetimes: without renewal the playlist polls get 401 and the tile goes offline.
    const until = Date.now() + 12_000;
    while (Date.now() < until) {
      phases.add((await waitForTiles(page, () => true, 1000))[0]?.phase ?? 'none');
      await page.waitForTimeout(250);
    }
    expect([...phases]).not.toContain('offline');
    expect((await advancing(page, 1500)).map((t) => t.cameraId)).toEqual([camera.id]);
    // A URL from before is dead by now, while the tile plays on.
    expect(first.ok).toBe(true);
    expect((await fetch(first.ok ? first.result.url : '')).status).toBe(401);
    await page.close();
  }, 120_000);

  it('refuses stream requests without a session token', async () => {
    const camera = snapshot.cameras[0]!;
    const res = await socket.emitWithAck('stream:token', { cameraId: camera.id });
    expect(res.ok).toBe(true);
    const url = res.ok ? res.result.url : '';
    expect(url).toContain('token=');
    const bare = url.replace(/\?.*$/, '');
    expect((await fetch(bare)).status).toBe(401);
    expect((await fetch(`${bare}?token=forged`)).status).toBe(401);
  });
});
