// Backpressure on position acks while the store is behind (docs/protocol.md, positions; docs/scaling.md,
// "The write off the event loop"): a real hub, real socket.io clients, a real SQLite file slowed by a real
// cause — another connection (in a thread of its own) that takes the write lock again and again, as a
// long checkpoint or a backup would. The writer thread waits behind it (busy_timeout, 5 s: longer than
// any turn) and its writes succeed, slowly: a write or a few of 50 fixes per turn of the lock.
import { Worker } from 'node:worker_threads';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Alert, PositionFix } from '../../shared/domain';
import type { HubEvent } from '../../shared/protocol/events';
import type { PositionAck } from '../../shared/protocol/sockets';
import { closeClients, consoleClient, fieldClient, startTestHub, type FieldClient } from './hub-fixture';

const WRITE = 50; // fixes per write transaction
const HIGH = 200; // acks held past this many waiting
const BOUND = 1_000; // refused past this many
const BATCH = 50;
const until = (check: () => void, timeout = 60_000) => vi.waitFor(check, { timeout, interval: 20 });

let hub: Awaited<ReturnType<typeof startTestHub>>;
beforeAll(async () => {
  hub = await startTestHub({
    positions: { writeEveryMs: 20, fanoutEveryMs: 50, maxWritePerFlush: WRITE, highWater: HIGH, lowWater: 50, maxBuffered: BOUND, behindAlertAfterMs: 300, maxHoldMs: 60_000 },
    // The test is about the store, not the message budget: a fast gateway may send hundreds a second.
    limits: { field: { perSocket: 100_000, perIdentity: 100_000 } },
  });
});
afterAll(() => hub.close());
afterEach(closeClients);

/**
 * The slow store: a thread that holds the write lock for holdMs, lets go until someone else committed
 * (PRAGMA data_version moves: the writer thread got in) or 200 ms passed, and takes it again. Resolves
 * once it holds the lock the first time.
 */
async function slowStore(file: string, holdMs: number) {
  const ctl = new Int32Array(new SharedArrayBuffer(8));
  ctl[0] = 1;
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    const Database = require('better-sqlite3');
    const db = new Database(workerData.file);
    db.pragma('busy_timeout = 5000');
    const ctl = new Int32Array(workerData.ctl);
    const pause = (ms) => Atomics.wait(ctl, 1, 0, ms);
    let turns = 0;
    while (Atomics.load(ctl, 0) === 1) {
      db.exec('BEGIN IMMEDIATE');
      if (turns++ === 0) parentPort.postMessage('locked');
      pause(workerData.holdMs);
      db.exec('COMMIT');
      const v = db.pragma('data_version', { simple: true });
      for (let waited = 0; waited < 200 && db.pragma('data_version', { simple: true }) === v && Atomics.load(ctl, 0) === 1; waited += 2) pause(2);
    }
    db.close();`;
  const w = new Worker(code, { eval: true, workerData: { file, ctl: ctl.buffer, holdMs } });
  const ended = new Promise<void>((resolve) => w.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    w.once('message', () => resolve());
    w.once('error', reject);
  });
  return {
    /** (again: a no-op) */
    async stop() {
      Atomics.store(ctl, 0, 0);
      Atomics.notify(ctl, 1);
      await ended;
    },
  };
}

let nextT = Date.now() - 600_000;
/** n fixes spread over ten officers, each unit's times rising (no duplicates, standing still: no speed rule). */
function fixes(n: number): PositionFix[] {
  return Array.from({ length: n }, (_, i) => ({ unitId: `off-00${(i % 9) + 1}`, t: nextT++, lng: 118.78, lat: 32.04 }));
}

type Answer = { ack: PositionAck; held: boolean };
const send = (gw: FieldClient, batch: PositionFix[]) =>
  gw.timeout(120_000).emitWithAck('unit:position', { fixes: batch }).then((res) => {
    if (!res.ok) throw new Error(`refused: ${res.error.code}`);
    // Answered at accept, an ack's own fixes are still waiting (durableAt > durableThrough): one that
    // says they are on disk was held until their commit.
    return { ack: res.result, held: res.result.durableThrough >= res.result.durableAt } satisfies Answer;
  });

/** A gateway as the simulator and the load generator are: `window` batches unacked at most, `total` fixes in all. */
async function gateway(gw: FieldClient, total: number, window = 2, onAnswer?: (a: Answer) => void) {
  const answers: Answer[] = [];
  let left = total;
  const lane = async () => {
    while (left > 0) {
      const batch = fixes(Math.min(BATCH, left));
      left -= batch.length;
      const a = await send(gw, batch);
      answers.push(a);
      onAnswer?.(a);
    }
  };
  await Promise.all(Array.from({ length: window }, lane));
  return answers;
}

async function storeAlerts() {
  const { socket } = await consoleClient(hub.url, { username: 'operator', password: 'demo' });
  const alerts: Alert[] = [];
  socket.on('event', (e: HubEvent) => {
    if (e.data.type === 'alert:raised' && e.data.alert.subjectId === 'positions') alerts.push(e.data.alert);
  });
  return alerts;
}

const storedBetween = (from: number, to: number) =>
  hub.db.prepare('SELECT count(*) FROM positions WHERE t >= ? AND t < ?').pluck().get(from, to) as number;

/** The hub has caught up: nothing waits, and the store's alerts (raised, as this test expects) have cleared. */
async function caughtUp(alerts: Alert[]) {
  await until(() => expect(hub.pipeline.buffered).toBe(0));
  await until(() => expect(['positions_caught_up', 'positions_recovered']).toContain(alerts.at(-1)?.kind));
}

describe('position acks while the store is behind', () => {
  it('a gateway keeping 2 batches unacked is slowed, not refused: acks wait for their commit, every acked fix is stored, the "behind" alert comes and goes', async () => {
    const alerts = await storeAlerts();
    const gw = await fieldClient(hub.url);
    const from = nextT;
    const slow = await slowStore(hub.db.name, 100);
    let most = 0;
    let answers: Answer[];
    try {
      answers = await gateway(gw, 5_000, 2, () => (most = Math.max(most, hub.pipeline.buffered)));
    } finally {
      await slow.stop();
    }
    const refused = answers.reduce((n, a) => n + (a.ack.refusedCount ?? 0), 0);
    expect(refused, 'fixes refused').toBe(0);
    expect(answers.reduce((n, a) => n + a.ack.accepted, 0)).toBe(5_000);
    // The store was behind for most of the run: acks were held, and the backlog stayed near the mark.
    expect(answers.filter((a) => a.held).length).toBeGreaterThan(10);
    expect(most).toBeLessThanOrEqual(HIGH + 2 * BATCH);
    await until(() => expect(storedBetween(from, nextT)).toBe(5_000));
    await caughtUp(alerts);
    // Raised, then cleared (on a loaded machine the sender may stall long enough for two episodes).
    expect(alerts.length).toBeGreaterThanOrEqual(2);
    expect(alerts.map((a) => a.kind)).toEqual(alerts.map((_, i) => (i % 2 === 0 ? 'positions_slow' : 'positions_caught_up')));
    expect(alerts[0]!.message.en).toMatch(/behind \(succeeding, but slower than fixes arrive\)/);
    expect(alerts[0]!.message.zh).toMatch(/写入正常但较慢/);
  }, 180_000);

  it('a sender that does not wait for its acks meets the hard bound (store_backlog); every fix it was acked is stored, every ack comes', async () => {
    const alerts = await storeAlerts();
    const gw = await fieldClient(hub.url);
    const from = nextT;
    const slow = await slowStore(hub.db.name, 100);
    let answers: Answer[];
    try {
      answers = await Promise.all(Array.from({ length: 40 }, () => send(gw, fixes(BATCH)))); // 2,000 at once
    } finally {
      await slow.stop();
    }
    const accepted = answers.reduce((n, a) => n + a.ack.accepted, 0);
    const backlog = answers.flatMap((a) => a.ack.refused ?? []).filter((r) => r.reason === 'store_backlog').length;
    expect(accepted).toBeLessThanOrEqual(BOUND);
    expect(backlog).toBeGreaterThan(0);
    expect(accepted + answers.reduce((n, a) => n + (a.ack.refusedCount ?? 0), 0)).toBe(2_000);
    await until(() => expect(storedBetween(from, nextT)).toBe(accepted));
    await caughtUp(alerts);
    // Refused while writes succeed: the store is behind, not failing.
    expect(alerts.map((a) => a.kind).slice(0, 2)).toEqual(['positions_slow', 'positions_caught_up']);
    expect(alerts.map((a) => a.kind)).not.toContain('positions_backlog');
  }, 180_000);

  it('writes that start failing while acks are held answer them (kept, not durable); the "failing" alert (replacing "behind") clears when writes work', async () => {
    const alerts = await storeAlerts();
    const gw = await fieldClient(hub.url);
    const from = nextT;
    // Turns of a second: acks are held well before the writer first gets in (the trigger waits for one too).
    const slow = await slowStore(hub.db.name, 1_000);
    let failing = false;
    const answeredOnceFailing: Answer[] = [];
    // Fewer than the bound: while writes fail acks are not held, and the sender must not reach store_backlog.
    const total = BOUND - 2 * BATCH;
    const sending = gateway(gw, total, 2, (a) => {
      if (failing) answeredOnceFailing.push(a);
    });
    let answers: Answer[];
    try {
      await until(() => expect(hub.pipeline.buffered).toBeGreaterThanOrEqual(HIGH)); // acks are held now
      // A real failure: a trigger that refuses every position insert.
      hub.db.exec(`CREATE TRIGGER positions_fail BEFORE INSERT ON positions BEGIN SELECT RAISE(ABORT, 'disk says no'); END`);
      failing = true;
      await slow.stop();
      answers = await sending; // while writes fail, acks are not held: the sender finishes
      await until(() => expect(alerts.map((a) => a.kind)).toContain('positions_backlog'));
    } finally {
      await slow.stop();
      hub.db.exec('DROP TRIGGER IF EXISTS positions_fail');
    }
    expect(answers.reduce((n, a) => n + a.ack.accepted, 0)).toBe(total);
    // (A write that committed just before the trigger may still answer its acks as durable.)
    expect(answeredOnceFailing.filter((a) => !a.held).length, JSON.stringify({ answeredOnceFailing, n: answers.length })).toBeGreaterThan(0);
    expect(alerts.find((a) => a.kind === 'positions_backlog')!.message.en).toMatch(/fail \(SQLITE_CONSTRAINT\w*\)/);
    await until(() => expect(storedBetween(from, nextT)).toBe(total));
    await caughtUp(alerts);
    // "Behind" (if it was raised before the trigger) is replaced by "failing", not cleared first.
    const kinds = alerts.map((a) => a.kind).filter((k, i, all) => !(i === 0 && k === 'positions_slow' && all[1] === 'positions_backlog'));
    expect(kinds.slice(0, 2)).toEqual(['positions_backlog', 'positions_recovered']);
  }, 180_000);

  it('a sender that disconnects while its acks are held sends again what is not durable; all of it is stored once', async () => {
    const alerts = await storeAlerts();
    const from = nextT;
    const gw = await fieldClient(hub.url);
    const slow = await slowStore(hub.db.name, 1_000); // nothing is committed for a second: the last acks are held
    const first = fixes(HIGH + 3 * BATCH);
    try {
      // Enough that the last acks are held: sent without waiting, then the connection is dropped.
      const acks = [];
      for (let i = 0; i < first.length; i += BATCH) acks.push(send(gw, first.slice(i, i + BATCH)).catch(() => 'lost'));
      await until(() => expect(hub.pipeline.buffered).toBeGreaterThanOrEqual(HIGH));
      gw.disconnect();
      expect(await Promise.all(acks)).toContain('lost');
    } finally {
      await slow.stop();
    }
    // The device resends everything it did not see durable (here: all of it); duplicates are dropped.
    const again = await fieldClient(hub.url);
    for (let i = 0; i < first.length; i += BATCH) await send(again, first.slice(i, i + BATCH));
    await until(() => expect(storedBetween(from, nextT)).toBe(first.length));
    await until(() => expect(hub.pipeline.buffered).toBe(0));
    expect(alerts.map((a) => a.kind)).not.toContain('positions_backlog');
  }, 180_000);
});
