// The center's time: day boundaries, shift times, schedules and every time a person reads are in the
// center's time zone (an IANA name, configured on the hub), never the zone of the machine the code
// happens to run on. Built on Intl only, so it runs in the hub and in browsers alike.

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

/** A calendar day in the center, 'YYYY-MM-DD'. */
export type CenterDay = string;

const formats = new Map<string, Intl.DateTimeFormat>();

function format(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    // h23: midnight is 00, not 24 (some engines' hour12: false gives 24:00).
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formats.set(timeZone, f);
  }
  return f;
}

/** Whether the runtime knows this IANA zone name (e.g. to validate a --time-zone flag). */
export function isTimeZone(timeZone: string): boolean {
  try {
    format(timeZone);
    return true;
  } catch {
    return false;
  }
}

type Wall = { year: number; month: number; day: number; hour: number; minute: number; second: number };

/** The wall-clock reading in the zone at instant t (ms since the epoch). */
function wall(t: number, timeZone: string): Wall {
  const parts: Record<string, number> = {};
  for (const p of format(timeZone).formatToParts(t)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute!, second: parts.second! };
}

/** How far the zone's wall clock is ahead of UTC at instant t, ms (Shanghai: +8 h). */
export function zoneOffsetMs(t: number, timeZone: string): number {
  const w = wall(t, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - (t - (((t % 1000) + 1000) % 1000));
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The center's calendar day at instant t. */
export function centerDay(t: number, timeZone: string): CenterDay {
  const w = wall(t, timeZone);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;
}

/** The center's wall clock at instant t, with the weekday of its day (0 = Monday … 6 = Sunday). */
export function centerClock(t: number, timeZone: string): { hour: number; minute: number; second: number; weekday: number } {
  const w = wall(t, timeZone);
  return { hour: w.hour, minute: w.minute, second: w.second, weekday: (new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay() + 6) % 7 };
}

/** 'HH:MM:SS' (or 'HH:MM') as a person in the center reads the time t. */
export function centerTimeText(t: number, timeZone: string, seconds = true): string {
  const w = wall(t, timeZone);
  return seconds ? `${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}` : `${pad(w.hour)}:${pad(w.minute)}`;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const CLOCK = /^(\d{2}):(\d{2})$/;

function parseDay(day: CenterDay): [number, number, number] {
  const m = DAY.exec(day);
  if (!m) throw new RangeError(`not a day (YYYY-MM-DD): ${day}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/**
 * The day a person typed ('2027-3-8' or '2027-03-08', spaces around it allowed) as 'YYYY-MM-DD'; null when
 * no such day exists (2026-02-30 is refused, not rolled over to 2 March as Date.UTC would).
 */
export function readDay(text: string): CenterDay | null {
  const m = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$/.exec(text);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) return null;
  return day.toISOString().slice(0, 10);
}

/** The day n days after (or before) a day; calendar arithmetic, no zone involved. */
export function addDays(day: CenterDay, n: number): CenterDay {
  const [y, m, d] = parseDay(day);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** Weekday of a center day, 0 = Monday … 6 = Sunday. */
export function weekdayOf(day: CenterDay): number {
  const [y, m, d] = parseDay(day);
  return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
}

/**
 * The instant at which the center's clock reads `clock` ('HH:MM'; '24:00' is the next midnight) on
 * `day`. A time skipped by a daylight-saving jump is moved forward by the gap; a time that occurs
 * twice maps to the first. (China has no DST; other centers may.)
 */
export function atCenterTime(day: CenterDay, clock: string, timeZone: string): number {
  const [y, mo, d] = parseDay(day);
  const c = CLOCK.exec(clock);
  const h = c ? Number(c[1]) : NaN;
  const mi = c ? Number(c[2]) : NaN;
  if (!c || mi > 59 || h > 24 || (h === 24 && mi !== 0)) throw new RangeError(`not a time (HH:MM): ${clock}`);
  const asUtc = Date.UTC(y, mo - 1, d, h, mi);
  // The zone's offset near the wanted instant, tried both sides of a possible transition.
  const before = asUtc - zoneOffsetMs(asUtc - 86_400_000 / 2, timeZone);
  const after = asUtc - zoneOffsetMs(asUtc + 86_400_000 / 2, timeZone);
  const candidates = [before, after].filter((t) => zoneOffsetMs(t, timeZone) === asUtc - t).sort((a, b) => a - b);
  if (candidates.length > 0) return candidates[0]!;
  // In a gap the wall time never occurs: read it with the offset from before the jump, i.e. move it
  // forward by the gap (02:30 on a spring-forward night is 03:30), as Temporal's 'compatible' does.
  return before;
}

/** The instant the center's day that contains t began. */
export function startOfCenterDay(t: number, timeZone: string): number {
  return atCenterTime(centerDay(t, timeZone), '00:00', timeZone);
}
