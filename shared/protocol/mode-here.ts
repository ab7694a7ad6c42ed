// `mode:here` (field devices): the mode in force for a unit where it works — its post, else its cell,
// else the area of its newest position — as the hub's rules apply it there (effectiveMode): the
// city's mode, or an emergency declared for that area. A device asks on sign-in and on each
// `mode:changed` event, so the field page follows switches live.
import { z } from 'zod';
import { Id, ModeName, type ModeChange } from '../domain';

export const ModeHereRequest = z.strictObject({ unitId: Id });
export type ModeHereRequest = z.input<typeof ModeHereRequest>;

export type ModeHere = {
  unitId: string;
  /** the area the unit is judged by (post, cell or district); null: none known, the city's mode */
  areaId: string | null;
  mode: ModeName;
  /** 'area' when an emergency declared for this area (or one containing it) overrides the city's mode */
  scope: 'city' | 'area';
  /** the change in the record this follows (who, when, why, until when) */
  change: ModeChange;
  /** the name of the area an overriding emergency was declared for */
  declaredFor: string | null;
  /** the profile version the hub's rules use here, and what it asks of the unit */
  profileVersion: number;
  label: { zh: string; en: string };
  checkInIntervalMin: number;
  taskAckSec: number;
};
