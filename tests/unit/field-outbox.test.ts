// The field page's outbox (renderer/src/field/outbox.ts): a command is stored before it is sent, sent
// again with the same commandId until the hub answers, kept across a reload, and dropped only once
// answered (a refusal for good included; a rate limit or an internal failure is tried again).
import { describe, expect, it } from 'vitest';
import { Outbox, type OutboxSender } from '../../renderer/src/field/outbox';

function memory(): Pick<Storage, 'getItem' | 'setItem'> & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}
let n = 0;
const ids = () => `cmd-${n++}-xxxxxxxx`;

describe('field outbox', () => {
  it('keeps what got no answer, across a reload, and sends it again with the same commandId', async () => {
    const store = memory();
    const box = new Outbox(store, 'k', ids);
    const { entry } = box.add('sos:raise', { unitId: 'off-001', position: [118.78, 32.04] });
    const seen: string[] = [];
    const offline: OutboxSender = async (_name, p) => { seen.push(p.commandId as string); throw new Error('offline'); };
    await box.flush(offline);
    expect(box.list()).toHaveLength(1);

    const reloaded = new Outbox(store, 'k', ids);
    expect(reloaded.list().map((e) => e.commandId)).toEqual([entry.commandId]);
    const answered = reloaded.answerOf(entry.commandId);
    await reloaded.flush(async (name, p) => { seen.push(p.commandId as string); return { ok: true, result: { name } }; });
    expect(seen).toEqual([entry.commandId, entry.commandId]);
    expect(reloaded.list()).toEqual([]);
    expect(JSON.parse(store.data.get('k')!)).toEqual([]);
    expect(await answered).toEqual({ ok: true, result: { name: 'sos:raise' } });
  });

  it('sends in order and stops at the first without an answer; retryable refusals stay, final ones go', async () => {
    const box = new Outbox(memory(), 'k', ids);
    box.add('task:accept', { taskId: 'T1' });
    box.add('task:arrive', { taskId: 'T1' });
    box.add('checkin:create', { postId: 'P1' });
    const order: string[] = [];
    let calls = 0;
    await box.flush(async (name) => {
      order.push(name);
      calls++;
      if (calls === 1) return { ok: false, error: { code: 'conflict', message: 'gone' } }; // final: dropped
      if (calls === 2) return { ok: false, error: { code: 'rate_limited', message: 'slow down' } }; // kept, and the rest wait
      return { ok: true, result: null };
    });
    expect(order).toEqual(['task:accept', 'task:arrive']);
    expect(box.list().map((e) => e.name)).toEqual(['task:arrive', 'checkin:create']);
    await box.flush(async (name) => { order.push(name); return { ok: true, result: null }; });
    expect(order).toEqual(['task:accept', 'task:arrive', 'task:arrive', 'checkin:create']);
    expect(box.list()).toEqual([]);
  });

  it('runs one flush at a time, so nothing is sent twice by two triggers at once', async () => {
    const box = new Outbox(memory(), 'k', ids);
    box.add('sos:raise', {});
    let sends = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const send: OutboxSender = async () => { sends++; await gate; return { ok: true, result: null }; };
    const a = box.flush(send);
    const b = box.flush(send);
    release();
    await Promise.all([a, b]);
    expect(sends).toBe(1);
  });
});
