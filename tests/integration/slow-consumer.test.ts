// A console that stops reading (issue 16, storms): its TCP socket is paused while a gateway streams
// thousands of units' fixes, so the hub's fan-out to it has nowhere to go. The hub must not keep it all:
// it cuts that connection once its queue passes the bound (HubLimits.outboundBytes), its heap comes back
// after a GC, and a console that keeps reading gets every batch meanwhile. The cut console, reading again,
// finds itself disconnected (and would resume as any reconnecting client does).
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket as NetSocket } from 'node:net';
import { loadUnits } from '../../main/sim/city/index';
import { loadDemoCity } from '../../main/hub/seed';
import { ask, closeClients, consoleClient, fieldClient, startTestHub } from './hub-fixture';
import type { Hub } from '../../main/hub/server';

const UNITS = 4000;
const LIMIT = 2 * 1024 * 1024;
/** Fan-out bytes after which a hub that has not cut the stalled console has failed (bound + kernel buffers, many times). */
const MAX_STREAM_BYTES = 200 * 1024 * 1024;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const heapAfterGc = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

let hub: Hub & { dataDir: string };
const logs: string[] = [];
beforeAll(async () => {
  const city = loadDemoCity();
  hub = await startTestHub({ extraUnits: loadUnits(city, UNITS, city.seed), limits: { outboundBytes: LIMIT, field: { perSocket: 1000, perIdentity: 1000 } }, log: (l) => logs.push(l) });
}, 120_000);
afterAll(async () => {
  closeClients();
  await hub?.close();
});

/** The paused console's TCP socket (socket.io-client over `ws` in Node). */
function tcpOf(socket: { io: { engine: { transport: unknown } } }): NetSocket {
  const ws = (socket.io.engine.transport as { ws?: { _socket?: NetSocket } }).ws;
  if (!ws?._socket) throw new Error('no TCP socket under this client');
  return ws._socket;
}

describe('a console that stops reading', () => {
  it('is cut once its queue passes the bound; the hub does not keep what it could not send; others are not held up', async () => {
    const { socket: reader } = await consoleClient(hub.url, { username: 'operator', password: 'demo' });
    const { socket: stalled } = await consoleClient(hub.url, { username: 'manager', password: 'demo' });
    const gateway = await fieldClient(hub.url);
    let readBytes = 0;
    let readBatches = 0;
    // Fixes read by the healthy console, as the bytes they came in (roughly: their JSON).
    reader.on('unit:positions', ({ fixes }) => {
      readBatches++;
      readBytes += JSON.stringify(fixes).length;
    });
    let stalledGone = '';
    stalled.on('disconnect', (reason) => (stalledGone = reason));

    const before = heapAfterGc();
    const tcp = tcpOf(stalled);
    tcp.pause();
    const ids = Array.from({ length: UNITS }, (_, i) => `load-${String(i + 1).padStart(5, '0')}`);
    let k = 0;
    let peakHeap = before;
    const cutLine = () => logs.find((l) => l.startsWith('slow consumer: /console'));
    const stream = async (batches: number) => {
      for (let b = 0; b < batches; b++, k++) {
        const t = Date.now();
        const fixes = ids.map((unitId, i) => ({ unitId, t, lng: 118.7 + ((i * 37 + k) % 1000) / 10_000, lat: 32.0 + ((i * 91 + k) % 1000) / 10_000, speed: 5, heading: (k * 7) % 360 }));
        const res = await ask(gateway, 'unit:position', { fixes }, 30_000);
        expect(res, JSON.stringify(res.error)).toMatchObject({ ok: true });
        if (k % 10 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
      }
    };
    // Stream until the hub cuts the stalled console; the cap is far past the bound plus the kernel's buffers.
    while (!cutLine()) {
      expect(readBytes, 'the hub never cut the console that stopped reading').toBeLessThan(MAX_STREAM_BYTES);
      await stream(1);
    }
    const atCut = { bytes: readBytes, batches: readBatches };
    const queued = Number(/has (\d+) bytes unread/.exec(cutLine()!)![1]);
    // Cut at the bound, give or take what one check interval (100 ms) of fan-out adds.
    expect(queued).toBeGreaterThan(LIMIT);
    expect(queued).toBeLessThan(LIMIT + (atCut.bytes / Math.max(1, k)) * 20);
    // The healthy console goes on reading, and is answered.
    await stream(20);
    await expect.poll(() => readBatches, { timeout: 30_000 }).toBeGreaterThan(atCut.batches);
    expect((await ask(reader, 'state:snapshot', {}, 30_000)).ok).toBe(true);
    const after = heapAfterGc();
    tcp.resume();
    await expect.poll(() => stalledGone, { timeout: 60_000 }).not.toBe('');
    console.log(`slow consumer: cut at ${(queued / 1e6).toFixed(1)} MB queued (bound ${(LIMIT / 1e6).toFixed(1)} MB) after ${(atCut.bytes / 1e6).toFixed(1)} MB of fan-out `
      + `(${k} batches of ${UNITS} fixes sent); heap before ${(before / 1e6).toFixed(1)} MB, peak (no GC) ${(peakHeap / 1e6).toFixed(1)} MB, after GC ${(after / 1e6).toFixed(1)} MB `
      + `(includes the fixes held for this minute's position segments); stalled client saw "${stalledGone}"`);
  }, 300_000);
});
