// Crafted engine.io / socket.io frames (issue 16, "Bad input"): what a hostile client can send below the
// socket.io client library, over a WebSocket written from RFC 6455 (raw-websocket.ts) and over engine.io's
// HTTP long-polling. Protocol violations at every layer — WebSocket (unmasked, reserved opcodes and bits,
// lengths that lie, control frames too long or fragmented, text that is not UTF-8), engine.io (unknown
// packet types, empty frames), socket.io (broken JSON, unknown namespaces, binary placeholders never sent,
// absurd attachment counts and ack ids, deep nesting, packets for a namespace not joined) — and generated
// frames on fresh connections, round after round. What must hold: the hub never exits and keeps serving;
// each crafted frame gets its answer (a close, a CONNECT_ERROR, an error ack) or, for the packets that
// want none (pong, noop), nothing; a logged-in client's bad events are audited as bounded summaries; and
// the hub's memory after a GC is where it was after the first round (heap and RSS ≤ ×1.2).
import v8 from 'node:v8';
import vm from 'node:vm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeClients, consoleClient, startTestHub } from './hub-fixture';
import { frame, rawWebSocket, text, type RawWebSocket } from './raw-websocket';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const WS_PATH = '/socket.io/?EIO=4&transport=websocket';
const ROUNDS = 5;
const PER_ROUND = 60;
const LOGIN = '40/console,{"username":"operator","password":"demo"}';

let hub: Awaited<ReturnType<typeof startTestHub>>;
const logs: string[] = [];
beforeAll(async () => {
  hub = await startTestHub({ log: (l) => logs.push(l) });
});
afterAll(async () => {
  closeClients();
  await hub.close();
});

/** A fresh engine.io connection over WebSocket, its open packet read. */
async function open(): Promise<RawWebSocket> {
  const ws = await rawWebSocket(hub.url, WS_PATH);
  for (let i = 0; ws.frames.length === 0; i++) {
    if (i > 2000) throw new Error('no engine.io open packet');
    await new Promise((r) => setTimeout(r, 5));
  }
  expect(ws.frames[0]!.payload.toString()).toMatch(/^0\{"sid":/);
  return ws;
}

/** Logged in on /console (the CONNECT answered with the session), ready for events. */
async function loggedIn(): Promise<RawWebSocket> {
  const ws = await open();
  ws.write(text(LOGIN));
  await until(ws, (t) => /^40\/console,\{"sid"/.test(t), 20_000);
  return ws;
}

/** Waits for a text frame from the hub that `match`es (after the open packet); throws after `ms`. */
async function until(ws: RawWebSocket, match: (text: string) => boolean, ms = 10_000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const hit = ws.frames.slice(1).find((f) => f.opcode === 1 && match(f.payload.toString()));
    if (hit) return hit.payload.toString();
    if (Date.now() > end) throw new Error(`no frame matched within ${ms} ms; got ${JSON.stringify(ws.frames.map((f) => `${f.opcode}:${f.payload.subarray(0, 60)}`))}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The hub's answer to a violation: its close frame (it then waits for ours) or the TCP connection closed. */
async function closedByHub(ws: RawWebSocket, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (ws.frames.some((f) => f.opcode === 8)) return true;
    if (await ws.closed(20)) return true;
  }
  return false;
}

type Fate = 'close' | 'quiet' | RegExp;
/** Each crafted case on a connection of its own, with what the hub must answer. */
const CRAFTED: Array<{ name: string; frames: () => Buffer[]; login?: boolean; fate: Fate }> = [
  // WebSocket: the ws library closes with 1002 / 1007 / 1009
  { name: 'an unmasked client frame', frames: () => [text('2', { mask: false })], fate: 'close' },
  { name: 'a reserved opcode (3)', frames: () => [frame({ opcode: 3, payload: Buffer.from('x') })], fate: 'close' },
  { name: 'reserved bits set (no extension agreed)', frames: () => [text('2', { rsv: 4 })], fate: 'close' },
  { name: 'a ping of 200 bytes (control frames carry ≤ 125)', frames: () => [frame({ opcode: 9, payload: Buffer.alloc(200) })], fate: 'close' },
  { name: 'a fragmented ping', frames: () => [frame({ opcode: 9, payload: Buffer.from('a'), fin: false })], fate: 'close' },
  { name: 'a continuation with nothing to continue', frames: () => [frame({ opcode: 0, payload: Buffer.from('a') })], fate: 'close' },
  { name: 'text that is not UTF-8', frames: () => [text(Buffer.from([0xff, 0xfe, 0x34]))], fate: 'close' },
  { name: 'a length of 2^40 bytes claimed', frames: () => [text('42', { claimedLength: 2 ** 40 })], fate: 'close' },
  { name: 'a close with an invalid code (999)', frames: () => [frame({ opcode: 8, payload: Buffer.from([0x03, 0xe7]) })], fate: 'close' },
  // engine.io
  { name: 'a binary frame of junk', frames: () => [frame({ opcode: 2, payload: Buffer.from([1, 2, 3, 4]) })], fate: 'close' },
  { name: 'an empty packet', frames: () => [text('')], fate: 'close' },
  { name: 'an unknown packet type (9)', frames: () => [text('9')], fate: 'close' },
  { name: 'an upgrade packet (5) on a connection already upgraded', frames: () => [text('5')], fate: 'quiet' },
  { name: 'an unsolicited pong', frames: () => [text('3')], fate: 'quiet' },
  { name: 'a noop', frames: () => [text('6')], fate: 'quiet' },
  // socket.io
  { name: 'an empty message', frames: () => [text('4')], fate: 'close' },
  { name: 'an unknown socket.io type (8)', frames: () => [text('48')], fate: 'close' },
  { name: 'a CONNECT with broken JSON', frames: () => [text('40/console,{bad json')], fate: 'close' },
  { name: 'a CONNECT to a namespace the hub does not have', frames: () => [text('40/nowhere,{}')], fate: /^44\/nowhere,\{"message":"Invalid namespace"\}$/ },
  { name: 'a CONNECT to /console without credentials', frames: () => [text('40/console,{}')], fate: /^44\/console,\{"message":"auth_required/ },
  { name: 'a CONNECT with a 100,000-character namespace', frames: () => [text(`40/${'a'.repeat(100_000)},{}`)], fate: /^44\/a+,\{"message":"Invalid namespace"\}$/ },
  { name: 'a CONNECT with a wrong password', frames: () => [text('40/console,{"username":"operator","password":"x"}')], fate: /^44\/console,\{"message":"/ },
  { name: 'an event before joining its namespace', frames: () => [text('42/console,["state:snapshot",{}]')], fate: 'close' },
  { name: 'an attachment count of 9,999,999', frames: () => [text('49999999-/console,[]')], fate: 'close' },
  { name: 'an ack id of 30 digits', frames: () => [text('42/console,123456789012345678901234567890["a"]')], fate: 'close' },
  { name: '20,000 levels of nesting', frames: () => [text(`42/console,[${'['.repeat(20_000)}${']'.repeat(20_000)}]`)], fate: 'close' },
  // after a real login: the hub's own checks answer, with an error ack
  { name: 'an event called __proto__, logged in', login: true, frames: () => [text('42/console,7["__proto__",{}]')], fate: /^43\/console,7\[\{"ok":false,"error":\{"code":"forbidden"/ },
  { name: 'a command whose payload is null, logged in', login: true, frames: () => [text('42/console,8["incident:create",null]')], fate: /^43\/console,8\[\{"ok":false,"error":\{"code":"invalid_payload"/ },
  { name: 'a command with NaN written out, logged in', login: true, frames: () => [text('42/console,9["incident:create",{"commandId":NaN}]')], fate: 'close' },
  { name: 'a binary placeholder whose attachment never comes, logged in', login: true, frames: () => [text('451-/console,["state:snapshot",{"_placeholder":true,"num":0}]')], fate: 'quiet' },
];

/** Generated frames: the head of a real packet, then junk; sometimes a frame that lies about itself. */
const generatedFrame = fc.oneof(
  fc.tuple(fc.constantFrom('', '0', '2', '3', '4', '40', '40/console,', '40/field,', '41/console,', '42/console,', '43/console,', '45', '451-/console,', '46/console,', '44'),
    fc.oneof(fc.string({ maxLength: 200 }), fc.json({ maxDepth: 4 }), fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify([v])))).map(([head, rest]) => text(head + rest)),
  fc.record({
    opcode: fc.constantFrom(0, 1, 2, 3, 8, 9, 10, 11, 15), payload: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
    fin: fc.boolean(), mask: fc.boolean(), rsv: fc.integer({ min: 0, max: 7 }),
  }).map((f) => frame(f)),
);

/** One round: PER_ROUND fresh connections, 1–4 generated frames each; how each ended. */
async function round(seed: number): Promise<Record<'closed' | 'answered' | 'quiet', number>> {
  const fates = { closed: 0, answered: 0, quiet: 0 };
  const batches = fc.sample(fc.array(generatedFrame, { minLength: 1, maxLength: 4 }), { seed, numRuns: PER_ROUND });
  for (let i = 0; i < batches.length; i += 10) {
    await Promise.all(batches.slice(i, i + 10).map(async (frames) => {
      const ws = await open();
      for (const f of frames) ws.write(f);
      const closed = await closedByHub(ws, 1000);
      fates[closed ? 'closed' : ws.frames.length > 1 ? 'answered' : 'quiet']++;
      ws.end();
    }));
  }
  return fates;
}

function settled(): { heap: number; rss: number } {
  for (let i = 0; i < 4; i++) gc();
  return { heap: process.memoryUsage().heapUsed, rss: process.memoryUsage().rss };
}

describe('crafted engine.io / socket.io frames', () => {
  for (const c of CRAFTED) {
    it(`${c.name}: ${c.fate === 'close' ? 'the hub closes the connection' : c.fate === 'quiet' ? 'nothing to answer, the connection stays' : 'the hub answers'}`, async () => {
      const ws = c.login ? await loggedIn() : await open();
      try {
        for (const f of c.frames()) ws.write(f);
        if (c.fate === 'close') expect(await closedByHub(ws)).toBe(true);
        else if (c.fate === 'quiet') {
          expect(await closedByHub(ws, 1000)).toBe(false);
          // No answer of any kind: no ack, no CONNECT_ERROR, no disconnect (the hub's own events may come).
          expect(ws.frames.map((f) => f.payload.toString()).filter((t) => /^4[134]/.test(t))).toEqual([]);
        } else {
          const fate = c.fate;
          expect(await until(ws, (t) => fate.test(t))).toMatch(fate);
        }
      } finally {
        ws.end();
      }
    }, 60_000);
  }

  it('a logged-in client\'s bad events are audited as bounded summaries: 200 refused, at most a dozen rows', async () => {
    const before = hub.db.prepare(`SELECT count(*) FROM audit_log WHERE outcome <> 'accepted'`).pluck().get() as number;
    const ws = await loggedIn();
    try {
      for (let i = 0; i < 200; i++) ws.write(text(`42/console,${100 + i}["incident:create",{"commandId":${i}}]`));
      await until(ws, (t) => t.startsWith('43/console,299['), 30_000);
      const answers = ws.frames.filter((f) => /^43\/console,\d+\[\{"ok":false/.test(f.payload.toString()));
      expect(answers.length).toBeGreaterThanOrEqual(150); // the rest may be "slow down" answers or the cut
    } finally {
      ws.end();
    }
    const after = hub.db.prepare(`SELECT count(*) FROM audit_log WHERE outcome <> 'accepted'`).pluck().get() as number;
    expect(after - before).toBeGreaterThan(0);
    expect(after - before).toBeLessThanOrEqual(12);
  }, 60_000);

  it(`${ROUNDS} rounds of ${PER_ROUND} connections of generated frames: the hub answers or closes each, keeps serving, and its memory stays flat`, async () => {
    const first = await round(1);
    await new Promise((r) => setTimeout(r, 300)); // close handlers
    const m0 = settled();
    const total = { ...first };
    for (let r = 1; r < ROUNDS; r++) {
      const f = await round(1 + r);
      for (const k of Object.keys(total) as Array<keyof typeof total>) total[k] += f[k];
    }
    await new Promise((r) => setTimeout(r, 300));
    const m1 = settled();
    console.log(`crafted frames: ${ROUNDS * PER_ROUND} connections, ${total.closed} closed by the hub, ${total.answered} answered, ${total.quiet} quiet; `
      + `heap ${(m0.heap / 1e6).toFixed(1)} → ${(m1.heap / 1e6).toFixed(1)} MB (×${(m1.heap / m0.heap).toFixed(2)}), `
      + `RSS ${(m0.rss / 1e6).toFixed(0)} → ${(m1.rss / 1e6).toFixed(0)} MB (×${(m1.rss / m0.rss).toFixed(2)})`);
    expect(total.closed).toBeGreaterThan(ROUNDS * PER_ROUND / 3);
    expect(m1.heap).toBeLessThanOrEqual(m0.heap * 1.2);
    expect(m1.rss).toBeLessThanOrEqual(m0.rss * 1.2);
    // Still serving, and nothing in its log says it failed.
    const { socket } = await consoleClient(hub.url, { username: 'operator', password: 'demo' });
    expect((await socket.timeout(10_000).emitWithAck('state:snapshot', {})).ok).toBe(true);
    expect(logs.filter((l) => /failed|uncaught|TypeError/i.test(l))).toEqual([]);
  }, 300_000);
});
