import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../main/store/canonical';
import { openStore } from '../../main/store/db';
import { SCHEMA_VERSION } from '../../main/store/migrations';
import { tempDir } from '../integration/hub-fixture';

describe('canonical JSON', () => {
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
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...Array((sql.match(/\?/g) ?? []).length).fill(1)) as Array<{ detail: string }>).map((r) => r.detail).join(' | ');
    expect(plan('SELECT * FROM positions WHERE t BETWEEN ? AND ? AND unit_id = ? ORDER BY t')).toMatch(/SEARCH positions USING PRIMARY KEY \(t>\? AND t<\?\)/);
    expect(plan("SELECT count(*) FROM tasks WHERE unit_id = ? AND state IN ('assigned','accepted','arrived')")).toMatch(/USING COVERING INDEX tasks_unit_state|USING INDEX tasks_unit_state/);
    expect(plan('SELECT seq, at, data FROM events WHERE seq > ? ORDER BY seq LIMIT ?')).toMatch(/USING INTEGER PRIMARY KEY/);
    expect(plan('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1')).not.toMatch(/USE TEMP B-TREE/);
    db.close();
  });
});
