// The ack rules of docs/protocol.md, driven through a real hub: every message with a callback gets
// exactly one ack; an extra argument is invalid_payload and nothing is applied; a reused commandId
// with another payload is a conflict. The socket fuzz sends every event the hub knows (and reserved
// and unknown names) as raw socket.io packets, so that double answers would be seen, not hidden by
// the client library's ack bookkeeping.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Socket } from 'socket.io-client';
import { auditPage } from '../../main/store/audit';
import { ask, askPatiently, cid, closeClients, CONSOLE_EVENTS, consoleClient, FIELD_EVENTS, fieldClient, NANJING, startTestHub } from './hub-fixture';

let hub: Awaited<ReturnType<typeof startTestHub>>;
// The fuzz sends bursts far over the message budget to see every refusal answered; the hub's cut of a
// socket that ignores "slow down" (hub-throttle.test.ts) is lifted here so that the burst is answered whole.
const NO_CUT = { cutAfterRefusals: 1_000_000 };
beforeAll(async () => { hub = await startTestHub({ limits: { console: NO_CUT, field: NO_CUT } }); });
afterAll(() => hub.close());
afterEach(closeClients);

const operator = async () => (await consoleClient(hub.url, { username: 'operator', password: 'demo' })).socket;
/** The client untyped: these tests send what the event maps forbid. */
const loose = (s: unknown) => s as Socket;
const incidentPayload = () => ({ commandId: cid(), category: 'parking', priority: 2, position: NANJING, description: '占道停车' });
const countIncidents = () => (hub.db.prepare('SELECT count(*) AS n FROM incidents').get() as { n: number }).n;

/** Raw socket.io packets over the client's engine: what a hostile or buggy client can really send. */
function rawLine(socket: Socket) {
  const nsp = (socket as unknown as { nsp: string }).nsp;
  const engine = socket.io.engine;
  const answers = new Map<number, unknown[][]>();
  engine.on('packet', (p: { type: string; data?: unknown }) => {
    if (p.type !== 'message' || typeof p.data !== 'string') return;
    const m = /^3(\/[a-z]+,)?(\d+)(.*)$/s.exec(p.data); // socket.io ACK packet (the engine strips its own type)
    if (!m) return;
    const id = Number(m[2]);
    answers.set(id, [...(answers.get(id) ?? []), JSON.parse(m[3]!) as unknown[]]);
  });
  let nextId = 100_000;
  return {
    answers,
    /** emits `args` (event name first); with `withAck`, an ack id the hub must answer exactly once */
    send(args: unknown[], withAck: boolean): number | null {
      const id = withAck ? nextId++ : null;
      engine.write(`2${nsp === '/' ? '' : `${nsp},`}${id ?? ''}${JSON.stringify(args)}`);
      return id;
    },
  };
}

async function until(cond: () => boolean, what: () => string, ms = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('acks', () => {
  it('a command emitted with only a callback gets one invalid_payload ack', async () => {
    const op = await operator();
    const res = await loose(op).timeout(5000).emitWithAck('incident:create');
    expect(res).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
  });

  it('a request emitted with only a callback is answered (its payload is optional)', async () => {
    const op = await operator();
    const res = await loose(op).timeout(5000).emitWithAck('state:snapshot');
    expect(res).toMatchObject({ ok: true });
  });

  it('an extra argument before the callback is invalid_payload, and the command is not applied', async () => {
    const op = await operator();
    const before = countIncidents();
    const res = await loose(op).timeout(5000).emitWithAck('incident:create', incidentPayload(), 'extra');
    expect(res).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect((res as { error: { message: string } }).error.message).toMatch(/2 arguments/);
    expect(countIncidents()).toBe(before);
    const last = auditPage(hub.db, 0, 100_000).filter((e) => e.action === 'incident:create').at(-1);
    expect(last?.outcome).toBe('rejected');
  });

  it('a command without a callback is still applied (nothing to answer)', async () => {
    const op = await operator();
    const before = countIncidents();
    loose(op).emit('incident:create', incidentPayload());
    await until(() => countIncidents() === before + 1, () => 'the incident');
  });

  it('a reused commandId with a different payload is a conflict; the same payload gets the first answer', async () => {
    const op = await operator();
    const payload = incidentPayload();
    const first = await ask(op, 'incident:create', payload);
    expect(first.ok).toBe(true);
    expect(await ask(op, 'incident:create', payload)).toEqual(first);
    const before = countIncidents();
    const other = await ask(op, 'incident:create', { ...payload, description: '另一件事' });
    expect(other.error?.code).toBe('conflict');
    expect(other.error?.message).toMatch(/different payload/);
    expect(countIncidents()).toBe(before);
  });
});

/** Names socket.io's own parser refuses: the packet closes that connection before the hub sees it. */
const PROTOCOL_RESERVED = ['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener'];
/** Names that reach the hub and must be answered like any unknown event. */
const AWKWARD = ['error', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'prototype', ''];
/** Every event each namespace serves (from the hub's own tables), plus the other namespace's: a console
 * sending a field event, or a device a console one, must be answered too. */
const ON_CONSOLE = [...new Set([...CONSOLE_EVENTS, ...FIELD_EVENTS])];
const ON_FIELD = [...new Set([...FIELD_EVENTS, ...CONSOLE_EVENTS])];

/** Argument lists a client may put before (or instead of) the ack: none, junk, extra, nested. */
const argLists = fc.oneof(
  fc.constant([] as unknown[]),
  fc.tuple(fc.jsonValue()).map((a) => a as unknown[]),
  fc.tuple(fc.jsonValue(), fc.jsonValue()).map((a) => a as unknown[]),
  fc.tuple(fc.record({ commandId: fc.string({ maxLength: 80 }) }, { requiredKeys: [] }), fc.anything({ maxDepth: 2 })).map((a) => a as unknown[]),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 6 }),
);

async function fuzz(socket: Socket, events: string[], seed: number, runs: number) {
  const line = rawLine(socket);
  const expected: number[] = [];
  const sent: Array<[number, unknown[]]> = [];
  let closed = '';
  socket.on('disconnect', (reason) => (closed = reason));
  fc.assert(fc.property(fc.constantFrom(...events, ...AWKWARD), fc.string({ maxLength: 20 }), argLists, fc.boolean(), (known, unknown, args, withAck) => {
    const name = unknown.length % 3 === 0 ? known : `${known}${unknown}`;
    const id = line.send([name, ...args], withAck);
    if (id !== null) {
      expected.push(id);
      sent.push([id, [name, ...args]]);
    }
  }), { seed, numRuns: runs });
  // The hub's rate limit answers floods with rate_limited: still an answer, exactly one.
  await until(() => closed !== '' || expected.every((id) => line.answers.has(id)), () => `answers to ${expected.length} acked messages; none to ${JSON.stringify(sent.filter(([id]) => !line.answers.has(id)).slice(0, 5))}`, 120_000);
  expect(closed).toBe('');
  const twice = expected.filter((id) => (line.answers.get(id)?.length ?? 0) !== 1);
  expect(twice).toEqual([]);
  for (const id of expected) {
    const [ack] = line.answers.get(id)![0]! as [{ ok: boolean; error?: { code: string } }];
    expect(typeof ack.ok).toBe('boolean');
  }
  return expected.length;
}

describe('socket fuzz', () => {
  it('a reserved event name closes only that connection; the hub keeps serving', async () => {
    for (const name of PROTOCOL_RESERVED) {
      const op = await operator();
      const closed = new Promise<string>((resolve) => op.once('disconnect', (reason) => resolve(reason)));
      rawLine(op).send([name, {}], true);
      expect(await closed).toMatch(/transport (close|error)|io server disconnect/);
    }
    expect((await ask(await operator(), 'state:snapshot', {}, 10_000)).ok).toBe(true);
  }, 60_000);

  it('console: every event, reserved and unknown names, with no payload, extra arguments, no callback — one answer per callback, the hub alive', async () => {
    const op = await operator();
    const acked = await fuzz(op, ON_CONSOLE, 9, 500);
    expect(acked).toBeGreaterThan(150);
    // Still serving, for this console and a new one.
    expect((await askPatiently(op, 'state:snapshot', {})).ok).toBe(true);
    expect((await ask(await operator(), 'incident:create', incidentPayload())).ok).toBe(true);
  }, 180_000);

  it('field: the same for a gateway', async () => {
    const gw = await fieldClient(hub.url);
    const acked = await fuzz(gw, ON_FIELD, 11, 500);
    expect(acked).toBeGreaterThan(150);
    const fix = { unitId: 'off-001', t: Date.now(), lng: NANJING[0], lat: NANJING[1] };
    expect((await ask(await fieldClient(hub.url), 'unit:position', { fixes: [fix] }, 10_000)).ok).toBe(true);
  }, 180_000);
});
