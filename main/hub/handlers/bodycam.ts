// Body-worn camera alerts: raised and cleared by the system actor (queued by the hub's BodycamDesk,
// main/hub/bodycam.ts), acknowledged by an operator. Each through runCommand: one transaction with its
// events and audit entry.
import { z } from 'zod';
import type { BodycamAlert } from '../../../shared/bodycam';
import { Id, type Alert } from '../../../shared/domain';
import { CommandId, consoleCommands } from '../../../shared/protocol/commands';
import { centerTimeText } from '../../../shared/time';
import {
  acknowledgeBodycamAlert, clearBodycamAlert, findBodycamAlert, insertBodycamAlert, openBodycamAlert,
} from '../../store/bodycam';
import { findIncident, findTask } from '../../store/operations';
import { CommandFailure, type CommandDef, type Emitted, type Handler } from '../commands';
import { BODYCAM_CLEARED, BODYCAM_STOPPED } from '../bodycam';
import { requireUnit } from './shared';

const C = consoleCommands;
const sys = <T extends z.ZodRawShape>(shape: T) =>
  z.strictObject({ commandId: CommandId, actionId: z.number().int().positive(), dueAt: z.number().int(), ...shape });
const systemDef = <S extends z.ZodType, R>(name: string, schema: S, handler: Handler<z.output<S>, R>): CommandDef<S, R> =>
  ({ name, schema, roles: ['system'], handler });
const consoleDef = <K extends keyof typeof C, R>(name: K, handler: CommandDef<(typeof C)[K]['schema'], R>['handler']) =>
  ({ name, schema: C[name].schema, roles: C[name].roles, handler }) as CommandDef<(typeof C)[K]['schema'], R>;

const alertEvent = (alert: BodycamAlert): Emitted => ({ data: { type: 'bodycam:alert', alert }, unitId: alert.unitId });

export const bodycamSystemHandlers = {
  /** A unit's camera said it was not recording while the unit had a task in hand. */
  [BODYCAM_STOPPED]: systemDef(BODYCAM_STOPPED, sys({ unitId: Id, taskId: Id, since: z.number().int() }), ({ db, now, timeZone }, p) => {
    if (openBodycamAlert(db, p.unitId)) throw new CommandFailure('conflict', `${p.unitId} already has an open body camera alert`);
    const unit = requireUnit(db, p.unitId);
    const alert: BodycamAlert = {
      id: `bodycam-${p.actionId}`, unitId: unit.id, taskId: p.taskId, since: p.since, raisedAt: now,
      clearedAt: null, clearedBy: null, acknowledgedBy: null, acknowledgedAt: null,
    };
    insertBodycamAlert(db, alert);
    const task = findTask(db, p.taskId);
    const incident = task && findIncident(db, task.incidentId);
    const street = incident?.place.street;
    const where = street ? { zh: `（${street}）`, en: ` (${street})` } : { zh: '', en: '' };
    const at = centerTimeText(p.since, timeZone, false);
    const notice: Alert = {
      id: alert.id, kind: 'bodycam_stopped', subjectId: unit.id, at: now,
      message: {
        zh: `${unit.name} 的执法记录仪自 ${at} 起未在录像，正在处置任务${where.zh}`,
        en: `${unit.name}'s body camera has not been recording since ${at}, during a task${where.en}`,
      },
    };
    return { result: { alert }, target: unit.id, events: [alertEvent(alert), { data: { type: 'alert:raised', alert: notice }, unitId: null }] };
  }),

  /** Recording again (or the task is over): the open alert clears itself; an operator still acknowledges it. */
  [BODYCAM_CLEARED]: systemDef(BODYCAM_CLEARED, sys({ unitId: Id, by: z.enum(['recording', 'task_over']) }), ({ db, now }, p) => {
    const open = openBodycamAlert(db, p.unitId);
    if (!open) throw new CommandFailure('conflict', `${p.unitId} has no open body camera alert`);
    clearBodycamAlert(db, open.id, now, p.by);
    const alert: BodycamAlert = { ...open, clearedAt: now, clearedBy: p.by };
    return { result: { alert }, target: p.unitId, events: [alertEvent(alert)] };
  }),
};

export const bodycamConsoleHandlers = {
  'bodycam:acknowledge': consoleDef('bodycam:acknowledge', ({ db, now, actor }, p) => {
    const a = findBodycamAlert(db, p.alertId);
    if (!a) throw new CommandFailure('not_found', `no body camera alert ${p.alertId}`);
    if (a.acknowledgedAt !== null) throw new CommandFailure('conflict', `body camera alert ${a.id} was already acknowledged by ${a.acknowledgedBy}`);
    acknowledgeBodycamAlert(db, a.id, actor.id, now);
    const alert: BodycamAlert = { ...a, acknowledgedBy: actor.id, acknowledgedAt: now };
    return { result: { alert }, target: a.unitId, events: [alertEvent(alert)] };
  }),
};
