// The holiday calendar's edits (duty managers and admins): each names the calendar version it was
// made against, says why, is told to consoles whole, and re-plans the mode schedule in the same
// transaction (handlers/system.ts replanForCalendar), so a restart can neither miss nor repeat it.
import type { CalendarDay } from '../../../shared/calendar';
import { consoleCommands } from '../../../shared/protocol/commands';
import { calendarVersion, deleteCalendarDay, findCalendarDay, holidayDates, putCalendarDay, readCalendar } from '../../store/calendar';
import type { Db } from '../../store/db';
import { CommandFailure, type CommandDef } from '../commands';
import { replanForCalendar } from './system';

const C = consoleCommands;
const def = <K extends keyof typeof C, R>(name: K, handler: CommandDef<(typeof C)[K]['schema'], R>['handler']) =>
  ({ name, schema: C[name].schema, roles: C[name].roles, handler }) as CommandDef<(typeof C)[K]['schema'], R>;

function checkBase(db: Db, baseVersion: number): void {
  const version = calendarVersion(db);
  if (baseVersion !== version) {
    throw new CommandFailure('conflict', `the calendar changed since version ${baseVersion} (now ${version}): read it again and redo the edit`);
  }
}

function changed(db: Db, now: number, timeZone: string, actorId: string, action: string, target: string, detail: Record<string, unknown>) {
  const replanned = replanForCalendar(db, now, timeZone, holidayDates(db), `${actorId} ${action}`);
  const calendar = readCalendar(db);
  return {
    result: { calendar }, target, events: [{ data: { type: 'calendar:changed' as const, calendar }, unitId: null }],
    detail: { ...detail, version: calendar.version, nextScheduledSwitch: replanned },
  };
}

export const calendarHandlers = {
  'calendar:add': def('calendar:add', ({ db, now, actor, timeZone }, p) => {
    checkBase(db, p.baseVersion);
    const before = findCalendarDay(db, p.date) ?? null;
    const day: CalendarDay = { date: p.date, name: p.name, estimated: p.estimated, by: actor.id, at: now };
    putCalendarDay(db, day);
    return changed(db, now, timeZone, actor.id, 'calendar:add', p.date, { before, after: day });
  }),

  'calendar:remove': def('calendar:remove', ({ db, now, actor, timeZone }, p) => {
    checkBase(db, p.baseVersion);
    const before = findCalendarDay(db, p.date);
    if (!before) throw new CommandFailure('not_found', `${p.date} is not on the calendar`);
    deleteCalendarDay(db, p.date);
    return changed(db, now, timeZone, actor.id, 'calendar:remove', p.date, { before });
  }),
};
