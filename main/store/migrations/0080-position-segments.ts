// Version 80: per-unit minute segments of positions, for one unit's track (a day in one read) without
// scanning everyone's fixes (positions is keyed by (t, unit_id), migration 0020). Each row packs one
// minute of one unit's fixes (main/store/segments.ts has the format); a minute is sealed once, when it
// is complete, and fixes that arrive for it later are sealed as a further part (part 1, 2 …) — never
// an update of a sealed row, so a reader never sees a minute half rewritten. `store_marks` keeps the
// watermarks: segments sealed through (minute), retention applied through (ms).
export const sql = `
CREATE TABLE position_segments (
  unit_id TEXT NOT NULL,
  minute INTEGER NOT NULL,
  part INTEGER NOT NULL,
  n INTEGER NOT NULL,
  fixes BLOB NOT NULL,
  PRIMARY KEY (unit_id, minute, part)
) WITHOUT ROWID;
-- retention works through old minutes in time order
CREATE INDEX position_segments_minute ON position_segments(minute);
CREATE TABLE store_marks (
  name TEXT PRIMARY KEY,
  at INTEGER NOT NULL
) WITHOUT ROWID;
`;
