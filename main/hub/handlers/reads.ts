// Read requests of the console namespace: what each role may ask the hub, as data.
import { z } from 'zod';
import type { Role } from '../../../shared/domain';
import type { Snapshot } from '../../../shared/protocol/sockets';
import { RECOMMEND_LIMIT_DEFAULT, RecommendRequest, type RecommendResult } from '../../../shared/protocol/recommend';
import { auditConcerns } from '../../../shared/audit';
import {
  AuditTimelineRequest, REPLAY_FIXES_MAX, ReplayWindowRequest, UnitTrackRequest,
  type AuditTimelineResult, type ReplayWindowResult, type RetentionPolicyResult, type UnitTrackResult,
} from '../../../shared/protocol/reads';
import { auditPage, auditTimelinePage } from '../../store/audit';
import { replayWindow, unitTrack } from '../../store/segments';
import { listAreas, listCameras, listRoutes } from '../../store/city';
import { findIncident } from '../../store/operations';
import { eventsAfter, headSeq } from '../../store/log';
import type { RequestDef, RequestTable } from '../requests';
import type { HubServices } from '../services';
import { photoRequest, traceRequest } from './trace';
import { evaluationReads, verifyAndRecord } from './evaluation';
import { accountReads } from './account-reads';
import { cameraPreviewRequest } from './camera-reads';
import { readCalendar } from '../../store/calendar';
import type { HolidayCalendar } from '../../../shared/calendar';
import type { GridState } from '../../../shared/grid';
import { gridVersion } from '../../store/grid';
import { upcomingShifts } from '../../store/attendance';
import type { Shift } from '../../../shared/attendance';

export const EVENTS_PAGE_MAX = 1000;
export const SinceRequest = z.strictObject({ afterSeq: z.number().int().min(0), limit: z.number().int().min(1).max(EVENTS_PAGE_MAX).optional() });
export const EmptyRequest = z.strictObject({}).optional();
const StreamRequest = z.strictObject({ cameraId: z.string().min(1).max(64) });

const PEOPLE: readonly Role[] = ['operator', 'duty_manager', 'evaluator', 'admin'];
/** Who may read the record itself: the evaluator's job, and the managers who answer for it. */
const RECORD_READERS: readonly Role[] = ['evaluator', 'admin', 'duty_manager'];
/** Who may ask whom to send: the people who dispatch, and evaluators reviewing how they did. */
const DISPATCH_READERS: readonly Role[] = ['operator', 'duty_manager', 'evaluator'];

/** The console's session token, which `stream:token` binds media access to. */
export type ConsoleSession = { token: string };

const snapshotRequest: RequestDef<typeof EmptyRequest, Snapshot, HubServices> = {
  name: 'state:snapshot', schema: EmptyRequest, roles: PEOPLE,
  handle: ({ services }) => ({ ok: true, result: services.snapshot() }),
};

const recommendRequest: RequestDef<typeof RecommendRequest, RecommendResult, HubServices> = {
  name: 'units:recommend', schema: RecommendRequest, roles: DISPATCH_READERS,
  handle: ({ db, services, now }, req) => {
    let at = 'position' in req ? req.position : null;
    const incidentId = 'incidentId' in req ? req.incidentId : null;
    if (incidentId !== null) {
      const incident = findIncident(db, incidentId);
      if (!incident) return { ok: false, error: { code: 'not_found', message: `no incident ${incidentId}` } };
      at = incident.position;
    }
    return { ok: true, result: services.recommender.recommend({ at: at!, limit: req.limit ?? RECOMMEND_LIMIT_DEFAULT, incidentId, now }) };
  },
};

const timelineRequest: RequestDef<typeof AuditTimelineRequest, AuditTimelineResult, HubServices> = {
  name: 'audit:timeline', schema: AuditTimelineRequest, roles: RECORD_READERS,
  handle: ({ db }, req) => {
    const page = auditTimelinePage(db, { ...req, limit: req.limit ?? 200 });
    return { ok: true, result: { ...page, entries: page.entries.map((e) => ({ ...e, concerns: auditConcerns(e.action, e.target, e.payload) })) } };
  },
};

const trackRequest: RequestDef<typeof UnitTrackRequest, UnitTrackResult, HubServices> = {
  name: 'unit:track', schema: UnitTrackRequest, roles: RECORD_READERS,
  // An id the hub never saw has no fixes: an empty track, as for a unit that was off duty.
  handle: ({ db, services }, req) => ({ ok: true, result: { unitId: req.unitId, fixes: unitTrack(db, req.unitId, req.from, req.to, services.segments) } }),
};

const replayRequest: RequestDef<typeof ReplayWindowRequest, ReplayWindowResult, HubServices> = {
  name: 'replay:window', schema: ReplayWindowRequest, roles: RECORD_READERS,
  handle: ({ db }, req) => ({ ok: true, result: replayWindow(db, req.from, req.to, req.bbox, REPLAY_FIXES_MAX) }),
};

const retentionRequest: RequestDef<typeof EmptyRequest, RetentionPolicyResult, HubServices> = {
  name: 'positions:retention', schema: EmptyRequest, roles: PEOPLE,
  handle: ({ services }) => ({ ok: true, result: services.retention }),
};

/** Everyone may read the calendar: it says when the city's rules change. */
const calendarRequest: RequestDef<typeof EmptyRequest, HolidayCalendar, HubServices> = {
  name: 'calendar:list', schema: EmptyRequest, roles: PEOPLE,
  handle: ({ db }) => ({ ok: true, result: readCalendar(db) }),
};

/** Everyone may read the grid (the snapshot has it too); the admin's editor needs its version. */
const gridRequest: RequestDef<typeof EmptyRequest, GridState, HubServices> = {
  name: 'grid:get', schema: EmptyRequest, roles: PEOPLE,
  handle: ({ db }) => ({ ok: true, result: { version: gridVersion(db), areas: listAreas(db), routes: listRoutes(db) } }),
};

/** How many upcoming shifts one read lists (the total says how many there are). */
export const UPCOMING_SHIFTS_LISTED = 200;

/** Everyone may read the roster ahead (the snapshot holds its next 24 h); the admin's roster screen lists it after an import. */
const rosterRequest: RequestDef<typeof EmptyRequest, { shifts: Shift[]; total: number }, HubServices> = {
  name: 'roster:upcoming', schema: EmptyRequest, roles: PEOPLE,
  handle: ({ db, now }) => ({ ok: true, result: upcomingShifts(db, now, UPCOMING_SHIFTS_LISTED) }),
};

export function consoleReads(session: ConsoleSession): RequestTable<HubServices> {
  return {
    'state:snapshot': snapshotRequest,
    'units:recommend': recommendRequest,
    'events:since': {
      name: 'events:since', schema: SinceRequest, roles: PEOPLE,
      handle: ({ db }, req: z.output<typeof SinceRequest>) => {
        const limit = req.limit ?? EVENTS_PAGE_MAX;
        const events = eventsAfter(db, req.afterSeq, limit);
        return { ok: true, result: { events, headSeq: headSeq(db), more: events.length === limit } };
      },
    },
    'stream:token': {
      name: 'stream:token', schema: StreamRequest, roles: PEOPLE,
      handle: ({ db, services }, req: z.output<typeof StreamRequest>) => {
        if (!listCameras(db).some((c) => c.id === req.cameraId)) return { ok: false, error: { code: 'not_found', message: `no camera ${req.cameraId}` } };
        const where = services.media.streamPath(req.cameraId);
        const url = where.startsWith('/') ? `${services.url()}${services.mediaAccess.sign(where, session.token, req.cameraId, Date.now()).path}` : where;
        return { ok: true, result: { url } };
      },
    },
    'audit:verify': {
      name: 'audit:verify', schema: EmptyRequest, roles: RECORD_READERS,
      handle: async ({ db, services, actor }) => ({ ok: true, result: await verifyAndRecord(db, services, actor) }),
    },
    'audit:timeline': timelineRequest,
    'unit:track': trackRequest,
    'replay:window': replayRequest,
    'positions:retention': retentionRequest,
    'calendar:list': calendarRequest,
    'grid:get': gridRequest,
    'roster:upcoming': rosterRequest,
    'incident:trace': traceRequest,
    'photo:get': photoRequest,
    ...evaluationReads(),
    ...accountReads(),
    'camera:preview': cameraPreviewRequest(session),
    'audit:page': {
      name: 'audit:page', schema: SinceRequest, roles: RECORD_READERS,
      handle: ({ db }, req: z.output<typeof SinceRequest>) => ({ ok: true, result: { entries: auditPage(db, req.afterSeq, req.limit ?? 200) } }),
    },
  };
}
