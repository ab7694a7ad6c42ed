// `units:recommend`: which units to send to an incident, ranked by the hub, each with the reasons why.
// Reasons are message keys with parameters (the console translates them), never sentences.
import { z } from 'zod';
import { Id, LngLat } from '../domain';

export const RECOMMEND_LIMIT_DEFAULT = 6;
export const RECOMMEND_LIMIT_MAX = 20;
/** A unit whose newest fix is older than this is not suggested (the console shows such a unit as offline). */
export const RECOMMEND_FIX_MAX_AGE_MS = 5 * 60_000;

const limit = z.number().int().min(1).max(RECOMMEND_LIMIT_MAX).optional();
export const RecommendRequest = z.union([
  z.strictObject({ incidentId: Id, limit }),
  z.strictObject({ position: LngLat, limit }),
]);
export type RecommendRequest = z.infer<typeof RecommendRequest>;

/**
 * Why a unit is where it is in the list. Keys: `recommend.free`, `recommend.busy` {tasks},
 * `recommend.eta` {min}, `recommend.straight_line` {why: unit_off_road | incident_off_road | no_road_path | beyond_search},
 * `recommend.own_post` {post}, `recommend.own_cell` {cell}, `recommend.old_fix` {sec}.
 */
export const RecommendReason = z.object({
  key: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});
export type RecommendReason = z.infer<typeof RecommendReason>;

export const Recommendation = z.object({
  unitId: Id,
  /** estimated seconds to reach the incident */
  etaSec: z.number().int().min(0),
  /** metres travelled: along the roads when `how` is 'road', else the straight line */
  distanceM: z.number().int().min(0),
  how: z.enum(['road', 'straight_line']),
  reasons: z.array(RecommendReason),
  /** the ranking key after free-before-busy: ETA in seconds, less a bonus for the unit's own post or cell, plus a penalty per open task; lower ranks first */
  score: z.number(),
});
export type Recommendation = z.infer<typeof Recommendation>;

export const RecommendResult = z.object({
  at: LngLat,
  suggestions: z.array(Recommendation),
  /** units the hub looked at and left out, by reason */
  excluded: z.object({ stale: z.number().int(), sos: z.number().int(), off_duty: z.number().int(), already_assigned: z.number().int() }),
});
export type RecommendResult = z.infer<typeof RecommendResult>;
