// The refusal auditor against a real store: a flood becomes one immediate row plus one summary per
// window, the counts add up to every refusal, distinct keys are bounded, and the chain stays intact.
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRefusalAuditor } from '../../main/hub/refusals';
import { auditPage, verifyAudit } from '../../main/store/audit';
import { openStore, type Db } from '../../main/store/db';
import { tempDir } from '../integration/hub-fixture';

const wrong = { action: 'session:login', error: { code: 'forbidden' as const, message: 'auth_failed: wrong username or password' }, payload: { username: 'operator', password: 'guess' } };
const key = { kind: 'session:login', actor: { id: 'operator', role: 'operator' as const }, address: '10.0.0.1' };

let db: Db | undefined;
const store = () => (db = openStore(path.join(tempDir(), 'x')));
const rows = (d: Db) => auditPage(d, 0, 100_000);
/** Every refusal the rows account for: one per immediate row, `count` per summary. */
const accounted = (d: Db) => rows(d).reduce((n, e) => n + ((e.payload as { summary?: boolean; count?: number }).summary ? (e.payload as { count: number }).count : 1), 0);

afterEach(() => {
  vi.useRealTimers();
  db?.close();
  db = undefined;
});

describe('refusal auditor', () => {
  it('audits the first refusal at once and the rest of a burst as one summary', () => {
    const d = store();
    const auditor = createRefusalAuditor(d);
    for (let i = 0; i < 300; i++) auditor.note(key, wrong, 1000 + i);
    expect(rows(d)).toHaveLength(1);
    expect(rows(d)[0]).toMatchObject({ actor: 'operator', action: 'session:login', outcome: 'rejected', payload: { username: 'operator', password: '[redacted]', address: '10.0.0.1' } });
    auditor.close();
    const [, summary] = rows(d);
    expect(rows(d)).toHaveLength(2);
    expect(summary).toMatchObject({
      action: 'session:login', actor: 'operator', outcome: 'rejected',
      payload: { summary: true, count: 299, from: 1000, to: 1299, address: '10.0.0.1', byCode: { forbidden: 299 }, byAction: { 'session:login': 299 } },
    });
    expect(summary!.reason).toMatch(/^forbidden: 299 more refused/);
    expect(accounted(d)).toBe(300);
    expect(verifyAudit(d).ok).toBe(true);
  });

  it('another actor or address is a burst of its own', () => {
    const d = store();
    const auditor = createRefusalAuditor(d);
    auditor.note(key, wrong);
    auditor.note({ ...key, address: '10.0.0.2' }, wrong);
    auditor.note({ ...key, actor: { id: 'nobody', role: 'operator' } }, wrong);
    auditor.note(key, wrong);
    expect(rows(d).map((e) => [e.actor, (e.payload as { address: string }).address])).toEqual([['operator', '10.0.0.1'], ['operator', '10.0.0.2'], ['nobody', '10.0.0.1']]);
    auditor.close();
    expect(rows(d)).toHaveLength(4);
    expect(accounted(d)).toBe(4);
  });

  it('a flood that goes on writes one summary per window and no further immediate rows', () => {
    vi.useFakeTimers();
    const d = store();
    const auditor = createRefusalAuditor(d, { windowMs: 1000 });
    const flood = { kind: 'rate_limited', actor: { id: 'sim-gateway', role: 'device' as const } };
    const limited = (action: string) => ({ action, error: { code: 'rate_limited' as const, message: 'too many messages; slow down' }, payload: {} });
    for (let second = 0; second < 5; second++) {
      for (let i = 0; i < 100; i++) auditor.note(flood, limited(i % 2 ? 'checkin:create' : 'unit:position'));
      vi.advanceTimersByTime(1000);
    }
    expect(rows(d)).toHaveLength(1 + 5);
    expect(rows(d).slice(1).map((e) => (e.payload as { count: number }).count)).toEqual([99, 100, 100, 100, 100]);
    expect(rows(d)[2]!.payload).toMatchObject({ byAction: { 'checkin:create': 50, 'unit:position': 50 }, address: null });
    vi.advanceTimersByTime(5000); // quiet windows write nothing
    auditor.close();
    expect(rows(d)).toHaveLength(6);
    expect(accounted(d)).toBe(500);
    // After a quiet window the next refusal is audited at once again.
    const again = createRefusalAuditor(d, { windowMs: 1000 });
    again.note(flood, limited('unit:position'));
    expect(rows(d)).toHaveLength(7);
    again.close();
  });

  it('writes up to a key\'s allowance row by row in a window, then counts', () => {
    vi.useFakeTimers();
    const d = store();
    const auditor = createRefusalAuditor(d, { windowMs: 1000 });
    const gateway = { kind: 'checkin:create', actor: { id: 'sim-gateway', role: 'device' as const }, allowance: 3 };
    const invalid = { action: 'checkin:create', error: { code: 'invalid_payload' as const, message: 'unitId: Required' }, payload: { commandId: 'x' } };
    for (let i = 0; i < 50; i++) auditor.note(gateway, invalid);
    expect(rows(d).map((e) => e.reason)).toEqual(Array(3).fill('invalid_payload: unitId: Required'));
    vi.advanceTimersByTime(1000);
    for (let i = 0; i < 50; i++) auditor.note(gateway, invalid); // the flood goes on: summaries only
    vi.advanceTimersByTime(1000);
    expect(rows(d).slice(3).map((e) => (e.payload as { count: number }).count)).toEqual([47, 50]);
    vi.advanceTimersByTime(1000); // a quiet window
    auditor.note(gateway, invalid);
    expect(rows(d)).toHaveLength(6);
    auditor.close();
    expect(accounted(d)).toBe(101);
  });

  it('bounds the keys it tracks: beyond the limit, refusals are summarised together', () => {
    const d = store();
    const auditor = createRefusalAuditor(d, { maxKeys: 3 });
    for (let i = 0; i < 50; i++) auditor.note({ ...key, actor: { id: `guess-${i}`, role: 'operator' } }, wrong);
    expect(rows(d)).toHaveLength(3);
    auditor.close();
    const overflow = rows(d).find((e) => (e.payload as { summary?: boolean }).summary);
    expect(overflow).toMatchObject({ actor: '(many)', payload: { count: 47 } });
    expect(rows(d)).toHaveLength(4);
    expect(accounted(d)).toBe(50);
  });

  it('lists at most 20 event names in a summary, counting the rest as other', () => {
    const d = store();
    const auditor = createRefusalAuditor(d);
    const flood = { kind: 'rate_limited', actor: { id: 'op', role: 'operator' as const } };
    for (let i = 0; i < 41; i++) auditor.note(flood, { action: `junk:${i}`, error: { code: 'rate_limited', message: 'slow down' }, payload: null });
    auditor.close();
    const summary = rows(d)[1]!.payload as { byAction: Record<string, number> };
    expect(Object.keys(summary.byAction)).toHaveLength(21);
    expect(summary.byAction.other).toBe(20);
  });
});
