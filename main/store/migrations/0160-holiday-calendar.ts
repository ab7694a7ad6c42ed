// Version 160: the holiday calendar as data (shared/calendar.ts). One row per public holiday (a center
// day); `holiday_calendar_state` holds the version every edit bumps, and says the calendar has been
// seeded, so a later start does not put back a day someone removed.
export const sql = `
CREATE TABLE holiday_calendar (
  date TEXT PRIMARY KEY,
  name_zh TEXT NOT NULL,
  name_en TEXT NOT NULL,
  estimated INTEGER NOT NULL CHECK (estimated IN (0, 1)),
  by TEXT NOT NULL,
  at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE holiday_calendar_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL CHECK (version > 0)
);
`;
