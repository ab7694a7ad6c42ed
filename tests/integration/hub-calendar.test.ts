// The holiday calendar as data: who may edit it, optimistic concurrency on its version, consoles told
// of each edit, and the mode schedule re-planned exactly once per edit — with a clock the test moves,
// and across a restart (the re-plan is in the edit's transaction, so a restart neither repeats nor loses it).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../shared/domain';
import type { HolidayCalendar } from '../../shared/calendar';
import { DEFAULT_MODE_SCHEDULE } from '../../shared/modes';
import type { HubEvent } from '../../shared/protocol';
import { runCommand, type Actor, type CommandDef } from '../../main/hub/commands';
import { consoleHandlers } from '../../main/hub/handlers/console';
import { MODE_SWITCH, planModeSchedule, systemHandlers } from '../../main/hub/handlers/system';
import { Scheduler } from '../../main/hub/scheduler';
import { ensureCalendar, ensureInitialMode } from '../../main/hub/seed';
import { auditPage, verifyAudit } from '../../main/store/audit';
import { holidayDates, readCalendar } from '../../main/store/calendar';
import { openStore, type Db } from '../../main/store/db';
import { currentMode } from '../../main/store/operations';
import { listActions, pendingActionsOfKind } from '../../main/store/schedule';
import { ask, cid, closeClients, consoleClient, startTestHub, tempDir } from './hub-fixture';
import { ManualClock } from './manual-clock';

describe('the calendar through a real hub', () => {
  let hub: Awaited<ReturnType<typeof startTestHub>>;
  beforeAll(async () => { hub = await startTestHub(); });
  afterAll(() => hub.close());
  afterEach(closeClients);
  const LOGIN: Record<Role, string> = { operator: 'operator', duty_manager: 'manager', evaluator: 'evaluator', admin: 'admin' };
  const as = async (role: Role) => (await consoleClient(hub.url, { username: LOGIN[role], password: 'demo' })).socket;

  it('the demo store starts with the 2027 public holidays, marked estimated, readable by everyone', async () => {
    const res = await ask(await as('evaluator'), 'calendar:list', {});
    expect(res.ok, res.error?.message).toBe(true);
    const cal = res.result as HolidayCalendar;
    expect(cal.version).toBe(1);
    expect(cal.days.find((d) => d.date === '2027-10-01')).toMatchObject({ name: { zh: '国庆节' }, estimated: true, by: 'system' });
    expect(cal.days.some((d) => d.date === '2027-09-26')).toBe(false); // a make-up working day is no holiday
    expect(auditPage(hub.db, 0, 100_000).filter((e) => e.action === 'calendar:seed')).toHaveLength(1);
  });

  it('operators and evaluators may not edit it (refused and audited)', async () => {
    for (const role of ['operator', 'evaluator'] as Role[]) {
      const res = await ask(await as(role), 'calendar:add', { commandId: cid(), baseVersion: 1, date: '2027-03-08', name: { zh: '妇女节', en: "Women's Day" }, reason: '测试' });
      expect(res.error?.code).toBe('forbidden');
      expect(auditPage(hub.db, 0, 100_000).filter((e) => e.action === 'calendar:add').at(-1)).toMatchObject({ actor: LOGIN[role], outcome: 'rejected' });
    }
    expect(readCalendar(hub.db).version).toBe(1);
  });

  it('edits name the version they were made against: a stale one is a conflict; each edit is told to every console whole and audited with its reason', async () => {
    const dm = await as('duty_manager');
    const admin = await as('admin');
    const watcher = await as('operator');
    const seen: HolidayCalendar[] = [];
    watcher.on('event', (e: HubEvent) => { if (e.data.type === 'calendar:changed') seen.push(e.data.calendar); });
    const base = (await ask(dm, 'calendar:list', {})).result as HolidayCalendar;

    // Both read version 1; the duty manager confirms National Day first, the admin's removal then conflicts.
    const confirm = await ask(dm, 'calendar:add', {
      commandId: cid(), baseVersion: base.version, date: '2027-10-01', name: { zh: '国庆节', en: 'National Day' }, estimated: false, reason: '国务院通知已发布',
    });
    expect(confirm.ok, confirm.error?.message).toBe(true);
    expect(confirm.result.calendar.version).toBe(base.version + 1);
    expect(confirm.result.calendar.days.find((d: { date: string }) => d.date === '2027-10-01')).toMatchObject({ estimated: false, by: 'manager' });
    const stale = await ask(admin, 'calendar:remove', { commandId: cid(), baseVersion: base.version, date: '2027-10-01', reason: '误加' });
    expect(stale.error).toMatchObject({ code: 'conflict', message: expect.stringContaining(`now ${base.version + 1}`) });
    expect(holidayDates(hub.db)).toContain('2027-10-01');

    const removed = await ask(admin, 'calendar:remove', { commandId: cid(), baseVersion: base.version + 1, date: '2027-10-01', reason: '误加' });
    expect(removed.ok, removed.error?.message).toBe(true);
    expect(holidayDates(hub.db)).not.toContain('2027-10-01');
    expect((await ask(admin, 'calendar:remove', { commandId: cid(), baseVersion: base.version + 2, date: '2027-10-01', reason: '再删' })).error?.code).toBe('not_found');
    // Needs a reason, a real day.
    expect((await ask(dm, 'calendar:add', { commandId: cid(), baseVersion: base.version + 2, date: '2027-13-01', name: { zh: 'x', en: 'x' }, reason: '测试' })).error?.code).toBe('invalid_payload');
    expect((await ask(dm, 'calendar:add', { commandId: cid(), baseVersion: base.version + 2, date: '2027-03-08', name: { zh: 'x', en: 'x' }, reason: ' ' })).error?.code).toBe('invalid_payload');

    await expect.poll(() => seen.length).toBe(2);
    expect(seen.map((c) => c.version)).toEqual([base.version + 1, base.version + 2]);
    const entries = auditPage(hub.db, 0, 100_000).filter((e) => e.action.startsWith('calendar:') && e.outcome === 'accepted' && e.action !== 'calendar:seed');
    expect(entries.map((e) => [e.action, e.actor, e.target, (e.payload as { reason: string }).reason])).toEqual([
      ['calendar:add', 'manager', '2027-10-01', '国务院通知已发布'],
      ['calendar:remove', 'admin', '2027-10-01', '误加'],
    ]);
    expect(verifyAudit(hub.db).ok).toBe(true);
  });
});

describe('the mode schedule follows the calendar', () => {
  const SH = 'Asia/Shanghai';
  const SYSTEM = systemHandlers as unknown as Record<string, CommandDef<never, unknown>>;
  const CONSOLE = consoleHandlers({ dataDir: tempDir('xiuhua-cal-env-') }) as unknown as Record<string, CommandDef<never, unknown>>;
  const DM: Actor = { id: 'manager', role: 'duty_manager' };
  const dbs: Db[] = [];
  afterEach(() => { for (const db of dbs.splice(0)) if (db.open) db.close(); });

  const open = (dir: string) => { const db = openStore(dir); dbs.push(db); return db; };
  const start = (db: Db, clock: ManualClock) => {
    const s = new Scheduler({ db, commands: SYSTEM, clock, broadcast: () => {}, log: () => {}, timeZone: SH, maxSleepMs: 86_400_000 });
    s.start();
    // What the hub does on start (system-actor.ts): the configured night times, the store's holidays.
    planModeSchedule(db, clock.now(), SH, { ...DEFAULT_MODE_SCHEDULE, holidays: holidayDates(db) });
    s.wake();
    return s;
  };
  const edit = (db: Db, s: Scheduler, clock: ManualClock, name: string, payload: Record<string, unknown>) => {
    const { ack } = runCommand(db, CONSOLE[name]!, DM, { commandId: cid(), baseVersion: readCalendar(db).version, reason: '日历调整', ...payload }, clock.now(), { timeZone: SH });
    expect(ack.ok, ack.ok ? '' : ack.error.message).toBe(true);
    s.wake(); // as the hub's afterCommit does
  };
  const switches = (db: Db) => auditPage(db, 0, 100_000).filter((e) => e.action === MODE_SWITCH && e.outcome === 'accepted' && (e.payload as { detail?: { to?: string } }).detail?.to)
    .map((e) => [(e.payload as { detail: { to: string } }).detail.to, new Date(e.at).toISOString()]);
  const pending = (db: Db) => pendingActionsOfKind(db, MODE_SWITCH);

  it('a day added ahead re-plans once: one pending switch, holiday mode at 06:00 that day, once, also across a restart before it', () => {
    const dir = tempDir('xiuhua-cal-');
    let db = open(dir);
    const clock = new ManualClock(Date.parse('2027-03-05T02:00:00Z')); // 10:00 Friday in Shanghai
    ensureInitialMode(db, clock.now());
    ensureCalendar(db, null, [], clock.now());
    let s = start(db, clock);
    expect(currentMode(db)).toMatchObject({ mode: 'daily' });
    const before = pending(db);
    expect(before).toHaveLength(1);
    expect(before[0]!.dueAt).toBe(Date.parse('2027-03-05T12:00:00Z')); // 20:00: night

    // Monday 8 March becomes a holiday. The pending switch is replaced by exactly one under the new dates;
    // the next boundary is still tonight's 20:00, and the manual mode of now is not touched.
    edit(db, s, clock, 'calendar:add', { date: '2027-03-08', name: { zh: '调休', en: 'Day off' } });
    const after = pending(db);
    expect(after).toHaveLength(1);
    expect(after[0]!.id).not.toBe(before[0]!.id);
    expect(after[0]!.dueAt).toBe(before[0]!.dueAt);
    expect((after[0]!.payload as { schedule: { holidays: string[] } }).schedule.holidays).toEqual(['2027-03-08']);
    expect(listActions(db).filter((a) => a.kind === MODE_SWITCH && a.state === 'cancelled').map((a) => a.outcome)).toEqual(['the holiday calendar changed']);
    expect(currentMode(db)).toMatchObject({ mode: 'daily' });

    // Stopped on Sunday evening, started again on Sunday night: the plan is the one the edit made, not a second.
    clock.advanceTo(Date.parse('2027-03-07T11:00:00Z')); // 19:00 Sunday
    s.stop();
    db.close();
    db = open(dir);
    s = start(db, clock);
    expect(pending(db)).toHaveLength(1);
    clock.advanceTo(Date.parse('2027-03-08T23:00:00Z')); // 07:00 Tuesday
    expect(switches(db)).toEqual([
      ['night', '2027-03-05T12:00:00.000Z'], ['daily', '2027-03-05T22:00:00.000Z'],
      ['night', '2027-03-06T12:00:00.000Z'], ['daily', '2027-03-06T22:00:00.000Z'],
      ['night', '2027-03-07T12:00:00.000Z'],
      ['holiday', '2027-03-07T22:00:00.000Z'], // 06:00 Monday 8 March, once
      ['night', '2027-03-08T12:00:00.000Z'], ['daily', '2027-03-08T22:00:00.000Z'],
    ]);
    expect(pending(db)).toHaveLength(1);
    expect(verifyAudit(db).ok).toBe(true);
    s.stop();
  });

  it('today added switches to holiday at once; removed, back to daily at once; a hub down across the holiday switches once on return', () => {
    const dir = tempDir('xiuhua-cal-');
    let db = open(dir);
    const clock = new ManualClock(Date.parse('2027-03-05T02:00:00Z')); // 10:00 Friday
    ensureInitialMode(db, clock.now());
    ensureCalendar(db, null, ['2027-03-09'], clock.now());
    let s = start(db, clock);
    edit(db, s, clock, 'calendar:add', { date: '2027-03-05', name: { zh: '临时假日', en: 'Day off' } });
    expect(currentMode(db)).toMatchObject({ mode: 'holiday', by: 'system' });
    expect(pending(db)).toHaveLength(1);
    clock.advanceBy(3_600_000);
    edit(db, s, clock, 'calendar:remove', { date: '2027-03-05' });
    expect(currentMode(db)).toMatchObject({ mode: 'daily', by: 'system' });
    expect(pending(db)).toHaveLength(1);

    // Down from Monday 19:00 until Tuesday 12:00 (the 9th, a holiday since the seed): one switch, to holiday, on return.
    clock.advanceTo(Date.parse('2027-03-08T11:00:00Z'));
    const had = switches(db).length;
    s.stop();
    db.close();
    clock.advanceTo(Date.parse('2027-03-09T04:00:00Z'));
    db = open(dir);
    s = start(db, clock);
    expect(switches(db).slice(had)).toEqual([['holiday', '2027-03-09T04:00:00.000Z']]);
    expect(pending(db)).toHaveLength(1);
    s.stop();
  });
});
