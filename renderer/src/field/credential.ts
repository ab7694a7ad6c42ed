// The field device's credential, kept on the phone (localStorage) so an officer signs in once per
// phone: got by exchanging an admin's one-time code (POST /api/enrol, docs/protocol.md "Enrolling a
// device by code"), or typed in for a device registered by hand (a gateway also gives the unit it acts for).
import { normalizeEnrolCode, type EnrolResult } from '../../../shared/protocol/enrol';

export type FieldCredential = { deviceId: string; secret: string; unitId: string };
const KEY = 'xiuhua.field.credential';

export function loadCredential(storage: Pick<Storage, 'getItem'> = localStorage): FieldCredential | null {
  try {
    const c = JSON.parse(storage.getItem(KEY) ?? 'null') as FieldCredential | null;
    return c && typeof c.deviceId === 'string' && typeof c.secret === 'string' ? { ...c, unitId: c.unitId ?? '' } : null;
  } catch {
    return null;
  }
}

export const saveCredential = (c: FieldCredential) => localStorage.setItem(KEY, JSON.stringify(c));
export const forgetCredential = () => localStorage.removeItem(KEY);

/** Why an enrolment failed, as an i18n key under fieldEnrol.*; or the credential. */
export type EnrolOutcome = { ok: true; credential: FieldCredential } | { ok: false; why: 'badCode' | 'unknown' | 'spent' | 'throttled' | 'unreachable'; detail?: string };

export async function enrolByCode(typed: string, origin = location.origin): Promise<EnrolOutcome> {
  const code = normalizeEnrolCode(typed);
  if (!code) return { ok: false, why: 'badCode' };
  let res: Response;
  try {
    res = await fetch(`${origin}/api/enrol`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ code }) });
  } catch {
    return { ok: false, why: 'unreachable' };
  }
  const body = await res.json().catch(() => ({})) as Partial<EnrolResult> & { error?: string };
  if (res.ok && body.deviceId && body.secret && body.unitId) return { ok: true, credential: { deviceId: body.deviceId, secret: body.secret, unitId: body.unitId } };
  const why = res.status === 429 ? 'throttled' : res.status === 410 ? 'spent' : res.status === 403 ? 'unknown' : 'unreachable';
  return { ok: false, why, detail: body.error };
}
