// Rules several handlers share: who may speak for a unit, what status a unit returns to.
import { OPEN_TASK_STATES, type Task, type TaskState, type Unit, type UnitStatus } from '../../../shared/domain';
import type { Db } from '../../store/db';
import { findUnit, setUnitStatus } from '../../store/city';
import { countOpenTasksOfUnit } from '../../store/operations';
import { findOpenSosOfUnit } from '../../store/sos';
import { cancelActions, scheduleAction } from '../../store/schedule';
import { CommandFailure, type Actor, type Emitted } from '../commands';
import type { CommandError } from '../../../shared/protocol';

/** The first of these units the device may not speak for (a gateway speaks for any), else undefined. */
export function foreignUnit(actor: Actor, unitIds: readonly string[]): string | undefined {
  return actor.unitIds === 'any' ? undefined : unitIds.find((id) => !actor.unitIds?.includes(id));
}

/** The refusal of a device speaking for a unit it is not enrolled for, in words commands and requests share. */
export const notSpokenFor = (actor: Actor, unitId: string): CommandError =>
  ({ code: 'forbidden', message: `device ${actor.id} does not speak for unit ${unitId}` });

export function unitSpokenFor(db: Db, actor: Actor, unitId: string): Unit {
  if (foreignUnit(actor, [unitId]) !== undefined) {
    const { code, message } = notSpokenFor(actor, unitId);
    throw new CommandFailure(code, message);
  }
  return requireUnit(db, unitId);
}

export function requireUnit(db: Db, unitId: string): Unit {
  const unit = findUnit(db, unitId);
  if (!unit) throw new CommandFailure('not_found', `no unit ${unitId}`);
  return unit;
}

/** Where a unit stands when nothing special holds it: at its post, or patrolling. */
export function restingStatus(db: Db, unit: Unit): UnitStatus {
  if (countOpenTasksOfUnit(db, unit.id) > 0) return 'on_task';
  return unit.postId ? 'on_post' : 'patrolling';
}

export function changeStatus(db: Db, unit: Unit, status: UnitStatus): Emitted[] {
  if (unit.status === status) return [];
  // A unit in trouble stays "SOS" whatever its tasks do, until its SOS is resolved.
  if (unit.status === 'sos' && findOpenSosOfUnit(db, unit.id)) return [];
  setUnitStatus(db, unit.id, status);
  return [{ data: { type: 'unit:status', unitId: unit.id, status }, unitId: null }];
}

/** A task's deadlines: the system command that fires when one passes, and the states in which it still applies. */
export const TASK_DEADLINE = {
  ack: { kind: 'task:ack-overdue', pendingIn: ['assigned'] as TaskState[] },
  arrive: { kind: 'task:arrive-overdue', pendingIn: ['assigned', 'accepted', 'en_route'] as TaskState[] },
  finish: { kind: 'task:finish-overdue', pendingIn: [...OPEN_TASK_STATES] as TaskState[] },
} as const;

export const isOpenTask = (state: TaskState): boolean => (OPEN_TASK_STATES as readonly TaskState[]).includes(state);
export type TaskDeadline = keyof typeof TASK_DEADLINE;

/**
 * Queue a new task's deadlines (in the transaction that assigns it), each at its deadline plus the
 * first escalation step's delay.
 */
export function scheduleTaskDeadlines(db: Db, task: Task, deadlines: Record<TaskDeadline, number>, firstStepSec: number, cause: string, now: number): void {
  for (const d of Object.keys(TASK_DEADLINE) as TaskDeadline[]) {
    scheduleAction(db, {
      kind: TASK_DEADLINE[d].kind, subject: task.id, payload: { taskId: task.id, deadline: deadlines[d] }, dueAt: deadlines[d] + firstStepSec * 1000, cause,
    }, now);
  }
}

/** Cancel the deadlines (and pending escalation steps) that a task's new state has met or made moot. */
export function settleTaskDeadlines(db: Db, task: Task, to: TaskState, now: number): void {
  const moot = (Object.keys(TASK_DEADLINE) as TaskDeadline[]).filter((d) => !TASK_DEADLINE[d].pendingIn.includes(to)).map((d) => TASK_DEADLINE[d].kind);
  if (moot.length > 0) cancelActions(db, task.id, moot, now, `task ${to}`);
}

/** A post holder's check-in is overdue (queued by each check-in, cancelled by the next). */
export const CHECKIN_MISSED = 'checkin:missed';

/** A mode switched with an end time is ended by this system command at that time (subject: modeSubject). */
export const MODE_EXPIRE = 'mode:expire';
export const modeSubject = (areaId: string | null) => `mode:${areaId ?? 'city'}`;

/** Queue the end of a switch that has an end time; a later switch or end of that scope cancels it. */
export function scheduleModeExpiry(db: Db, change: { areaId: string | null; at: number; endsAt: number | null }, cause: string, now: number): void {
  cancelActions(db, modeSubject(change.areaId), [MODE_EXPIRE], now, 'superseded');
  if (change.endsAt === null) return;
  scheduleAction(db, { kind: MODE_EXPIRE, subject: modeSubject(change.areaId), payload: { areaId: change.areaId, switchedAt: change.at }, dueAt: change.endsAt, cause }, now);
}

/** An SOS nobody has acknowledged yet: alerted along the escalation chain, again every sosEscalateSec until acknowledged. */
export const SOS_UNACKNOWLEDGED = 'sos:unacknowledged';
