// The field page's position keeper (renderer/src/field/position-keeper.ts): a fix is kept until this
// connection's durable mark reaches its ack's durableAt, everything not durable is sent again on a new
// session (a restarted hub's mark starts from 0), the oldest give way at the bound and are counted,
// refusals for good are dropped, and what is kept survives a reload.
import { describe, expect, it } from 'vitest';
import type { PositionFix } from '../../shared/domain';
import type { Ack, PositionAck } from '../../shared/protocol';
import { PositionKeeper, type FixSender } from '../../renderer/src/field/position-keeper';
import { fixEveryMs } from '../../renderer/src/field/position';

function memory(): Pick<Storage, 'getItem' | 'setItem'> & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}
const fix = (t: number): PositionFix => ({ unitId: 'off-001', t, lng: 118.78, lat: 32.04 + t * 1e-6, accuracy: 8 });
const ts = (fixes: PositionFix[]) => fixes.map((f) => f.t);
/** Lets promise callbacks run (the keeper answers acks in a then). */
const settled = () => new Promise((r) => setTimeout(r, 0));

/** A hub stand-in: every batch sent waits for the test to answer it (or never answer it). */
function hub() {
  const calls: { fixes: PositionFix[]; answer: (a: Ack<PositionAck>) => void; fail: () => void }[] = [];
  const send: FixSender = (fixes) => new Promise((resolve, reject) => calls.push({ fixes: [...fixes], answer: resolve, fail: () => reject(new Error('timeout')) }));
  const took = (durableAt: number, durableThrough = 0, more: Partial<PositionAck> = {}): Ack<PositionAck> => ({ ok: true, result: { accepted: 0, durableAt, durableThrough, ...more } });
  return { calls, send, took };
}

describe('field position keeper', () => {
  it('keeps a batch until the mark reaches its durableAt, from the ack or a notice (which may come first)', async () => {
    const h = hub();
    const keeper = new PositionKeeper(memory(), 'k');
    keeper.open(h.send);
    keeper.add(fix(1));
    keeper.add(fix(2)); // one batch in flight at a time: this one waits
    expect(h.calls.map((c) => ts(c.fixes))).toEqual([[1]]);
    h.calls[0]!.answer(h.took(5, 2));
    await settled();
    expect(keeper.count).toBe(2); // acked, not yet written
    expect(h.calls.map((c) => ts(c.fixes))).toEqual([[1], [2]]);
    keeper.durable(4);
    expect(keeper.count).toBe(2);
    keeper.durable(5);
    expect(keeper.count).toBe(1);
    // The notice for the second batch arrives before its ack: the highest mark is kept and compared.
    keeper.durable(6);
    h.calls[1]!.answer(h.took(6, 5));
    await settled();
    expect(keeper.count).toBe(0);
  });

  it('compares the mark within one connection only, and sends everything not durable again on a new session', async () => {
    const h = hub();
    const keeper = new PositionKeeper(memory(), 'k');
    keeper.open(h.send);
    keeper.add(fix(1));
    h.calls[0]!.answer(h.took(900, 899));
    await settled();
    keeper.durable(1000); // the old hub's mark (say): fix 1 is durable there
    expect(keeper.count).toBe(0);
    keeper.add(fix(2));
    h.calls[1]!.answer(h.took(1001, 1000));
    await settled();
    expect(keeper.count).toBe(1); // acked, not written: the hub is killed now
    keeper.lost();
    keeper.add(fix(3)); // offline: kept, not sent
    expect(h.calls).toHaveLength(2);

    // The restarted hub counts from 0: its marks say nothing about the old durableAt values.
    keeper.open(h.send);
    expect(ts(h.calls[2]!.fixes)).toEqual([2, 3]);
    h.calls[2]!.answer(h.took(2, 0));
    await settled();
    expect(keeper.count).toBe(2);
    keeper.durable(2);
    expect(keeper.count).toBe(0);
  });

  it('ignores a late answer from a connection that is gone, and sends again what got no answer', async () => {
    const h = hub();
    const keeper = new PositionKeeper(memory(), 'k');
    keeper.open(h.send);
    keeper.add(fix(1));
    keeper.lost();
    keeper.open(h.send);
    keeper.add(fix(2)); // waits: the new session's first batch is in flight
    expect(h.calls.map((c) => ts(c.fixes))).toEqual([[1], [1]]);
    h.calls[0]!.answer(h.took(1, 50)); // the old connection's ack, too late to mean anything
    await settled();
    expect(h.calls).toHaveLength(2);
    h.calls[1]!.answer(h.took(3, 0));
    await settled();
    expect(keeper.count).toBe(2); // the old mark (50) does not settle the new connection's durableAt 3
    h.calls[2]!.fail(); // a timeout on a live connection: kept, sent again with the next fix
    await settled();
    expect(keeper.count).toBe(2);
    keeper.add(fix(3));
    expect(ts(h.calls[3]!.fixes)).toEqual([2, 3]);
    // The connection ends with that batch in flight; its timeout, coming later, queues nothing twice.
    keeper.lost();
    keeper.open(h.send);
    expect(ts(h.calls[4]!.fixes)).toEqual([1, 2, 3]); // fix 1 was acked on the last connection, never durable
    h.calls[3]!.fail();
    await settled();
    expect(keeper.count).toBe(3);
  });

  it('keeps at most its bound while offline, giving up the oldest and counting them until all is caught up', async () => {
    const h = hub();
    const keeper = new PositionKeeper(memory(), 'k', 5);
    for (let t = 1; t <= 8; t++) keeper.add(fix(t));
    expect(keeper.count).toBe(5);
    expect(keeper.dropped).toBe(3);
    keeper.open(h.send);
    expect(ts(h.calls[0]!.fixes)).toEqual([4, 5, 6, 7, 8]);
    h.calls[0]!.answer(h.took(5, 5));
    await settled();
    expect(keeper.count).toBe(0);
    expect(keeper.dropped).toBe(0);
  });

  it('drops fixes refused for good, keeps a duplicate until durable, and sends a full backlog\'s batch again later', async () => {
    const h = hub();
    const keeper = new PositionKeeper(memory(), 'k');
    keeper.open(h.send);
    keeper.add(fix(1));
    h.calls[0]!.answer(h.took(0, 0, { refused: [{ unitId: 'off-001', t: 1, reason: 'too_old' }], refusedCount: 1 }));
    await settled();
    expect(keeper.count).toBe(0);
    expect(keeper.refused).toBe(1);

    keeper.add(fix(2));
    h.calls[1]!.answer(h.took(7, 3, { refused: [{ unitId: 'off-001', t: 2, reason: 'duplicate' }], refusedCount: 1 }));
    await settled();
    expect(keeper.count).toBe(1);
    keeper.durable(7);
    expect(keeper.count).toBe(0);

    keeper.add(fix(3));
    h.calls[2]!.answer(h.took(7, 7, { refused: [{ unitId: 'off-001', t: 3, reason: 'store_backlog' }], refusedCount: 1 }));
    await settled();
    expect(keeper.count).toBe(1);
    expect(h.calls).toHaveLength(3); // not sent again at once: the next fix brings it
    keeper.add(fix(4));
    expect(ts(h.calls[3]!.fixes)).toEqual([3, 4]);

    // A refused message: retried when the hub is busy, dropped when it is refused for good.
    h.calls[3]!.answer({ ok: false, error: { code: 'rate_limited', message: 'slow down' } });
    await settled();
    expect(keeper.count).toBe(2);
    keeper.add(fix(5));
    expect(ts(h.calls[4]!.fixes)).toEqual([3, 4, 5]);
    h.calls[4]!.answer({ ok: false, error: { code: 'invalid_payload', message: 'no' } });
    await settled();
    expect(keeper.count).toBe(0);
    expect(keeper.refused).toBe(4);
  });

  it('survives a reload: what was kept (sent or not) is read back and sent on the next session', async () => {
    const store = memory();
    const h = hub();
    const keeper = new PositionKeeper(store, 'k', 3);
    keeper.open(h.send);
    keeper.add(fix(1));
    h.calls[0]!.answer(h.took(4, 0)); // acked, not durable
    await settled();
    keeper.lost();
    for (let t = 2; t <= 4; t++) keeper.add(fix(t));

    const reloaded = new PositionKeeper(store, 'k', 3);
    expect(reloaded.count).toBe(3);
    expect(reloaded.dropped).toBe(1);
    reloaded.add(fix(4)); // the reloaded page is given the phone's last fix again: kept once
    expect(reloaded.count).toBe(3);
    expect(reloaded.dropped).toBe(1);
    reloaded.open(h.send);
    expect(ts(h.calls[1]!.fixes)).toEqual([2, 3, 4]);
    expect(h.calls[1]!.fixes[0]).toEqual(fix(2));
    h.calls[1]!.answer(h.took(3, 3));
    await settled();
    expect(reloaded.count).toBe(0);
    expect(JSON.parse(store.data.get('k')!)).toEqual({ fixes: [], dropped: 0 });
    // Storage that is not ours (or broken) reads as nothing kept.
    store.setItem('k', '{"fixes":[{"x":1}],"dropped":"many"}');
    expect(new PositionKeeper(store, 'k').count).toBe(0);
    store.setItem('k', 'not json');
    expect(new PositionKeeper(store, 'k').count).toBe(0);
  });
});

describe('the field page\'s fix interval', () => {
  it('is 5 s unless the address says otherwise (?fixEvery=<seconds>, 0 to 300)', () => {
    expect(fixEveryMs('')).toBe(5000);
    expect(fixEveryMs('?fixEvery=')).toBe(5000);
    expect(fixEveryMs('?fixEvery=soon')).toBe(5000);
    expect(fixEveryMs('?fixEvery=-1')).toBe(5000);
    expect(fixEveryMs('?fixEvery=0')).toBe(0);
    expect(fixEveryMs('?code=X&fixEvery=2.5')).toBe(2500);
    expect(fixEveryMs('?fixEvery=9999')).toBe(300_000);
  });
});
