// Operating-mode profiles: data, not code. A mode decides the wall, the routes (each route lists the
// modes it runs in), staffing, check-ins, task deadlines and their escalation, alarms and how the map
// looks. The built-in profiles ship in resources/modes/profiles.json; the hub seeds them into its store,
// where each change is a new version, and sends consoles and devices the versions it uses.
import { z } from 'zod';
import builtin from '../resources/modes/profiles.json';
import { ModeName, Role, type ModeChange } from './domain';
import { atCenterTime, addDays, centerClock, centerDay } from './time';

export const EscalationStep = z.strictObject({
  role: Role,
  /** seconds after the deadline (or the alarm) at which this role is alerted */
  afterSec: z.number().int().min(0),
});

export const ModeProfile = z.strictObject({
  mode: ModeName,
  label: z.strictObject({ zh: z.string().min(1), en: z.string().min(1) }),
  /** officers each grid cell needs on duty */
  minStaffPerCell: z.number().int().min(0),
  /** how often a post holder must check in, minutes */
  checkInIntervalMin: z.number().int().positive(),
  /** a task must be accepted within taskAckSec, the unit on site within taskArriveSec, done within taskFinishSec */
  taskAckSec: z.number().int().positive(),
  taskArriveSec: z.number().int().positive(),
  taskFinishSec: z.number().int().positive(),
  /** who is alerted, in order and when, once a deadline passes; steps in rising afterSec */
  escalation: z.array(EscalationStep).min(1).refine((s) => s.every((x, i) => i === 0 || x.afterSec >= s[i - 1]!.afterSec), 'escalation steps must be in rising afterSec'),
  /** an unacknowledged SOS escalates again every this many seconds */
  sosEscalateSec: z.number().int().positive(),
  /** incidents per hour the demo simulator generates in this mode */
  demoIncidentsPerHour: z.number().min(0),
  /** the wall layout and which tile shows which camera ('key' means: the key cameras, in order) */
  wall: z.strictObject({ layout: z.enum(['1', '4', '9', '16', '1+5', '1+7']), cameras: z.union([z.literal('key'), z.array(z.string())]) }),
  mapTheme: z.enum(['dark', 'night']),
  alarmSound: z.enum(['chime', 'alert', 'siren']),
  /** a shift's check-in is late this long after its start, missing this long after it (minutes) */
  attendance: z.strictObject({ lateAfterMin: z.number().int().min(0), missingAfterMin: z.number().int().positive() })
    .refine((a) => a.missingAfterMin > a.lateAfterMin, 'missingAfterMin must come after lateAfterMin')
    .default({ lateAfterMin: 10, missingAfterMin: 30 }),
  /**
   * Fences: an officer outside the assigned cell by more than `cellMarginM` for `cellOutsideSec`, a
   * vehicle farther than `routeCorridorM` from its route for `routeOffSec`, raise an alert; it clears
   * once the unit is back inside by the margin (hysteresis: noise at the edge neither raises nor clears).
   */
  fence: z.strictObject({
    cellOutsideSec: z.number().int().positive(),
    cellMarginM: z.number().min(0),
    routeCorridorM: z.number().positive(),
    routeOffSec: z.number().int().positive(),
    routeMarginM: z.number().min(0),
  }).default({ cellOutsideSec: 300, cellMarginM: 20, routeCorridorM: 80, routeOffSec: 180, routeMarginM: 20 }),
});
export type ModeProfile = z.infer<typeof ModeProfile>;

export const ModeProfiles = z.strictObject({ daily: ModeProfile, night: ModeProfile, holiday: ModeProfile, emergency: ModeProfile })
  .refine((p) => Object.entries(p).every(([k, v]) => v.mode === k), 'each profile must sit under its own mode name');
export type ModeProfiles = z.infer<typeof ModeProfiles>;

/** A profile as the hub uses it: which version of that mode's profile it is. */
export const VersionedProfile = z.strictObject({ version: z.number().int().positive(), profile: ModeProfile });
export type VersionedProfile = z.infer<typeof VersionedProfile>;

/** The profiles as shipped: what the hub seeds, and what a console shows before the hub has sent its own. */
export const MODE_PROFILES: ModeProfiles = ModeProfiles.parse(builtin);

const ClockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM');

/**
 * When the center switches modes by itself, in the center's time zone: night from `nightFrom` to
 * `nightUntil`, holiday mode by day on the listed public holidays, daily otherwise. An emergency is
 * only ever declared (and ended) by a person.
 */
export const ModeSchedule = z.object({
  nightFrom: ClockTime,
  nightUntil: ClockTime,
  holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/)),
});
export type ModeSchedule = z.infer<typeof ModeSchedule>;
export type ScheduledMode = Exclude<ModeName, 'emergency'>;

export const DEFAULT_MODE_SCHEDULE: ModeSchedule = { nightFrom: '20:00', nightUntil: '06:00', holidays: [] };

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The mode the schedule calls for at instant t. */
export function scheduledModeAt(t: number, timeZone: string, s: ModeSchedule): ScheduledMode {
  const c = centerClock(t, timeZone);
  const m = c.hour * 60 + c.minute;
  const from = minutesOf(s.nightFrom);
  const until = minutesOf(s.nightUntil);
  const night = from > until ? m >= from || m < until : m >= from && m < until;
  if (night) return 'night';
  return s.holidays.includes(centerDay(t, timeZone)) ? 'holiday' : 'daily';
}

/** The next instant after t at which the scheduled mode changes, and to what (null: it never does). */
export function nextModeSwitch(t: number, timeZone: string, s: ModeSchedule): { at: number; mode: ScheduledMode } | null {
  const now = scheduledModeAt(t, timeZone, s);
  const today = centerDay(t, timeZone);
  for (let d = 0; d < 400; d++) {
    const day = addDays(today, d);
    const candidates = [...new Set(['00:00', s.nightUntil, s.nightFrom])].map((c) => atCenterTime(day, c, timeZone)).filter((at) => at > t).sort((a, b) => a - b);
    for (const at of candidates) {
      const mode = scheduledModeAt(at, timeZone, s);
      if (mode !== now) return { at, mode };
    }
  }
  return null;
}

/** A switch holds while it is not an end and its end time has not come (the hub's and consoles' one rule). */
export const changeHolds = (c: ModeChange, t: number): boolean => c.kind === 'switch' && (c.endsAt === null || c.endsAt > t);

/**
 * The city's mode at t from its newest city-wide change: a switch while it holds, else the mode it
 * replaced once its end time has passed; an end is the mode it returned to.
 */
export function cityModeAt(change: ModeChange, t: number): ModeName {
  if (change.kind === 'end') return change.mode;
  return changeHolds(change, t) ? change.mode : (change.from ?? 'daily');
}
