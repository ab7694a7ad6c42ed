// Incidents and tasks from the console: create (with its source, street and grid cell), amend (appended,
// never edited), assign with the guardrails, reassign (cancel and assign in one transaction), cancel.
// Each runs inside the command transaction (commands.ts).
import { createHash } from 'node:crypto';
import type { Incident, IncidentOrigin, LngLat, Task, Unit } from '../../../shared/domain';
import { findSubtype, type PhotoUpload } from '../../../shared/incidents';
import { consoleCommands } from '../../../shared/protocol/commands';
import { findUnit, listAreas, listCameras } from '../../store/city';
import type { Db } from '../../store/db';
import {
  findIncident, findOpenTaskOf, findTask, insertAmendment, insertIncident, insertPhoto, insertTask, insertTaskStep, updateIncidentState,
  updateTaskState,
} from '../../store/operations';
import { findSos } from '../../store/sos';
import { CommandFailure, type CommandDef, type Emitted, type TxContext } from '../commands';
import { placeOf, loadStreetIndex } from '../streets';
import { areaAt, effectiveMode, modeBasis } from '../modes';
import { nextId } from './ids';
import { changeStatus, isOpenTask, requireUnit, restingStatus, scheduleTaskDeadlines, settleTaskDeadlines } from './shared';

const C = consoleCommands;
const def = <K extends keyof typeof C, R>(name: K, handler: CommandDef<(typeof C)[K]['schema'], R>['handler']) =>
  ({ name, schema: C[name].schema, roles: C[name].roles, handler }) as CommandDef<(typeof C)[K]['schema'], R>;

/** A new incident with its street and grid cell resolved from the city data; the sub-type must belong to the category. */
export function newIncident(
  { db, now, timeZone }: TxContext,
  p: { category: Incident['category']; subtype: string | null; priority: Incident['priority']; position: LngLat; description: string },
  source: IncidentOrigin,
): Emitted[] {
  if (p.subtype !== null && !findSubtype(p.category, p.subtype)) {
    throw new CommandFailure('invalid_payload', `subtype: ${p.subtype} is not a sub-type of ${p.category}`);
  }
  const incident: Incident = {
    id: nextId(db, 'I', now, timeZone), category: p.category, subtype: p.subtype, priority: p.priority, state: 'open', position: p.position,
    description: p.description, source, place: placeOf(loadStreetIndex(), listAreas(db), p.position), amendments: 0, createdAt: now, updatedAt: now,
  };
  insertIncident(db, incident);
  return [{ data: { type: 'incident:created', incident }, unitId: null }];
}

const JPEG = [0xff, 0xd8, 0xff];
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Stores an uploaded photo after checking that its bytes are the type it says and within the limit; its id is its content hash. */
export function storePhoto(db: Db, upload: PhotoUpload, by: string, now: number): string {
  const bytes = Buffer.from(upload.base64, 'base64');
  if (bytes.length === 0) throw new CommandFailure('invalid_payload', 'photo: empty');
  const magic = upload.mime === 'image/jpeg' ? JPEG : PNG;
  if (!magic.every((b, i) => bytes[i] === b)) throw new CommandFailure('invalid_payload', `photo: the bytes are not a ${upload.mime === 'image/jpeg' ? 'JPEG' : 'PNG'}`);
  const id = `P-${createHash('sha256').update(bytes).digest('hex').slice(0, 32)}`;
  if (!db.prepare('SELECT 1 FROM photos WHERE id = ?').get(id)) insertPhoto(db, { id, mime: upload.mime, bytes, by, at: now });
  return id;
}

type AssignInput = { incident: Incident; unit: Unit; note: string; override?: { reason: string } };

/** The guardrails and the assignment itself, shared by task:assign and task:reassign. */
function assign(
  { db, now, actor, timeZone }: TxContext, { incident, unit, note, override }: AssignInput, cause: string,
): { task: Task; events: Emitted[]; deadlinesBy: ReturnType<typeof modeBasis> } {
  if (incident.state === 'closed' || incident.state === 'resolved') throw new CommandFailure('conflict', `incident ${incident.id} is ${incident.state}`);
  const open = findOpenTaskOf(db, unit.id, incident.id);
  if (open) throw new CommandFailure('conflict', `unit ${unit.id} already has task ${open.id} (${open.state}) on incident ${incident.id}`);
  const unavailable = unit.status === 'sos' || unit.status === 'off_duty';
  if (unavailable && !override) {
    throw new CommandFailure('conflict', `unit ${unit.id} is ${unit.status === 'sos' ? 'in SOS' : 'off duty'}; only a duty manager may send it, with a reason`);
  }
  if (override && actor.role !== 'duty_manager') throw new CommandFailure('forbidden', 'only a duty manager may override the dispatch rules');
  // Deadlines follow the mode in force where the incident is (an area emergency tightens them there).
  const inForce = effectiveMode(db, areaAt(db, incident.position), now);
  const { profile } = inForce;
  const task: Task = {
    id: nextId(db, 'T', now, timeZone), incidentId: incident.id, unitId: unit.id, state: 'assigned', note,
    assignedAt: now, ackDeadline: now + profile.taskAckSec * 1000, arriveDeadline: now + profile.taskArriveSec * 1000,
    finishDeadline: now + profile.taskFinishSec * 1000, updatedAt: now,
  };
  insertTask(db, task);
  insertTaskStep(db, { taskId: task.id, state: 'assigned', actor: actor.id, at: now, note });
  const deadlines = { ack: task.ackDeadline, arrive: task.arriveDeadline, finish: task.finishDeadline! };
  scheduleTaskDeadlines(db, task, deadlines, profile.escalation[0]!.afterSec, `${actor.id} ${cause}`, now);
  const events: Emitted[] = [{ data: { type: 'task:updated', task }, unitId: unit.id }];
  if (incident.state === 'open') {
    updateIncidentState(db, incident.id, 'dispatched', now);
    events.push({ data: { type: 'incident:updated', incident: { ...incident, state: 'dispatched', updatedAt: now } }, unitId: null });
  }
  return { task, events, deadlinesBy: modeBasis(inForce) };
}

/** Cancels an open task: its step, its deadlines, the unit back to what it was doing. */
function cancel({ db, now, actor }: TxContext, task: Task, reason: string): { task: Task; events: Emitted[] } {
  if (!isOpenTask(task.state)) throw new CommandFailure('conflict', `task ${task.id} is ${task.state}`);
  updateTaskState(db, task.id, 'cancelled', now);
  insertTaskStep(db, { taskId: task.id, state: 'cancelled', actor: actor.id, at: now, note: reason });
  settleTaskDeadlines(db, task, 'cancelled', now);
  const updated: Task = { ...task, state: 'cancelled', updatedAt: now };
  const unit = requireUnit(db, task.unitId);
  return { task: updated, events: [{ data: { type: 'task:updated', task: updated }, unitId: task.unitId }, ...changeStatus(db, unit, restingStatus(db, unit))] };
}

function requireIncident(db: Db, id: string): Incident {
  const incident = findIncident(db, id);
  if (!incident) throw new CommandFailure('not_found', `no incident ${id}`);
  return incident;
}

export const incidentHandlers = {
  'incident:create': def('incident:create', (ctx, p) => {
    const source: IncidentOrigin = p.source;
    const cameraId = source.kind === 'camera' ? source.cameraId : source.kind === 'alarm' && source.alarm === 'camera' ? source.subjectId : null;
    if (cameraId !== null && !listCameras(ctx.db).some((c) => c.id === cameraId)) throw new CommandFailure('not_found', `no camera ${cameraId}`);
    if (source.kind === 'alarm' && source.alarm === 'sos' && !findSos(ctx.db, source.subjectId)) throw new CommandFailure('not_found', `no SOS ${source.subjectId}`);
    if (source.kind === 'alarm' && source.alarm === 'fence' && !findUnit(ctx.db, source.subjectId)) throw new CommandFailure('not_found', `no unit ${source.subjectId}`);
    const events = newIncident(ctx, p, source);
    const incident = (events[0]!.data as { incident: Incident }).incident;
    return { result: { incident }, target: incident.id, events };
  }),

  'incident:amend': def('incident:amend', ({ db, now, actor }, p) => {
    const incident = requireIncident(db, p.incidentId);
    const amendment = insertAmendment(db, { incidentId: incident.id, actor: actor.id, role: actor.role, at: now, reason: p.reason, text: p.text });
    const updated: Incident = { ...incident, amendments: incident.amendments + 1, updatedAt: now };
    return {
      result: { amendment, incident: updated }, target: incident.id,
      events: [{ data: { type: 'incident:updated', incident: updated }, unitId: null }],
    };
  }),

  'task:assign': def('task:assign', (ctx, p) => {
    const incident = requireIncident(ctx.db, p.incidentId);
    const unit = requireUnit(ctx.db, p.unitId);
    const { task, events, deadlinesBy } = assign(ctx, { incident, unit, note: p.note, override: p.override }, 'task:assign');
    const detail = { ...(p.override ? { override: { reason: p.override.reason, unitStatus: unit.status } } : {}), deadlinesBy };
    return { result: { task }, target: task.id, events, detail };
  }),

  'task:reassign': def('task:reassign', (ctx, p) => {
    const old = findTask(ctx.db, p.taskId);
    if (!old) throw new CommandFailure('not_found', `no task ${p.taskId}`);
    if (old.unitId === p.unitId) throw new CommandFailure('conflict', `task ${old.id} is already with unit ${p.unitId}`);
    const unit = findUnit(ctx.db, p.unitId);
    if (!unit) throw new CommandFailure('not_found', `no unit ${p.unitId}`);
    const cancelled = cancel(ctx, old, `reassigned to ${unit.id}: ${p.reason}`);
    // Read after the cancel: the incident may be the only thing the old task held open.
    const incident = requireIncident(ctx.db, old.incidentId);
    const assigned = assign(ctx, { incident, unit, note: p.note || old.note, override: p.override }, 'task:reassign');
    const detail = { from: { taskId: old.id, unitId: old.unitId, state: old.state }, ...(p.override ? { override: { reason: p.override.reason, unitStatus: unit.status } } : {}) };
    // The record's target is the task that lives on; `detail.from` names the one it replaced.
    return { result: { cancelled: cancelled.task, task: assigned.task }, target: assigned.task.id, events: [...cancelled.events, ...assigned.events], detail };
  }),

  'task:cancel': def('task:cancel', (ctx, p) => {
    const task = findTask(ctx.db, p.taskId);
    if (!task) throw new CommandFailure('not_found', `no task ${p.taskId}`);
    const out = cancel(ctx, task, p.reason);
    return { result: { task: out.task }, target: task.id, events: out.events };
  }),
};
