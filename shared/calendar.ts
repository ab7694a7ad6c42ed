// The holiday calendar the mode schedule switches on: public holidays as center days, data that duty
// managers and admins edit (calendar:add, calendar:remove). Each edit names the version it was made
// against, so two people editing at once cannot silently undo each other (the second is refused).
import { z } from 'zod';

export const CenterDate = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'a day is YYYY-MM-DD');

export const CalendarDay = z.object({
  date: CenterDate,
  name: z.object({ zh: z.string(), en: z.string() }),
  /** shipped dates worked out from the holiday rules, not yet checked against the State Council's notice */
  estimated: z.boolean(),
  by: z.string(),
  at: z.number().int(),
});
export type CalendarDay = z.infer<typeof CalendarDay>;

/** The calendar as a console reads it: every day in date order and the version edits must name. */
export const HolidayCalendar = z.object({ version: z.number().int().min(0), days: z.array(CalendarDay) });
export type HolidayCalendar = z.infer<typeof HolidayCalendar>;
