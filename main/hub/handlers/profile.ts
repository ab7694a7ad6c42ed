// `unit:profile` (field): what the field page shows of its unit — names, not raw ids — and the posts it
// may check in at, so an officer picks the nearest instead of typing a post id.
import type { z } from 'zod';
import type { Area } from '../../../shared/domain';
import { TaskBriefRequest, UnitProfileRequest, type PlaceRef, type ProfilePost, type TaskBrief, type UnitProfile } from '../../../shared/protocol/enrol';
import { listAreas, listRoutes } from '../../store/city';
import { findIncident, findTask } from '../../store/operations';
import { shiftForCheckIn } from '../../store/attendance';
import { refuse } from '../commands';
import type { RequestDef } from '../requests';
import type { HubServices } from '../services';
import { foreignUnit, notSpokenFor, requireUnit } from './shared';
import { EARLY_CHECKIN_MS } from './attendance';

const place = (a: { id: string; name: string } | undefined): PlaceRef | null => (a ? { id: a.id, name: a.name } : null);
const post = (a: Area | undefined): ProfilePost | null => (a ? { id: a.id, name: a.name, center: a.center, radiusM: a.radiusM } : null);

export const unitProfileRequest: RequestDef<typeof UnitProfileRequest, UnitProfile, HubServices> = {
  name: 'unit:profile', schema: UnitProfileRequest, roles: ['device'],
  handle: ({ db, actor, now }, req: z.output<typeof UnitProfileRequest>) => {
    if (foreignUnit(actor, [req.unitId]) !== undefined) return refuse(db, actor, 'unit:profile', req, notSpokenFor(actor, req.unitId), now);
    let unit;
    try {
      unit = requireUnit(db, req.unitId);
    } catch {
      return refuse(db, actor, 'unit:profile', req, { code: 'not_found', message: `no unit ${req.unitId}` }, now);
    }
    const areas = new Map(listAreas(db).map((a) => [a.id, a]));
    const cell = unit.cellId ? areas.get(unit.cellId) : undefined;
    const district = cell?.parentId ? areas.get(cell.parentId) : undefined;
    const shift = shiftForCheckIn(db, unit.id, now, EARLY_CHECKIN_MS);
    const shiftPost = shift ? areas.get(shift.postId) : undefined;
    const own = unit.postId ? areas.get(unit.postId) : undefined;
    const ofCell = [...areas.values()].filter((a) => a.kind === 'post' && cell && a.parentId === cell.id);
    const posts = [...new Map([shiftPost, own, ...ofCell].filter((a): a is Area => !!a).map((a) => [a.id, post(a)!])).values()];
    const profile: UnitProfile = {
      unit: { id: unit.id, kind: unit.kind, name: unit.name, badge: unit.badge, plate: unit.plate, squad: unit.squad, status: unit.status },
      district: place(district), cell: place(cell), post: post(own),
      route: unit.routeId ? place(listRoutes(db).find((r) => r.id === unit.routeId)) : null,
      shiftPost: post(shiftPost), posts,
    };
    return { ok: true, result: profile };
  },
};

/**
 * `task:brief` (field): a task of this device's unit with what the officer needs of its incident — the
 * category, description and priority, the street, cell and district by name — since the field page gets
 * the task's events but not the incident's. Another unit's task is refused like another unit's profile.
 */
export const taskBriefRequest: RequestDef<typeof TaskBriefRequest, TaskBrief, HubServices> = {
  name: 'task:brief', schema: TaskBriefRequest, roles: ['device'],
  handle: ({ db, actor, now }, req: z.output<typeof TaskBriefRequest>) => {
    if (foreignUnit(actor, [req.unitId]) !== undefined) return refuse(db, actor, 'task:brief', req, notSpokenFor(actor, req.unitId), now);
    const task = findTask(db, req.taskId);
    const incident = task && task.unitId === req.unitId ? findIncident(db, task.incidentId) : undefined;
    if (!task || !incident) return refuse(db, actor, 'task:brief', req, { code: 'not_found', message: `unit ${req.unitId} has no task ${req.taskId}` }, now);
    const areas = new Map(listAreas(db).map((a) => [a.id, a]));
    const { id, category, subtype, priority, description, position, createdAt, place: where } = incident;
    return {
      ok: true,
      result: {
        taskId: task.id,
        incident: {
          id, category, subtype, priority, description, position, createdAt, street: where.street, streetM: where.streetM,
          cell: where.cellId ? areas.get(where.cellId)?.name ?? null : null, district: where.districtId ? areas.get(where.districtId)?.name ?? null : null,
        },
      },
    };
  },
};
