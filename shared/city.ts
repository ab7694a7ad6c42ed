// The demo city file (resources/city/city.json): generated once over OpenStreetMap data by
// `npm run city`, committed, and seeded into a hub started with --demo.
import { z } from 'zod';
import { Area, Camera, LngLat, Route, Unit } from './domain';

export const ShiftName = z.enum(['day', 'evening', 'night']);
export const RosterEntry = z.object({
  unitId: z.string(),
  /** ISO weekday 1–7 → shift worked that day, or null for a rest day */
  week: z.array(ShiftName.nullable()).length(7),
});
export const Holiday = z.object({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), name: z.object({ zh: z.string(), en: z.string() }), workday: z.boolean() });
export type Holiday = z.infer<typeof Holiday>;

export const DemoCity = z.object({
  version: z.literal(1),
  seed: z.number().int(),
  /** [west, south, east, north] of the map area */
  bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  center: LngLat,
  areas: z.array(Area),
  routes: z.array(Route),
  cameras: z.array(Camera),
  units: z.array(Unit),
  shifts: z.record(ShiftName, z.object({ start: z.string(), end: z.string() })),
  roster: z.array(RosterEntry),
  holidays: z.array(Holiday),
});
export type DemoCity = z.infer<typeof DemoCity>;
