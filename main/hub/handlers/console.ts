// Handlers of the console (people) commands. Each runs inside the command transaction (commands.ts).
import { randomUUID } from 'node:crypto';
import type { Incident, ModeChange, Sos, Task } from '../../../shared/domain';
import { consoleCommands } from '../../../shared/protocol/commands';
import { findUnit, listAreas, upsertCamera } from '../../store/city';
import { findUserByName, insertUser } from '../../store/people';
import {
  findIncident, findOpenTaskOf, findSos, findTask, insertIncident, insertModeChange, insertTask, insertTaskStep, updateIncidentState,
  updateSosState, updateTaskState,
} from '../../store/operations';
import { hashSecretSync } from '../auth';
import { CommandFailure, type CommandDef, type Emitted } from '../commands';
import { activeAreaModes, areaAt, cityMode, effectiveMode, modeBasis, profilesInForce } from '../modes';
import { nextId } from './ids';
import { changeStatus, requireUnit, restingStatus, scheduleModeExpiry, scheduleTaskDeadlines, settleTaskDeadlines, SOS_UNACKNOWLEDGED } from './shared';
import { confineFileSources } from './sources';
import { cancelActions } from '../../store/schedule';

const C = consoleCommands;
/** A mode switched by hand ends by itself at most this far ahead (an emergency is not for a month). */
const MAX_MODE_MS = 7 * 24 * 3600_000;
const def = <K extends keyof typeof C, R>(name: K, handler: CommandDef<(typeof C)[K]['schema'], R>['handler']) =>
  ({ name, schema: C[name].schema, roles: C[name].roles, handler }) as CommandDef<(typeof C)[K]['schema'], R>;

/** What the handlers need to know about the hub they run in. */
export type ConsoleEnv = { dataDir: string };

export const consoleHandlers = (env: ConsoleEnv) => ({
  'incident:create': def('incident:create', ({ db, now, timeZone }, p) => {
    const incident: Incident = {
      id: nextId(db, 'I', now, timeZone), category: p.category, priority: p.priority, state: 'open', position: p.position,
      description: p.description, source: 'console', createdAt: now, updatedAt: now,
    };
    insertIncident(db, incident);
    return { result: { incident }, target: incident.id, events: [{ data: { type: 'incident:created', incident }, unitId: null }] };
  }),

  'incident:close': def('incident:close', ({ db, now }, p) => {
    const incident = findIncident(db, p.incidentId);
    if (!incident) throw new CommandFailure('not_found', `no incident ${p.incidentId}`);
    if (incident.state === 'closed') throw new CommandFailure('conflict', `incident ${p.incidentId} is already closed`);
    updateIncidentState(db, incident.id, 'closed', now, p.resolution);
    const updated: Incident = { ...incident, state: 'closed', updatedAt: now };
    return { result: { incident: updated }, target: incident.id, events: [{ data: { type: 'incident:updated', incident: updated }, unitId: null }] };
  }),

  'task:assign': def('task:assign', ({ db, now, actor, timeZone }, p) => {
    const incident = findIncident(db, p.incidentId);
    if (!incident) throw new CommandFailure('not_found', `no incident ${p.incidentId}`);
    if (incident.state === 'closed' || incident.state === 'resolved') {
      throw new CommandFailure('conflict', `incident ${incident.id} is ${incident.state}`);
    }
    const unit = requireUnit(db, p.unitId);
    const open = findOpenTaskOf(db, unit.id, incident.id);
    if (open) throw new CommandFailure('conflict', `unit ${unit.id} already has task ${open.id} (${open.state}) on incident ${incident.id}`);
    const unavailable = unit.status === 'sos' || unit.status === 'off_duty';
    if (unavailable && !p.override) {
      throw new CommandFailure('conflict', `unit ${unit.id} is ${unit.status === 'sos' ? 'in SOS' : 'off duty'}; only a duty manager may send it, with a reason`);
    }
    if (p.override && actor.role !== 'duty_manager') throw new CommandFailure('forbidden', 'only a duty manager may override the dispatch rules');
    // Deadlines follow the mode in force where the incident is (an area emergency tightens them there).
    const inForce = effectiveMode(db, areaAt(db, incident.position), now);
    const { profile } = inForce;
    const task: Task = {
      id: nextId(db, 'T', now, timeZone), incidentId: incident.id, unitId: unit.id, state: 'assigned', note: p.note,
      assignedAt: now, ackDeadline: now + profile.taskAckSec * 1000, arriveDeadline: now + profile.taskArriveSec * 1000, updatedAt: now,
    };
    insertTask(db, task);
    insertTaskStep(db, { taskId: task.id, state: 'assigned', actor: actor.id, at: now, note: p.note });
    const deadlines = { ack: task.ackDeadline, arrive: task.arriveDeadline, finish: now + profile.taskFinishSec * 1000 };
    scheduleTaskDeadlines(db, task, deadlines, profile.escalation[0]!.afterSec, `${actor.id} task:assign`, now);
    const events: Emitted[] = [{ data: { type: 'task:updated', task }, unitId: unit.id }];
    if (incident.state === 'open') {
      updateIncidentState(db, incident.id, 'dispatched', now);
      events.push({ data: { type: 'incident:updated', incident: { ...incident, state: 'dispatched', updatedAt: now } }, unitId: null });
    }
    const detail = { ...(p.override ? { override: { reason: p.override.reason, unitStatus: unit.status } } : {}), deadlinesBy: modeBasis(inForce) };
    return { result: { task }, target: task.id, events, detail };
  }),

  'task:cancel': def('task:cancel', ({ db, now, actor }, p) => {
    const task = findTask(db, p.taskId);
    if (!task) throw new CommandFailure('not_found', `no task ${p.taskId}`);
    if (!['assigned', 'accepted', 'arrived'].includes(task.state)) throw new CommandFailure('conflict', `task ${task.id} is ${task.state}`);
    updateTaskState(db, task.id, 'cancelled', now);
    insertTaskStep(db, { taskId: task.id, state: 'cancelled', actor: actor.id, at: now, note: p.reason });
    settleTaskDeadlines(db, task, 'cancelled', now);
    const updated: Task = { ...task, state: 'cancelled', updatedAt: now };
    const unit = requireUnit(db, task.unitId);
    return {
      result: { task: updated }, target: task.id,
      events: [{ data: { type: 'task:updated', task: updated }, unitId: task.unitId }, ...changeStatus(db, unit, restingStatus(db, unit))],
    };
  }),

  'sos:acknowledge': def('sos:acknowledge', ({ db, now }, p) => {
    const sos = findSos(db, p.sosId);
    if (!sos) throw new CommandFailure('not_found', `no SOS ${p.sosId}`);
    if (sos.state !== 'raised') throw new CommandFailure('conflict', `SOS ${sos.id} is already ${sos.state}`);
    updateSosState(db, sos.id, 'acknowledged', now);
    cancelActions(db, sos.id, [SOS_UNACKNOWLEDGED], now, 'acknowledged');
    const updated: Sos = { ...sos, state: 'acknowledged', updatedAt: now };
    return { result: { sos: updated }, target: sos.id, events: [{ data: { type: 'sos:updated', sos: updated }, unitId: sos.unitId }] };
  }),

  'sos:resolve': def('sos:resolve', ({ db, now }, p) => {
    const sos = findSos(db, p.sosId);
    if (!sos) throw new CommandFailure('not_found', `no SOS ${p.sosId}`);
    if (sos.state === 'resolved') throw new CommandFailure('conflict', `SOS ${sos.id} is already resolved`);
    updateSosState(db, sos.id, 'resolved', now);
    cancelActions(db, sos.id, [SOS_UNACKNOWLEDGED], now, 'resolved');
    const updated: Sos = { ...sos, state: 'resolved', updatedAt: now };
    const unit = requireUnit(db, sos.unitId);
    return {
      result: { sos: updated }, target: sos.id,
      events: [{ data: { type: 'sos:updated', sos: updated }, unitId: sos.unitId }, ...changeStatus(db, unit, restingStatus(db, unit))],
    };
  }),

  'mode:switch': def('mode:switch', ({ db, now, actor }, p) => {
    if (p.endsAt !== null && p.endsAt <= now) throw new CommandFailure('invalid_payload', 'endsAt: the end time has already passed');
    if (p.endsAt !== null && p.endsAt > now + MAX_MODE_MS) throw new CommandFailure('invalid_payload', 'endsAt: at most 7 days ahead');
    let from: ModeChange['mode'];
    if (p.areaId !== null) {
      const area = listAreas(db).find((a) => a.id === p.areaId);
      if (!area) throw new CommandFailure('not_found', `no area ${p.areaId}`);
      if (area.kind === 'post') throw new CommandFailure('invalid_payload', 'areaId: an emergency is declared for a district or a grid cell, not a post');
      if (p.mode !== 'emergency') throw new CommandFailure('invalid_payload', 'areaId: only an emergency can be declared for one area; other modes are city-wide');
      if (activeAreaModes(db, now).some((c) => c.areaId === area.id)) throw new CommandFailure('conflict', `area ${area.id} is already in emergency`);
      from = effectiveMode(db, area.id, now).mode;
    } else {
      from = cityMode(db, now).mode;
      if (from === p.mode && p.endsAt === null) throw new CommandFailure('conflict', `the city is already in ${p.mode} mode`);
    }
    const change: ModeChange = {
      mode: p.mode, reason: p.reason, areaId: p.areaId, by: actor.id, at: now, kind: 'switch', from, endsAt: p.endsAt,
      profileVersion: profilesInForce(db)[p.mode].version,
    };
    insertModeChange(db, change);
    scheduleModeExpiry(db, change, `${actor.id} mode:switch`, now);
    return {
      result: { change }, target: p.areaId ?? p.mode, events: [{ data: { type: 'mode:changed', change }, unitId: null }],
      detail: { from: change.from, to: change.mode, scope: p.areaId ?? 'city', profileVersion: change.profileVersion },
    };
  }),

  'mode:end': def('mode:end', ({ db, now, actor }, p) => {
    let change: ModeChange;
    if (p.areaId !== null) {
      const active = activeAreaModes(db, now).find((c) => c.areaId === p.areaId);
      if (!active) throw new CommandFailure('conflict', `area ${p.areaId} is not in emergency`);
      const returns = effectiveMode(db, null, now).mode;
      change = { mode: active.mode, reason: p.reason, areaId: p.areaId, by: actor.id, at: now, kind: 'end', from: returns, endsAt: null, profileVersion: active.profileVersion };
    } else {
      const city = cityMode(db, now);
      if (city.mode !== 'emergency') throw new CommandFailure('conflict', 'the city is not in emergency');
      const returns = city.change.from ?? 'daily';
      change = { mode: returns, reason: p.reason, areaId: null, by: actor.id, at: now, kind: 'end', from: 'emergency', endsAt: null, profileVersion: profilesInForce(db)[returns].version };
    }
    insertModeChange(db, change);
    scheduleModeExpiry(db, { areaId: change.areaId, at: now, endsAt: null }, `${actor.id} mode:end`, now);
    return {
      result: { change }, target: p.areaId ?? change.mode, events: [{ data: { type: 'mode:changed', change }, unitId: null }],
      detail: { ended: 'emergency', returns: change.from === 'emergency' ? change.mode : change.from, scope: p.areaId ?? 'city', profileVersion: change.profileVersion },
    };
  }),

  'user:create': def('user:create', ({ db, now }, p) => {
    if (findUserByName(db, p.username)) throw new CommandFailure('conflict', `user ${p.username} already exists`);
    const user = { id: `u-${randomUUID()}`, username: p.username, role: p.role };
    // Synchronous scrypt keeps the whole command in one transaction; user creation is rare.
    insertUser(db, { ...user, passwordHash: hashSecretSync(p.password), at: now });
    return { result: { user }, target: user.id, events: [] };
  }),

  'camera:upsert': def('camera:upsert', ({ db }, p) => {
    if (p.camera.unitId && !findUnit(db, p.camera.unitId)) throw new CommandFailure('not_found', `no unit ${p.camera.unitId}`);
    if (p.camera.kind === 'fixed' && !p.camera.position) throw new CommandFailure('invalid_payload', 'a fixed camera needs a position');
    // Stored with real paths, so what was checked is what ffmpeg opens.
    const camera = confineFileSources(env.dataDir, p.camera);
    upsertCamera(db, camera);
    return { result: { camera }, target: camera.id, events: [] };
  }),
});
