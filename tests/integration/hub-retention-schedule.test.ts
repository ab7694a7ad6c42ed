// Position retention on the hub's schedule: queued at hub start for the next 03:30 (center time), run
// by the `system` actor as an audited command in bounded slices, the next day's run queued after the
// last slice, and not queued twice by a restart.
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Db } from '../../main/store/db';
import { countPositions, positionWriter } from '../../main/store/positions';
import { DEFAULT_RETENTION } from '../../main/store/retention';
import { pendingActionsOfKind } from '../../main/store/schedule';
import { auditTimeline } from '../../main/store/audit';
import { RETENTION_RUN, RETENTION_SLICE_MINUTES } from '../../main/hub/handlers/retention';
import { startSystemActor } from '../../main/hub/system-actor';
import type { Clock } from '../../main/hub/scheduler';
import { tempDir } from './hub-fixture';

const DAY = 86_400_000;
// 2026-11-01 12:00 in Nanjing
const NOW = Date.UTC(2026, 10, 1, 4, 0, 0);

/** Time that moves only when the test says so; the timers are kept, never fired on their own. */
class ManualClock implements Clock {
  constructor(public t: number) {}
  now = () => this.t;
  setTimer = () => () => {};
}

const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) if (db.open) db.close();
});

describe('scheduled retention', () => {
  it('runs daily at 03:30 as an audited system command, in slices, and a restart does not queue it twice', () => {
    const dir = tempDir('xiuhua-retain-');
    const db = openStore(dir);
    dbs.push(db);
    // two units at 1 Hz for 90 minutes, 40 days back: past the 30 days kept at full rate
    const old = NOW - 40 * DAY;
    const write = positionWriter(db);
    const fixes = [];
    for (let s = 0; s < 90 * 60; s++) for (const u of ['off-001', 'off-002']) fixes.push({ unitId: u, t: old + s * 1000, lng: 118.78, lat: 32.04 });
    write(fixes, NOW);
    expect(countPositions(db)).toBe(2 * 90 * 60);

    const clock = new ManualClock(NOW);
    const start = () => startSystemActor({ db, timeZone: 'Asia/Shanghai', broadcast: () => {}, cameras: () => [], retention: DEFAULT_RETENTION, clock, log: () => {} });
    let actor = start();
    const next = Date.UTC(2026, 10, 1, 19, 30, 0); // 03:30 on 2 November in Nanjing
    expect(pendingActionsOfKind(db, RETENTION_RUN).map((a) => a.dueAt)).toEqual([next]);
    actor.stop();
    actor = start(); // a restart keeps the queued run
    expect(pendingActionsOfKind(db, RETENTION_RUN)).toHaveLength(1);

    clock.t = next + 1000;
    actor.scheduler.runDue();
    const runs = auditTimeline(db, { from: 0, to: clock.t + 1, action: RETENTION_RUN, limit: 10 });
    // 90 minutes of history, 60 a slice: two commands, each audited by `system` with what it did
    expect(runs.map((e) => [e.actor, e.outcome, (e.payload as { detail: { more: boolean } }).detail.more])).toEqual([['system', 'accepted', true], ['system', 'accepted', false]]);
    const thinned = runs.reduce((s, e) => s + (e.payload as { detail: { thinnedFixes: number } }).detail.thinnedFixes, 0);
    expect(RETENTION_SLICE_MINUTES).toBe(60);
    expect(thinned).toBe(2 * 90 * 60 - 2 * 90 * 6); // the first fix of each unit in each 10 s is kept
    expect(countPositions(db)).toBe(2 * 90 * 6);
    expect(pendingActionsOfKind(db, RETENTION_RUN).map((a) => a.dueAt)).toEqual([next + DAY]);
    actor.stop();
  });
});
