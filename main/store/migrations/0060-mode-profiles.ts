// Version 60: operating modes as data. Profiles are versioned rows (a change is a new version, never an
// edit), and every mode change says which profile version it used, what it replaced, and when it ends.
// Area emergencies are ended by a row of kind 'end', so the record shows who ended them and why.
export const sql = `
CREATE TABLE mode_profiles (
  mode TEXT NOT NULL CHECK (mode IN ('daily','night','holiday','emergency')),
  version INTEGER NOT NULL CHECK (version > 0),
  profile TEXT NOT NULL,
  at INTEGER NOT NULL,
  by TEXT NOT NULL,
  PRIMARY KEY (mode, version)
) WITHOUT ROWID;
CREATE TRIGGER mode_profiles_no_update BEFORE UPDATE ON mode_profiles BEGIN SELECT RAISE(ABORT, 'mode profiles are versioned: add a version'); END;
CREATE TRIGGER mode_profiles_no_delete BEFORE DELETE ON mode_profiles BEGIN SELECT RAISE(ABORT, 'mode profiles are versioned: add a version'); END;

ALTER TABLE mode_changes ADD COLUMN kind TEXT NOT NULL DEFAULT 'switch' CHECK (kind IN ('switch','end'));
ALTER TABLE mode_changes ADD COLUMN from_mode TEXT CHECK (from_mode IN ('daily','night','holiday','emergency'));
ALTER TABLE mode_changes ADD COLUMN ends_at INTEGER;
ALTER TABLE mode_changes ADD COLUMN profile_version INTEGER NOT NULL DEFAULT 1;
CREATE INDEX mode_changes_by_area ON mode_changes (area_id, id);
`;
