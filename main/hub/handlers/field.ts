// Handlers of field-device commands. A device speaks only for its own unit (a gateway for any).
import { z } from 'zod';
import { BodycamBatch } from '../../../shared/bodycam';
import { PositionFix, type Incident, type Sos, type Task } from '../../../shared/domain';
import { fieldCommands } from '../../../shared/protocol/commands';
import { ModeHereRequest, type ModeHere } from '../../../shared/protocol/mode-here';
import { findUnit, listAreas } from '../../store/city';
import {
  findIncident, findTask, insertTaskStep, listActiveTasks, updateIncidentState, updateTaskState,
} from '../../store/operations';
import { findOpenSosOfUnit, findSos, insertSos, updateSosPosition } from '../../store/sos';
import type { Db } from '../../store/db';
import { fieldEventsAfter, headSeq } from '../../store/log';
import { scheduleAction } from '../../store/schedule';
import { CommandFailure, refuse, type CommandDef, type Emitted, type TxContext } from '../commands';
import { areaAt, effectiveMode, modeBasis } from '../modes';
import { loadStreetIndex } from '../streets';
import type { RequestTable } from '../requests';
import type { HubServices } from '../services';
import { EVENTS_PAGE_MAX, SinceRequest } from './reads';
import { nextId } from './ids';
import { newIncident, storePhoto } from './incidents';
import { attendanceFieldHandlers } from './attendance';
import { taskBriefRequest, unitProfileRequest } from './profile';
import { changeStatus, foreignUnit, notSpokenFor, restingStatus, settleTaskDeadlines, SOS_UNACKNOWLEDGED, unitSpokenFor } from './shared';
import { plainPositionBatch } from '../position-check';

const F = fieldCommands;
const FIELD = ['device'] as const;
const def = <K extends keyof typeof F, R>(name: K, handler: CommandDef<(typeof F)[K]['schema'], R>['handler']) =>
  ({ name, schema: F[name].schema, roles: FIELD, handler }) as CommandDef<(typeof F)[K]['schema'], R>;

/** The legal moves of a task in the field. Arriving straight from accepted stays legal (a unit already there). */
const FROM: Record<'accepted' | 'refused' | 'en_route' | 'arrived' | 'finished', Task['state'][]> = {
  accepted: ['assigned'],
  refused: ['assigned'],
  en_route: ['accepted'],
  arrived: ['accepted', 'en_route'],
  finished: ['accepted', 'en_route', 'arrived'],
};

function moveTask(
  { db, now, actor }: TxContext,
  p: { unitId: string; taskId: string; position?: [number, number] },
  to: keyof typeof FROM,
  extra: { note?: string },
) {
  const unit = unitSpokenFor(db, actor, p.unitId);
  const task = findTask(db, p.taskId);
  if (!task || task.unitId !== unit.id) throw new CommandFailure('not_found', `no task ${p.taskId} for unit ${unit.id}`);
  if (!FROM[to].includes(task.state)) throw new CommandFailure('conflict', `task ${task.id} is ${task.state}, cannot become ${to}`);
  updateTaskState(db, task.id, to, now);
  settleTaskDeadlines(db, task, to, now);
  insertTaskStep(db, { taskId: task.id, state: to, actor: actor.id, at: now, position: p.position ?? null, note: extra.note ?? null });
  const updated: Task = { ...task, state: to, updatedAt: now };
  const events: Emitted[] = [{ data: { type: 'task:updated', task: updated }, unitId: unit.id }];
  events.push(...changeStatus(db, unit, to === 'accepted' || to === 'en_route' || to === 'arrived' ? 'on_task' : restingStatus(db, unit)));
  if (to === 'finished') events.push(...settleIncident(db, task.incidentId, now, 'resolved'));
  if (to === 'refused') events.push(...settleIncident(db, task.incidentId, now, 'open'));
  return { result: { task: updated }, target: task.id, events };
}

/** After a task ends, the incident is resolved (finished) or back to open (refused, and nobody else on it). */
function settleIncident(db: Db, incidentId: string, now: number, to: 'resolved' | 'open'): Emitted[] {
  const incident = findIncident(db, incidentId);
  if (!incident || incident.state === 'closed' || incident.state === to) return [];
  if (to === 'open' && listActiveTasks(db).some((t) => t.incidentId === incidentId)) return [];
  updateIncidentState(db, incidentId, to, now);
  const updated: Incident = { ...incident, state: to, updatedAt: now };
  return [{ data: { type: 'incident:updated', incident: updated }, unitId: null }];
}

export const fieldHandlers = {
  ...attendanceFieldHandlers,

  'task:accept': def('task:accept', (ctx, p) => moveTask(ctx, p, 'accepted', {})),
  'task:refuse': def('task:refuse', (ctx, p) => moveTask(ctx, p, 'refused', { note: p.reason })),
  'task:depart': def('task:depart', (ctx, p) => moveTask(ctx, p, 'en_route', {})),
  'task:arrive': def('task:arrive', (ctx, p) => moveTask(ctx, p, 'arrived', {})),
  'task:finish': def('task:finish', (ctx, p) => moveTask(ctx, p, 'finished', { note: p.note })),

  'sos:raise': def('sos:raise', ({ db, now, actor, timeZone }, p) => {
    const unit = unitSpokenFor(db, actor, p.unitId);
    // A second press while one is open is the same call for help: it updates where and what, and says so.
    const open = findOpenSosOfUnit(db, unit.id);
    if (open) {
      const note = p.note && p.note !== open.note ? (open.note ? `${open.note} / ${p.note}` : p.note).slice(0, 500) : open.note;
      updateSosPosition(db, open.id, p.position, note, now);
      const sos = findSos(db, open.id)!;
      return { result: { sos }, target: sos.id, events: [{ data: { type: 'sos:updated', sos }, unitId: unit.id }], detail: { repeated: true } };
    }
    const sos: Sos = {
      id: nextId(db, 'S', now, timeZone), unitId: unit.id, position: p.position, note: p.note, state: 'raised', raisedAt: now, updatedAt: now,
      street: loadStreetIndex().nameOf(p.position), statusBefore: unit.status === 'sos' ? null : unit.status,
      acknowledgedBy: null, acknowledgedAt: null, escalations: 0, escalatedTo: null, incidentId: null, help: [], resolvedBy: null, resolvedAt: null, resolution: null,
    };
    insertSos(db, sos);
    const inForce = effectiveMode(db, areaAt(db, sos.position), now);
    const { profile } = inForce;
    scheduleAction(db, {
      kind: SOS_UNACKNOWLEDGED, subject: sos.id, payload: { sosId: sos.id, step: 0 }, dueAt: now + profile.sosEscalateSec * 1000, cause: `${actor.id} sos:raise`,
    }, now);
    return {
      result: { sos }, target: sos.id,
      events: [{ data: { type: 'sos:raised', sos }, unitId: unit.id }, ...changeStatus(db, unit, 'sos')],
      detail: { escalationBy: modeBasis(inForce) },
    };
  }),

  'incident:report': def('incident:report', (ctx, p) => {
    const unit = unitSpokenFor(ctx.db, ctx.actor, p.unitId);
    const photoId = p.photo ? storePhoto(ctx.db, p.photo, ctx.actor.id, ctx.now) : null;
    const events = newIncident(ctx, p, { kind: 'field', unitId: unit.id, photoId });
    const incident = (events[0]!.data as { incident: Incident }).incident;
    return { result: { incident }, target: incident.id, events };
  }),
};

const PositionBatch = z.strictObject({ fixes: z.array(PositionFix).min(1).max(5000) });

/**
 * Field inputs that are not commands: the position stream (high volume, no commandId; duplicates of
 * the same unit and fix time are dropped by the pipeline) and the resume request.
 */
export const fieldRequests: RequestTable<HubServices> = {
  'unit:position': {
    name: 'unit:position', schema: PositionBatch, roles: FIELD, check: plainPositionBatch,
    handle: ({ db, actor, now, services }, batch: z.output<typeof PositionBatch>) => {
      const foreign = foreignUnit(actor, batch.fixes.map((f) => f.unitId));
      if (foreign !== undefined) return refuse(db, actor, 'unit:position', { unitId: foreign }, notSpokenFor(actor, foreign), now);
      // The ack may wait while the store is behind (backpressure: PositionPipeline.acceptPaced).
      const ack = services.pipeline.acceptPaced(batch.fixes, actor.id);
      return ack instanceof Promise ? ack.then((result) => ({ ok: true, result })) : { ok: true, result: ack };
    },
  },
  'bodycam:report': {
    name: 'bodycam:report', schema: BodycamBatch, roles: FIELD,
    handle: ({ db, actor, now, services }, batch: z.output<typeof BodycamBatch>) => {
      const foreign = foreignUnit(actor, batch.reports.map((r) => r.unitId));
      if (foreign !== undefined) return refuse(db, actor, 'bodycam:report', { unitId: foreign }, notSpokenFor(actor, foreign), now);
      return { ok: true, result: services.bodycam.accept(batch.reports) };
    },
  },
  'mode:here': {
    name: 'mode:here', schema: ModeHereRequest, roles: FIELD,
    handle: ({ db, actor, now, services }, req: z.output<typeof ModeHereRequest>) => {
      if (foreignUnit(actor, [req.unitId]) !== undefined) return refuse(db, actor, 'mode:here', req, notSpokenFor(actor, req.unitId), now);
      const unit = findUnit(db, req.unitId);
      if (!unit) return refuse(db, actor, 'mode:here', req, { code: 'not_found', message: `no unit ${req.unitId}` }, now);
      const fix = services.pipeline.latest.get(unit.id);
      const areaId = unit.postId ?? unit.cellId ?? (fix ? areaAt(db, [fix.lng, fix.lat]) : null);
      const here = effectiveMode(db, areaId, now);
      const result: ModeHere = {
        unitId: unit.id, areaId, mode: here.mode, scope: here.scope, change: here.change, profileVersion: here.profileVersion,
        declaredFor: here.change.areaId === null ? null : listAreas(db).find((a) => a.id === here.change.areaId)?.name ?? here.change.areaId,
        label: here.profile.label, checkInIntervalMin: here.profile.checkInIntervalMin, taskAckSec: here.profile.taskAckSec,
      };
      return { ok: true, result };
    },
  },
  'unit:profile': unitProfileRequest,
  'task:brief': taskBriefRequest,
  'events:since': {
    name: 'events:since', schema: SinceRequest, roles: FIELD,
    handle: ({ db, actor }, req: z.output<typeof SinceRequest>) => {
      const limit = req.limit ?? EVENTS_PAGE_MAX;
      const events = fieldEventsAfter(db, req.afterSeq, limit, actor.unitIds ?? []);
      return { ok: true, result: { events, headSeq: headSeq(db), more: events.length === limit } };
    },
  },
};
