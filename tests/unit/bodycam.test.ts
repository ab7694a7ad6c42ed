// The body camera rules that need no hub: when a reading raises or clears the alert, when a reading is
// too old to stand for now, and that the store's hot queries use their indexes.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BODYCAM_RULES, bodycamAge, bodycamAlertStep } from '../../shared/bodycam';
import { BODYCAM_SQL } from '../../main/store/bodycam';
import { openStore } from '../../main/store/db';
import { tempDir } from '../integration/hub-fixture';

describe('bodycamAlertStep', () => {
  it('raises only for a camera not recording with a task in hand and no alert open', () => {
    expect(bodycamAlertStep({ recording: false, taskId: 'T-1', alertOpen: false })).toBe('raise');
    expect(bodycamAlertStep({ recording: false, taskId: null, alertOpen: false })).toBeNull();
    expect(bodycamAlertStep({ recording: true, taskId: 'T-1', alertOpen: false })).toBeNull();
    expect(bodycamAlertStep({ recording: false, taskId: 'T-1', alertOpen: true })).toBeNull();
  });
  it('clears an open alert when recording resumes, or when no task is in hand any more', () => {
    expect(bodycamAlertStep({ recording: true, taskId: 'T-1', alertOpen: true })).toBe('clear_recording');
    expect(bodycamAlertStep({ recording: true, taskId: null, alertOpen: true })).toBe('clear_recording');
    expect(bodycamAlertStep({ recording: false, taskId: null, alertOpen: true })).toBe('clear_task_over');
  });
});

describe('bodycamAge', () => {
  it('is stale only past the limit, on the hub clock, and never negative', () => {
    const at = 1_000_000_000_000;
    expect(bodycamAge({ receivedAt: at }, at + BODYCAM_RULES.staleAfterMs)).toEqual({ ageMs: BODYCAM_RULES.staleAfterMs, stale: false });
    expect(bodycamAge({ receivedAt: at }, at + BODYCAM_RULES.staleAfterMs + 1).stale).toBe(true);
    expect(bodycamAge({ receivedAt: at }, at - 5000)).toEqual({ ageMs: 0, stale: false });
  });
});

describe('body camera store', () => {
  it('looks up open alerts and the task in hand by index', () => {
    const db = openStore(path.join(tempDir(), 'x'));
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...Array((sql.match(/\?/g) ?? []).length).fill(1)) as { detail: string }[])
      .map((r) => r.detail).join(' | ');
    expect(plan(BODYCAM_SQL.openOfUnit)).toMatch(/USING INDEX bodycam_alerts_unit_open/);
    expect(plan(BODYCAM_SQL.unsettled)).toMatch(/USING INDEX bodycam_alerts_unsettled/);
    expect(plan(BODYCAM_SQL.taskInHand)).toMatch(/USING (COVERING )?INDEX tasks_unit_state/);
    db.close();
  });
});
