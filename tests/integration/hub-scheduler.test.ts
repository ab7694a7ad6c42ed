// The durable schedule: each due action runs once as a `system` command (event + audit entry + row
// marked done in one transaction), across a killed process, late rather than never, and not at all
// once cancelled. Real SQLite files in temp dirs; the restart test kills a real child process.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { Camera, Incident, Unit } from '../../shared/domain';
import { DEFAULT_MODE_SCHEDULE, MODE_PROFILES, twilightOf } from '../../shared/modes';
import { keyCameraWatch } from '../../main/hub/alerts';
import { runCommand, type Actor, type CommandDef, type ScopedEvent } from '../../main/hub/commands';
import { consoleHandlers } from '../../main/hub/handlers/console';
import { fieldHandlers } from '../../main/hub/handlers/field';
import { CAMERA_STALE, MODE_SWITCH, planModeSchedule, systemHandlers } from '../../main/hub/handlers/system';
import { Scheduler, type Clock } from '../../main/hub/scheduler';
import { ManualClock } from './manual-clock';
import { auditPage, verifyAudit } from '../../main/store/audit';
import { insertArea, insertUnit, upsertCamera } from '../../main/store/city';
import { openStore, type Db } from '../../main/store/db';
import { currentMode, insertIncident } from '../../main/store/operations';
import { ensureInitialMode } from '../../main/hub/seed';
import { cityMode } from '../../main/hub/modes';
import { cancelActions, findAction, listActions, scheduleAction } from '../../main/store/schedule';
import { tempDir } from './hub-fixture';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SYSTEM_COMMANDS = systemHandlers as unknown as Record<string, CommandDef<never, unknown>>;
const CONSOLE = consoleHandlers({ dataDir: tempDir('xiuhua-sched-env-') });

const dbs: Db[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const db of dbs.splice(0)) if (db.open) db.close();
});

function store(dir = tempDir('xiuhua-sched-')): { db: Db; dir: string } {
  const db = openStore(dir);
  dbs.push(db);
  return { db, dir };
}

const CAMERA: Camera = {
  id: 'cam-gate', kind: 'fixed', name: '新街口东门', position: [118.78, 32.04], facing: 0, unitId: null,
  sources: [{ kind: 'testsrc', url: 'testsrc://gate' }], key: true,
};

function scheduler(db: Db, clock: Clock, sink: ScopedEvent[] = []): Scheduler {
  return new Scheduler({ db, commands: SYSTEM_COMMANDS, clock, broadcast: (e) => sink.push(...e), log: () => {}, maxSleepMs: 86_400_000 });
}

/** Audit entries of performed (accepted) system commands, by the scheduled row they performed. */
function performedByAction(db: Db): Map<number, number> {
  const counts = new Map<number, number>();
  for (const e of auditPage(db, 0, 1_000_000)) {
    if (e.actor !== 'system' || e.outcome !== 'accepted') continue;
    const id = (e.payload as { actionId?: number }).actionId;
    if (id !== undefined) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

function alertEventsByAction(db: Db): Map<string, number> {
  const rows = db.prepare(
    "SELECT json_extract(data, '$.alert.id') AS id, count(*) AS n FROM events WHERE type = 'alert:raised' GROUP BY 1",
  ).all() as { id: string; n: number }[];
  return new Map(rows.map((r) => [r.id, r.n]));
}

function startChild(dir: string, crashAfter?: number): { child: ChildProcess; ready: Promise<void>; exited: Promise<void> } {
  const args = ['--import', 'tsx', 'tests/integration/scheduler-child.ts', dir, ...(crashAfter ? [String(crashAfter)] : [])];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => { out += d; if (out.includes('ready\n')) resolve(); });
    child.stderr!.on('data', (d) => (err += d));
    child.on('exit', (code, signal) => reject(new Error(`child exited (${code ?? signal}) before ready: ${err}`)));
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return { child, ready, exited };
}

const pendingSwitches = (db: Db) => listActions(db).filter((a) => a.kind === MODE_SWITCH && a.state === 'pending');
const count = (db: Db, state: string) =>
  (db.prepare('SELECT count(*) AS n FROM scheduled_actions WHERE state = ?').get(state) as { n: number }).n;

async function until(what: string, ok: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('scheduled actions across a killed hub', () => {
  it('a process killed again and again around the due times performs each action exactly once, in the audit log once', async () => {
    const { db, dir } = store();
    upsertCamera(db, CAMERA);
    const N = 120;
    const first = startChild(dir);
    await first.ready;
    const t0 = Date.now() + 300;
    db.transaction(() => {
      for (let i = 0; i < N; i++) {
        scheduleAction(db, {
          kind: CAMERA_STALE, subject: CAMERA.id, payload: { cameraId: CAMERA.id, reason: `test ${i}`, since: t0 },
          dueAt: t0 + i * 25, cause: 'test',
        }, Date.now());
      }
    })();
    first.child.stdin!.write('wake\n');

    // Each life is killed as soon as it has performed something more (state, not time): the first
    // while rows fall due one by one, the next ones in the middle of catching up with overdue rows.
    let life = first;
    let kills = 0;
    let killedWithWorkLeft = 0;
    for (;;) {
      const before = count(db, 'done');
      if (kills < 6) {
        await until('this life performs an action', () => count(db, 'done') > before || life.child.exitCode !== null);
      } else {
        await until('every action is done', () => count(db, 'pending') === 0 || life.child.exitCode !== null);
      }
      life.child.kill('SIGKILL');
      await life.exited;
      kills++;
      if (count(db, 'pending') === 0) break;
      killedWithWorkLeft++;
      life = startChild(dir);
      life.ready.catch(() => {}); // killed before it says ready, often
    }

    expect(killedWithWorkLeft).toBeGreaterThanOrEqual(3); // the kills really landed while actions were due
    const actions = listActions(db);
    expect(actions).toHaveLength(N);
    const audited = performedByAction(db);
    const alerts = alertEventsByAction(db);
    for (const a of actions) {
      expect(a).toMatchObject({ state: 'done', outcome: 'accepted' });
      expect(audited.get(a.id)).toBe(1);
      expect(alerts.get(`alert-${a.id}`)).toBe(1);
      expect(a.doneAt!).toBeGreaterThanOrEqual(a.dueAt); // never early
    }
    expect(verifyAudit(db).ok).toBe(true);
  }, 180_000);

  it('a process that dies right after an action committed does not perform it again when it restarts', async () => {
    const { db, dir } = store();
    upsertCamera(db, CAMERA);
    const now = Date.now();
    db.transaction(() => {
      for (let i = 0; i < 3; i++) {
        scheduleAction(db, { kind: CAMERA_STALE, subject: CAMERA.id, payload: { cameraId: CAMERA.id, reason: `r${i}`, since: now }, dueAt: now + i, cause: 'test' }, now);
      }
    })();
    let lives = 0;
    while (count(db, 'pending') > 0 && lives < 10) {
      const life = startChild(dir, 1); // dies after its first action, before anything else happens
      life.ready.catch(() => {});
      await life.exited;
      lives++;
    }
    expect(lives).toBe(3);
    const audited = performedByAction(db);
    for (const a of listActions(db)) {
      expect(a.state).toBe('done');
      expect(audited.get(a.id)).toBe(1);
    }
  }, 120_000);

  it('a hub down across the due time performs the action on start, late, and the lateness is on the record', async () => {
    const { db, dir } = store();
    upsertCamera(db, CAMERA);
    const due = Date.now() - 90_000; // fell due while nothing ran
    const id = db.transaction(() => scheduleAction(db, {
      kind: CAMERA_STALE, subject: CAMERA.id, payload: { cameraId: CAMERA.id, reason: 'no video', since: due - 10_000 }, dueAt: due, cause: 'test',
    }, due - 10_000))();
    const { child, ready, exited } = startChild(dir);
    await ready; // start() performs what is overdue before it says ready
    child.kill('SIGKILL');
    await exited;
    const action = findAction(db, id)!;
    expect(action.state).toBe('done');
    expect(action.doneAt! - action.dueAt).toBeGreaterThanOrEqual(90_000);
    const entry = auditPage(db, 0, 1000).find((e) => e.action === 'camera:stale')!;
    expect(entry.payload).toMatchObject({ actionId: id, dueAt: due, commandId: `scheduled-${id}` });
    expect(entry.at - due).toBeGreaterThanOrEqual(90_000);
  });
});

describe('the scheduler in one process (manual clock)', () => {
  it('sleeps until the next due time, not in a polling loop, and wakes for an earlier action', () => {
    const { db } = store();
    upsertCamera(db, CAMERA);
    const clock = new ManualClock(1_000_000);
    const events: ScopedEvent[] = [];
    const s = scheduler(db, clock, events);
    s.start();
    expect(clock.armed).toEqual([]); // nothing pending: no timer at all
    s.schedule({ kind: CAMERA_STALE, subject: CAMERA.id, payload: { cameraId: CAMERA.id, reason: 'x', since: 0 }, dueAt: 1_030_000, cause: 'test' });
    expect(clock.armed).toEqual([1_030_000]);
    s.schedule({ kind: CAMERA_STALE, subject: CAMERA.id, payload: { cameraId: CAMERA.id, reason: 'y', since: 0 }, dueAt: 1_010_000, cause: 'test' });
    expect(clock.armed).toEqual([1_010_000]);
    clock.advanceTo(1_009_999);
    expect(events).toHaveLength(0);
    clock.advanceTo(1_010_000);
    expect(events.map((e) => e.event.data.type)).toEqual(['alert:raised']);
    expect(clock.armed).toEqual([1_030_000]);
    clock.advanceTo(1_100_000);
    expect(events).toHaveLength(2);
    expect(clock.armed).toEqual([]);
    s.stop();
  });

  it('a long backlog is worked off a bounded number per turn, so the hub keeps serving in between', () => {
    const { db } = store();
    upsertCamera(db, CAMERA);
    const clock = new ManualClock(2_000_000);
    const events: ScopedEvent[] = [];
    db.transaction(() => {
      for (let i = 0; i < 5; i++) scheduleAction(db, { kind: CAMERA_STALE, subject: CAMERA.id, payload: { cameraId: CAMERA.id, reason: 'x', since: 0 }, dueAt: 1_000_000 + i, cause: 'test' }, 0);
    })();
    const s = new Scheduler({ db, commands: SYSTEM_COMMANDS, clock, broadcast: (e) => events.push(...e), log: () => {}, maxPerTurn: 2 });
    s.start();
    expect(events).toHaveLength(2);
    expect(clock.armed).toEqual([2_000_000]); // the rest on the next turn
    clock.advanceTo(2_000_000);
    expect(events).toHaveLength(5);
    expect(clock.armed).toEqual([]);
  });

  it('nobody but the system may run a system command', () => {
    const { db } = store();
    upsertCamera(db, CAMERA);
    const raw = { commandId: 'scheduled-999', actionId: 999, dueAt: 0, cameraId: CAMERA.id, reason: 'forged', since: 0 };
    for (const actor of [{ id: 'duty', role: 'duty_manager' }, { id: 'admin', role: 'admin' }, { id: 'sim-gateway', role: 'device', unitIds: 'any' }] as Actor[]) {
      expect(runCommand(db, systemHandlers[CAMERA_STALE], actor, raw).ack).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    for (const def of Object.values(systemHandlers)) expect(def.roles).toEqual(['system']);
    expect(Object.keys(systemHandlers).filter((k) => k in CONSOLE || k in fieldHandlers)).toEqual([]);
  });

  it('a task not accepted in time alerts the escalation chain step by step; accepting cancels what is left', () => {
    const { db } = store();
    const t = 1_800_000_000_000;
    const clock = new ManualClock(t);
    const events: ScopedEvent[] = [];
    const s = scheduler(db, clock, events);
    s.start();
    const unit: Unit = { id: 'u-1', kind: 'officer', name: '张伟', badge: '001', plate: null, squad: null, cellId: null, postId: null, routeId: null, cameraId: null, status: 'patrolling' };
    insertUnit(db, unit);
    ensureInitialMode(db, t);
    const incident: Incident = { id: 'I-1', category: 'parking', priority: 2, state: 'open', position: [118.78, 32.04], description: 'x', source: { kind: 'console' }, subtype: null, place: { street: null, streetM: null, cellId: null, districtId: null }, amendments: 0, createdAt: t, updatedAt: t };
    insertIncident(db, incident);
    const op: Actor = { id: 'operator', role: 'operator' };
    const assign = runCommand(db, CONSOLE['task:assign'], op, { commandId: 'assign-0001', incidentId: 'I-1', unitId: 'u-1' }, t);
    expect(assign.ack.ok).toBe(true);
    const task = (assign.ack as { result: { task: { id: string; ackDeadline: number; arriveDeadline: number } } }).result.task;
    s.wake(); // what the hub does after every command
    const daily = MODE_PROFILES.daily;
    expect(clock.armed).toEqual([task.ackDeadline]);

    const chain = daily.escalation;
    expect(chain.length).toBeGreaterThanOrEqual(2); // the test needs a second step
    clock.advanceTo(task.ackDeadline + chain[0]!.afterSec * 1000);
    const alerts = () => events.flatMap((e) => (e.event.data.type === 'alert:raised' ? [e.event.data.alert] : []));
    expect(alerts().map((a) => [a.kind, a.notify])).toEqual([['task_overdue', chain[0]!.role]]);
    clock.advanceTo(task.ackDeadline + chain[1]!.afterSec * 1000 - 1);
    expect(alerts()).toHaveLength(1);
    clock.advanceTo(task.ackDeadline + chain[1]!.afterSec * 1000);
    expect(alerts().map((a) => a.notify)).toEqual(chain.slice(0, 2).map((s) => s.role));

    const accept = runCommand(db, fieldHandlers['task:accept'], { id: 'sim-gateway', role: 'device', unitIds: 'any' }, { commandId: 'accept-0001', unitId: 'u-1', taskId: task.id }, clock.now());
    expect(accept.ack.ok).toBe(true);
    s.wake();
    const byKind = (kind: string) => listActions(db).filter((a) => a.kind === kind).map((a) => a.state);
    expect(byKind('task:ack-overdue')).toEqual(daily.escalation.length > 2 ? ['done', 'done', 'cancelled'] : ['done', 'done']);
    expect(byKind('task:arrive-overdue')).toEqual(['pending']); // accepted, not yet on site

    const finish = runCommand(db, fieldHandlers['task:finish'], { id: 'sim-gateway', role: 'device', unitIds: 'any' }, { commandId: 'finish-0001', unitId: 'u-1', taskId: task.id }, clock.now());
    expect(finish.ack.ok).toBe(true);
    s.wake();
    expect(byKind('task:arrive-overdue')).toEqual(['cancelled']);
    expect(byKind('task:finish-overdue')).toEqual(['cancelled']);
    expect(clock.armed).toEqual([]);
    clock.advanceTo(task.arriveDeadline + 3_600_000);
    expect(alerts()).toHaveLength(2);
  });

  it('a key camera back within the grace period raises nothing; one down past it raises one alert, and one on recovery, also after a restart', () => {
    const { db, dir } = store();
    upsertCamera(db, CAMERA);
    const clock = new ManualClock(5_000_000);
    let events: ScopedEvent[] = [];
    let s = scheduler(db, clock, events);
    s.start();
    let watch = keyCameraWatch({ db, cameras: () => [CAMERA], scheduler: s, staleAfterMs: 10_000, now: clock.now });
    const health = (state: 'up' | 'down', since: number) => [{ cameraId: CAMERA.id, state, reason: state === 'down' ? 'no frames' : null, bitrateKbps: null, segmentAgeMs: null, since }];
    const alertKinds = () => events.flatMap((e) => (e.event.data.type === 'alert:raised' ? [e.event.data.alert.kind] : []));

    watch(health('down', clock.now()));
    clock.advanceTo(clock.now() + 5_000);
    watch(health('up', clock.now()));
    clock.advanceTo(clock.now() + 60_000);
    expect(alertKinds()).toEqual([]);
    expect(listActions(db).map((a) => a.state)).toEqual(['cancelled']);

    watch(health('down', clock.now()));
    watch(health('down', clock.now() + 1)); // a repeated report is not a second alert
    clock.advanceTo(clock.now() + 10_000);
    expect(alertKinds()).toEqual(['camera_down']);

    // The hub restarts while the camera is still down: no second alert, and its recovery is announced.
    s.stop();
    db.close();
    const reopened = openStore(dir);
    dbs.push(reopened);
    events = [];
    s = scheduler(reopened, clock, events);
    s.start();
    watch = keyCameraWatch({ db: reopened, cameras: () => [CAMERA], scheduler: s, staleAfterMs: 10_000, now: clock.now });
    watch(health('down', clock.now()));
    clock.advanceTo(clock.now() + 60_000);
    expect(alertKinds()).toEqual([]);
    watch(health('up', clock.now()));
    clock.advanceTo(clock.now() + 1);
    expect(alertKinds()).toEqual(['camera_recovered']);
    expect(verifyAudit(reopened).ok).toBe(true);
  });

  it('a post holder who does not check in within the mode\'s interval raises one alert; each check-in restarts the clock', () => {
    const { db } = store();
    const t = 1_800_000_000_000;
    const clock = new ManualClock(t);
    const events: ScopedEvent[] = [];
    const s = scheduler(db, clock, events);
    s.start();
    ensureInitialMode(db, t);
    insertArea(db, { id: 'post-1', kind: 'post', name: '新街口岗', parentId: null, polygon: null, center: [118.78, 32.04], radiusM: 50 });
    insertUnit(db, { id: 'u-2', kind: 'officer', name: '李娜', badge: '002', plate: null, squad: null, cellId: null, postId: 'post-1', routeId: null, cameraId: null, status: 'on_post' });
    const device: Actor = { id: 'sim-gateway', role: 'device', unitIds: 'any' };
    let n = 0;
    const checkIn = () => {
      expect(runCommand(db, fieldHandlers['checkin:create'], device, { commandId: `checkin-${n++}-000`, unitId: 'u-2', postId: 'post-1', position: [118.78, 32.04], fix: { t: clock.now(), accuracy: 5 } }, clock.now()).ack.ok).toBe(true);
      s.wake();
    };
    const interval = MODE_PROFILES.daily.checkInIntervalMin * 60_000;
    const missed = () => events.filter((e) => e.event.data.type === 'alert:raised' && e.event.data.alert.kind === 'checkin_missed');
    checkIn();
    clock.advanceTo(t + interval - 1);
    checkIn(); // just in time
    clock.advanceTo(t + 2 * interval - 2);
    expect(missed()).toHaveLength(0);
    clock.advanceTo(t + 2 * interval - 1);
    expect(missed()).toHaveLength(1);
    clock.advanceTo(t + 10 * interval);
    expect(missed()).toHaveLength(1); // not one per interval of silence
    expect(listActions(db).map((a) => a.state)).toEqual(['cancelled', 'done']);
    // The check-in and the alert each say which mode and profile version set the interval and who was told.
    const basis = { mode: 'daily', scope: 'city', areaId: null, profileVersion: 1 };
    const entries = auditPage(db, 0, 1000);
    expect(entries.filter((e) => e.action === 'checkin:create').map((e) => (e.payload as { detail: unknown }).detail)).toEqual([{ nextDueBy: basis, gridVersion: 1 }, { nextDueBy: basis, gridVersion: 1 }]);
    expect(entries.find((e) => e.action === 'checkin:missed' && e.outcome === 'accepted')?.payload).toMatchObject({ detail: { notifiedBy: basis } });
  });

  it('the mode follows the schedule in Shanghai time: at once on first start, at 06:00 and 20:00, late across a restart, never over an emergency', () => {
    const { db, dir } = store();
    const SH = 'Asia/Shanghai';
    const schedule = { ...DEFAULT_MODE_SCHEDULE, holidays: ['2027-02-06'] };
    const clock = new ManualClock(Date.parse('2027-02-05T13:00:00Z')); // 21:00 Friday in Shanghai
    ensureInitialMode(db, clock.now());
    const make = (d: Db) => new Scheduler({ db: d, commands: SYSTEM_COMMANDS, clock, broadcast: () => {}, log: () => {}, timeZone: SH, maxSleepMs: 86_400_000 });
    let s = make(db);
    s.start();
    planModeSchedule(db, clock.now(), SH, schedule);
    s.wake();
    expect(currentMode(db)).toMatchObject({ mode: 'night', by: 'system' });
    clock.advanceTo(Date.parse('2027-02-05T22:00:00Z')); // 06:00 on the holiday
    expect(currentMode(db)).toMatchObject({ mode: 'holiday', at: Date.parse('2027-02-05T22:00:00Z') });

    // Down from 19:00 to 21:30 Saturday: the 20:00 switch happens on start, late, and says so.
    s.stop();
    db.close();
    clock.advanceTo(Date.parse('2027-02-06T13:30:00Z'));
    const reopened = openStore(dir);
    dbs.push(reopened);
    s = make(reopened);
    s.start();
    planModeSchedule(reopened, clock.now(), SH, schedule);
    s.wake();
    expect(currentMode(reopened)).toMatchObject({ mode: 'night', reason: expect.stringContaining('due 2027-02-06 20:00') });
    expect(pendingSwitches(reopened)).toHaveLength(1); // a restart does not queue a second chain

    // A duty manager declares an emergency: the schedule does not override it.
    const declared = runCommand(reopened, CONSOLE['mode:switch'], { id: 'manager', role: 'duty_manager' }, { commandId: 'declare-0001', mode: 'emergency', reason: 'flood' }, clock.now());
    expect(declared.ack.ok).toBe(true);
    clock.advanceTo(Date.parse('2027-02-07T22:30:00Z')); // 06:30 Monday: the 06:00 switch gave way to the emergency
    expect(currentMode(reopened)).toMatchObject({ mode: 'emergency' });
    // Ended by hand, the schedule takes over again at its next switch.
    expect(runCommand(reopened, CONSOLE['mode:end'], { id: 'manager', role: 'duty_manager' }, { commandId: 'end-0001', reason: 'water gone' }, clock.now()).ack.ok).toBe(true);
    expect(cityMode(reopened, clock.now()).mode).toBe('night'); // the mode the emergency replaced
    clock.advanceTo(Date.parse('2027-02-08T12:00:00Z')); // 20:00 Monday: already night, a recorded no-op
    expect(currentMode(reopened)).toMatchObject({ mode: 'night', by: 'manager' });
    clock.advanceTo(Date.parse('2027-02-08T22:00:00Z')); // 06:00 Tuesday
    expect(currentMode(reopened)).toMatchObject({ mode: 'daily', by: 'system' });
    const entries = auditPage(reopened, 0, 1000).filter((e) => e.action === MODE_SWITCH);
    expect(entries.length).toBeGreaterThanOrEqual(4);
    expect(verifyAudit(reopened).ok).toBe(true);
  });

  it('night from dusk to dawn in Nanjing: switched at the sun\'s times, once across a restart that spans dawn', () => {
    const { db, dir } = store();
    const SH = 'Asia/Shanghai';
    const schedule = { sun: { lat: 32.031, lng: 118.768 }, holidays: [] };
    const day = twilightOf('2027-03-20', SH, schedule.sun)!;
    const next = twilightOf('2027-03-21', SH, schedule.sun)!;
    const clock = new ManualClock(day.dusk - 3_600_000);
    ensureInitialMode(db, clock.now());
    const make = (d: Db) => new Scheduler({ db: d, commands: SYSTEM_COMMANDS, clock, broadcast: () => {}, log: () => {}, timeZone: SH, maxSleepMs: 86_400_000 });
    let s = make(db);
    s.start();
    planModeSchedule(db, clock.now(), SH, schedule);
    s.wake();
    expect(cityMode(db, clock.now()).mode).toBe('daily');
    clock.advanceTo(day.dusk - 1);
    expect(cityMode(db, clock.now()).mode).toBe('daily');
    clock.advanceTo(day.dusk);
    expect(currentMode(db)).toMatchObject({ mode: 'night', by: 'system', at: day.dusk });

    // Down from midnight until an hour after dawn: the dawn switch happens once on start, late.
    s.stop();
    db.close();
    clock.advanceTo(next.dawn + 3_600_000);
    const reopened = openStore(dir);
    dbs.push(reopened);
    s = make(reopened);
    s.start();
    planModeSchedule(reopened, clock.now(), SH, schedule);
    s.wake();
    expect(currentMode(reopened)).toMatchObject({ mode: 'daily', by: 'system', at: next.dawn + 3_600_000 });
    expect(pendingSwitches(reopened)).toEqual([expect.objectContaining({ dueAt: next.dusk })]);
    const to = (e: { payload: unknown }) => (e.payload as { detail?: { to?: string } }).detail?.to;
    const switched = auditPage(reopened, 0, 1000).filter((e) => e.action === MODE_SWITCH && e.outcome === 'accepted' && to(e));
    expect(switched.map(to)).toEqual(['night', 'daily']);
  });

  it('a mode switched with an end time ends at that time by itself, on the record and told to consoles; ended sooner by hand, nothing more happens', () => {
    const { db } = store();
    const t = 1_900_000_000_000;
    const clock = new ManualClock(t);
    const events: ScopedEvent[] = [];
    const s = scheduler(db, clock, events);
    s.start();
    ensureInitialMode(db, t);
    const dm: Actor = { id: 'manager', role: 'duty_manager' };
    const modeEvents = () => events.flatMap((e) => (e.event.data.type === 'mode:changed' ? [e.event.data.change] : []));
    expect(runCommand(db, CONSOLE['mode:switch'], dm, { commandId: 'switch-0001', mode: 'emergency', reason: '大型活动', endsAt: t + 60_000 }, t).ack.ok).toBe(true);
    s.wake();
    clock.advanceTo(t + 59_999);
    expect(modeEvents()).toEqual([]);
    clock.advanceTo(t + 60_000);
    expect(modeEvents()).toMatchObject([{ kind: 'end', mode: 'daily', from: 'emergency', by: 'system', reason: 'end time reached' }]);
    expect(cityMode(db, clock.now()).mode).toBe('daily');

    expect(runCommand(db, CONSOLE['mode:switch'], dm, { commandId: 'switch-0002', mode: 'emergency', reason: '暴雨', endsAt: t + 600_000 }, clock.now()).ack.ok).toBe(true);
    s.wake();
    expect(runCommand(db, CONSOLE['mode:end'], dm, { commandId: 'end-00001', reason: '雨停' }, clock.now() + 1000).ack.ok).toBe(true);
    s.wake();
    clock.advanceTo(t + 3_600_000);
    expect(modeEvents()).toHaveLength(1); // the end by hand is the console's own event; the timer added none
    expect(listActions(db).filter((a) => a.kind === 'mode:expire').map((a) => a.state)).toEqual(['done', 'cancelled']);
  });

  it('an SOS nobody acknowledges is alerted again every period, up the escalation chain, until someone does', () => {
    const { db } = store();
    const t = 1_850_000_000_000;
    const clock = new ManualClock(t);
    const events: ScopedEvent[] = [];
    const s = scheduler(db, clock, events);
    s.start();
    ensureInitialMode(db, t);
    insertUnit(db, { id: 'u-3', kind: 'officer', name: '王强', badge: '003', plate: null, squad: null, cellId: null, postId: null, routeId: null, cameraId: null, status: 'patrolling' });
    const raised = runCommand(db, fieldHandlers['sos:raise'], { id: 'sim-gateway', role: 'device', unitIds: 'any' }, { commandId: 'sos-000001', unitId: 'u-3', position: [118.78, 32.04] }, t);
    expect(raised.ack.ok).toBe(true);
    s.wake();
    const { sosEscalateSec, escalation } = MODE_PROFILES.daily;
    const period = sosEscalateSec * 1000;
    const unacknowledged = () => events.flatMap((e) => (e.event.data.type === 'alert:raised' && e.event.data.alert.kind === 'sos_unacknowledged' ? [e.event.data.alert] : []));
    clock.advanceTo(t + period - 1);
    expect(unacknowledged()).toHaveLength(0);
    clock.advanceTo(t + period);
    clock.advanceTo(t + 2 * period);
    expect(unacknowledged().map((a) => a.notify)).toEqual([escalation[0]!.role, escalation[Math.min(1, escalation.length - 1)]!.role]);
    const sosId = (raised.ack as { result: { sos: { id: string } } }).result.sos.id;
    // Each step also says on the SOS itself how far it has gone, for the consoles, the walls and the phone.
    const escalated = events.flatMap((e) => (e.event.data.type === 'sos:updated' ? [e.event.data.sos] : []));
    expect(escalated.map((x) => [x.escalations, x.escalatedTo])).toEqual([[1, escalation[0]!.role], [2, escalation[Math.min(1, escalation.length - 1)]!.role]]);
    expect(escalated.every((x) => x.id === sosId && x.state === 'raised')).toBe(true);
    expect(runCommand(db, CONSOLE['sos:acknowledge'], { id: 'operator', role: 'operator' }, { commandId: 'ack-000001', sosId }, clock.now()).ack.ok).toBe(true);
    s.wake();
    clock.advanceTo(t + 20 * period);
    expect(unacknowledged()).toHaveLength(2);
    expect(listActions(db).map((a) => a.state)).toEqual(['done', 'done', 'cancelled']);
  });

  it('property: any schedule, cancellations and restarts at any times — each due action once, none early, none cancelled performed', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ dueIn: fc.integer({ min: 0, max: 10_000 }), cancelAt: fc.option(fc.integer({ min: 0, max: 12_000 }), { nil: undefined }) }), { minLength: 1, maxLength: 25 }),
      fc.array(fc.integer({ min: 0, max: 12_000 }), { maxLength: 6 }),
      (plan, restarts) => {
        const { db: first, dir } = store();
        let db = first;
        upsertCamera(db, CAMERA);
        const t0 = 10_000_000;
        const clock = new ManualClock(t0);
        let s = scheduler(db, clock);
        s.start();
        plan.forEach((p, i) => s.schedule({
          kind: CAMERA_STALE, subject: `p${i}`, payload: { cameraId: CAMERA.id, reason: `p${i}`, since: t0 }, dueAt: t0 + p.dueIn, cause: 'property',
        }));
        type Step = { at: number; run: () => void };
        const steps: Step[] = [
          ...plan.flatMap((p, i) => (p.cancelAt === undefined ? [] : [{
            at: t0 + p.cancelAt,
            run: () => { db.transaction(() => cancelActions(db, `p${i}`, [CAMERA_STALE], clock.now(), 'test'))(); s.wake(); },
          }])),
          ...restarts.map((r) => ({
            at: t0 + r,
            run: () => {
              s.stop();
              db.close();
              db = openStore(dir);
              dbs.push(db);
              s = scheduler(db, clock);
              s.start();
            },
          })),
        ].sort((a, b) => a.at - b.at);
        for (const step of steps) {
          clock.advanceTo(step.at);
          step.run();
        }
        clock.advanceTo(t0 + 20_000);
        const audited = performedByAction(db);
        for (const a of listActions(db)) {
          if (a.state === 'cancelled') expect(audited.has(a.id)).toBe(false);
          else {
            expect(a.state).toBe('done');
            expect(audited.get(a.id)).toBe(1);
            expect(a.doneAt!).toBeGreaterThanOrEqual(a.dueAt);
          }
        }
        s.stop();
        db.close();
      },
    ), { numRuns: 60 });
  });
});
