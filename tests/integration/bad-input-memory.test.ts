// Bad input leaves no trace in the hub's memory (issue 16, "Bad input": memory stays flat). Rounds of
// hostile clients — each on fresh sockets, so every per-socket budget, refusal summary and listener is
// new — send every event with generated junk (wrong types, NaN/Infinity as JSON can carry them, huge
// strings, deep nesting, `__proto__` keys, NUL and RTL characters, coordinates and times out of range,
// extra arguments, no callback) and leave. After a forced GC the heap must be where it was after the
// first round; the process's RSS is printed beside it (it is the allocator's business and not judged).
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Socket } from 'socket.io-client';
import { closeClients, consoleClient, CONSOLE_EVENTS, FIELD_EVENTS, fieldClient, startTestHub } from './hub-fixture';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const ROUNDS = 5;
const PER_ROUND = 300;

/** Values a hostile client puts where the protocol wants ids, numbers, positions and text. */
const hostile = fc.oneof(
  fc.constantFrom(null, true, 0, -1, 1e308, Number.MAX_SAFE_INTEGER + 2, '', 'NaN', 'Infinity', '\u0000', '\u202e\u0000abc', '__proto__', '<script>'),
  fc.string({ maxLength: 40 }),
  // huge text, far beyond any field's limit (two payloads of four such keys stay under the 1 MB message bound)
  fc.constantFrom('长'.repeat(30_000), 'x'.repeat(100_000)),
  fc.tuple(fc.double(), fc.double()), // positions anywhere, NaN and ±Infinity included (JSON sends them as null)
  fc.constantFrom([181, 91], [118.78, 32.04, 7], [[1, 2]], Date.now() + 365 * 86_400_000, -1, 0),
  fc.letrec<{ deep: unknown }>((tie) => ({ deep: fc.oneof({ depthSize: 'large', maxDepth: 60 }, fc.constant(0), fc.tuple(tie('deep'))) })).deep,
);
const payloads = fc.oneof(
  fc.dictionary(fc.constantFrom('commandId', 'unitId', 'incidentId', 'taskId', 'position', 'fixes', 'description', 'areaId', 'mode', '__proto__', 'constructor', 't', 'lng', 'lat'), hostile, { maxKeys: 4 }),
  fc.object({ maxDepth: 3 }),
  hostile,
);
const argLists = fc.oneof(fc.constant([] as unknown[]), fc.tuple(payloads), fc.tuple(payloads, payloads), fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }));

/** One round: a console and a device on new sockets send PER_ROUND messages each, wait for every answer, leave. */
async function round(url: string, seed: number): Promise<number> {
  const { socket: op } = await consoleClient(url, { username: 'operator', password: 'demo' });
  const gw = await fieldClient(url);
  let answered = 0;
  const send = (socket: Socket, events: string[], s: number) => {
    const pending: Promise<unknown>[] = [];
    fc.assert(fc.property(fc.constantFrom(...events), argLists, fc.boolean(), (event, args, withAck) => {
      if (withAck) pending.push(socket.timeout(120_000).emitWithAck(event, ...args).then(() => answered++, () => {}));
      else socket.emit(event, ...args);
    }), { seed: s, numRuns: PER_ROUND });
    return Promise.all(pending);
  };
  await Promise.all([send(op, CONSOLE_EVENTS, seed), send(gw, FIELD_EVENTS, seed + 1)]);
  closeClients();
  return answered;
}

function settledHeap(): number {
  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage().heapUsed;
}

let hub: Awaited<ReturnType<typeof startTestHub>>;
beforeAll(async () => { hub = await startTestHub(); });
afterAll(async () => {
  closeClients();
  await hub.close();
});

describe('bad input and memory', () => {
  it(`${ROUNDS} rounds of generated junk on fresh sockets: every callback answered, the heap back where it was`, async () => {
    const first = await round(hub.url, 1);
    expect(first).toBeGreaterThan(PER_ROUND / 2); // half of each socket's messages carry a callback
    await new Promise((r) => setTimeout(r, 200)); // let the sockets' close handlers run
    const heap0 = settledHeap();
    const rss0 = process.memoryUsage().rss;
    let answered = first;
    for (let r = 1; r < ROUNDS; r++) answered += await round(hub.url, 1 + r * 2);
    await new Promise((r) => setTimeout(r, 200));
    const heap1 = settledHeap();
    const rss1 = process.memoryUsage().rss;
    const audit = hub.db.prepare('SELECT count(*) FROM audit_log').pluck().get() as number;
    console.log(`bad input: ${ROUNDS} rounds × 2 sockets × ${PER_ROUND} messages, ${answered} callbacks answered; `
      + `heap ${(heap0 / 1e6).toFixed(1)} → ${(heap1 / 1e6).toFixed(1)} MB (×${(heap1 / heap0).toFixed(2)}), `
      + `RSS ${(rss0 / 1e6).toFixed(0)} → ${(rss1 / 1e6).toFixed(0)} MB; audit log ${audit} entries`);
    expect(heap1).toBeLessThanOrEqual(heap0 * 1.2);
    // Still serving.
    const { socket } = await consoleClient(hub.url, { username: 'operator', password: 'demo' });
    expect((await socket.timeout(10_000).emitWithAck('state:snapshot', {})).ok).toBe(true);
  }, 300_000);
});
