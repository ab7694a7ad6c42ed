// Operating-mode profiles: data, not code. A mode decides the wall, the routes (each route lists the
// modes it runs in), staffing, check-ins, task deadlines and their escalation, alarms and how the map
// looks. The built-in profiles ship in resources/modes/profiles.json; the hub seeds them into its store,
// where each change is a new version, and sends consoles and devices the versions it uses.
import { z } from 'zod';
import builtin from '../resources/modes/profiles.json';
import { ModeName, Role } from './domain';

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
