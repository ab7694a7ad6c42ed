// Answering an SOS from a console: acknowledge it, send units to help, resolve it with a note. Help is
// given through the ordinary dispatch commands (task:assign on an incident linked to the SOS, task:cancel,
// incident:close), called inside this command's transaction, so their guardrails hold here too.
import type { Incident, Sos, Task, Unit, UnitStatus } from '../../../shared/domain';
import { consoleCommands } from '../../../shared/protocol/commands';
import type { Db } from '../../store/db';
import { findIncident, listActiveTasks } from '../../store/operations';
import { acknowledgeSos, findSos, insertSosHelp, linkSosIncident, resolveSos } from '../../store/sos';
import { cancelActions } from '../../store/schedule';
import { CommandFailure, type CommandDef, type Emitted, type TxContext } from '../commands';
import { newIncident } from './incidents';
import { changeStatus, requireUnit, restingStatus, SOS_UNACKNOWLEDGED } from './shared';

const C = consoleCommands;
type Def<K extends keyof typeof C, R> = CommandDef<(typeof C)[K]['schema'], R>;
const def = <K extends keyof typeof C, R>(name: K, handler: CommandDef<(typeof C)[K]['schema'], R>['handler']) =>
  ({ name, schema: C[name].schema, roles: C[name].roles, handler }) as CommandDef<(typeof C)[K]['schema'], R>;

/** The dispatch commands an SOS is answered with. */
export type DispatchPeers = {
  'task:assign': Def<'task:assign', { task: Task }>;
  'task:cancel': Def<'task:cancel', { task: Task }>;
  'incident:close': Def<'incident:close', { incident: Incident }>;
};

function openSos(db: Db, sosId: string): Sos {
  const sos = findSos(db, sosId);
  if (!sos) throw new CommandFailure('not_found', `no SOS ${sosId}`);
  if (sos.state === 'resolved') throw new CommandFailure('conflict', `SOS ${sos.id} is already resolved`);
  return sos;
}

const updatedEvent = (sos: Sos): Emitted => ({ data: { type: 'sos:updated', sos }, unitId: sos.unitId });

/**
 * The status a unit returns to when its SOS is resolved: on a task if one is still open, else what it
 * was before the press (on post, patrolling, off duty); where that is unknown, where it rests.
 */
export function statusAfterSos(db: Db, unit: Unit, before: UnitStatus | null): UnitStatus {
  const resting = restingStatus(db, unit);
  if (resting === 'on_task') return resting;
  return before === 'on_post' || before === 'patrolling' || before === 'off_duty' ? before : resting;
}

/** The incident help is sent on: the SOS's own while it is still open, else a new one (linked to the SOS). */
function helpIncident(ctx: TxContext, sos: Sos, officer: Unit): { incident: Incident; events: Emitted[] } {
  const { db, now } = ctx;
  const linked = sos.incidentId ? findIncident(db, sos.incidentId) : undefined;
  if (linked && (linked.state === 'open' || linked.state === 'dispatched')) return { incident: linked, events: [] };
  // An SOS is not one of the ten enforcement categories; it is filed under 市容 (the general one), urgent,
  // with the SOS as its source (an alarm), and its street and cell resolved like any incident's.
  const events = newIncident(ctx, {
    category: 'cityscape', subtype: null, priority: 1, position: sos.position,
    description: `一键求助 ${sos.id}：支援 ${officer.name} / SOS ${sos.id}: help ${officer.name}`,
  }, { kind: 'alarm', alarm: 'sos', subjectId: sos.id });
  const incident = (events[0]!.data as { incident: Incident }).incident;
  linkSosIncident(db, sos.id, incident.id, now);
  return { incident, events };
}

export const sosHandlers = (peers: DispatchPeers) => ({
  'sos:acknowledge': def('sos:acknowledge', ({ db, now, actor }, p) => {
    const sos = openSos(db, p.sosId);
    if (sos.state !== 'raised') throw new CommandFailure('conflict', `SOS ${sos.id} is already ${sos.state}`);
    acknowledgeSos(db, sos.id, actor.id, now);
    cancelActions(db, sos.id, [SOS_UNACKNOWLEDGED], now, 'acknowledged');
    const updated = findSos(db, sos.id)!;
    return { result: { sos: updated }, target: sos.id, events: [updatedEvent(updated)] };
  }),

  'sos:assist': def('sos:assist', (ctx, p) => {
    const { db, now, actor } = ctx;
    const sos = openSos(db, p.sosId);
    if (p.unitId === sos.unitId) throw new CommandFailure('conflict', `unit ${p.unitId} is the one asking for help`);
    const officer = requireUnit(db, sos.unitId);
    const helper = requireUnit(db, p.unitId);
    const { incident, events } = helpIncident(ctx, sos, officer);
    const note = p.note || `一键求助 ${sos.id}：支援 ${officer.name}`;
    const assigned = peers['task:assign'].handler(ctx, { commandId: p.commandId, incidentId: incident.id, unitId: helper.id, note });
    const { task } = assigned.result;
    insertSosHelp(db, sos.id, { taskId: task.id, unitId: helper.id, unitName: helper.name, etaSec: p.etaSec, sentBy: actor.id, sentAt: now });
    const updated = findSos(db, sos.id)!;
    return {
      result: { sos: updated, task }, target: sos.id,
      events: [...events, ...assigned.events, updatedEvent(updated)],
      detail: { taskId: task.id, incidentId: incident.id, etaSec: p.etaSec },
    };
  }),

  'sos:resolve': def('sos:resolve', (ctx, p) => {
    const { db, now, actor } = ctx;
    const sos = openSos(db, p.sosId);
    resolveSos(db, sos.id, actor.id, p.note, now);
    cancelActions(db, sos.id, [SOS_UNACKNOWLEDGED], now, 'resolved');
    const events: Emitted[] = [];
    // Help still on its way is called off, and the SOS's incident closed, with the same note.
    const helpTasks = new Set(sos.help.map((h) => h.taskId));
    for (const task of listActiveTasks(db).filter((t) => helpTasks.has(t.id))) {
      events.push(...peers['task:cancel'].handler(ctx, { commandId: p.commandId, taskId: task.id, reason: `一键求助已解除 / SOS resolved: ${p.note}`.slice(0, 1000) }).events);
    }
    const incident = sos.incidentId ? findIncident(db, sos.incidentId) : undefined;
    if (incident && incident.state !== 'closed') {
      events.push(...peers['incident:close'].handler(ctx, { commandId: p.commandId, incidentId: incident.id, resolution: p.note }).events);
    }
    const unit = requireUnit(db, sos.unitId);
    events.push(...changeStatus(db, unit, statusAfterSos(db, unit, sos.statusBefore)));
    const updated = findSos(db, sos.id)!;
    return { result: { sos: updated }, target: sos.id, events: [updatedEvent(updated), ...events], detail: { statusBefore: sos.statusBefore } };
  }),
});

/** The console's dispatch handlers with the SOS ones beside them (which answer through them). */
export const withSos = <D extends DispatchPeers>(dispatch: D) => ({ ...dispatch, ...sosHandlers(dispatch) });
