// Bad input leaves no trace in the hub's memory (issue 16, "Bad input": memory stays flat). Rounds of
// hostile clients — each on fresh sockets, so every per-socket budget, refusal summary and listener is
// new — send every event with generated junk (wrong types, NaN/Infinity as JSON can carry them, huge
// strings, deep nesting, `__proto__` keys, NUL and RTL characters, coordinates and times out of range,
// extra arguments, no callback) and leave. After a forced GC the heap must be where it was after the
// warm-up rounds, and so must the RSS: the clients run in a child process of their own (bad-input-client.ts),
// so this process's RSS is the hub's.
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeClients, consoleClient, startTestHub } from './hub-fixture';
import { HostileClients, PER_ROUND } from './bad-input-client';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const ROUNDS = 6;
/** Rounds before the baseline: the allocator's high-water mark is reached in the second (RSS 196 → 230 MB, then 229–232 MB for 11 more rounds, 4 Dec). */
const WARM_UP = 2;

/** Heap and RSS of this process (the hub's: the clients are in their own) after a full GC. */
function settled(): { heap: number; rss: number } {
  for (let i = 0; i < 4; i++) gc();
  return { heap: process.memoryUsage().heapUsed, rss: process.memoryUsage().rss };
}

let hub: Awaited<ReturnType<typeof startTestHub>>;
let clients: HostileClients;
beforeAll(async () => {
  hub = await startTestHub();
  clients = HostileClients.start();
});
afterAll(async () => {
  clients.close();
  closeClients();
  await hub.close();
});

describe('bad input and memory', () => {
  it(`${ROUNDS} rounds of generated junk on fresh sockets: every callback answered, heap and RSS back where they were`, async () => {
    const first = await clients.round(hub.url, 1);
    expect(first).toBeGreaterThan(PER_ROUND / 2); // half of each socket's messages carry a callback
    let answered = first;
    for (let r = 1; r < WARM_UP; r++) answered += await clients.round(hub.url, 1 + r * 2);
    await new Promise((r) => setTimeout(r, 200)); // let the sockets' close handlers run
    const { heap: heap0, rss: rss0 } = settled();
    for (let r = WARM_UP; r < ROUNDS; r++) answered += await clients.round(hub.url, 1 + r * 2);
    await new Promise((r) => setTimeout(r, 200));
    const { heap: heap1, rss: rss1 } = settled();
    const audit = hub.db.prepare('SELECT count(*) FROM audit_log').pluck().get() as number;
    console.log(`bad input: ${ROUNDS} rounds (the last ${ROUNDS - WARM_UP} measured) × 2 sockets × ${PER_ROUND} messages, ${answered} callbacks answered; `
      + `heap ${(heap0 / 1e6).toFixed(1)} → ${(heap1 / 1e6).toFixed(1)} MB (×${(heap1 / heap0).toFixed(2)}), `
      + `RSS ${(rss0 / 1e6).toFixed(0)} → ${(rss1 / 1e6).toFixed(0)} MB (×${(rss1 / rss0).toFixed(2)}); audit log ${audit} entries`);
    expect(heap1).toBeLessThanOrEqual(heap0 * 1.2);
    expect(rss1).toBeLessThanOrEqual(rss0 * 1.2);
    // Still serving.
    const { socket } = await consoleClient(hub.url, { username: 'operator', password: 'demo' });
    expect((await socket.timeout(10_000).emitWithAck('state:snapshot', {})).ok).toBe(true);
  }, 300_000);
});
