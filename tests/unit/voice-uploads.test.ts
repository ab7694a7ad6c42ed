// The recordings queue (renderer/src/common/voice/uploads.ts): one commandId for every attempt, retried
// until the hub acks it, kept in storage meanwhile (a reload sends it again), and a refusal stays listed.
import { describe, expect, it } from 'vitest';
import type { Ack } from '../../shared/protocol/commands';
import { UploadQueue, type PendingRecording } from '../../renderer/src/common/voice/uploads';

class MemoryStorage {
  private readonly m = new Map<string, string>();
  getItem(k: string) { return this.m.get(k) ?? null; }
  setItem(k: string, v: string) { this.m.set(k, v); }
}
const storage = () => new MemoryStorage() as unknown as Storage;
const payload = (commandId: string): PendingRecording['payload'] => ({
  commandId, talkId: `V-${'0'.repeat(24)}`, channel: 'unit:u1', startedAt: 1, endedAt: 2, audio: { mime: 'audio/webm', base64: 'AAAA' },
});
async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 25));
  expect(ok()).toBe(true);
}

describe('the recordings queue', () => {
  it('retries with the same commandId until acked, and survives a reload meanwhile', async () => {
    const store = storage();
    const sent: string[] = [];
    const first = new UploadQueue('k', async (p) => {
      sent.push(p.commandId);
      throw new Error('no answer');
    }, store);
    first.add(payload('cmd-00000001'));
    await until(() => sent.length >= 1);
    expect(first.pending()).toHaveLength(1);
    first.stop();
    // The page reloads: a new queue finds it in storage and sends it (same commandId) to a hub that answers.
    const acked: string[] = [];
    const second = new UploadQueue('k', async (p): Promise<Ack<unknown>> => {
      acked.push(p.commandId);
      return { ok: true, result: {} };
    }, store);
    expect(second.pending().map((p) => p.commandId)).toEqual(['cmd-00000001']);
    await until(() => second.pending().length === 0);
    expect(acked).toEqual(['cmd-00000001']);
    expect(new UploadQueue('k', async () => ({ ok: true, result: {} }), store).pending()).toEqual([]);
  });

  it('a refusal is kept and shown until dismissed; a transient error is retried', async () => {
    let calls = 0;
    const q = new UploadQueue('k', async (): Promise<Ack<unknown>> => {
      calls += 1;
      return calls === 1 ? { ok: false, error: { code: 'internal', message: 'disk full' } } : { ok: false, error: { code: 'forbidden', message: 'no' } };
    }, storage());
    q.add(payload('cmd-00000002'));
    await until(() => q.pending()[0]?.refused === 'forbidden');
    expect(calls).toBe(2);
    q.dismiss('cmd-00000002');
    expect(q.pending()).toEqual([]);
  }, 10_000);
});
