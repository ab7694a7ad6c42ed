// Incident kinds as data: the ten enforcement categories' sub-types ship in
// resources/incidents/categories.json and are validated here when the module loads, so a bad file stops
// the hub (and the console build) at start rather than at the first incident. Also the incident trace's
// shape and the limits of an attached photo.
import { z } from 'zod';
import builtin from '../resources/incidents/categories.json';
import {
  Id, IncidentCategory, SubtypeId, type Alert, type Camera, type Incident, type IncidentAmendment, type LngLat, type PositionFix, type TaskState,
} from './domain';

export const Subtype = z.strictObject({ id: SubtypeId, zh: z.string().min(1), en: z.string().min(1) });
export type Subtype = z.infer<typeof Subtype>;

/** Every category has its list (at least one sub-type), ids unique within it; no category the protocol does not know. */
export const IncidentSubtypes = z.strictObject(
  Object.fromEntries(IncidentCategory.options.map((c) => [c, z.array(Subtype).min(1)])) as Record<IncidentCategory, z.ZodArray<typeof Subtype>>,
).superRefine((all, ctx) => {
  for (const [category, list] of Object.entries(all)) {
    const seen = new Set<string>();
    for (const s of list) {
      if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: [category], message: `sub-type ${s.id} is listed twice` });
      seen.add(s.id);
    }
  }
});
export type IncidentSubtypes = z.infer<typeof IncidentSubtypes>;

export const INCIDENT_SUBTYPES: IncidentSubtypes = IncidentSubtypes.parse(builtin);

export function findSubtype(category: IncidentCategory, subtype: string | null): Subtype | undefined {
  return subtype === null ? undefined : INCIDENT_SUBTYPES[category].find((s) => s.id === subtype);
}

/** A photo attached to a field report or a finished task: a JPEG or PNG of at most this many bytes. */
export const PHOTO_MAX_BYTES = 512 * 1024;
export const PhotoMime = z.enum(['image/jpeg', 'image/png']);
export type PhotoMime = z.infer<typeof PhotoMime>;
/** An upload as it travels: base64 of the file (no data: prefix). The hub checks the bytes are what `mime` says. */
export const PhotoUpload = z.strictObject({
  mime: PhotoMime,
  base64: z.string().max(Math.ceil(PHOTO_MAX_BYTES / 3) * 4).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64 without line breaks'),
});
export type PhotoUpload = z.infer<typeof PhotoUpload>;

export const IncidentTraceRequest = z.strictObject({ incidentId: Id });
export const PhotoRequest = z.strictObject({ photoId: z.string().min(1).max(64) });

/**
 * One thing that happened to an incident, in the order of the record. `created`: the facts as entered;
 * `step`: a task's move (who, when, where for field steps); `amendment`; `alert`: a deadline passed and the
 * role of the escalation chain it went to; `closed`.
 */
export type TraceEntry =
  | { kind: 'created'; at: number; actor: string; incident: Incident }
  | { kind: 'step'; at: number; actor: string; taskId: string; unitId: string; state: TaskState; position: LngLat | null; note: string | null }
  | { kind: 'amendment'; at: number; actor: string; amendment: IncidentAmendment }
  | { kind: 'alert'; at: number; actor: string; alert: Alert }
  | { kind: 'closed'; at: number; actor: string; resolution: string | null };

/** A unit's fixes during one of its tasks (from assignment until the task ended, or now). */
export type TraceTrack = { taskId: string; unitId: string; from: number; to: number; fixes: PositionFix[] };

export type IncidentTrace = {
  incident: Incident;
  entries: TraceEntry[];
  tracks: TraceTrack[];
  /** the camera it was reported from, and the cameras riding with the units sent */
  cameras: Camera[];
};

export type PhotoResult = { photoId: string; mime: PhotoMime; base64: string };

