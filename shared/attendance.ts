// Electronic attendance and fences (电子考勤, 电子围栏): shifts from the roster, the check-in rules a fix
// must pass, roll-calls, and the fence alerts the hub raises. Wire types, shared by hub and consoles.
import { z } from 'zod';
import { Id, LngLat, type LngLat as LngLatT, type Polygon } from './domain';
import { distanceM, pointInPolygon } from './geo';

/**
 * Where a shift stands: `scheduled` (not started, or started within the grace), `on_duty` (checked in at
 * the post), `late` (past the grace, no check-in yet), `missing` (past the missing limit, still none).
 * `lateBy` keeps how late a check-in came, once it came.
 */
export const ShiftState = z.enum(['scheduled', 'on_duty', 'late', 'missing']);
export type ShiftState = z.infer<typeof ShiftState>;
export const Shift = z.object({
  id: Id,
  unitId: Id,
  postId: Id,
  cellId: Id.nullable(),
  startsAt: z.number().int(),
  endsAt: z.number().int(),
  state: ShiftState,
  checkedInAt: z.number().int().nullable(),
  /** how the shift's check-in was accepted: inside the post's fence, or by a person's override */
  via: z.enum(['fence', 'override']).nullable(),
  source: z.enum(['demo', 'import']),
});
export type Shift = z.infer<typeof Shift>;

/** A check-in the hub refused, that the officer asks a person to accept anyway. */
export const OverrideRequest = z.object({
  id: Id,
  unitId: Id,
  postId: Id,
  shiftId: Id.nullable(),
  position: LngLat,
  reason: z.string(),
  /** the refusal it answers (code: message) */
  refusal: z.string(),
  at: z.number().int(),
  state: z.enum(['requested', 'granted', 'refused']),
  decidedBy: z.string().nullable(),
  decidedAt: z.number().int().nullable(),
  note: z.string().nullable(),
});
export type OverrideRequest = z.infer<typeof OverrideRequest>;

export const RollCallTarget = z.object({
  unitId: Id,
  state: z.enum(['pending', 'answered', 'missed']),
  answeredAt: z.number().int().nullable(),
});
export const RollCall = z.object({
  id: Id,
  by: z.string(),
  at: z.number().int(),
  deadline: z.number().int(),
  /** the area the officers were drawn from (null: the whole city, or picked by hand) */
  areaId: Id.nullable(),
  /** 'hand': the console named them; 'random': drawn by the hub with `seed` (recorded, so the draw can be checked) */
  pick: z.enum(['hand', 'random']),
  seed: z.string().nullable(),
  targets: z.array(RollCallTarget),
  closed: z.boolean(),
});
export type RollCall = z.infer<typeof RollCall>;

/** A unit outside its cell (officer) or off its route corridor (vehicle) for longer than the mode allows. */
export const FenceAlert = z.object({
  id: Id,
  unitId: Id,
  kind: z.enum(['cell', 'route']),
  /** the cell or route it left */
  areaId: Id,
  raisedAt: z.number().int(),
  position: LngLat,
  /** outside since (the fix time of the first fix outside) */
  since: z.number().int(),
  clearedAt: z.number().int().nullable(),
  acknowledgedBy: z.string().nullable(),
  acknowledgedAt: z.number().int().nullable(),
});
export type FenceAlert = z.infer<typeof FenceAlert>;

/** What the console draws attendance from: today's shifts around now, open overrides and roll-calls, active fence alerts. */
export type AttendanceSnapshot = { shifts: Shift[]; overrides: OverrideRequest[]; rollCalls: RollCall[]; fences: FenceAlert[] };

/**
 * How good a fix must be for a check-in or a roll-call answer. The speed rule compares the fix with the
 * unit's previous stored fix: a jump faster than the unit can move is not where the officer is.
 */
export const FIX_RULES = {
  /** the fix's accuracy radius (metres) must be at most this */
  maxAccuracyM: 50,
  /** the fix must be at most this old when the command reaches the hub (seconds) */
  maxAgeSec: 120,
  /** and not dated ahead of the hub by more than this (seconds) */
  maxAheadSec: 30,
  /** fastest plausible movement between two fixes, m/s */
  maxSpeedMps: { officer: 15, vehicle: 45 },
} as const;

export type FixProblem = { code: 'implausible_fix' | 'outside_fence'; message: string };

/** A fix as a check-in or roll-call answer carries it. */
export const CheckFix = z.strictObject({ t: z.number().int().positive(), accuracy: z.number().min(0).max(10_000) });
export type CheckFix = z.infer<typeof CheckFix>;

/** Why a fix cannot vouch for where a unit is, or null. `previous`: the unit's latest earlier fix, if any. */
export function fixProblem(
  fix: CheckFix, position: LngLatT, now: number, kind: 'officer' | 'vehicle', previous: { t: number; position: LngLatT; accuracy: number | null } | null,
): FixProblem | null {
  if (fix.accuracy > FIX_RULES.maxAccuracyM) {
    return { code: 'implausible_fix', message: `the fix is accurate to ${Math.round(fix.accuracy)} m; at most ${FIX_RULES.maxAccuracyM} m is needed` };
  }
  if (fix.t < now - FIX_RULES.maxAgeSec * 1000) {
    return { code: 'implausible_fix', message: `the fix is ${Math.round((now - fix.t) / 1000)} s old; at most ${FIX_RULES.maxAgeSec} s is accepted` };
  }
  if (fix.t > now + FIX_RULES.maxAheadSec * 1000) return { code: 'implausible_fix', message: 'the fix is dated in the future: check the phone\'s clock' };
  if (previous && previous.t < fix.t) {
    // Both fixes' accuracy radii are slack the unit need not have covered (as in the position pipeline's rule).
    const metres = Math.max(0, distanceM(previous.position, position) - fix.accuracy - (previous.accuracy ?? 0));
    const speed = metres / ((fix.t - previous.t) / 1000);
    const max = FIX_RULES.maxSpeedMps[kind];
    if (speed > max) {
      return { code: 'implausible_fix', message: `the fix is ${Math.round(speed)} m/s away from the last one (at most ${max} m/s is plausible)` };
    }
  }
  return null;
}

/** Outside a post's fence (its radius), with the distance. */
export function outsidePost(position: LngLatT, post: { center: LngLatT; radiusM: number | null; name: string }): FixProblem | null {
  const d = distanceM(position, post.center);
  const r = post.radiusM ?? 50;
  return d <= r ? null : { code: 'outside_fence', message: `${Math.round(d)} m from post ${post.name}; a check-in must be within ${Math.round(r)} m` };
}

export function outsideCell(position: LngLatT, cell: { polygon: Polygon | null; name: string }): FixProblem | null {
  if (!cell.polygon || pointInPolygon(position, cell.polygon)) return null;
  return { code: 'outside_fence', message: `outside cell ${cell.name}; the answer must come from inside it` };
}
