// The scorecard's queries (main/store/scorecard.ts, the SQL the store runs) start from an index on the
// period's time and reach what they look up per row through an index — never a scan of a table that grows
// with the record (store v120).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../main/store/db';
import { COVERAGE_SQL } from '../../main/store/coverage';
import { SCORECARD_SQL } from '../../main/store/scorecard';
import { tempDir } from '../integration/hub-fixture';

describe('scorecard query plans', () => {
  it('read the period through its indexes and look up each row by index', () => {
    const db = openStore(path.join(tempDir(), 'x'));
    const plan = (sql: string) => {
      const params = Object.fromEntries([...sql.matchAll(/@(\w+)/g)].map((m) => [m[1]!, m[1] === 'kind' || m[1] === 'camera' ? 'x' : 1]));
      return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as Array<{ detail: string }>).map((r) => r.detail);
    };
    expect(plan(SCORECARD_SQL.recorded)).toEqual(['SEARCH audit_log USING INDEX audit_log_at (at>? AND at<?)']);
    expect(plan(SCORECARD_SQL.checkIns).join()).toContain('USING COVERING INDEX check_ins_at (at>? AND at<?)');
    expect(plan(SCORECARD_SQL.alertsOfKind).join()).toContain('USING INDEX events_type_at (type=? AND at>? AND at<?)');
    const tasks = plan(SCORECARD_SQL.tasks);
    expect(tasks.join()).toContain('USING INDEX tasks_assigned_at (assigned_at>? AND assigned_at<?)');
    expect(tasks.filter((d) => d.includes(' s ')).every((d) => d.includes('task_steps_task_state'))).toBe(true);
    expect(tasks.filter((d) => d.includes(' a ')).every((d) => d.includes('scheduled_actions_subject'))).toBe(true);
    expect(plan(SCORECARD_SQL.sos).join()).toMatch(/sos_raised_at.*audit_log_target_at/);
    expect(plan(SCORECARD_SQL.incidents).join()).toMatch(/incidents_created_at.*audit_log_target_at/);
    expect(plan(SCORECARD_SQL.cameraChanges).join()).toContain('audit_log_target_at (target=? AND at>? AND at<?)');
    expect(plan(SCORECARD_SQL.rollCalls)).toEqual(['SEARCH r USING INDEX roll_calls_at (at>? AND at<?)', 'SEARCH t USING PRIMARY KEY (roll_call_id=?)']);
    expect(plan(SCORECARD_SQL.modeChanges).join()).toContain('mode_changes_at');
    expect(plan(SCORECARD_SQL.fenceAlerts).join()).toContain('fence_alerts_raised_at');
    expect(plan(COVERAGE_SQL.routeTotals).join()).toContain('coverage_routes_period');
    expect(plan(COVERAGE_SQL.dwellTotals).join()).toContain('coverage_dwell_period');
    expect(plan(COVERAGE_SQL.routesIn).join()).toContain('coverage_routes_period');
    // the only scans: the cameras (a few dozen rows) and the tasks query's own materialised period (`m`)
    for (const sql of [...Object.values(SCORECARD_SQL), COVERAGE_SQL.routeTotals, COVERAGE_SQL.dwellTotals, COVERAGE_SQL.routesIn, COVERAGE_SQL.dwellIn]) {
      expect(plan(sql).filter((d) => d.startsWith('SCAN') && !d.includes('cameras') && d !== 'SCAN m')).toEqual([]);
    }
    db.close();
  });
});
