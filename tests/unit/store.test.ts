import { createHash } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { appendAudit, AUDIT_SQL, auditPage, auditRawPage, auditTimeline, GENESIS_HASH, joinRanges, verifyAudit, verifyAuditInSlices, verifyAuditRange, type AuditInput, type Checkpoint } from '../../main/store/audit';
import { verifyAuditParallel } from '../../main/store/audit-parallel';
import { canonicalJson } from '../../main/store/canonical';
import { DB_FILE, migrate, openStore, openWriterConnection, type Db } from '../../main/store/db';
import { countPositions, INSERT_POSITION_SQL } from '../../main/store/positions';
import { appendEvent, eventsBetween, LOG_SQL } from '../../main/store/log';
import { MIGRATIONS, SCHEMA_VERSION } from '../../main/store/migrations';
import { SOS_SQL } from '../../main/store/sos';
import { SCHEDULE_SQL } from '../../main/store/schedule';
import { DISPATCH_SQL } from '../../main/store/operations';
import { tempDir } from '../integration/hub-fixture';
import { AuditEntry } from '../../shared/domain';

/** canonicalJson as first defined: the bytes every audit hash since schema 30 covers. */
function plainCanonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map(plainCanonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${plainCanonicalJson(v)}`).join(',')}}`;
}

describe('canonical JSON', () => {
  it('writes the very bytes of its first definition, for any value (old hashes cover them)', () => {
    fc.assert(fc.property(fc.anything({
      withSparseArray: true, withNullPrototype: true, withBoxedValues: true, withDate: true, withMap: true,
      withSet: true, withTypedArray: true, withObjectString: true, stringUnit: 'binary',
    }), (v) => {
      expect(canonicalJson(v)).toBe(plainCanonicalJson(v));
    }), { numRuns: 2000 });
  });

  it('is the same for any key order and round-trips the value', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => {
      const shuffled = JSON.parse(JSON.stringify(v), (_k, val) =>
        val && typeof val === 'object' && !Array.isArray(val) ? Object.fromEntries(Object.entries(val).reverse()) : val);
      expect(canonicalJson(shuffled)).toBe(canonicalJson(v));
      expect(JSON.parse(canonicalJson(v))).toEqual(JSON.parse(JSON.stringify(v)));
    }));
  });
});

describe('migrations', () => {
  it('record the schema version, and reopening does not re-run them', () => {
    const dir = tempDir();
    const db = openStore(dir);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
    const again = openStore(dir);
    expect(again.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(again.pragma('synchronous', { simple: true })).toBe(2); // FULL
    again.close();
  });

  it('hot queries use their index', () => {
    const db = openStore(path.join(tempDir(), 'x'));
    const plan = (sql: string) => {
      const named = [...new Set(sql.match(/@\w+/g) ?? [])].map((p) => p.slice(1));
      const params = named.length ? [Object.fromEntries(named.map((p) => [p, 1]))] : Array((sql.match(/\?/g) ?? []).length).fill(1);
      return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail).join(' | ');
    };
    expect(plan('SELECT * FROM positions WHERE t BETWEEN ? AND ? AND unit_id = ? ORDER BY t')).toMatch(/SEARCH positions USING PRIMARY KEY \(t>\? AND t<\?\)/);
    expect(plan("SELECT count(*) FROM tasks WHERE unit_id = ? AND state IN ('assigned','accepted','arrived')")).toMatch(/USING COVERING INDEX tasks_unit_state|USING INDEX tasks_unit_state/);
    // The store's own SQL from here on: what runs is what is planned.
    expect(plan(LOG_SQL.eventsAfter)).toMatch(/SEARCH events USING INTEGER PRIMARY KEY \(rowid>\?\)/);
    expect(plan(LOG_SQL.fieldEventsAfter)).toMatch(/SEARCH events USING INTEGER PRIMARY KEY \(rowid>\?\)/);
    expect(plan(LOG_SQL.gatewayEventsAfter)).toMatch(/SEARCH events USING INTEGER PRIMARY KEY \(rowid>\?\)/);
    expect(plan(LOG_SQL.findCommand)).toMatch(/SEARCH commands USING INDEX sqlite_autoindex_commands_1 \(command_id=\?\)/);
    expect(plan(LOG_SQL.eventsBetween)).toMatch(/^SEARCH events USING INDEX events_at \(at>\? AND at<\?\)$/);
    expect(plan(AUDIT_SQL.head)).toBe('SCAN audit_log'); // in rowid order, newest first: LIMIT 1 stops at once
    expect(plan(AUDIT_SQL.page)).toMatch(/^SEARCH audit_log USING INTEGER PRIMARY KEY \(rowid>\?\)$/);
    expect(plan(AUDIT_SQL.walk)).toMatch(/^SEARCH audit_log USING INTEGER PRIMARY KEY \(rowid>\? AND rowid<\?\)$/);
    expect(plan(AUDIT_SQL.timeline.all)).toMatch(/^SEARCH audit_log USING INDEX audit_log_at \(at>\? AND at<\?\)$/);
    for (const f of ['actor', 'action', 'target'] as const) {
      // no "USE TEMP B-TREE FOR ORDER BY": the index yields (at, seq) order
      expect(plan(AUDIT_SQL.timeline[f])).toMatch(new RegExp(`^SEARCH audit_log USING INDEX audit_log_${f}_at \\(${f}=\\? AND at>\\? AND at<\\?\\)$`));
    }
    // units:recommend: units by primary key, their open tasks from the (unit, state) index, never a scan of tasks
    expect(plan(DISPATCH_SQL.unitStates)).toMatch(/^SEARCH u USING INDEX sqlite_autoindex_units_1 \(id=\?\).*SEARCH t USING COVERING INDEX tasks_unit_state \(unit_id=\? AND state=\?\).*SEARCH t USING INDEX tasks_incident \(incident_id=\?\)$/);
    expect(plan(AUDIT_SQL.timeline.refused)).toMatch(/^SEARCH audit_log USING INDEX audit_log_refused_at \(at>\? AND at<\?\)$/);
    db.close();
  });
});

/** Runs `sql` (a tampering) inside a savepoint, checks, and undoes it, so each check sees one change only. */
function sp(db: Db, sql: string, check: () => void): void {
  db.exec('SAVEPOINT t');
  db.exec(sql);
  check();
  db.exec('ROLLBACK TO t; RELEASE t');
}

const entry = (i: number, over: Partial<AuditInput> = {}): AuditInput => ({
  actor: 'u-op', role: 'operator', action: 'incident:create', target: `inc-${i}`, payload: { commandId: `c-${i}`, n: i },
  outcome: 'accepted', reason: null, at: 1_000 + i, ...over,
});

describe('two writing connections (the hub\'s and its position writer thread\'s)', () => {
  it('a transaction on the hub\'s connection that reads, then writes, is not failed by a commit of the other in between', () => {
    const db = openStore(tempDir());
    const other = openWriterConnection(db.name);
    try {
      expect(other.pragma('synchronous', { simple: true })).toBe(2); // FULL: the durable mark covers its commits
      other.pragma('busy_timeout = 0');
      const insert = other.prepare(INSERT_POSITION_SQL);
      let otherRefused = '';
      const readThenWrite = db.transaction(() => {
        const n = countPositions(db);
        // The position thread commits now. Under DEFERRED it would, and the write below would then fail
        // with SQLITE_BUSY_SNAPSHOT; under IMMEDIATE the hub holds the lock and the other waits its turn.
        try {
          insert.run('u-1', 1, 118.78, 32.04, null, null, null, 1);
        } catch (e) {
          otherRefused = (e as { code: string }).code;
        }
        db.prepare(INSERT_POSITION_SQL).run('u-2', 2, 118.78, 32.04, null, null, null, 2);
        return n;
      });
      expect(readThenWrite()).toBe(0);
      expect(otherRefused).toBe('SQLITE_BUSY');
      insert.run('u-1', 1, 118.78, 32.04, null, null, null, 1); // its turn, after the hub's commit
      expect(countPositions(db)).toBe(2);
    } finally {
      other.close();
      db.close();
    }
  });
});

describe('audit log', () => {
  it('any entry, whatever its strings hold, verifies as stored and reads back as written', () => {
    const text = fc.string({ unit: 'binary', maxLength: 12 }); // lone surrogates and control characters included
    fc.assert(fc.property(fc.array(fc.record({ actor: text, target: fc.option(text), reason: fc.option(text), payload: fc.jsonValue() }), { minLength: 1, maxLength: 8 }), (inputs) => {
      const db = openStore(path.join(tempDir(), 'x'));
      const written = inputs.map((x, i) => appendAudit(db, entry(i, x)));
      expect(verifyAudit(db)).toMatchObject({ ok: true, count: inputs.length, headHash: written.at(-1)!.hash });
      const read = auditPage(db, 0, 100);
      expect(read.map((e) => [e.actor, e.target, e.reason])).toEqual(inputs.map((x) => [x.actor, x.target, x.reason]));
      expect(read.map((e) => canonicalJson(e.payload))).toEqual(inputs.map((x) => canonicalJson(x.payload)));
      // the stored (hashed) text is the canonical JSON of the entry's fields, byte for byte
      expect(auditRawPage(db, 0, 100).map((r) => r.entry)).toEqual(inputs.map((x, i) => {
        const { at, actor, role, action, target, payload, outcome, reason } = entry(i, x);
        return plainCanonicalJson({ at, actor, role, action, target, payload, outcome, reason });
      }));
      db.close();
    }), { numRuns: 40 });
  });

  it('appendAudit returns the entry as it reads back: an AuditEntry\'s fields and nothing else', () => {
    const db = openStore(path.join(tempDir(), 'x'));
    const input = { ...entry(0, { target: null, reason: 'stale', payload: { a: [1, 'b'] } }), extra: 'not an audit field' };
    const first = appendAudit(db, input);
    const second = appendAudit(db, entry(1));
    expect(Object.keys(first).sort()).toEqual(Object.keys(AuditEntry.shape).sort());
    expect([first, second]).toEqual(auditPage(db, 0, 10));
    expect(first).toMatchObject({ seq: 1, prevHash: GENESIS_HASH });
    expect(second.prevHash).toBe(first.hash);
    db.close();
  });

  it('the walk reads entries as text, yet invalid UTF-8 that decodes to an entry\'s very text is caught', () => {
    const db = openStore(path.join(tempDir(), 'x'));
    for (let i = 0; i < 6; i++) appendAudit(db, entry(i, { reason: i === 3 ? 'unreadable \uFFFD byte' : null }));
    expect(verifyAudit(db)).toMatchObject({ ok: true, count: 6 }); // a U+FFFD of its own verifies
    db.exec('DROP TRIGGER audit_log_no_update');
    const read = (seq: number) => (db.prepare('SELECT entry FROM audit_log WHERE seq = ?').pluck().get(seq));
    const text3 = read(4);
    // U+FFFD's bytes (EF BF BD) replaced by one invalid byte: read as text, the entry is unchanged
    sp(db, `UPDATE audit_log SET entry = CAST(replace(CAST(entry AS BLOB), X'EFBFBD', X'FF') AS TEXT) WHERE seq = 4`, () => {
      expect(read(4)).toBe(text3);
      expect(verifyAudit(db).firstBad).toEqual({ seq: 4, why: 'entry 4 was altered (hash mismatch)' });
    });
    // the same bytes stored as a BLOB are the same bytes: they still verify; other bytes do not
    sp(db, 'UPDATE audit_log SET entry = CAST(entry AS BLOB) WHERE seq = 2', () => expect(verifyAudit(db).ok).toBe(true));
    sp(db, `UPDATE audit_log SET entry = CAST(replace(entry, 'c-1', 'c-9') AS BLOB) WHERE seq = 2`, () =>
      expect(verifyAudit(db).firstBad).toEqual({ seq: 2, why: 'entry 2 was altered (hash mismatch)' }));
    expect(verifyAudit(db)).toMatchObject({ ok: true, count: 6 });
    db.close();
  });

  it('verifying in slices gives the same answer, takes in entries appended meanwhile, and finds damage in a later slice', async () => {
    const db = openStore(path.join(tempDir(), 'x'));
    for (let i = 0; i < 25; i++) appendAudit(db, entry(i));
    expect(await verifyAuditInSlices(db, undefined, 4)).toEqual(verifyAudit(db));
    const walking = verifyAuditInSlices(db, { count: 25, head: verifyAudit(db).headHash }, 4);
    appendAudit(db, entry(25)); // between slices, as a hub answering commands meanwhile would
    expect(await walking).toMatchObject({ ok: true, count: 26 });
    db.exec('DROP TRIGGER audit_log_no_update');
    db.prepare("UPDATE audit_log SET entry = replace(entry, 'c-21', 'c-x') WHERE seq = 22").run();
    expect(await verifyAuditInSlices(db, undefined, 4)).toEqual(verifyAudit(db));
    expect(verifyAudit(db)).toMatchObject({ ok: false, count: 21, firstBad: { seq: 22 } });
    db.close();
  });

  it('the timeline pages by (at, seq) within [from, to) and filters by actor, action, target and outcome', () => {
    const db = openStore(path.join(tempDir(), 'x'));
    for (let i = 0; i < 30; i++) {
      appendAudit(db, entry(i, { at: 1_000 + Math.floor(i / 3), actor: i % 2 ? 'u-a' : 'u-b', outcome: i % 5 ? 'accepted' : 'rejected' }));
    }
    const pages: number[][] = [];
    let after: { at: number; seq: number } | undefined;
    for (;;) {
      const page = auditTimeline(db, { from: 1_002, to: 1_008, after, limit: 4 });
      if (!page.length) break;
      pages.push(page.map((e) => e.seq));
      after = { at: page.at(-1)!.at, seq: page.at(-1)!.seq };
    }
    expect(pages.flat()).toEqual([...Array(18).keys()].map((k) => k + 7)); // seq 7..24: at 1002..1007, three each
    expect(pages[0]).toHaveLength(4);
    const sel = (q: Partial<Parameters<typeof auditTimeline>[1]>) => auditTimeline(db, { from: 0, to: 10_000, limit: 100, ...q }).map((e) => e.seq);
    expect(sel({ actor: 'u-a' })).toEqual([...Array(15).keys()].map((k) => 2 * k + 2));
    expect(sel({ outcome: 'rejected', actor: 'u-b' })).toEqual([1, 11, 21]);
    expect(sel({ outcome: 'rejected' })).toEqual([1, 6, 11, 16, 21, 26]);
    expect(sel({ outcome: 'accepted', action: 'incident:create' })).toHaveLength(24);
    expect(sel({ target: 'inc-4', action: 'incident:create' })).toEqual([5]);
    expect(sel({ target: 'inc-4', action: 'task:assign' })).toEqual([]);
    db.close();
  });

  it('events between two times page by (at, seq)', () => {
    const db = openStore(path.join(tempDir(), 'x'));
    for (let i = 0; i < 10; i++) appendEvent(db, 100 + Math.floor(i / 2), { type: 'mode:changed', change: { id: i, mode: 'daily', reason: 'r', areaId: null, by: 'u', at: 100 } } as never, null);
    const first = eventsBetween(db, { from: 101, to: 104, limit: 4 });
    expect(first.map((e) => e.seq)).toEqual([3, 4, 5, 6]);
    expect(eventsBetween(db, { from: 101, to: 104, after: { at: first.at(-1)!.at, seq: first.at(-1)!.seq }, limit: 4 }).map((e) => e.seq)).toEqual([7, 8]);
    db.close();
  });
});

describe('migration 30: audit entries before it keep the rule they were hashed under', () => {
  /** Rule 1 exactly as schema 20 wrote it (main/store/audit.ts before migration 30), typed out here to pin it. */
  function writeSchema20Entry(db: Db, seq: number, prevHash: string, e: AuditInput): string {
    const payload = canonicalJson(e.payload);
    const body = canonicalJson({ seq, at: e.at, actor: e.actor, role: e.role, action: e.action, target: e.target, payload, outcome: e.outcome, reason: e.reason });
    const hash = createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
    db.prepare(`INSERT INTO audit_log (seq, at, actor, role, action, target, payload, outcome, reason, prev_hash, hash)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(seq, e.at, e.actor, e.role, e.action, e.target, payload, e.outcome, e.reason, prevHash, hash);
    return hash;
  }

  function schema20Store(): Db {
    const fresh = new Database(path.join(tempDir(), DB_FILE)) as Db;
    for (const m of MIGRATIONS.filter((m) => m.version <= 20)) fresh.exec(m.sql);
    fresh.pragma('user_version = 20');
    let prev = GENESIS_HASH;
    const odd = ['垃圾满溢 "东门"\n\\', '\u2028\u0007 ☂ 𝄞', 'plain'];
    odd.forEach((s, i) => (prev = writeSchema20Entry(fresh, i + 1, prev, entry(i, { reason: s, target: i === 2 ? null : s, payload: { z: [s, 1.5, null], a: { y: true, b: -0 } } }))));
    return fresh;
  }

  it('a schema-20 log verifies before and after the migration, and new entries chain on under rule 2', () => {
    const db = schema20Store();
    const before = verifyAudit(db);
    expect(before).toMatchObject({ ok: true, count: 3, legacyCount: 3 });
    migrate(db);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(verifyAudit(db)).toEqual(before);
    expect(auditPage(db, 0, 10).map((e) => [e.reason, e.payload])).toEqual(
      ['垃圾满溢 "东门"\n\\', '\u2028\u0007 ☂ 𝄞', 'plain'].map((s) => [s, { z: [s, 1.5, null], a: { y: true, b: 0 } }]));
    appendAudit(db, entry(3));
    expect(verifyAudit(db)).toMatchObject({ ok: true, count: 4, legacyCount: 3 });
    db.close();
  });

  it('after it, an altered rule-1 entry, or an entry relabelled with the other rule, is caught', () => {
    const db = schema20Store();
    migrate(db);
    appendAudit(db, entry(3));
    appendAudit(db, entry(4));
    db.exec('DROP TRIGGER audit_log_no_update');
    sp(db, `UPDATE audit_log SET entry = replace(entry, 'plain', 'plan') WHERE seq = 3`, () =>
      expect(verifyAudit(db).firstBad).toEqual({ seq: 3, why: 'entry 3 was altered (hash mismatch)' }));
    sp(db, 'UPDATE audit_log SET rule = 1 WHERE seq = 5', () =>
      expect(verifyAudit(db).firstBad).toEqual({ seq: 5, why: 'entry 5 claims the pre-schema-30 hash rule after entries that use the stored-bytes rule' }));
    // Relabelled the other way, its hash may even hold (SQLite's json_object can write the very bytes rule 1
    // hashed), but then the rule-1 entries after it give it away.
    sp(db, 'UPDATE audit_log SET rule = 2 WHERE seq = 1', () => expect(verifyAudit(db).ok).toBe(false));
    expect(verifyAudit(db).ok).toBe(true);
    db.close();
  });

  /** The chain verified as `size`-entry ranges joined (each range walked on its own, as a worker walks it). */
  function inRanges(db: Db, checkpoint: Checkpoint | undefined, size: number) {
    const last = db.prepare('SELECT max(seq) FROM audit_log').pluck().get() as number;
    const ranges = [];
    for (let first = 1; first <= last; first += size) ranges.push(verifyAuditRange(db, checkpoint, first, first + size > last ? null : first + size - 1));
    return joinRanges(db, checkpoint, ranges);
  }

  it('verified in ranges and joined, the chain gets the one-walk verdict, whatever the damage and wherever the seams fall', () => {
    // 3 rule-1 entries from before schema 30, then 21 under rule 2
    const db = schema20Store();
    migrate(db);
    for (let i = 3; i < 24; i++) appendAudit(db, entry(i));
    const whole = verifyAudit(db);
    const checkpoints: Array<Checkpoint | undefined> = [undefined, { count: 12, head: whole.headHash }, { count: 12, head: auditRawPage(db, 11, 1)[0]!.hash }, { count: 30, head: whole.headHash }];
    db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete');
    const damage = [
      'SELECT 1', // none
      ...[1, 3, 4, 9, 10, 16, 24].flatMap((k) => [
        `UPDATE audit_log SET entry = replace(entry, 'c-', 'c-x') WHERE seq = ${k}`, // altered
        `DELETE FROM audit_log WHERE seq = ${k}`, // deleted
        `UPDATE audit_log SET prev_hash = '${'f'.repeat(64)}' WHERE seq = ${k}`, // a broken link
        `UPDATE audit_log SET rule = 1 WHERE seq = ${k}`, // relabelled
      ]),
      // reordered: entries 8 and 9, or 9 and 10, change places (a seam between them at some sizes)
      ...[[8, 9], [9, 10], [2, 20]].map(([a, b]) => `UPDATE audit_log SET seq = 1000 WHERE seq = ${a}; UPDATE audit_log SET seq = ${a} WHERE seq = ${b}; UPDATE audit_log SET seq = ${b} WHERE seq = 1000`),
      'DELETE FROM audit_log WHERE seq BETWEEN 9 AND 12', // a whole range gone at size 4
      'DELETE FROM audit_log WHERE seq > 20', // truncated
      'INSERT INTO audit_log (seq, entry, rule, prev_hash, hash) SELECT 0, entry, rule, prev_hash, hash FROM audit_log WHERE seq = 1', // a row before entry 1
    ];
    let failures = 0;
    for (const sql of damage) {
      sp(db, sql, () => {
        for (const checkpoint of checkpoints) {
          const expected = verifyAudit(db, checkpoint);
          if (!expected.ok) failures++;
          for (const size of [1, 2, 3, 4, 5, 8, 9, 23, 24, 40]) expect(inRanges(db, checkpoint, size), `${sql}, ranges of ${size}`).toEqual(expected);
        }
      });
    }
    expect(failures).toBeGreaterThan(damage.length * 3); // the damage is there to be found
    db.close();
  });

  it('verifyAuditParallel runs the ranges on worker threads and names what one walk names', async () => {
    const db = openStore(tempDir());
    for (let i = 0; i < 300; i++) appendAudit(db, entry(i));
    expect(await verifyAuditParallel(db, undefined, 3, 0)).toEqual(verifyAudit(db));
    db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete');
    // entry 101 starts the second of three ranges of 100: the seam's link, and damage either side of it
    for (const sql of [`UPDATE audit_log SET prev_hash = '${'f'.repeat(64)}' WHERE seq = 101`, 'DELETE FROM audit_log WHERE seq = 100', `UPDATE audit_log SET entry = replace(entry, 'c-', 'c-x') WHERE seq = 250`]) {
      db.exec('BEGIN');
      db.exec(sql);
      db.exec('COMMIT'); // committed: the workers read the file through connections of their own
      const expected = verifyAudit(db);
      expect(expected.ok).toBe(false);
      expect(await verifyAuditParallel(db, undefined, 3, 0), sql).toEqual(expected);
    }
    db.close();
  });

  it('the scheduler\'s queries use the schedule\'s indexes', () => {
    const db = openStore(path.join(tempDir(), 'x'));
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...Array((sql.match(/\?/g) ?? []).length).fill('1')) as Array<{ detail: string }>).map((r) => r.detail).join(' | ');
    expect(plan(SCHEDULE_SQL.due)).toMatch(/SEARCH scheduled_actions USING INDEX scheduled_actions_due \(state=\? AND due_at<\?\)/);
    expect(plan(SCHEDULE_SQL.due)).not.toMatch(/TEMP B-TREE/);
    expect(plan(SCHEDULE_SQL.nextDue)).toMatch(/scheduled_actions_due/);
    expect(plan(SCHEDULE_SQL.cancel)).toMatch(/scheduled_actions_subject/);
    expect(plan(SCHEDULE_SQL.lastAbout)).toMatch(/scheduled_actions_subject/);
    db.close();
  });

  it('the SOS queries use their indexes (every command of a unit asks for its open SOS)', () => {
    const db = openStore(path.join(tempDir(), 'x'));
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...Array((sql.match(/\?/g) ?? []).length).fill('1')) as Array<{ detail: string }>).map((r) => r.detail).join(' | ');
    expect(plan(SOS_SQL.openOfUnit)).toMatch(/SEARCH sos USING INDEX sos_unit \(unit_id=\?\)/);
    expect(plan(SOS_SQL.helpOf)).toMatch(/SEARCH sos_help USING INDEX sos_help_sos \(sos_id=\?\)/);
    expect(plan(SOS_SQL.find)).toMatch(/SEARCH sos USING INDEX sqlite_autoindex_sos_1 \(id=\?\)/);
    db.close();
  });
});
