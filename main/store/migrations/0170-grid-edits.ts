// Version 170: the grid as an admin edits it (issue 18). Every change to cells, posts or routes adds a
// row to `grid_versions` with what it replaced and what it became, so a past check-in or fence alert that names a grid version can be explained by the grid it used (version 1 is the
// grid as seeded; the first edit makes version 2). A deleted cell, post or route is retired, not
// removed: check-ins, shifts and alerts of the past still point at it.
export const sql = `
CREATE TABLE grid_versions (
  version INTEGER PRIMARY KEY CHECK (version > 1),
  at INTEGER NOT NULL,
  by TEXT NOT NULL,
  action TEXT NOT NULL,
  changes TEXT NOT NULL
);
CREATE TRIGGER grid_versions_no_update BEFORE UPDATE ON grid_versions BEGIN SELECT RAISE(ABORT, 'grid versions are history'); END;
CREATE TRIGGER grid_versions_no_delete BEFORE DELETE ON grid_versions BEGIN SELECT RAISE(ABORT, 'grid versions are history'); END;
ALTER TABLE areas ADD COLUMN retired_at INTEGER;
ALTER TABLE routes ADD COLUMN retired_at INTEGER;
`;
