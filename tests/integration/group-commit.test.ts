// Group commit (issue 17, aim 2): commands that arrive together share one transaction, and batching
// changes none of the command rules — each applied once (the ledger), each with its own outcome (a
// refusal rolls back only itself), the audit chain in commit order, each answered and broadcast only
// after the commit. The runner on a real store file, then a real hub with real consoles.
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Ack } from '../../shared/protocol/commands';
import { CommandFailure, type Actor, type CommandCall, type CommandDef, type RunOutcome } from '../../main/hub/commands';
import { createCommandRunner } from '../../main/hub/group-commit';
import { consoleHandlers } from '../../main/hub/handlers/console';
import { ensureInitialMode, loadDemoCity, seedDemo } from '../../main/hub/seed';
import { auditPage, verifyAudit } from '../../main/store/audit';
import { openStore, openStoreReadOnly, type Db, type ReadDb } from '../../main/store/db';
import { findAppliedCommand } from '../../main/store/log';
import { insertIncident, listActiveIncidents } from '../../main/store/operations';
import { ask, closeClients, consoleClient, NANJING, startTestHub, tempDir } from './hub-fixture';

const OPERATOR: Actor = { id: 'operator', role: 'operator' };
const EVALUATOR: Actor = { id: 'evaluator', role: 'evaluator' };
const CONSOLE = consoleHandlers({ dataDir: '/nonexistent' });
const create = CONSOLE['incident:create'] as unknown as CommandDef<z.ZodType, unknown>;

/** A command that changes the store and then refuses: its change must not survive, nor anyone else's be lost. */
const halfDone: CommandDef<z.ZodType, unknown> = {
  name: 'test:half-done', roles: ['operator'], schema: z.object({ commandId: z.string() }),
  handler: ({ db, now }) => {
    insertIncident(db, {
      id: 'I-HALF', category: 'sanitation', priority: 2, state: 'open', position: NANJING, description: 'should not stay',
      subtype: null, source: { kind: 'console' }, place: { street: null, streetM: null, cellId: null, districtId: null }, amendments: 0, createdAt: now, updatedAt: now,
    });
    throw new CommandFailure('conflict', 'changed its mind after writing');
  },
};

const incident = (commandId: string, description = commandId) =>
  ({ commandId, category: 'sanitation', priority: 2, position: NANJING, description });

type Store = { db: Db; reader: ReadDb; dir: string };
const stores: Store[] = [];
function store(): Store {
  const dir = tempDir('xiuhua-gc-');
  const db = openStore(dir);
  const now = Date.now();
  seedDemo(db, loadDemoCity(), [], now);
  ensureInitialMode(db, now);
  // Another connection, as another process would see the file: only what is committed.
  const s = { db, reader: openStoreReadOnly(dir), dir };
  stores.push(s);
  return s;
}

afterEach(() => {
  closeClients();
  for (const s of stores.splice(0)) {
    s.reader.close();
    s.db.close();
  }
});

const accepted = (reader: ReadDb) => auditPage(reader, 0, 100_000).filter((e) => e.outcome === 'accepted').length;

describe('the command runner batches what arrives together', () => {
  it('one transaction for a burst; each command keeps its own outcome, applied once, audited in arrival order', async () => {
    const { db, reader } = store();
    const sizes: number[] = [];
    const runner = createCommandRunner(db, { beforeCommit: (n) => sizes.push(n) });
    const auditBefore = auditPage(reader, 0, 100_000).length;
    const t = Date.now();
    const calls: Array<[string, CommandCall]> = [
      ['first', { def: create, actor: OPERATOR, raw: incident('gc-first-001'), now: t }],
      ['half-done', { def: halfDone, actor: OPERATOR, raw: { commandId: 'gc-half-0001' }, now: t }],
      ['invalid', { def: create, actor: OPERATOR, raw: { ...incident('gc-bad-00001'), priority: 'urgent' }, now: t }],
      ['forbidden', { def: create, actor: EVALUATOR, raw: incident('gc-eval-0001'), now: t }],
      ['second', { def: create, actor: OPERATOR, raw: incident('gc-second-01'), now: t }],
      ['retry of first', { def: create, actor: OPERATOR, raw: incident('gc-first-001'), now: t }],
      ['first id, other payload', { def: create, actor: OPERATOR, raw: incident('gc-first-001', 'something else'), now: t }],
    ];
    const outcomes = await Promise.all(calls.map(([, call]) => new Promise<RunOutcome<unknown>>((resolve) => runner.submit(call, resolve))));
    expect(sizes).toEqual([calls.length]); // one commit for all of them

    const [first, half, invalid, forbidden, second, retry, reused] = outcomes.map((o) => o.ack) as Array<Ack<{ incident: { id: string } }>>;
    expect(first).toMatchObject({ ok: true });
    expect(half).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(invalid).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(forbidden).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(second).toMatchObject({ ok: true });
    expect(retry).toEqual(first); // answered from the ledger the first wrote moments before, in the same transaction
    expect(reused).toMatchObject({ ok: false, error: { code: 'conflict' } });

    // What stands: the two incidents, not the half-done one; one event each, in order.
    const ids = listActiveIncidents(reader).map((i) => i.id);
    expect(ids).not.toContain('I-HALF');
    const made = [first, second].map((a) => (a?.ok ? a.result.incident.id : ''));
    expect(ids).toEqual(expect.arrayContaining(made));
    const events = outcomes.flatMap((o) => o.events.map((e) => e.event));
    expect(events.map((e) => e.data.type)).toEqual(['incident:created', 'incident:created']);
    expect(events[1]!.seq).toBeGreaterThan(events[0]!.seq);

    // The record: one entry per command except the retry, in arrival order, and the chain intact.
    const entries = auditPage(reader, 0, 100_000).slice(auditBefore);
    expect(entries.map((e) => [e.action, e.outcome])).toEqual([
      ['incident:create', 'accepted'], ['test:half-done', 'rejected'], ['incident:create', 'rejected'],
      ['incident:create', 'rejected'], ['incident:create', 'accepted'], ['incident:create', 'rejected'],
    ]);
    expect(verifyAudit(reader).ok).toBe(true);
  });

  it('answers each command only after its batch has committed: another connection already sees it', async () => {
    const { db, reader } = store();
    const seen: string[] = [];
    const runner = createCommandRunner(db, {
      beforeCommit: (n) => {
        // Inside the transaction, before COMMIT: the other connection sees none of the batch yet.
        seen.push(`commit ${n}: ${[0, 1, 2].filter((i) => findAppliedCommand(reader, `gc-ack-${i}-0000`)).length} visible`);
      },
    });
    const done = [0, 1, 2].map((i) => new Promise<void>((resolve) => {
      runner.submit({ def: create, actor: OPERATOR, raw: incident(`gc-ack-${i}-0000`), now: Date.now() }, (o) => {
        seen.push(`ack ${i} ${o.ack.ok ? 'ok' : 'refused'}, ledger ${findAppliedCommand(reader, `gc-ack-${i}-0000`) ? 'has it' : 'lacks it'}`);
        resolve();
      });
    }));
    expect(seen).toEqual([]); // nothing is answered at submit time, not even a valid command
    await Promise.all(done);
    expect(seen).toEqual(['commit 3: 0 visible', 'ack 0 ok, ledger has it', 'ack 1 ok, ledger has it', 'ack 2 ok, ledger has it']);
  });

  it('a batch whose commit fails answers every command `internal`, keeps nothing, and a retry applies each once', async () => {
    const { db, reader } = store();
    let failNext = true;
    const runner = createCommandRunner(db, {
      beforeCommit: () => {
        if (failNext) {
          failNext = false;
          throw new Error('disk full (simulated)');
        }
      },
      log: () => {},
    });
    const submitAll = () => Promise.all([0, 1, 2, 3].map((i) => new Promise<RunOutcome<unknown>>((resolve) => {
      runner.submit({ def: create, actor: OPERATOR, raw: incident(`gc-fail-${i}-000`), now: Date.now() }, resolve);
    })));
    const before = { accepted: accepted(reader), incidents: listActiveIncidents(reader).length };
    const failed = await submitAll();
    expect(failed.map((o) => o.ack)).toEqual(Array(4).fill({ ok: false, error: { code: 'internal', message: expect.any(String) } }));
    expect(failed.flatMap((o) => o.events)).toEqual([]);
    expect({ accepted: accepted(reader), incidents: listActiveIncidents(reader).length }).toEqual(before);
    expect([0, 1, 2, 3].map((i) => findAppliedCommand(reader, `gc-fail-${i}-000`))).toEqual([undefined, undefined, undefined, undefined]);

    const retried = await submitAll();
    expect(retried.every((o) => o.ack.ok)).toBe(true);
    const again = await submitAll(); // and once more: answered from the ledger, nothing new
    expect(again.map((o) => o.ack)).toEqual(retried.map((o) => o.ack));
    expect({ accepted: accepted(reader), incidents: listActiveIncidents(reader).length }).toEqual({ accepted: before.accepted + 4, incidents: before.incidents + 4 });
    expect(verifyAudit(reader).ok).toBe(true);
  });

  it('perCommand (the baseline) commits each command alone', async () => {
    const { db } = store();
    const sizes: number[] = [];
    const runner = createCommandRunner(db, { perCommand: true, beforeCommit: (n) => sizes.push(n) });
    await Promise.all([0, 1, 2].map((i) => new Promise((resolve) => {
      runner.submit({ def: create, actor: OPERATOR, raw: incident(`gc-one-${i}-0000`), now: Date.now() }, resolve);
    })));
    expect(sizes).toEqual([1, 1, 1]);
  });
});

describe('a hub under a burst of commands from several consoles', () => {
  it('batches them, applies each once even when sent twice, and broadcasts every event once, in order, after its commit', async () => {
    const sizes: number[] = [];
    const hub = await startTestHub({
      commands: { beforeCommit: (n) => sizes.push(n) },
      limits: { console: { perSocket: 10_000, perIdentity: 10_000 } }, // the burst is the point here, not the budget
    });
    const reader = openStoreReadOnly(hub.dataDir);
    try {
      const { socket: watcher } = await consoleClient(hub.url, { username: 'manager', password: 'demo' });
      const created: number[] = [];
      watcher.on('event', (e) => {
        if (e.data.type === 'incident:created') created.push(e.seq);
      });
      const consoles = await Promise.all([0, 1, 2, 3].map(() => consoleClient(hub.url, { username: 'operator', password: 'demo' })));
      const PER_CONSOLE = 25;
      const acks = await Promise.all(consoles.flatMap(({ socket }, c) => Array.from({ length: PER_CONSOLE }, (_, i) => {
        const payload = incident(`gc-hub-${c}-${String(i).padStart(3, '0')}`);
        // Each command twice at once, as a client that retries before the first answer would.
        return Promise.all([ask(socket, 'incident:create', payload, 20_000), ask(socket, 'incident:create', payload, 20_000)]).then(([a, b]) => {
          // Answered means committed: another connection sees the ledger row.
          expect(findAppliedCommand(reader, payload.commandId)).toBeDefined();
          return [a, b] as const;
        });
      })));
      expect(acks.every(([a, b]) => a.ok && b.ok && a.result.incident.id === b.result.incident.id)).toBe(true);
      const total = consoles.length * PER_CONSOLE;
      expect(new Set(acks.map(([a]) => a.result.incident.id as string)).size).toBe(total);
      expect(Math.max(...sizes)).toBeGreaterThan(1); // they did share transactions

      await expect.poll(() => created.length, { timeout: 20_000 }).toBe(total);
      expect(created).toEqual([...created].sort((a, b) => a - b)); // in seq order
      const entries = auditPage(reader, 0, 100_000).filter((e) => e.action === 'incident:create' && e.outcome === 'accepted');
      expect(entries).toHaveLength(total);
      expect(verifyAudit(reader).ok).toBe(true);
    } finally {
      reader.close();
      await hub.close();
    }
  });
});
