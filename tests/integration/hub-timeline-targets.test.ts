// A scorecard figure that counts SOS calls names them (source.targets), and the timeline and its export
// narrow to exactly those: `targets` on audit:timeline / audit:export, one keyset stream per id on the
// target index, merged in time order. A real hub, real SOS calls from the field, real SQLite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask, cid, closeClients, consoleClient, fieldClient, NANJING, startTestHub, type ConsoleClient } from './hub-fixture';

let hub: Awaited<ReturnType<typeof startTestHub>>;
let ev: ConsoleClient;
let from: number;
const sosIds: string[] = [];

beforeAll(async () => {
  hub = await startTestHub();
  from = Date.now() - 60_000;
  const gw = await fieldClient(hub.url);
  const { socket: op } = await consoleClient(hub.url, { username: 'operator', password: 'demo' });
  for (const unitId of ['off-001', 'off-002', 'off-003']) {
    const raised = await ask(gw, 'sos:raise', { commandId: cid(), unitId, position: NANJING });
    expect(raised.ok, raised.error?.message).toBe(true);
    sosIds.push(raised.result.sos.id);
  }
  // Entries between them that a figure of SOS calls must not list: an acknowledge of the first, a mode switch.
  expect((await ask(op, 'sos:acknowledge', { commandId: cid(), sosId: sosIds[0] })).ok).toBe(true);
  const { socket: manager } = await consoleClient(hub.url, { username: 'manager', password: 'demo' });
  expect((await ask(manager, 'mode:switch', { commandId: cid(), mode: 'night', reason: '夜间巡查' })).ok).toBe(true);
  ({ socket: ev } = await consoleClient(hub.url, { username: 'evaluator', password: 'demo' }));
}, 60_000);

afterAll(async () => {
  closeClients();
  await hub?.close();
});

describe('figure links narrowed by the ids they counted', () => {
  it('the SOS figure names its calls, and the timeline of those ids holds their entries only, in time order', async () => {
    const to = Date.now() + 1000;
    const card = await ask(ev, 'score:card', { from, to }, 30_000);
    expect(card.ok, card.error?.message).toBe(true);
    const sos = card.result.indicators.find((i: { id: string }) => i.id === 'sos_ack_in_time');
    expect(sos.source).toMatchObject({ actionPrefix: 'sos:' });
    expect([...sos.source.targets].sort()).toEqual([...sosIds].sort());

    const all = await ask(ev, 'audit:timeline', { from, to, actionPrefix: 'sos:', limit: 500 });
    const page = await ask(ev, 'audit:timeline', { from, to, actionPrefix: 'sos:', targets: sos.source.targets, limit: 500 });
    expect(page.ok, page.error?.message).toBe(true);
    const entries = page.result.entries as { seq: number; at: number; target: string; action: string }[];
    expect(entries.length).toBeGreaterThanOrEqual(4); // three raised, one acknowledged
    expect(entries.every((e) => sosIds.includes(e.target) && e.action.startsWith('sos:'))).toBe(true);
    expect(entries.map((e) => e.seq)).toEqual([...entries.map((e) => e.seq)].sort((a, b) => a - b));
    // the same as filtering every sos: entry by hand
    const byHand = (all.result.entries as typeof entries).filter((e) => sosIds.includes(e.target)).map((e) => e.seq);
    expect(entries.map((e) => e.seq)).toEqual(byHand);

    // Two of the three: the third's entries are left out; pages of 1 walk the merged streams without loss.
    const two = sosIds.slice(1);
    const seen: number[] = [];
    let after: { at: number; seq: number } | undefined;
    for (let i = 0; i < 20; i++) {
      const p = await ask(ev, 'audit:timeline', { from, to, targets: two, limit: 1, ...(after ? { after } : {}) });
      seen.push(...p.result.entries.map((e: { seq: number }) => e.seq));
      if (!p.result.cursor) break;
      after = p.result.cursor;
    }
    const expected = (all.result.entries as typeof entries).filter((e) => two.includes(e.target)).map((e) => e.seq);
    expect(expected.length).toBeGreaterThanOrEqual(2);
    expect(seen).toEqual(expected);
  });

  it('exports exactly those rows, and refuses target with targets', async () => {
    const to = Date.now() + 1000;
    const res = await ask(ev, 'audit:export', { what: 'timeline', format: 'csv', lang: 'en', from, to, targets: [sosIds[0]] }, 30_000);
    expect(res.ok, res.error?.message).toBe(true);
    const csv = Buffer.from(res.result.data, 'base64').toString('utf8');
    const rows = csv.split(/\r?\n/).filter((l) => /^\d+,/.test(l));
    expect(rows.length).toBe(res.result.rows);
    expect(rows.length).toBeGreaterThanOrEqual(2); // raised and acknowledged
    expect(rows.every((r) => r.includes(sosIds[0]!))).toBe(true);
    expect(rows.some((r) => r.includes(sosIds[1]!))).toBe(false);
    const both = await ask(ev, 'audit:timeline', { from, to, target: sosIds[0], targets: [sosIds[1]] });
    expect(both.error?.code).toBe('invalid_payload');
    const none = await ask(ev, 'audit:timeline', { from, to, targets: [] });
    expect(none.error?.code).toBe('invalid_payload');
  });
});
