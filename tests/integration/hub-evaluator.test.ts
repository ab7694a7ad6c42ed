// The evaluator's reads over a real hub (issue 14): audit:timeline, unit:track, replay:window and
// positions:retention — roles, validation, and answers that match the store.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PositionFix } from '../../shared/domain';
import { DEFAULT_RETENTION } from '../../main/store/retention';
import { track } from '../../main/store/positions';
import { ask, cid, closeClients, consoleClient, fieldClient, NANJING, startTestHub } from './hub-fixture';

let hub: Awaited<ReturnType<typeof startTestHub>>;
beforeAll(async () => { hub = await startTestHub({ positions: { fanoutEveryMs: 50, writeEveryMs: 50 } }); });
afterAll(() => hub.close());
afterEach(closeClients);
const login = async (username: string) => (await consoleClient(hub.url, { username, password: 'demo' })).socket;

describe('evaluator reads', () => {
  it('audit:timeline pages what happened, filtered, each entry saying what it concerns; operators may not read it', async () => {
    const op = await login('operator');
    const from = Date.now() - 1;
    const created = await ask(op, 'incident:create', { commandId: cid(), category: 'parking', priority: 2, position: NANJING, description: '占道停车 timeline' });
    expect(created.ok).toBe(true);
    const refused = await ask(op, 'task:assign', { commandId: cid(), incidentId: created.result.incident.id, unitId: 'no-such-unit' });
    expect(refused.ok).toBe(false);
    const ev = await login('evaluator');
    const to = Date.now() + 1;
    const all = await ask(ev, 'audit:timeline', { from, to, actor: 'operator' });
    expect(all.ok).toBe(true);
    expect(all.result.entries.map((e: { action: string; outcome: string }) => [e.action, e.outcome])).toEqual([['incident:create', 'accepted'], ['task:assign', 'rejected']]);
    expect(all.result.entries[0].concerns).toEqual({ kind: 'incident', id: created.result.incident.id });
    expect(all.result.entries[1].concerns).toEqual({ kind: 'incident', id: created.result.incident.id });
    expect(all.result).toMatchObject({ cursor: null, truncated: false });
    const tasks = await ask(ev, 'audit:timeline', { from, to, actionPrefix: 'task:', text: 'NO-SUCH-UNIT' });
    expect(tasks.result.entries).toHaveLength(1);
    expect((await ask(ev, 'audit:timeline', { from, to, before: { at: to, seq: 0 }, limit: 1 })).result.entries).toHaveLength(1);
    expect((await ask(op, 'audit:timeline', { from, to })).error?.code).toBe('forbidden');
    expect((await ask(ev, 'audit:timeline', { from: to, to: from })).error?.code).toBe('invalid_payload');
  });

  it('unit:track gives a unit\'s fixes, sealed or not, and replay:window every unit\'s in a window', async () => {
    const gw = await fieldClient(hub.url);
    const t0 = Date.now() - 5_000;
    const fixes: PositionFix[] = [];
    for (let i = 0; i < 5; i++) for (const u of ['off-001', 'off-002']) fixes.push({ unitId: u, t: t0 + i * 1000, lng: 118.78 + i * 1e-4, lat: 32.04 });
    expect((await ask(gw, 'unit:position', { fixes })).result).toMatchObject({ accepted: 10 });
    await vi.waitFor(() => expect(track(hub.db, 'off-001', t0, t0 + 10_000)).toHaveLength(5), { timeout: 10_000, interval: 20 });
    const ev = await login('evaluator');
    const res = await ask(ev, 'unit:track', { unitId: 'off-001', from: t0 - 60_000, to: t0 + 60_000 });
    expect(res.result.fixes.map((f: PositionFix) => f.t)).toEqual([0, 1, 2, 3, 4].map((i) => t0 + i * 1000));
    expect((await ask(ev, 'unit:track', { unitId: 'off-001', from: t0, to: t0 + 25 * 3_600_000 })).error?.code).toBe('invalid_payload');
    const win = await ask(ev, 'replay:window', { from: t0, to: t0 + 2_000 });
    expect(win.result.fixes.filter((f: PositionFix) => f.unitId === 'off-001' || f.unitId === 'off-002')).toHaveLength(6);
    expect((await ask(ev, 'replay:window', { from: t0, to: t0 + 11 * 60_000 })).error?.code).toBe('invalid_payload');
    expect((await ask(ev, 'positions:retention', {})).result).toEqual(DEFAULT_RETENTION);
  });
});
