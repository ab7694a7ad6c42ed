// Operating-mode profiles: data, not code. A mode decides the wall, the routes (each route lists the
// modes it runs in), staffing, check-ins, task deadlines and their escalation, alarms and how the map
// looks. The built-in profiles ship in resources/modes/profiles.json; the hub seeds them into its store,
// where each change is a new version, and sends consoles and devices the versions it uses.
import { getTimes } from 'suncalc';
import { z } from 'zod';
import builtin from '../resources/modes/profiles.json';
import { ModeName, Role, type ModeChange } from './domain';
import { atCenterTime, addDays, centerClock, centerDay } from './time';

export const EscalationStep = z.strictObject({
  role: Role,
  /** seconds after the deadline (or the alarm) at which this role is alerted */
  afterSec: z.number().int().min(0),
});

/**
 * One display's wall: its layout and which tile shows which camera. 'key' means the key cameras, in
 * order: of the areas the display covers, or of the city; a listed camera id stays on its tile.
 */
export const WallPreset = z.strictObject({
  layout: z.enum(['1', '4', '9', '16', '1+5', '1+7']),
  cameras: z.union([z.literal('key'), z.array(z.string())]),
  /** the areas (district, cell or post ids) this display watches; absent: the whole city. An emergency declared for one of them switches this display. */
  covers: z.array(z.string().min(1)).min(1).optional(),
});
export type WallPreset = z.infer<typeof WallPreset>;

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
  /** every video-wall display's preset, unless `wallByDisplay` names that display */
  wall: WallPreset,
  /** presets of particular displays (by display id: the shell's display id, or a browser wall's `display=`) */
  wallByDisplay: z.record(z.string().min(1), WallPreset).optional(),
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

/** The preset a display shows in a mode: its own, else the mode's wall. */
export const wallPresetOf = (profile: ModeProfile, displayId: string): WallPreset => profile.wallByDisplay?.[displayId] ?? profile.wall;

export const ModeProfiles = z.strictObject({ daily: ModeProfile, night: ModeProfile, holiday: ModeProfile, emergency: ModeProfile })
  .refine((p) => Object.entries(p).every(([k, v]) => v.mode === k), 'each profile must sit under its own mode name');
export type ModeProfiles = z.infer<typeof ModeProfiles>;

/**
 * A profile as the hub uses it: which version of that mode's profile it is, and who saved it when
 * ('system' for the version seeded from resources/). The newest version of a mode is the one in force:
 * a mode already in force uses a newly saved version from the next decision on.
 */
export const VersionedProfile = z.strictObject({
  version: z.number().int().positive(), profile: ModeProfile, by: z.string(), at: z.number().int(),
});
export type VersionedProfile = z.infer<typeof VersionedProfile>;

/**
 * What an admin may set a profile to, beyond what the schema says (shared by the hub, which refuses
 * anything outside, and the admin screen, which says so before sending). Inclusive [min, max].
 */
export const PROFILE_BOUNDS = {
  minStaffPerCell: [0, 20],
  checkInIntervalMin: [5, 240],
  taskAckSec: [10, 3600],
  taskArriveSec: [60, 4 * 3600],
  taskFinishSec: [300, 48 * 3600],
  escalationAfterSec: [0, 3600],
  sosEscalateSec: [5, 600],
  demoIncidentsPerHour: [0, 1000],
} as const satisfies Record<string, readonly [number, number]>;

/** How many tiles each wall layout has (a listed camera beyond them would never show). */
export const LAYOUT_TILES: Record<WallPreset['layout'], number> = { '1': 1, '4': 4, '9': 9, '16': 16, '1+5': 6, '1+7': 8 };

/** Why a profile an admin saves is refused; the hub's issue code is profile_<key>, with the field's path (the screen words it). */
export const ProfileProblem = z.enum([
  'mode_mismatch', 'min_staff', 'checkin_interval', 'deadline_bounds', 'deadline_order', 'escalation_delay', 'sos_escalate',
  'incident_rate', 'wall_camera', 'wall_tiles', 'unchanged',
]);
export type ProfileProblem = z.infer<typeof ProfileProblem>;
export type ProfileIssue = { problem: ProfileProblem; path: string; message: string };

/**
 * Everything wrong with a profile an admin wants to save as `mode`'s, beyond its schema: bounds,
 * deadlines in order (acknowledge < arrive < finish), wall presets that name cameras the hub has
 * (`cameraIds`) and fit their layout. Empty: it may be saved.
 */
export function profileIssues(mode: ModeName, p: ModeProfile, cameraIds: ReadonlySet<string>): ProfileIssue[] {
  const out: ProfileIssue[] = [];
  const within = (problem: ProfileProblem, path: string, v: number, [lo, hi]: readonly [number, number]) => {
    if (v < lo || v > hi) out.push({ problem, path, message: `${path} must be between ${lo} and ${hi} (is ${v})` });
  };
  const B = PROFILE_BOUNDS;
  if (p.mode !== mode) out.push({ problem: 'mode_mismatch', path: 'mode', message: `the profile is ${p.mode}'s, not ${mode}'s` });
  within('min_staff', 'minStaffPerCell', p.minStaffPerCell, B.minStaffPerCell);
  within('checkin_interval', 'checkInIntervalMin', p.checkInIntervalMin, B.checkInIntervalMin);
  within('deadline_bounds', 'taskAckSec', p.taskAckSec, B.taskAckSec);
  within('deadline_bounds', 'taskArriveSec', p.taskArriveSec, B.taskArriveSec);
  within('deadline_bounds', 'taskFinishSec', p.taskFinishSec, B.taskFinishSec);
  if (!(p.taskAckSec < p.taskArriveSec && p.taskArriveSec < p.taskFinishSec)) {
    out.push({ problem: 'deadline_order', path: 'taskAckSec', message: `deadlines must be in order acknowledge < arrive < finish (are ${p.taskAckSec}, ${p.taskArriveSec}, ${p.taskFinishSec} s)` });
  }
  p.escalation.forEach((s, i) => within('escalation_delay', `escalation.${i}.afterSec`, s.afterSec, B.escalationAfterSec));
  within('sos_escalate', 'sosEscalateSec', p.sosEscalateSec, B.sosEscalateSec);
  within('incident_rate', 'demoIncidentsPerHour', p.demoIncidentsPerHour, B.demoIncidentsPerHour);
  const walls: Array<[string, WallPreset]> = [['wall', p.wall], ...Object.entries(p.wallByDisplay ?? {}).map(([d, w]) => [`wallByDisplay.${d}`, w] as [string, WallPreset])];
  for (const [path, w] of walls) {
    if (w.cameras === 'key') continue;
    const unknown = w.cameras.filter((c) => !cameraIds.has(c));
    if (unknown.length) out.push({ problem: 'wall_camera', path: `${path}.cameras`, message: `${path} names cameras the hub does not have: ${unknown.join(', ')}` });
    if (w.cameras.length > LAYOUT_TILES[w.layout]) {
      out.push({ problem: 'wall_tiles', path: `${path}.cameras`, message: `${path} lists ${w.cameras.length} cameras for a ${LAYOUT_TILES[w.layout]}-tile layout` });
    }
  }
  return out;
}

export type ProfileChange = { path: string; before: unknown; after: unknown };

/** What differs between two versions of a profile, leaf by leaf (paths like `escalation.1.afterSec`), in a stable order. */
export function profileChanges(before: ModeProfile, after: ModeProfile): ProfileChange[] {
  const leaves = (v: unknown, at: string, into: Map<string, unknown>) => {
    if (v !== null && typeof v === 'object') {
      const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v as Record<string, unknown>);
      if (entries.length === 0) into.set(at, v);
      for (const [k, x] of entries) leaves(x, at ? `${at}.${k}` : k, into);
    } else {
      into.set(at, v);
    }
    return into;
  };
  const a = leaves(before, '', new Map());
  const b = leaves(after, '', new Map());
  const paths = [...new Set([...a.keys(), ...b.keys()])];
  return paths.filter((k) => a.get(k) !== b.get(k)).map((path) => ({ path, before: a.get(path) ?? null, after: b.get(path) ?? null }));
}

/** The profiles as shipped: what the hub seeds, and what a console shows before the hub has sent its own. */
export const MODE_PROFILES: ModeProfiles = ModeProfiles.parse(builtin);

const ClockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM');

/** A place on Earth, for the sun's times there. */
export const SunPlace = z.strictObject({ lat: z.number().min(-90).max(90), lng: z.number().min(-180).max(180) });
export type SunPlace = z.infer<typeof SunPlace>;

/**
 * When the center switches modes by itself, in the center's time zone: night either between fixed
 * times (`nightFrom` to `nightUntil`) or, with `sun`, from dusk to dawn at that place (civil
 * twilight: the sun 6° below the horizon, when street lighting matters); holiday mode by day on the
 * listed public holidays; daily otherwise. An emergency is only ever declared (and ended) by a person.
 */
export const ModeSchedule = z.object({
  nightFrom: ClockTime.optional(),
  nightUntil: ClockTime.optional(),
  sun: SunPlace.optional(),
  holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/)),
}).refine((s) => (s.sun !== undefined) !== (s.nightFrom !== undefined && s.nightUntil !== undefined) && (s.nightFrom === undefined) === (s.nightUntil === undefined),
  'night is either nightFrom and nightUntil (HH:MM) or sun ({ lat, lng }: dusk to dawn there), not both');
export type ModeSchedule = z.infer<typeof ModeSchedule>;
export type ScheduledMode = Exclude<ModeName, 'emergency'>;

export const DEFAULT_MODE_SCHEDULE: ModeSchedule = { nightFrom: '20:00', nightUntil: '06:00', holidays: [] };

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * Dawn and dusk (civil twilight) of a center day at a place, as instants; null where the sun does not
 * go that far below the horizon that day (high latitudes in summer: no night then).
 */
export function twilightOf(day: string, timeZone: string, at: SunPlace): { dawn: number; dusk: number } | null {
  const times = getTimes(new Date(atCenterTime(day, '12:00', timeZone)), at.lat, at.lng);
  if (!times.dawn || !times.dusk) return null;
  return { dawn: times.dawn.getTime(), dusk: times.dusk.getTime() };
}

function isNight(t: number, timeZone: string, s: ModeSchedule): boolean {
  if (s.sun) {
    const tw = twilightOf(centerDay(t, timeZone), timeZone, s.sun);
    return tw !== null && (t < tw.dawn || t >= tw.dusk);
  }
  const c = centerClock(t, timeZone);
  const m = c.hour * 60 + c.minute;
  const from = minutesOf(s.nightFrom!);
  const until = minutesOf(s.nightUntil!);
  return from > until ? m >= from || m < until : m >= from && m < until;
}

/** The mode the schedule calls for at instant t. */
export function scheduledModeAt(t: number, timeZone: string, s: ModeSchedule): ScheduledMode {
  if (isNight(t, timeZone, s)) return 'night';
  return s.holidays.includes(centerDay(t, timeZone)) ? 'holiday' : 'daily';
}

/** The instants of a center day at which the schedule may change: its midnight and night's two ends. */
function boundariesOf(day: string, timeZone: string, s: ModeSchedule): number[] {
  const midnight = atCenterTime(day, '00:00', timeZone);
  if (s.sun) {
    const tw = twilightOf(day, timeZone, s.sun);
    return tw ? [midnight, tw.dawn, tw.dusk] : [midnight];
  }
  return [...new Set(['00:00', s.nightUntil!, s.nightFrom!])].map((c) => atCenterTime(day, c, timeZone));
}

/** The next instant after t at which the scheduled mode changes, and to what (null: it never does). */
export function nextModeSwitch(t: number, timeZone: string, s: ModeSchedule): { at: number; mode: ScheduledMode } | null {
  const now = scheduledModeAt(t, timeZone, s);
  const today = centerDay(t, timeZone);
  for (let d = 0; d < 400; d++) {
    const candidates = boundariesOf(addDays(today, d), timeZone, s).filter((at) => at > t).sort((a, b) => a - b);
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

/** The reason of the mode change the hub seeds a new store with (no person chose it); shown in words per language (modeHere.initialReason). */
export const INITIAL_MODE_REASON = 'initial mode';
