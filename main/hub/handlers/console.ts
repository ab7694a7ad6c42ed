// Handlers of the console (people) commands. Each runs inside the command transaction (commands.ts).
import { cameraUnitProblem, unitCameraLinks, type Incident, type ModeChange } from '../../../shared/domain';
import { consoleCommands } from '../../../shared/protocol/commands';
import { findUnit, listAreas, listCameras, setUnitCamera, unitsLinkedToCamera, upsertCamera } from '../../store/city';
import { findIncident, insertModeChange, updateIncidentState } from '../../store/operations';
import { CommandFailure, type CommandDef } from '../commands';
import { activeAreaModes, cityMode, effectiveMode, profilesInForce } from '../modes';
import { incidentHandlers } from './incidents';
import { withSos } from './sos';
import { scheduleModeExpiry } from './shared';
import { confineFileSources } from './sources';
import { attendanceConsoleHandlers } from './attendance';
import { bodycamConsoleHandlers } from './bodycam';
import { accountHandlers } from './accounts';
import { calendarHandlers } from './calendar';
import { deviceHandlers } from './devices';
import { gridHandlers } from './grid';
import { profileHandlers } from './profiles';

const C = consoleCommands;
/** A mode switched by hand ends by itself at most this far ahead (an emergency is not for a month). */
const MAX_MODE_MS = 7 * 24 * 3600_000;
const def = <K extends keyof typeof C, R>(name: K, handler: CommandDef<(typeof C)[K]['schema'], R>['handler']) =>
  ({ name, schema: C[name].schema, roles: C[name].roles, handler }) as CommandDef<(typeof C)[K]['schema'], R>;

/** What the handlers need to know about the hub they run in: `hubUrl`, the address an enrolment code is given with. */
export type ConsoleEnv = { dataDir: string; hubUrl?: () => string; enrolCodeTtlMs?: number; /** the road network routes are snapped to (default: the basemap's) */ roadsFile?: URL | string };

export const consoleHandlers = (env: ConsoleEnv) => withSos({
  ...incidentHandlers,
  ...attendanceConsoleHandlers,
  ...bodycamConsoleHandlers,
  ...accountHandlers,
  ...calendarHandlers,
  ...profileHandlers,
  ...deviceHandlers({ hubUrl: env.hubUrl ?? (() => ''), codeTtlMs: env.enrolCodeTtlMs }),
  ...gridHandlers({ roadsFile: env.roadsFile }),

  'incident:close': def('incident:close', ({ db, now }, p) => {
    const incident = findIncident(db, p.incidentId);
    if (!incident) throw new CommandFailure('not_found', `no incident ${p.incidentId}`);
    if (incident.state === 'closed') throw new CommandFailure('conflict', `incident ${p.incidentId} is already closed`);
    updateIncidentState(db, incident.id, 'closed', now, p.resolution);
    const updated: Incident = { ...incident, state: 'closed', updatedAt: now };
    return { result: { incident: updated }, target: incident.id, events: [{ data: { type: 'incident:updated', incident: updated }, unitId: null }] };
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

  'camera:upsert': def('camera:upsert', ({ db }, p) => {
    const unit = p.camera.unitId ? findUnit(db, p.camera.unitId) : null;
    if (p.camera.unitId && !unit) throw new CommandFailure('not_found', `no unit ${p.camera.unitId}`);
    const misfit = unit ? cameraUnitProblem(p.camera.kind, unit.kind) : null;
    if (misfit) throw new CommandFailure('invalid_payload', `${misfit}: unit ${unit!.id} is ${unit!.kind === 'vehicle' ? 'a vehicle' : 'an officer on foot'}; a ${p.camera.kind === 'vehicle' ? 'vehicle camera rides on a vehicle' : 'body camera is worn by an officer on foot'}`, [{ code: misfit, params: { unit: unit!.id, name: unit!.name } }]);
    if (p.camera.kind === 'fixed' && !p.camera.position) throw new CommandFailure('invalid_payload', 'a fixed camera needs a position', [{ code: 'fixed_camera_needs_position', params: {} }]);
    // A fixed camera rides with nothing: a unit named on one would make the unit's panel and an SOS show a
    // camera on a pole as the officer's own.
    if (p.camera.kind === 'fixed' && p.camera.unitId) {
      throw new CommandFailure('invalid_payload', `a fixed camera rides with no unit (${p.camera.unitId} given)`, [{ code: 'fixed_camera_no_unit', params: { unit: p.camera.unitId } }]);
    }
    // Stored with real paths, so what was checked is what ffmpeg opens.
    const camera = confineFileSources(env.dataDir, p.camera);
    const before = listCameras(db).find((c) => c.id === camera.id) ?? null;
    upsertCamera(db, camera);
    // The units' side of the link, in the same transaction (consoles apply the same rule on camera:updated).
    const links = unitCameraLinks(unitsLinkedToCamera(db, camera.id, camera.unitId), camera);
    for (const l of links) setUnitCamera(db, l.unitId, l.cameraId);
    return {
      result: { camera }, target: camera.id, events: [{ data: { type: 'camera:updated', camera }, unitId: null }],
      detail: { before, after: camera, ...(links.length ? { unitLinks: links } : {}) },
    };
  }),
});
