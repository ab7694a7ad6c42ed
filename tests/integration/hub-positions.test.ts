import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PositionFix } from '../../shared/domain';
import { countPositions, track } from '../../main/store/positions';
import { ask, closeClients, consoleClient, fieldClient, startTestHub } from './hub-fixture';

let hub: Awaited<ReturnType<typeof startTestHub>>;
beforeAll(async () => { hub = await startTestHub({ positions: { fanoutEveryMs: 50, writeEveryMs: 50 } }); });
afterAll(() => hub.close());
afterEach(closeClients);

const fix = (unitId: string, t: number, i = 0): PositionFix => ({ unitId, t, lng: 118.78 + i * 1e-5, lat: 32.04, speed: 5, heading: 90 });

describe('positions', () => {
  it('many fixes reach consoles as few merged batches holding each unit\'s latest fix', async () => {
    const { socket: op } = await consoleClient(hub.url, { username: 'operator', password: 'demo' });
    const batches: PositionFix[][] = [];
    op.on('unit:positions', (b) => batches.push(b.fixes));
    const gw = await fieldClient(hub.url);
    const t0 = Date.now();
    // 20 messages × 3 units: one fix per unit per message, each newer than the last
    for (let i = 0; i < 20; i++) {
      const res = await ask(gw, 'unit:position', { fixes: ['off-001', 'off-002', 'veh-01'].map((u) => fix(u, t0 + i, i)) });
      expect(res).toEqual({ ok: true, result: { accepted: 3 } });
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(batches.length).toBeGreaterThan(0);
    expect(batches.length).toBeLessThan(20); // merged, not one emit per message
    const last = new Map(batches.flat().map((f) => [f.unitId, f]));
    expect(last.get('veh-01')?.t).toBe(t0 + 19);
    for (const b of batches) expect(new Set(b.map((f) => f.unitId)).size).toBe(b.length); // one fix per unit per batch
  });

  it('every accepted fix is persisted once; duplicates and unknown units are dropped; old fixes do not move the unit back', async () => {
    const gw = await fieldClient(hub.url);
    const t0 = Date.now() + 10_000;
    const before = countPositions(hub.db);
    await ask(gw, 'unit:position', { fixes: [fix('off-005', t0 + 5), fix('off-005', t0 + 5), fix('off-005', t0), fix('ghost-unit', t0)] });
    await new Promise((r) => setTimeout(r, 200));
    expect(countPositions(hub.db) - before).toBe(2);
    expect(track(hub.db, 'off-005', t0 - 1, t0 + 10).map((f) => f.t)).toEqual([t0, t0 + 5]);
    const { socket: op } = await consoleClient(hub.url, { username: 'evaluator', password: 'demo' });
    const snap = (await ask(op, 'state:snapshot', {})).result;
    expect(snap.positions.find((f: PositionFix) => f.unitId === 'off-005').t).toBe(t0 + 5);
  });

  it('refuses impossible fixes with a reason', async () => {
    const gw = await fieldClient(hub.url);
    const res = await ask(gw, 'unit:position', { fixes: [{ unitId: 'off-001', t: Date.now(), lng: 500, lat: 32 }] });
    expect(res.error?.code).toBe('invalid_payload');
    expect(res.error?.message).toMatch(/fixes\.0\.lng/);
  });
});
