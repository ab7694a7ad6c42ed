// Handlers of the hub's own commands, run by the scheduler as the `system` actor when a scheduled
// action falls due. Only the system role may run them: no person or device can send these names, and
// each still goes through runCommand (one transaction, events, audit entry) like any other command.
import { z } from 'zod';
import { Alert, Id, ModeName, type ModeChange } from '../../../shared/domain';
import { ModeSchedule, nextModeSwitch, scheduledModeAt } from '../../../shared/modes';
import { CommandId } from '../../../shared/protocol/commands';
import { centerDay, centerTimeText } from '../../../shared/time';
import { canonicalJson } from '../../store/canonical';
import { findPost, findUnit, listCameras } from '../../store/city';
import type { Db } from '../../store/db';
import { currentMode, findIncident, findTask, insertModeChange, lastAreaModes } from '../../store/operations';
import { escalateSos, findSos } from '../../store/sos';
import { cancelAction, pendingActionsOfKind, scheduleAction } from '../../store/schedule';
import { CommandFailure, type CommandDef, type Handler } from '../commands';
import { areaAt, cityMode, effectiveMode, modeBasis, profilesInForce } from '../modes';
import { attendanceSystemHandlers } from './attendance';
import { bodycamSystemHandlers } from './bodycam';
import { hasShifts, shiftAt } from '../../store/attendance';
import { CHECKIN_MISSED, MODE_EXPIRE, scheduleModeExpiry, SOS_UNACKNOWLEDGED, TASK_DEADLINE, type TaskDeadline } from './shared';

const SYSTEM = ['system'] as const;
/** Every system command carries the scheduled row it performs and when that was due (lateness = audit `at` - dueAt). */
const sys = <T extends z.ZodRawShape>(shape: T) =>
  z.strictObject({ commandId: CommandId, actionId: z.number().int().positive(), dueAt: z.number().int(), ...shape });
const def = <S extends z.ZodType, R>(name: string, schema: S, handler: Handler<z.output<S>, R>): CommandDef<S, R> =>
  ({ name, schema, roles: SYSTEM, handler });

const alertEvent = (alert: Alert) => ({ data: { type: 'alert:raised' as const, alert }, unitId: null });

const ROLE_NAMES: Record<string, { zh: string; en: string }> = {
  operator: { zh: '值班员', en: 'operator' },
  duty_manager: { zh: '值班长', en: 'duty manager' },
  admin: { zh: '管理员', en: 'admin' },
  evaluator: { zh: '考评员', en: 'evaluator' },
};

const DEADLINE_TEXT: Record<TaskDeadline, { zh: string; en: string }> = {
  ack: { zh: '前接单', en: 'accepted by' },
  arrive: { zh: '前到场', en: 'on site by' },
  finish: { zh: '前办结', en: 'finished by' },
};

/**
 * A task deadline passed: alert this step's role of the escalation chain (of the mode in force where
 * the incident is), and queue the next step at its `afterSec` after the deadline.
 */
function taskOverdue(deadline: TaskDeadline) {
  const kind = TASK_DEADLINE[deadline].kind;
  return def(kind, sys({ taskId: Id, deadline: z.number().int(), step: z.number().int().min(0).default(0) }), ({ db, now, timeZone, actor }, p) => {
    const task = findTask(db, p.taskId);
    if (!task) throw new CommandFailure('not_found', `no task ${p.taskId}`);
    if (!TASK_DEADLINE[deadline].pendingIn.includes(task.state)) {
      throw new CommandFailure('conflict', `task ${task.id} is ${task.state}; its ${deadline} deadline no longer applies`);
    }
    const incident = findIncident(db, task.incidentId);
    const inForce = effectiveMode(db, incident ? areaAt(db, incident.position) : null, now);
    const { profile } = inForce;
    const step = profile.escalation[Math.min(p.step, profile.escalation.length - 1)]!;
    const late = Math.max(0, Math.round((now - p.deadline) / 60_000));
    const who = ROLE_NAMES[step.role]!;
    const by = centerTimeText(p.deadline, timeZone, false);
    const text = DEADLINE_TEXT[deadline];
    const alert: Alert = {
      id: `alert-${p.actionId}`, kind: 'task_overdue', subjectId: task.id, at: now, notify: step.role,
      message: {
        zh: `任务 ${task.id} 未在 ${by} ${text.zh}（超时 ${late} 分钟，通知${who.zh}）`,
        en: `Task ${task.id} was not ${text.en} ${by} (${late} min over; ${who.en} notified)`,
      },
    };
    const next = profile.escalation[p.step + 1];
    if (next) {
      scheduleAction(db, {
        kind, subject: task.id, payload: { taskId: task.id, deadline: p.deadline, step: p.step + 1 },
        dueAt: p.deadline + next.afterSec * 1000, cause: `${actor.id} ${kind} step ${p.step}`,
      }, now);
    }
    return { result: { alert }, target: task.id, events: [alertEvent(alert)], detail: { escalationBy: modeBasis(inForce) } };
  });
}

export const CAMERA_STALE = 'camera:stale';
export const ALERT_RAISE = 'alert:raise';
export const MODE_SWITCH = 'mode:scheduled-switch';
const MODE_SUBJECT = 'mode-schedule';

function queueNextModeSwitch(db: Db, now: number, timeZone: string, schedule: ModeSchedule, cause: string): void {
  const next = nextModeSwitch(now, timeZone, schedule);
  if (next) scheduleAction(db, { kind: MODE_SWITCH, subject: MODE_SUBJECT, payload: { mode: next.mode, schedule }, dueAt: next.at, cause }, now);
}

/**
 * On hub start, after the scheduler has performed what fell due while it was down: make sure the
 * next scheduled switch is queued under the schedule configured now. A pending switch under another
 * schedule (the configuration changed) is cancelled; then, as on a first start, a switch due at once
 * brings the mode to what the schedule calls for (a recorded system command like any other).
 */
export function planModeSchedule(db: Db, now: number, timeZone: string, schedule: ModeSchedule): void {
  db.transaction(() => {
    const pending = pendingActionsOfKind(db, MODE_SWITCH);
    const next = nextModeSwitch(now, timeZone, schedule);
    const keep = pending.find((a) => canonicalJson(a.payload.schedule) === canonicalJson(schedule) && (a.dueAt <= now || a.dueAt === next?.at));
    for (const a of pending) if (a !== keep) cancelAction(db, a.id, now, 'the mode schedule changed');
    if (keep) return;
    scheduleAction(db, { kind: MODE_SWITCH, subject: MODE_SUBJECT, payload: { mode: scheduledModeAt(now, timeZone, schedule), schedule }, dueAt: now, cause: 'hub start: mode schedule' }, now);
  })();
}

/**
 * The holiday calendar changed (inside that edit's transaction): the pending scheduled switch was
 * planned under the old dates, so it is replaced by one under the new dates — exactly one, whatever
 * the edit. If the edit changes what the schedule calls for now (today added or removed), that
 * switch is due at once; otherwise it is the next boundary under the new dates, so a mode switched
 * by hand still holds until then. Without a schedule (none pending) there is nothing to re-plan.
 */
export function replanForCalendar(db: Db, now: number, timeZone: string, holidays: string[], cause: string): { dueAt: number; mode: string } | null {
  const pending = pendingActionsOfKind(db, MODE_SWITCH);
  const planned = pending.at(-1);
  if (!planned) return null;
  const before = ModeSchedule.parse(planned.payload.schedule);
  const schedule = ModeSchedule.parse({ ...before, holidays });
  for (const a of pending) cancelAction(db, a.id, now, 'the holiday calendar changed');
  const nowMode = scheduledModeAt(now, timeZone, schedule);
  const next = nowMode !== scheduledModeAt(now, timeZone, before) ? { at: now, mode: nowMode } : nextModeSwitch(now, timeZone, schedule);
  if (!next) return null;
  scheduleAction(db, { kind: MODE_SWITCH, subject: MODE_SUBJECT, payload: { mode: next.mode, schedule }, dueAt: next.at, cause }, now);
  return { dueAt: next.at, mode: next.mode };
}
export const CAMERA_RECOVERED = 'camera:recovered';

function keyCamera(db: Parameters<typeof listCameras>[0], cameraId: string) {
  const cam = listCameras(db).find((c) => c.id === cameraId);
  if (!cam) throw new CommandFailure('not_found', `no camera ${cameraId}`);
  if (!cam.key) throw new CommandFailure('conflict', `camera ${cameraId} is no longer a key camera`);
  return cam;
}

export const systemHandlers = {
  ...attendanceSystemHandlers,
  ...bodycamSystemHandlers,

  [TASK_DEADLINE.ack.kind]: taskOverdue('ack'),
  [TASK_DEADLINE.arrive.kind]: taskOverdue('arrive'),
  [TASK_DEADLINE.finish.kind]: taskOverdue('finish'),

  /** An alert a hub component observed (the position pipeline: refused fixes, a device clock off), raised as it was worded. */
  [ALERT_RAISE]: def(ALERT_RAISE, sys({ alert: Alert }), (_ctx, p) => ({ result: { alert: p.alert }, target: p.alert.subjectId, events: [alertEvent(p.alert)] })),

  /** A key camera has been down for the grace period (a recovery within it cancels this). */
  [CAMERA_STALE]: def(CAMERA_STALE, sys({ cameraId: Id, reason: z.string().max(500), since: z.number().int() }), ({ db, now }, p) => {
    const cam = keyCamera(db, p.cameraId);
    const alert: Alert = {
      id: `alert-${p.actionId}`, kind: 'camera_down', subjectId: cam.id, at: now,
      message: { zh: `重点摄像机「${cam.name}」离线：${p.reason}`, en: `Key camera "${cam.name}" is down: ${p.reason}` },
    };
    return { result: { alert }, target: cam.id, events: [alertEvent(alert)] };
  }),

  [CAMERA_RECOVERED]: def(CAMERA_RECOVERED, sys({ cameraId: Id }), ({ db, now }, p) => {
    const cam = keyCamera(db, p.cameraId);
    const alert: Alert = {
      id: `alert-${p.actionId}`, kind: 'camera_recovered', subjectId: cam.id, at: now,
      message: { zh: `重点摄像机「${cam.name}」已恢复`, en: `Key camera "${cam.name}" is back` },
    };
    return { result: { alert }, target: cam.id, events: [alertEvent(alert)] };
  }),

  /** An SOS still not acknowledged: this step's role is alerted, and again one period later (the last role of the chain from then on). */
  [SOS_UNACKNOWLEDGED]: def(SOS_UNACKNOWLEDGED, sys({ sosId: Id, step: z.number().int().min(0) }), ({ db, now, actor, timeZone }, p) => {
    const sos = findSos(db, p.sosId);
    if (!sos) throw new CommandFailure('not_found', `no SOS ${p.sosId}`);
    if (sos.state !== 'raised') throw new CommandFailure('conflict', `SOS ${sos.id} is ${sos.state}`);
    const inForce = effectiveMode(db, areaAt(db, sos.position), now);
    const { profile } = inForce;
    const notify = profile.escalation[Math.min(p.step, profile.escalation.length - 1)]!.role;
    const unit = findUnit(db, sos.unitId);
    const who = ROLE_NAMES[notify]!;
    const since = centerTimeText(sos.raisedAt, timeZone, false);
    const alert: Alert = {
      id: `alert-${p.actionId}`, kind: 'sos_unacknowledged', subjectId: sos.unitId, at: now, notify,
      message: {
        zh: `${unit?.name ?? sos.unitId} 的一键求助 ${sos.id}（${since}）仍未响应，通知${who.zh}`,
        en: `SOS ${sos.id} from ${unit?.name ?? sos.unitId} (${since}) is still unacknowledged; ${who.en} notified`,
      },
    };
    scheduleAction(db, {
      kind: SOS_UNACKNOWLEDGED, subject: sos.id, payload: { sosId: sos.id, step: p.step + 1 },
      dueAt: Math.max(now, p.dueAt) + profile.sosEscalateSec * 1000, cause: `${actor.id} ${SOS_UNACKNOWLEDGED} step ${p.step}`,
    }, now);
    escalateSos(db, sos.id, notify, now);
    const escalated = findSos(db, sos.id)!;
    return {
      result: { alert }, target: sos.id, events: [alertEvent(alert), { data: { type: 'sos:updated', sos: escalated }, unitId: sos.unitId }],
      detail: { escalationBy: modeBasis(inForce) },
    };
  }),

  /** A post holder did not check in within the interval: one alert; the next check-in starts the clock again. Off duty: nothing. */
  [CHECKIN_MISSED]: def(CHECKIN_MISSED, sys({ unitId: Id, postId: Id, lastAt: z.number().int() }), ({ db, now, timeZone }, p) => {
    const unit = findUnit(db, p.unitId);
    if (!unit) throw new CommandFailure('not_found', `no unit ${p.unitId}`);
    // Off duty, or a rostered officer whose shift is over: nobody expects a clock-in.
    if (unit.status === 'off_duty' || (hasShifts(db, unit.id) && !shiftAt(db, unit.id, now))) return { result: { alert: null as Alert | null }, target: unit.id, events: [] };
    const post = findPost(db, p.postId);
    const last = centerTimeText(p.lastAt, timeZone, false);
    const inForce = effectiveMode(db, p.postId, now);
    const notify = inForce.profile.escalation[0]!.role;
    const alert: Alert = {
      id: `alert-${p.actionId}`, kind: 'checkin_missed', subjectId: unit.id, at: now, notify,
      message: {
        zh: `${unit.name} 未按时在「${post?.name ?? p.postId}」打卡（上次 ${last}）`,
        en: `${unit.name} has not checked in at ${post?.name ?? p.postId} (last at ${last})`,
      },
    };
    return { result: { alert: alert as Alert | null }, target: unit.id, events: [alertEvent(alert)], detail: { notifiedBy: modeBasis(inForce) } };
  }),

  /**
   * A mode switch on the schedule (night at dusk, the holiday calendar). Performed late, it switches
   * to what the schedule calls for now, not to what it called for then. A declared emergency, or the
   * mode already in force, makes it a recorded no-op. Either way it queues the next switch.
   */
  [MODE_SWITCH]: def(MODE_SWITCH, sys({ mode: ModeName.exclude(['emergency']), schedule: ModeSchedule }), ({ db, now, actor, timeZone }, p) => {
    const mode = scheduledModeAt(now, timeZone, p.schedule);
    const from = cityMode(db, now).mode;
    let change: ModeChange | null = null;
    let skipped: string | null = null;
    if (from === 'emergency') skipped = 'an emergency is declared';
    else if (from === mode) skipped = `already in ${mode} mode`;
    else {
      const late = now - p.dueAt > 60_000 ? ` (due ${centerDay(p.dueAt, timeZone)} ${centerTimeText(p.dueAt, timeZone, false)}, the hub was down)` : '';
      change = {
        mode, reason: `mode schedule: ${mode}${late}`, areaId: null, by: actor.id, at: now, kind: 'switch', from, endsAt: null,
        profileVersion: profilesInForce(db)[mode].version,
      };
      insertModeChange(db, change);
    }
    if (change) scheduleModeExpiry(db, change, `${actor.id} ${MODE_SWITCH}`, now); // a switch by the schedule supersedes an end time
    queueNextModeSwitch(db, now, timeZone, p.schedule, `${actor.id} ${MODE_SWITCH}`);
    return {
      result: { change, skipped }, target: mode, events: change ? [{ data: { type: 'mode:changed' as const, change }, unitId: null }] : [],
      detail: change ? { from, to: mode, scope: 'city', profileVersion: change.profileVersion } : { skipped },
    };
  }),

  /**
   * A switch made with an end time reaches it: recorded as an end by `system` (as `mode:end` would
   * be), so consoles are told when it happens rather than left to work it out.
   */
  [MODE_EXPIRE]: def(MODE_EXPIRE, sys({ areaId: Id.nullable(), switchedAt: z.number().int() }), ({ db, now, actor }, p) => {
    const reason = 'end time reached';
    let change: ModeChange;
    if (p.areaId !== null) {
      const active = lastAreaModes(db).find((c) => c.areaId === p.areaId);
      if (!active || active.kind !== 'switch' || active.at !== p.switchedAt) throw new CommandFailure('conflict', `the switch of area ${p.areaId} was superseded`);
      change = { mode: active.mode, reason, areaId: p.areaId, by: actor.id, at: now, kind: 'end', from: effectiveMode(db, null, now).mode, endsAt: null, profileVersion: active.profileVersion };
    } else {
      const current = currentMode(db);
      if (!current || current.kind !== 'switch' || current.at !== p.switchedAt) throw new CommandFailure('conflict', 'the city-wide switch was superseded');
      const returns = current.from ?? 'daily';
      change = { mode: returns, reason, areaId: null, by: actor.id, at: now, kind: 'end', from: current.mode, endsAt: null, profileVersion: profilesInForce(db)[returns].version };
    }
    insertModeChange(db, change);
    return {
      result: { change }, target: p.areaId ?? change.mode, events: [{ data: { type: 'mode:changed' as const, change }, unitId: null }],
      detail: { ended: p.areaId === null ? change.from : change.mode, returns: p.areaId === null ? change.mode : change.from, scope: p.areaId ?? 'city', reason },
    };
  }),
} satisfies Record<string, CommandDef<z.ZodType, unknown>>;
