import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Alert, PositionFix } from '../../shared/domain';
import type { HubEvent } from '../../shared/protocol/events';
import { eventsAfter } from '../../main/store/log';
import { countPositions, track } from '../../main/store/positions';
import { ask, closeClients, consoleClient, fieldClient, startTestHub } from './hub-fixture';

let hub: Awaited<ReturnType<typeof startTestHub>>;
beforeAll(async () => { hub = await startTestHub({ positions: { fanoutEveryMs: 50, writeEveryMs: 50 } }); });
afterAll(() => hub.close());
afterEach(closeClients);
const until = (check: () => void) => vi.waitFor(check, { timeout: 10_000, interval: 20 });

const fix = (unitId: string, t: number, i = 0): PositionFix => ({ unitId, t, lng: 118.78 + i * 1e-5, lat: 32.04, speed: 5, heading: 90 });

describe('positions', () => {
  it('many fixes reach consoles as few merged batches holding each unit\'s latest fix', async () => {
    const { socket: op } = await consoleClient(hub.url, { username: 'operator', password: 'demo' });
    const batches: PositionFix[][] = [];
    op.on('unit:positions', (b) => batches.push(b.fixes));
    const gw = await fieldClient(hub.url);
    const t0 = Date.now();
    // 20 messages × 3 units: one fix per unit per message, each a second newer than the last (a metre on)
    for (let i = 0; i < 20; i++) {
      const res = await ask(gw, 'unit:position', { fixes: ['off-001', 'off-002', 'veh-01'].map((u) => fix(u, t0 + i * 1000, i)) });
      expect(res).toMatchObject({ ok: true, result: { accepted: 3 } });
    }
    await until(() => expect(batches.flat().some((f) => f.unitId === 'veh-01' && f.t === t0 + 19_000)).toBe(true));
    expect(batches.length).toBeLessThan(20); // merged, not one emit per message
    const last = new Map(batches.flat().map((f) => [f.unitId, f]));
    expect(last.get('veh-01')?.t).toBe(t0 + 19_000);
    for (const b of batches) expect(new Set(b.map((f) => f.unitId)).size).toBe(b.length); // one fix per unit per batch
  });

  it('every accepted fix is persisted once; duplicates and unknown units are dropped; old fixes do not move the unit back', async () => {
    const gw = await fieldClient(hub.url);
    const t0 = Date.now() + 10_000;
    // The test before may have fixes still being written (in the writer thread): they are counted first.
    await until(() => expect(hub.pipeline.buffered).toBe(0));
    const before = countPositions(hub.db);
    const res = await ask(gw, 'unit:position', { fixes: [fix('off-005', t0 + 5), fix('off-005', t0 + 5), fix('off-005', t0), fix('ghost-unit', t0)] });
    expect(res.result).toMatchObject({
      accepted: 2, refused: [{ unitId: 'off-005', t: t0 + 5, reason: 'duplicate' }, { unitId: 'ghost-unit', t: t0, reason: 'unknown_unit' }], refusedCount: 2,
    });
    await until(() => expect(countPositions(hub.db) - before).toBeGreaterThanOrEqual(2));
    expect(countPositions(hub.db) - before).toBe(2); // one transaction: the duplicate was not written
    expect(track(hub.db, 'off-005', t0 - 1, t0 + 10).map((f) => f.t)).toEqual([t0, t0 + 5]);
    const { socket: op } = await consoleClient(hub.url, { username: 'evaluator', password: 'demo' });
    const snap = (await ask(op, 'state:snapshot', {})).result;
    expect(snap.positions.find((f: PositionFix) => f.unitId === 'off-005').t).toBe(t0 + 5);
  });

  it('refuses impossible fixes with a reason, and fixes carrying keys the protocol does not have', async () => {
    const gw = await fieldClient(hub.url);
    const res = await ask(gw, 'unit:position', { fixes: [{ unitId: 'off-001', t: Date.now(), lng: 500, lat: 32 }] });
    expect(res.error?.code).toBe('invalid_payload');
    expect(res.error?.message).toMatch(/fixes\.0\.lng/);
    const extra = await ask(gw, 'unit:position', { fixes: [fix('off-001', Date.now()), { ...fix('off-001', Date.now()), battery: 0.4 }] });
    expect(extra.error?.code).toBe('invalid_payload');
    expect(extra.error?.message).toMatch(/fixes\.1.*battery|battery.*fixes\.1/s);
  });

  it('refuses fixes dated a year ahead or in 1970 with their reasons; the unit is not frozen by them', async () => {
    const { socket: op } = await consoleClient(hub.url, { username: 'operator', password: 'demo' });
    const seen: PositionFix[] = [];
    op.on('unit:positions', (b) => seen.push(...b.fixes.filter((f) => f.unitId === 'off-009')));
    const gw = await fieldClient(hub.url);
    const now = Date.now();
    const ahead = now + 365 * 24 * 3600_000;
    const res = await ask(gw, 'unit:position', { fixes: [fix('off-009', ahead), fix('off-009', 1000), fix('off-009', now)] });
    expect(res.result).toMatchObject({
      accepted: 1, refusedCount: 2,
      refused: [{ unitId: 'off-009', t: ahead, reason: 'in_future' }, { unitId: 'off-009', t: 1000, reason: 'too_old' }],
    });
    expect((await ask(gw, 'unit:position', { fixes: [fix('off-009', now + 1)] })).result).toMatchObject({ accepted: 1 });
    await until(() => expect(seen.at(-1)?.t).toBe(now + 1));
    await until(() => expect(track(hub.db, 'off-009', 0, ahead + 1).map((f) => f.t)).toEqual([now, now + 1]));
  });

  it('an ack says when its fixes will be durable, and the sender is told once they are committed', async () => {
    const gw = await fieldClient(hub.url);
    const marks: number[] = [];
    gw.on('positions:durable', (d) => marks.push(d.through));
    const t = Date.now();
    const res = await ask(gw, 'unit:position', { fixes: [fix('off-005', t), fix('off-006', t)] });
    expect(res.result.accepted).toBe(2);
    const { durableAt, durableThrough } = res.result as { durableAt: number; durableThrough: number };
    expect(durableAt).toBeGreaterThan(durableThrough); // accepted, not yet written
    await until(() => expect(marks.at(-1)).toBeGreaterThanOrEqual(durableAt));
    // durable means in SQLite now, not later
    expect(track(hub.db, 'off-005', t, t)).toHaveLength(1);
    expect(track(hub.db, 'off-006', t, t)).toHaveLength(1);
    // the mark only grows
    expect([...marks].sort((a, b) => a - b)).toEqual(marks);
  });
});

describe('positions while the store fails, and device clocks', () => {
  let sick: Awaited<ReturnType<typeof startTestHub>>;
  beforeAll(async () => {
    sick = await startTestHub({ positions: { fanoutEveryMs: 20, writeEveryMs: 20, maxBuffered: 30, clock: { samples: 3, spanMs: 0 } } });
  });
  afterAll(() => sick.close());

  async function alertsOn() {
    const { socket: op } = await consoleClient(sick.url, { username: 'operator', password: 'demo' });
    const alerts: Alert[] = [];
    op.on('event', (e: HubEvent) => e.data.type === 'alert:raised' && alerts.push(e.data.alert));
    return alerts;
  }

  it('past the bound, fixes are refused with store_backlog, one alert is raised and one when writes recover; every accepted fix is stored', async () => {
    const alerts = await alertsOn();
    const gw = await fieldClient(sick.url);
    // A real SQLite failure: a trigger that refuses every position insert.
    sick.db.exec(`CREATE TRIGGER positions_fail BEFORE INSERT ON positions BEGIN SELECT RAISE(ABORT, 'disk says no'); END`);
    const before = countPositions(sick.db);
    const t0 = Date.now();
    let accepted = 0;
    let backlogRefusals = 0;
    for (let i = 0; i < 5; i++) {
      const r = (await ask(gw, 'unit:position', { fixes: Array.from({ length: 10 }, (_, k) => fix('off-003', t0 + i * 10 + k)) })).result;
      accepted += r.accepted;
      backlogRefusals += r.refused?.filter((x: { reason: string }) => x.reason === 'store_backlog').length ?? 0;
    }
    expect(accepted).toBe(30);
    expect(backlogRefusals).toBe(20);
    await until(() => expect(alerts.map((a) => a.kind)).toEqual(['positions_backlog']));
    expect(countPositions(sick.db)).toBe(before);

    sick.db.exec('DROP TRIGGER positions_fail');
    await until(() => expect(alerts.map((a) => a.kind)).toEqual(['positions_backlog', 'positions_recovered']));
    await until(() => expect(countPositions(sick.db) - before).toBe(30));
    expect((await ask(gw, 'unit:position', { fixes: [fix('off-003', t0 + 100)] })).result).toMatchObject({ accepted: 1 });
  });

  it('a device whose fixes are consistently a year ahead is reported once, by name and offset', async () => {
    const alerts = await alertsOn();
    const gw = await fieldClient(sick.url);
    const year = 365 * 24 * 3600_000;
    for (let i = 0; i < 6; i++) {
      const r = await ask(gw, 'unit:position', { fixes: [fix('off-004', Date.now() + year)] });
      expect(r.result.refused[0].reason).toBe('in_future');
    }
    await until(() => expect(alerts.filter((a) => a.kind === 'device_clock')).toHaveLength(1));
    const [clock] = alerts.filter((a) => a.kind === 'device_clock');
    expect(clock).toMatchObject({ subjectId: 'off-004' });
    expect(clock!.message.en).toMatch(/sim-gateway \(off-004\).*365 days ahead/);
    // Six more: the same episode, no second alert. The flush that stores the probe fix after them has
    // raised whatever alert they caused, so the event log then tells.
    for (let i = 0; i < 6; i++) await ask(gw, 'unit:position', { fixes: [fix('off-004', Date.now() + year)] });
    const probeT = Date.now();
    expect((await ask(gw, 'unit:position', { fixes: [fix('off-004', probeT)] })).result).toMatchObject({ accepted: 1 });
    await until(() => expect(track(sick.db, 'off-004', probeT, probeT)).toHaveLength(1));
    const logged = eventsAfter(sick.db, 0, 10_000).filter((e) => e.data.type === 'alert:raised' && e.data.alert.kind === 'device_clock');
    expect(logged).toHaveLength(1);
  });
});
