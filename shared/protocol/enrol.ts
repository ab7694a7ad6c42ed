// Device enrolment (docs/protocol.md, "Devices"): an admin's `device:enrol` makes a one-time code; a
// phone exchanges it once, by `POST /api/enrol`, for its own device id and secret. And `unit:profile`,
// what the field page shows of its unit: names, not raw ids.
import { z } from 'zod';
import { Id, type Incident, type LngLat, type Unit } from '../domain';

/** Crockford's base32: no I, L, O or U, so a code read aloud or off a screen is typed right. */
export const ENROL_CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** 12 symbols (60 bits), shown as three groups of four: XXXX-XXXX-XXXX. */
export const ENROL_CODE_LENGTH = 12;
export const ENROL_CODE_TTL_MS = 10 * 60_000;

/**
 * The code as typed (any case, spaces or dashes, O for 0, I or L for 1) in its one canonical form,
 * or null if it cannot be one: the hub hashes this form, and the field page checks it before sending.
 */
export function normalizeEnrolCode(typed: string): string | null {
  const code = typed.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (code.length !== ENROL_CODE_LENGTH) return null;
  for (const ch of code) if (!ENROL_CODE_ALPHABET.includes(ch)) return null;
  return code;
}

export const formatEnrolCode = (code: string): string => code.match(/.{1,4}/g)!.join('-');

export const EnrolRequest = z.strictObject({ code: z.string().min(1).max(64) });
export type EnrolRequest = z.infer<typeof EnrolRequest>;
/** What the phone keeps: the credential of the /field handshake, and the unit it speaks for. */
export type EnrolResult = { deviceId: string; secret: string; unitId: string };

export const UnitProfileRequest = z.strictObject({ unitId: Id });
export type UnitProfileRequest = z.input<typeof UnitProfileRequest>;
export type PlaceRef = { id: string; name: string };
export type ProfilePost = PlaceRef & { center: LngLat; radiusM: number | null };
export type UnitProfile = {
  unit: Pick<Unit, 'id' | 'kind' | 'name' | 'badge' | 'plate' | 'squad' | 'status'>;
  district: PlaceRef | null;
  cell: PlaceRef | null;
  /** the post the unit holds (its standing assignment) */
  post: ProfilePost | null;
  route: PlaceRef | null;
  /** the post of the shift it is on or about to start, which a check-in must be at (null: no such shift) */
  shiftPost: ProfilePost | null;
  /** where it may check in: the shift's post and its own post first, then the other posts of its cell */
  posts: ProfilePost[];
};

/** `task:brief` (field): what an officer needs of a task's incident instead of its id — what, where, how urgent. */
export const TaskBriefRequest = z.strictObject({ unitId: Id, taskId: Id });
export type TaskBriefRequest = z.input<typeof TaskBriefRequest>;
export type TaskBrief = {
  taskId: string;
  incident: Pick<Incident, 'id' | 'category' | 'subtype' | 'priority' | 'description' | 'position' | 'createdAt'> & {
    /** the nearest named street and how far (m); the cell and district names; null when unknown */
    street: string | null;
    streetM: number | null;
    cell: string | null;
    district: string | null;
  };
};
