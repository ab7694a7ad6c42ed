// The evaluator's timeline (issue 14) at scale: a million entries, every filter combination planned on
// an index with no sort, and pages (first, deep, backward, free text) checked against a reference
// computed in JS. The big store is a fixture: rows inserted by SQL in one statement with the migration's
// indexes dropped and re-created from their own SQL after (the hash chain is not what is tested here;
// store.test.ts and audit-tamper.test.ts test it). A small store made through appendAudit checks the
// same pages end to end.
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditConcerns } from '../../shared/audit';
import { AuditTimelineRequest } from '../../shared/protocol/reads';
import { appendAudit, AUDIT_SQL, auditTimelinePage, type AuditTimelineQuery } from '../../main/store/audit';
import { openStore, type Db } from '../../main/store/db';
import { tempDir } from '../integration/hub-fixture';

const N = 1_000_000;
const T0 = 1_780_000_000_000;
const ACTIONS = ['incident:create', 'task:assign', 'task:accept', 'task:finish', 'sos:raise', 'mode:switch', 'checkin:create', 'session:login'];

/** Entry i of the fixture, as a pure function of i: the reference for every query below. */
function fixtureEntry(i: number) {
  const rejected = i % 97 === 0;
  return {
    seq: i, at: T0 + Math.floor(i / 3) * 250, actor: `u-${i % 50}`, action: ACTIONS[i % 8]!,
    target: rejected ? null : `T${i % 1000}`, outcome: rejected ? 'rejected' : 'accepted',
    text: `note${i % 5000} Pothole`,
  };
}
type Ref = ReturnType<typeof fixtureEntry>;

let db: Db;
beforeAll(() => {
  db = openStore(path.join(tempDir(), 'big'));
  const indexes = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_log' AND sql IS NOT NULL").all() as Array<{ name: string; sql: string }>;
  expect(indexes.length).toBeGreaterThanOrEqual(5);
  db.transaction(() => {
    for (const ix of indexes) db.exec(`DROP INDEX ${ix.name}`);
    db.prepare(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${N})
      INSERT INTO audit_log (seq, entry, rule, prev_hash, hash)
      SELECT i, json_object(
        'action', json_extract('${JSON.stringify(ACTIONS)}', '$[' || (i % 8) || ']'),
        'actor', 'u-' || (i % 50), 'at', ${T0} + (i / 3) * 250,
        'outcome', CASE WHEN i % 97 = 0 THEN 'rejected' ELSE 'accepted' END,
        'payload', json_object('note', 'note' || (i % 5000) || ' Pothole'),
        'reason', NULL, 'role', 'operator',
        'target', CASE WHEN i % 97 = 0 THEN NULL ELSE 'T' || (i % 1000) END), 2, '', ''
      FROM n`).run();
    for (const ix of indexes) db.exec(ix.sql);
  })();
}, 120_000);
afterAll(() => db?.close());

function plan(sql: string, params: Record<string, unknown>): string {
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as Array<{ detail: string }>).map((r) => r.detail).join(' | ');
}
const ALL_PARAMS = { from: 0, to: 1, afterAt: 0, afterSeq: 0, beforeAt: 0, beforeSeq: 0, limit: 1, actor: 'a', action: 'b', target: 'c', outcome: 'accepted', actionLo: 'a', actionHi: 'b' };

/** The reference: entries i in [lo, hi] that pass the filters, in (at, seq) order. */
function reference(q: AuditTimelineQuery, lo = 1, hi = N): Ref[] {
  const out: Ref[] = [];
  for (let i = lo; i <= hi; i++) {
    const e = fixtureEntry(i);
    if (e.at < q.from || e.at >= q.to) continue;
    if (q.actor !== undefined && e.actor !== q.actor) continue;
    if (q.action !== undefined && e.action !== q.action) continue;
    if (q.actionPrefix !== undefined && !e.action.startsWith(q.actionPrefix)) continue;
    if (q.target !== undefined && e.target !== q.target) continue;
    if (q.outcome !== undefined && e.outcome !== q.outcome) continue;
    if (q.text !== undefined && !`${e.text}`.toLowerCase().includes(q.text.toLowerCase())) continue;
    out.push(e);
  }
  return out;
}

describe('the timeline at a million entries', () => {
  it('every lead, both directions, and the prefix lookup search an index and never sort', () => {
    expect((db.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n).toBe(N);
    const expected: Record<string, RegExp> = {
      all: /^SEARCH audit_log USING INDEX audit_log_at \(at>\? AND at<\?\)$/,
      target: /^SEARCH audit_log USING INDEX audit_log_target_at \(target=\? AND at>\? AND at<\?\)$/,
      actor: /^SEARCH audit_log USING INDEX audit_log_actor_at \(actor=\? AND at>\? AND at<\?\)$/,
      action: /^SEARCH audit_log USING INDEX audit_log_action_at \(action=\? AND at>\? AND at<\?\)$/,
      refused: /^SEARCH audit_log USING INDEX audit_log_refused_at \(at>\? AND at<\?\)$/,
    };
    for (const [lead, re] of Object.entries(expected)) {
      for (const sql of [AUDIT_SQL.timeline[lead as keyof typeof AUDIT_SQL.timeline], AUDIT_SQL.timelineBackward[lead as keyof typeof AUDIT_SQL.timeline]]) {
        const p = plan(sql, ALL_PARAMS);
        expect(p, lead).toMatch(re);
        expect(p).not.toMatch(/TEMP B-TREE|SCAN audit_log/);
      }
    }
    const prefix = plan(AUDIT_SQL.actionsWithPrefix, { actionLo: 'task:', actionHi: 'task;' });
    expect(prefix).toMatch(/SEARCH audit_log USING (COVERING )?INDEX audit_log_action_at \(action>\? AND action<\?\)/);
    expect(prefix).not.toMatch(/TEMP B-TREE|SCAN audit_log/);
  });

  // Each combination of filters, first page and a page deep in the range, forward and backward.
  const from = T0 + 10_000 * 250;
  const to = T0 + 300_000 * 250;
  const combos: Array<Partial<AuditTimelineQuery>> = [
    {}, { actor: 'u-7' }, { action: 'task:assign' }, { actionPrefix: 'task:' }, { target: 'T17' }, { outcome: 'rejected' },
    { outcome: 'accepted', actor: 'u-3' }, { actor: 'u-9', actionPrefix: 'task:' }, { target: 'T10', action: 'task:accept' },
    { outcome: 'rejected', actionPrefix: 'sos:' }, { actionPrefix: 'task:', outcome: 'rejected' },
  ];
  it.each(combos.map((c) => [JSON.stringify(c), c] as const))('%s: page 1, a deep page, and backward from the end match the reference', (_name, c) => {
    const q = { from, to, limit: 50, ...c };
    const ref = reference(q, 30_000, 900_003);
    expect(ref.length).toBeGreaterThan(50);
    const seqs = (p: ReturnType<typeof auditTimelinePage>) => p.entries.map((e) => e.seq);
    const first = auditTimelinePage(db, q);
    expect(seqs(first)).toEqual(ref.slice(0, 50).map((e) => e.seq));
    expect(first.cursor).toEqual({ at: ref[49]!.at, seq: ref[49]!.seq });
    const k = Math.floor(ref.length * 0.8);
    const deep = auditTimelinePage(db, { ...q, after: { at: ref[k]!.at, seq: ref[k]!.seq } });
    expect(seqs(deep)).toEqual(ref.slice(k + 1, k + 51).map((e) => e.seq));
    const last = auditTimelinePage(db, { ...q, before: { at: to, seq: 0 } });
    expect(seqs(last)).toEqual(ref.slice(-50).map((e) => e.seq));
    const beforeDeep = auditTimelinePage(db, { ...q, before: { at: ref[k]!.at, seq: ref[k]!.seq } });
    expect(seqs(beforeDeep)).toEqual(ref.slice(k - 50, k).map((e) => e.seq));
    expect(beforeDeep.cursor).toEqual({ at: ref[k - 50]!.at, seq: ref[k - 50]!.seq });
    expect(first.entries[0]).toMatchObject({ actor: ref[0]!.actor, action: ref[0]!.action, target: ref[0]!.target, outcome: ref[0]!.outcome });
  });

  it('free text reads a bounded number of entries, says truncated, and its cursor goes on where it stopped', () => {
    // note1234 is in 1 of 5000 entries: a page of 10 needs more than one bounded scan
    const q = { from, to: T0 + 100_000 * 250, limit: 10, text: 'NOTE1234 pot', scanLimit: 20_000 };
    const ref = reference(q, 30_000, 300_003);
    expect(ref.length).toBeGreaterThan(10);
    const found: number[] = [];
    let after: { at: number; seq: number } | undefined;
    let truncations = 0;
    for (let guard = 0; guard < 100; guard++) {
      const page = auditTimelinePage(db, { ...q, after });
      expect(page.scanned).toBeLessThanOrEqual(20_000);
      if (page.truncated) {
        truncations++;
        expect(page.entries.length).toBeLessThan(10);
        expect(page.scanned).toBe(20_000);
      }
      found.push(...page.entries.map((e) => e.seq));
      if (!page.cursor) break;
      after = page.cursor;
    }
    expect(truncations).toBeGreaterThan(0);
    expect(found).toEqual(ref.map((e) => e.seq));
  });

  it('a page never reads OFFSET rows: the deep page reads as many entries as the first', () => {
    const q = { from, to, limit: 100 };
    expect(auditTimelinePage(db, q).scanned).toBe(100);
    expect(auditTimelinePage(db, { ...q, after: { at: T0 + 250_000 * 250, seq: 750_000 } }).scanned).toBe(100);
  });
});

describe('the timeline through the append path', () => {
  it('any filters, paged forward to the end and backward to the start, give the reference in order', () => {
    const small = openStore(path.join(tempDir(), 'small'));
    const inputs: Ref[] = [];
    const rnd = fc.sample(fc.record({ dt: fc.integer({ min: 0, max: 2 }), a: fc.nat(7), u: fc.nat(4), t: fc.nat(9), r: fc.nat(9) }), { numRuns: 3000, seed: 14 });
    let at = T0;
    small.transaction(() => {
      rnd.forEach((x, i) => {
        at += x.dt;
        const e = { seq: i + 1, at, actor: `u-${x.u}`, action: ACTIONS[x.a]!, target: x.r === 0 ? null : `T${x.t}`, outcome: x.r === 0 ? 'rejected' : 'accepted', text: `Word${x.t}` };
        inputs.push(e);
        appendAudit(small, { actor: e.actor, role: 'operator', action: e.action, target: e.target, payload: { w: e.text }, outcome: e.outcome as 'accepted', reason: null, at });
      });
    })();
    const queries = fc.sample(fc.record({
      actor: fc.option(fc.constantFrom('u-0', 'u-3'), { nil: undefined }),
      action: fc.option(fc.constantFrom('task:assign', 'sos:raise'), { nil: undefined }),
      actionPrefix: fc.option(fc.constantFrom('task:', 'ta', 'mode:'), { nil: undefined }),
      target: fc.option(fc.constantFrom('T1', 'T5'), { nil: undefined }),
      outcome: fc.option(fc.constantFrom('accepted' as const, 'rejected' as const), { nil: undefined }),
      text: fc.option(fc.constantFrom('word3', 'WORD', 'rD3', '(x['), { nil: undefined }),
      limit: fc.integer({ min: 1, max: 40 }),
    }), { numRuns: 60, seed: 7 });
    for (const raw of queries) {
      const q = { ...raw, from: T0 + 200, to: at - 100, scanLimit: 97 };
      if (q.action && q.actionPrefix) delete q.actionPrefix;
      const want = inputs.filter((e) => e.at >= q.from && e.at < q.to && (!q.actor || e.actor === q.actor) && (!q.action || e.action === q.action)
        && (!q.actionPrefix || e.action.startsWith(q.actionPrefix)) && (!q.target || e.target === q.target) && (!q.outcome || e.outcome === q.outcome)
        && (!q.text || e.text.toLowerCase().includes(q.text.toLowerCase()))).map((e) => e.seq);
      const forward: number[] = [];
      let page = auditTimelinePage(small, q);
      for (let g = 0; g < 10_000; g++) {
        forward.push(...page.entries.map((e) => e.seq));
        if (!page.cursor) break;
        page = auditTimelinePage(small, { ...q, after: page.cursor });
      }
      expect(forward, JSON.stringify(q)).toEqual(want);
      const backward: number[] = [];
      page = auditTimelinePage(small, { ...q, before: { at: q.to, seq: 0 } });
      for (let g = 0; g < 10_000; g++) {
        backward.unshift(...page.entries.map((e) => e.seq));
        if (!page.cursor) break;
        page = auditTimelinePage(small, { ...q, before: page.cursor });
      }
      expect(backward, JSON.stringify(q)).toEqual(want);
    }
    small.close();
  });

  it('says what each entry concerns, from its action and target or, refused, from its payload', () => {
    expect(auditConcerns('task:assign', 'T20261201-0001', {})).toEqual({ kind: 'task', id: 'T20261201-0001' });
    expect(auditConcerns('incident:report', 'I20261201-0002', {})).toEqual({ kind: 'incident', id: 'I20261201-0002' });
    expect(auditConcerns('mode:switch', 'night', {})).toEqual({ kind: 'mode', id: 'night' });
    expect(auditConcerns('mode:switch', 'cell-3', {})).toEqual({ kind: 'area', id: 'cell-3' });
    expect(auditConcerns('checkin:create', 'post-9', {})).toEqual({ kind: 'area', id: 'post-9' });
    expect(auditConcerns('camera:upsert', 'cam-1', {})).toEqual({ kind: 'camera', id: 'cam-1' });
    expect(auditConcerns('alert:raise', 'cam-2', { kind: 'camera_down' })).toEqual({ kind: 'camera', id: 'cam-2' });
    expect(auditConcerns('alert:raise', 'off-001', { kind: 'device_clock' })).toEqual({ kind: 'unit', id: 'off-001' });
    expect(auditConcerns('task:accept', null, { commandId: 'c', unitId: 'off-1', taskId: 'T1' })).toEqual({ kind: 'task', id: 'T1' });
    expect(auditConcerns('unit:position', null, { unitId: 'off-1' })).toEqual({ kind: 'unit', id: 'off-1' });
    expect(auditConcerns('session:login', null, { username: 'x' })).toBeNull();
  });

  it('the request schema refuses what the store would misread', () => {
    expect(AuditTimelineRequest.safeParse({ from: 2, to: 1 }).success).toBe(false);
    expect(AuditTimelineRequest.safeParse({ from: 1, to: 2, after: { at: 1, seq: 1 }, before: { at: 2, seq: 0 } }).success).toBe(false);
    expect(AuditTimelineRequest.safeParse({ from: 1, to: 2, action: 'task:assign', actionPrefix: 'task:' }).success).toBe(false);
    expect(AuditTimelineRequest.safeParse({ from: 1, to: 2, actionPrefix: "task:' OR 1" }).success).toBe(false);
    expect(AuditTimelineRequest.safeParse({ from: 1, to: 2, actionPrefix: 'task:', text: 'ab', limit: 500 }).success).toBe(true);
  });
});
