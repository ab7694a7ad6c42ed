// The holiday calendar (migration 0160): the days holiday mode holds on, and the version each edit bumps.
import type { CalendarDay, HolidayCalendar } from '../../shared/calendar';
import type { Db, ReadDb } from './db';
import { prepared } from './statements';

type Row = { date: string; name_zh: string; name_en: string; estimated: number; by: string; at: number };
const fromRow = (r: Row): CalendarDay => ({ date: r.date, name: { zh: r.name_zh, en: r.name_en }, estimated: r.estimated === 1, by: r.by, at: r.at });

/** 0 until the calendar has been seeded or edited. */
export function calendarVersion(db: ReadDb): number {
  return (db.prepare('SELECT version FROM holiday_calendar_state WHERE id = 1').pluck().get() as number | undefined) ?? 0;
}

export function readCalendar(db: ReadDb): HolidayCalendar {
  const days = (prepared(db, 'SELECT * FROM holiday_calendar ORDER BY date').all() as Row[]).map(fromRow);
  return { version: calendarVersion(db), days };
}

/** The holiday dates in order, as the mode schedule takes them. */
export function holidayDates(db: ReadDb): string[] {
  return db.prepare('SELECT date FROM holiday_calendar ORDER BY date').pluck().all() as string[];
}

export function findCalendarDay(db: ReadDb, date: string): CalendarDay | undefined {
  const r = prepared(db, 'SELECT * FROM holiday_calendar WHERE date = ?').get(date) as Row | undefined;
  return r && fromRow(r);
}

function bump(db: Db): number {
  const version = calendarVersion(db) + 1;
  prepared(db, 'INSERT INTO holiday_calendar_state (id, version) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version').run(version);
  return version;
}

/** Adds a day, or replaces what the calendar said of it (its name, estimated or confirmed). Returns the new version. */
export function putCalendarDay(db: Db, day: CalendarDay): number {
  prepared(db, `INSERT INTO holiday_calendar (date, name_zh, name_en, estimated, by, at) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (date) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en, estimated = excluded.estimated, by = excluded.by, at = excluded.at`)
    .run(day.date, day.name.zh, day.name.en, day.estimated ? 1 : 0, day.by, day.at);
  return bump(db);
}

/** Removes a day; returns the new version. */
export function deleteCalendarDay(db: Db, date: string): number {
  prepared(db, 'DELETE FROM holiday_calendar WHERE date = ?').run(date);
  return bump(db);
}

/**
 * A store's first calendar: the days given (the demo city's, the hub's configured dates), once. A
 * calendar seeded or edited before is left as it is. Returns how many days were seeded.
 */
export function seedCalendar(db: Db, days: readonly CalendarDay[]): number {
  if (calendarVersion(db) > 0 || days.length === 0) return 0;
  return db.transaction(() => {
    for (const d of days) {
      db.prepare('INSERT OR IGNORE INTO holiday_calendar (date, name_zh, name_en, estimated, by, at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(d.date, d.name.zh, d.name.en, d.estimated ? 1 : 0, d.by, d.at);
    }
    bump(db);
    return days.length;
  })();
}
