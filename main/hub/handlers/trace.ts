// The incident trace (`incident:trace`): every step of its tasks, its amendments, the alerts and
// escalations its deadlines raised, in the order they happened, with each unit's track during its task
// and the cameras linked to it; and the photos attached to reports (`photo:get`). Reads only.
import type { Role } from '../../../shared/domain';
import { IncidentTraceRequest, PhotoRequest, type IncidentTrace, type PhotoResult, type TraceEntry, type TraceTrack } from '../../../shared/incidents';
import { DAY_MS } from '../../../shared/protocol/reads';
import { findUnit, listCameras } from '../../store/city';
import { findIncident, findPhoto, incidentResolution, listAmendments, listIncidentSteps, listTasksOfIncident } from '../../store/operations';
import { unitTrack } from '../../store/segments';
import { alertsAbout, commandsOn } from '../../store/trace';
import type { RequestDef } from '../requests';
import type { HubServices } from '../services';

const PEOPLE: readonly Role[] = ['operator', 'duty_manager', 'evaluator', 'admin'];
const ENDED = new Set(['finished', 'refused', 'cancelled']);

export const traceRequest: RequestDef<typeof IncidentTraceRequest, IncidentTrace, HubServices> = {
  name: 'incident:trace', schema: IncidentTraceRequest, roles: PEOPLE,
  handle: ({ db, now, services }, req) => {
    const incident = findIncident(db, req.incidentId);
    if (!incident) return { ok: false, error: { code: 'not_found', message: `no incident ${req.incidentId}` } };
    const tasks = listTasksOfIncident(db, incident.id);
    const steps = listIncidentSteps(db, incident.id);
    const created = commandsOn(db, incident.id, ['incident:create', 'incident:report'])[0];
    const entries: TraceEntry[] = [{ kind: 'created', at: incident.createdAt, actor: created?.actor ?? 'unknown', incident }];
    for (const s of steps) entries.push({ kind: 'step', at: s.at, actor: s.actor, taskId: s.taskId, unitId: s.unitId, state: s.state, position: s.position, note: s.note });
    for (const a of listAmendments(db, incident.id)) entries.push({ kind: 'amendment', at: a.at, actor: a.actor, amendment: a });
    for (const alert of alertsAbout(db, [incident.id, ...tasks.map((t) => t.id)], incident.createdAt)) entries.push({ kind: 'alert', at: alert.at, actor: 'system', alert });
    if (incident.state === 'closed') {
      const closed = commandsOn(db, incident.id, ['incident:close']).at(-1);
      entries.push({ kind: 'closed', at: closed?.at ?? incident.updatedAt, actor: closed?.actor ?? 'unknown', resolution: incidentResolution(db, incident.id) });
    }
    entries.sort((a, b) => a.at - b.at); // stable: what was recorded first in the same millisecond stays first

    const tracks: TraceTrack[] = tasks.map((t) => {
      const end = ENDED.has(t.state) ? steps.filter((s) => s.taskId === t.id && ENDED.has(s.state)).at(-1)?.at ?? t.updatedAt : now;
      const from = Math.max(t.assignedAt, end - DAY_MS);
      return { taskId: t.id, unitId: t.unitId, from, to: end, fixes: unitTrack(db, t.unitId, from, end, services.segments) };
    });
    const linked = new Set<string>();
    if (incident.source.kind === 'camera') linked.add(incident.source.cameraId);
    if (incident.source.kind === 'alarm' && incident.source.alarm === 'camera') linked.add(incident.source.subjectId);
    for (const t of tasks) {
      const cameraId = findUnit(db, t.unitId)?.cameraId;
      if (cameraId) linked.add(cameraId);
    }
    const cameras = listCameras(db).filter((c) => linked.has(c.id));
    return { ok: true, result: { incident, entries, tracks, cameras } };
  },
};

export const photoRequest: RequestDef<typeof PhotoRequest, PhotoResult, HubServices> = {
  name: 'photo:get', schema: PhotoRequest, roles: PEOPLE,
  handle: ({ db }, req) => {
    const photo = findPhoto(db, req.photoId);
    if (!photo) return { ok: false, error: { code: 'not_found', message: `no photo ${req.photoId}` } };
    return { ok: true, result: { photoId: req.photoId, mime: photo.mime as PhotoResult['mime'], base64: photo.bytes.toString('base64') } };
  },
};
