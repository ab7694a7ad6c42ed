// Signed checkpoints as the evaluator's console sees them: a chain check that holds is signed and recorded
// (`audit:checkpoint`), exports record theirs, `audit:checkpoints` lists them with the hub's key — and the
// console's own check (renderer/src/evaluator/checkpoint-check.ts, Web Crypto Ed25519, run here on
// Node's Web Crypto) accepts a true line and names what is wrong with a forged, re-keyed or rolled-back one.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { checkCheckpoint, parseCheckpointLine } from '../../renderer/src/evaluator/checkpoint-check';
import { publicKeyText, signCheckpoint } from '../../main/store/checkpoint';
import { ask, closeClients, consoleClient, startTestHub } from './hub-fixture';

let hub: Awaited<ReturnType<typeof startTestHub>>;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub.close());
afterEach(closeClients);

const hashAt = (count: number) => (hub.db.prepare('SELECT hash FROM audit_log WHERE seq = ?').pluck().get(count) as string | undefined);
const head = () => hub.db.prepare('SELECT max(seq) FROM audit_log').pluck().get() as number;

describe('audit:checkpoints', () => {
  it('records a signed checkpoint for a chain check that held and lists it, newest first, with the key', async () => {
    const ev = (await consoleClient(hub.url, { username: 'evaluator', password: 'demo' })).socket;
    const verified = await ask(ev, 'audit:verify', {}, 60_000);
    expect(verified.result).toMatchObject({ ok: true });
    const line: string = verified.result.checkpoint;
    expect(parseCheckpointLine(line)).toMatchObject({ count: verified.result.count, head: verified.result.headHash });
    const exported = await ask(ev, 'audit:export', { what: 'scorecard', format: 'csv', from: Date.now() - 3_600_000, to: Date.now() }, 60_000);
    expect(exported.ok).toBe(true);
    const listed = await ask(ev, 'audit:checkpoints', {});
    expect(listed.ok).toBe(true);
    const { publicKey, checkpoints } = listed.result;
    expect(checkpoints.map((c: { action: string }) => c.action).slice(0, 2)).toEqual(['audit:export', 'audit:checkpoint']);
    expect(checkpoints[0].line).toBe(exported.result.chain.checkpoint);
    expect(checkpoints[1]).toMatchObject({ actor: 'evaluator', line });
    expect(publicKey).toBe(parseCheckpointLine(line)!.key);
    const op = (await consoleClient(hub.url, { username: 'operator', password: 'demo' })).socket;
    expect((await ask(op, 'audit:checkpoints', {})).error?.code).toBe('forbidden');
  });

  it("is re-checked by the console's own code: a true line holds; a forged, re-keyed or rolled-back one says why", async () => {
    const { publicKey, checkpoints } = (await ask((await consoleClient(hub.url, { username: 'evaluator', password: 'demo' })).socket, 'audit:checkpoints', {})).result;
    const line: string = checkpoints.find((c: { action: string }) => c.action === 'audit:checkpoint').line;
    const cp = parseCheckpointLine(line)!;
    const walked = head();
    expect(await checkCheckpoint(line, publicKey, hashAt, walked, false)).toEqual({ ok: true, count: cp.count, head: cp.head, at: cp.at, key: publicKey });
    // the count changed after signing: the signature no longer covers the line
    const forged = line.replace(`count=${cp.count} `, `count=${cp.count - 1} `);
    expect(await checkCheckpoint(forged, publicKey, hashAt, walked, false)).toMatchObject({ ok: false, why: 'bad_signature' });
    // re-signed with another key that names itself: compared with the trusted key, not believed
    const other = generateKeyPairSync('ed25519').privateKey;
    const resigned = signCheckpoint({ count: cp.count, head: cp.head }, other);
    expect(await checkCheckpoint(resigned, publicKey, hashAt, walked, false)).toMatchObject({ ok: false, why: 'other_key', key: publicKeyText(other) });
    // the log this console walked holds fewer entries than the line vouched for (truncated, rolled back)
    expect(await checkCheckpoint(line, publicKey, hashAt, cp.count - 1, false)).toMatchObject({ ok: false, why: 'beyond_chain' });
    expect(await checkCheckpoint(line, publicKey, hashAt, cp.count - 1, true)).toMatchObject({ ok: false, why: 'chain_broken' });
    // the entry at the line's count hashes to something else now (rewritten and re-chained)
    expect(await checkCheckpoint(line, publicKey, () => 'f'.repeat(64), walked, false)).toMatchObject({ ok: false, why: 'head_differs' });
    expect(await checkCheckpoint('not a checkpoint', publicKey, hashAt, walked, false)).toMatchObject({ ok: false, why: 'unreadable' });
  });
});
