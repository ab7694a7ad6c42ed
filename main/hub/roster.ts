// The roster: which officer holds which post when. The demo city's weekly pattern (resources/city/
// city.json `roster` over `shifts`) is turned into dated shifts for the days ahead; a real center
// imports its own as CSV, checked row by row, all or nothing. Each new shift queues its late check.
import type { DemoCity } from '../../shared/city';
import type { Shift } from '../../shared/attendance';
import type { Area, Unit } from '../../shared/domain';
import { csvFields, isRosterHeader, MAX_SHIFT_H, ROSTER_COLUMNS, rosterErrorLines, rosterIssue, rosterLines, type RosterIssue } from '../../shared/roster';
import { addDays, atCenterTime, centerDay, weekdayOf } from '../../shared/time';
import { insertShift, unitShiftsOverlapping } from '../store/attendance';
import { findPost, findUnit, listAreas, listUnits } from '../store/city';
import type { Db } from '../store/db';
import { scheduleAction } from '../store/schedule';
import { effectiveMode } from './modes';

export const SHIFT_LATE = 'shift:late';
export const SHIFT_MISSING = 'shift:missing';
/** The longest shift a roster may hold. */
const MAX_SHIFT_MS = MAX_SHIFT_H * 3600_000;

/**
 * Stores a new shift and queues its late check at start + the mode's grace. A shift the hub learns of
 * after it began (a hub started mid-shift) gets the grace from now, so a start is never an alarm storm.
 */
export function addShift(db: Db, s: Shift, now: number, cause: string): boolean {
  if (!insertShift(db, s, now)) return false;
  if (s.endsAt <= now) return true;
  const grace = effectiveMode(db, s.postId, Math.max(now, s.startsAt)).profile.attendance.lateAfterMin * 60_000;
  scheduleAction(db, { kind: SHIFT_LATE, subject: s.id, payload: { shiftId: s.id }, dueAt: Math.max(s.startsAt, now) + grace, cause }, now);
  return true;
}

const shiftId = (unitId: string, startsAt: number) => `sh-${unitId}-${startsAt.toString(36)}`;

function span(day: string, start: string, end: string, timeZone: string): { startsAt: number; endsAt: number } {
  const startsAt = atCenterTime(day, start, timeZone);
  let endsAt = atCenterTime(day, end, timeZone);
  if (endsAt <= startsAt) endsAt = atCenterTime(addDays(day, 1), end, timeZone);
  return { startsAt, endsAt };
}

/**
 * Dated shifts of the demo city's officers from its weekly pattern, for the shifts not yet ended up to
 * `days` ahead (ids derive from unit and start, so a restart adds only what is missing). Returns how
 * many were added. Vehicles are rostered too, but they are held to their route, not checked in at a post.
 */
export function planDemoShifts(db: Db, city: Pick<DemoCity, 'roster' | 'shifts'>, now: number, timeZone: string, days = 3): number {
  const units = new Map(listUnits(db).map((u) => [u.id, u]));
  const posts = new Map(listAreas(db).filter((a) => a.kind === 'post').map((a) => [a.id, a]));
  const today = centerDay(now, timeZone);
  let added = 0;
  db.transaction(() => {
    for (let d = -1; d <= days; d++) {
      const day = addDays(today, d);
      const weekday = weekdayOf(day);
      for (const entry of city.roster) {
        const name = entry.week[weekday];
        const unit = units.get(entry.unitId);
        const post = unit?.postId ? posts.get(unit.postId) : undefined;
        if (!name || !unit || unit.kind !== 'officer' || !post) continue;
        const { startsAt, endsAt } = span(day, city.shifts[name]!.start, city.shifts[name]!.end, timeZone);
        if (endsAt <= now) continue;
        const s: Shift = {
          id: shiftId(unit.id, startsAt), unitId: unit.id, postId: post.id, cellId: post.parentId, startsAt, endsAt,
          state: 'scheduled', checkedInAt: null, via: null, source: 'demo',
        };
        if (addShift(db, s, now, 'roster: demo city weekly pattern')) added++;
      }
    }
  })();
  return added;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
/** At most this many row errors are listed in a refusal's message (the count says how many there were; its issues list more). */
export const ROSTER_ERRORS_LISTED = 20;

/** `errors`: one English line per bad row, for the record; `issues`: the same as codes, each with its row and column. */
export type RosterCheck = { shifts: Shift[]; errors: string[]; issues: RosterIssue[] };

/**
 * Reads a roster CSV (header `unit_id,post_id,date,start,end`, times in the center's zone; an end at
 * or before the start is on the next day) into shifts, with the issues of each bad row: unknown officer
 * or post, a malformed date or time, a shift longer than 16 h or already over, one overlapping another
 * row or a shift already in the roster. The caller stores nothing unless `issues` is empty.
 */
export function checkRoster(db: Db, csv: string, now: number, timeZone: string): RosterCheck {
  const lines = rosterLines(csv);
  const issues: RosterIssue[] = [];
  const done = (shifts: Shift[]): RosterCheck => ({ shifts, errors: rosterErrorLines(issues), issues });
  if (!isRosterHeader(lines[0])) {
    issues.push(rosterIssue('roster_header', { columns: ROSTER_COLUMNS.join(',') }, 1));
    return done([]);
  }
  const shifts: Shift[] = [];
  const byUnit = new Map<string, { startsAt: number; endsAt: number; line: number }[]>();
  const postCache = new Map<string, Area | undefined>();
  const unitCache = new Map<string, Unit | undefined>();
  lines.forEach((text, idx) => {
    const line = idx + 1;
    if (idx === 0 || text.trim() === '') return;
    const f = csvFields(text);
    if (!f) return void issues.push(rosterIssue('unclosed_quote', {}, line));
    if (f.length !== ROSTER_COLUMNS.length) return void issues.push(rosterIssue('field_count', { got: f.length, want: ROSTER_COLUMNS.length }, line));
    const [unitId, postId, date, start, end] = f as [string, string, string, string, string];
    const problems: RosterIssue[] = [];
    if (!unitCache.has(unitId)) unitCache.set(unitId, findUnit(db, unitId));
    const unit = unitCache.get(unitId);
    if (!unit) problems.push(rosterIssue('no_unit', { unit: unitId }, line, 'unit_id'));
    else if (unit.kind !== 'officer') problems.push(rosterIssue('unit_is_vehicle', { unit: unitId }, line, 'unit_id'));
    if (!postCache.has(postId)) postCache.set(postId, findPost(db, postId));
    const post = postCache.get(postId);
    if (!post) problems.push(rosterIssue('no_post', { post: postId }, line, 'post_id'));
    const dateOk = DATE.test(date) && !Number.isNaN(Date.parse(`${date}T00:00:00Z`)) && new Date(`${date}T00:00:00Z`).toISOString().startsWith(date);
    if (!dateOk) problems.push(rosterIssue('bad_date', { value: date }, line, 'date'));
    if (!CLOCK.test(start)) problems.push(rosterIssue('bad_time', { value: start }, line, 'start'));
    if (!CLOCK.test(end)) problems.push(rosterIssue('bad_time', { value: end }, line, 'end'));
    if (problems.length === 0) {
      const { startsAt, endsAt } = span(date, start, end, timeZone);
      if (endsAt - startsAt > MAX_SHIFT_MS) problems.push(rosterIssue('shift_too_long', { hours: Math.round((endsAt - startsAt) / 3600_000), max: MAX_SHIFT_H }, line, 'end'));
      if (endsAt <= now) problems.push(rosterIssue('shift_over', {}, line, 'end'));
      const mine = byUnit.get(unitId) ?? [];
      const clash = mine.find((s) => s.startsAt < endsAt && s.endsAt > startsAt);
      if (clash) problems.push(rosterIssue('overlaps_row', { other: clash.line, unit: unitId }, line, 'start'));
      else if (unitShiftsOverlapping(db, unitId, startsAt, endsAt).length > 0) problems.push(rosterIssue('overlaps_roster', { unit: unitId }, line, 'start'));
      if (problems.length === 0) {
        mine.push({ startsAt, endsAt, line });
        byUnit.set(unitId, mine);
        shifts.push({
          id: shiftId(unitId, startsAt), unitId, postId, cellId: post!.parentId, startsAt, endsAt,
          state: 'scheduled', checkedInAt: null, via: null, source: 'import',
        });
      }
    }
    issues.push(...problems);
  });
  if (issues.length === 0 && shifts.length === 0) issues.push(rosterIssue('no_shifts', {}));
  return done(issues.length > 0 ? [] : shifts);
}
