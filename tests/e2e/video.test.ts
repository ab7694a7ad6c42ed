// The video wall in real Chromium against the real media gateway (real ffmpeg): a clicked camera plays
// and reports its time to first frame, sixteen tiles play at once over HTTP/1.1, a killed encoder shows the
// offline slate and recovers by itself, unauthenticated requests are refused, the wall is restored on reload.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import {
  advancing, buildLabPage, closeBrowser, labCameras, launchChromium, ourEncoders, openLab, startLab, tiles, waitForTiles, type Lab,
} from './video-harness';

let browser: Browser | undefined;

beforeAll(async () => {
  await buildLabPage();
  browser = await launchChromium();
}, 120_000);

afterAll(async () => { await closeBrowser(browser); });

describe('one camera', () => {
  let lab: Lab;
  // cam-01 is the pre-encoded demo loop, cam-02 a live encoder (with the clock) for the killed-encoder test.
  beforeAll(async () => { lab = await startLab({ cameras: labCameras(2, { clock: ['cam-02'] }), layout: '1' }); });
  afterAll(async () => { await lab.close(); });

  it('plays a clicked camera, reports time to first frame and latency', async () => {
    const page = await openLab(browser!, lab);
    await page.evaluate(() => (window as unknown as { lab: { focus(id: string): void } }).lab.focus('cam-01'));
    const [tile] = await waitForTiles(page, (t) => t[0]?.phase === 'live', 20_000);
    expect(tile?.cameraId).toBe('cam-01');
    expect(tile?.text).toContain('新街口 东向');
    const moving = await advancing(page, 1500);
    expect(moving.map((t) => t.cameraId)).toEqual(['cam-01']);
    const firstFrames = await page.evaluate(() => (window as unknown as { lab: { firstFrames: { ms: number }[] } }).lab.firstFrames);
    expect(firstFrames).toHaveLength(1);
    expect(firstFrames[0]?.ms).toBeGreaterThan(0);
    expect((await tiles(page))[0]?.text).toMatch(/首帧 \d+\.\d\d s/);
    const withLatency = await waitForTiles(page, (t) => (t[0]?.latencyMs ?? 0) > 0, 10_000);
    console.log(`video e2e: cold camera first frame ${firstFrames[0]?.ms} ms, latency ${withLatency[0]?.latencyMs} ms`);
    await page.context().close();
  });

  it('refuses a stream request without a token, from the browser too', async () => {
    const page = await openLab(browser!, lab);
    const statuses = await page.evaluate(async () => Promise.all([
      fetch('/media/cam-01/index.m3u8').then((r) => r.status),
      fetch('/media/cam-01/index.m3u8?token=forged').then((r) => r.status),
    ]));
    expect(statuses).toEqual([401, 401]);
    await page.context().close();
  });

  it('shows the offline slate when the encoder is killed and recovers by itself', async () => {
    const page = await openLab(browser!, lab);
    await page.evaluate(() => (window as unknown as { lab: { focus(id: string): void } }).lab.focus('cam-02'));
    await waitForTiles(page, (t) => t[0]?.cameraId === 'cam-02' && t[0]?.phase === 'live', 20_000);
    const pid = lab.gateway.pids()['cam-02'];
    expect(pid).toBeGreaterThan(0);
    process.kill(pid as number, 'SIGKILL');
    const [down] = await waitForTiles(page, (t) => t[0]?.phase === 'offline', 15_000);
    expect(down?.text).toMatch(/离线 自 \d\d:\d\d — 重试中/);
    await waitForTiles(page, (t) => t[0]?.phase === 'live', 30_000);
    const moving = await advancing(page, 1500);
    expect(moving.map((t) => t.cameraId)).toEqual(['cam-02']);
    expect(lab.gateway.pids()['cam-02']).not.toBe(pid);
    await page.context().close();
  }, 60_000);

  it('restores the wall of a display after a reload, and remembers a dropped camera', async () => {
    const page = await openLab(browser!, lab);
    await waitForTiles(page, (t) => t.length === 1, 10_000);
    await page.click('button:text-is("4")');
    await waitForTiles(page, (t) => t.length === 4, 5000);
    // Drop cam-02 on the third tile the way the map does: HTML5 drag data with the camera id.
    await page.evaluate(() => {
      const cell = document.querySelectorAll('.xv-cell')[2]!;
      const data = new DataTransfer();
      data.setData('application/x-xiuhua-camera', 'cam-02');
      cell.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
      cell.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    });
    await waitForTiles(page, (t) => t[2]?.cameraId === 'cam-02' && t[2]?.phase === 'live', 20_000);
    await page.reload();
    const restored = await waitForTiles(page, (t) => t.length === 4 && t[2]?.cameraId === 'cam-02', 10_000);
    expect(restored.filter((t) => t.cameraId !== null).map((t) => t.cameraId)).toContain('cam-02');
    await page.context().close();
  }, 60_000);
});

describe('sixteen tiles', () => {
  let lab: Lab;
  beforeAll(async () => {
    const cameras = labCameras(16);
    lab = await startLab({ cameras, layout: '16', cameraIds: cameras.map((c) => c.id), displayKey: 'wall-16' });
  });
  afterAll(async () => { await lab.close(); });

  it('plays all sixteen demo loops at once over HTTP/1.1 (tiles spread over 127.0.0.1 and localhost), with no encoder', async () => {
    const page = await openLab(browser!, lab);
    const t0 = Date.now();
    await waitForTiles(page, (t) => t.length === 16 && t.every((x) => x.phase === 'live'), 60_000);
    const allLiveMs = Date.now() - t0;
    // "Playing at once" means every playhead moves within the same few seconds. A tile stuck behind the
    // connection limit never would; on this shared two-core machine a tile may hiccup now and then, so we
    // look for such a window among several rather than demand the first one.
    const everyCamera = lab.gateway.health().map((h) => h.cameraId).sort();
    let best: string[] = [];
    for (let window = 0; window < 8 && best.length < 16; window++) {
      const moving = (await advancing(page, 4000)).map((t) => t.cameraId ?? '').sort();
      if (moving.length > best.length) best = moving;
    }
    expect(best).toEqual(everyCamera);
    const firstFrames = await page.evaluate(() => (window as unknown as { lab: { firstFrames: { ms: number }[] } }).lab.firstFrames.map((f) => f.ms));
    console.log(`video e2e: 16 tiles all live after ${allLiveMs} ms; first frames ${firstFrames.sort((a, b) => a - b).join(', ')} ms;`
      + ` peak concurrent requests at the server ${lab.peakInFlight()}`);
    // At least one first frame per tile (a tile that reconnected after a hiccup reports another).
    expect(firstFrames.length).toBeGreaterThanOrEqual(16);
    // The loop was made once before the wall opened; sixteen playing tiles run no ffmpeg at all
    // (live-encoded demo cameras ran one each).
    expect(lab.gateway.pids()).toEqual({});
    expect(ourEncoders()).toEqual([]);
    expect(lab.gateway.health().every((h) => h.state === 'up')).toBe(true);
    await page.context().close();
  }, 120_000);
});
