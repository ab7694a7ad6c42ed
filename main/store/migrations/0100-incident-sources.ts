// Version 100: what an incident is and where it came from, as data on it. Sub-type; the source with its
// details (camera, caller, reporting unit and photo, alarm) as JSON; the street and grid cell the hub
// resolved at creation. Amendments are appended, never edited (triggers refuse UPDATE and DELETE), and
// so are photos. A task keeps its finish deadline so consoles can show the time left at every step.
// Rows from before: their source word becomes the matching source object.
export const sql = `
ALTER TABLE incidents ADD COLUMN subtype TEXT;
ALTER TABLE incidents ADD COLUMN origin TEXT;
ALTER TABLE incidents ADD COLUMN street TEXT;
ALTER TABLE incidents ADD COLUMN street_m REAL;
ALTER TABLE incidents ADD COLUMN cell_id TEXT;
ALTER TABLE incidents ADD COLUMN district_id TEXT;
UPDATE incidents SET origin = CASE source
  WHEN 'console' THEN json_object('kind', 'console')
  WHEN 'field' THEN json_object('kind', 'field', 'unitId', NULL, 'photoId', NULL)
  ELSE json_object('kind', 'sim') END;

ALTER TABLE tasks ADD COLUMN finish_deadline INTEGER;

CREATE TABLE incident_amendments (
  id INTEGER PRIMARY KEY,
  incident_id TEXT NOT NULL REFERENCES incidents(id),
  actor TEXT NOT NULL,
  role TEXT NOT NULL,
  at INTEGER NOT NULL,
  reason TEXT NOT NULL,
  text TEXT NOT NULL
);
CREATE INDEX incident_amendments_incident ON incident_amendments(incident_id, id);
CREATE TRIGGER incident_amendments_no_update BEFORE UPDATE ON incident_amendments BEGIN SELECT RAISE(ABORT, 'amendments are appended, never edited'); END;
CREATE TRIGGER incident_amendments_no_delete BEFORE DELETE ON incident_amendments BEGIN SELECT RAISE(ABORT, 'amendments are appended, never edited'); END;

CREATE TABLE photos (
  id TEXT PRIMARY KEY,
  mime TEXT NOT NULL CHECK (mime IN ('image/jpeg', 'image/png')),
  bytes BLOB NOT NULL,
  by TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE TRIGGER photos_no_update BEFORE UPDATE ON photos BEGIN SELECT RAISE(ABORT, 'photos are evidence: never edited'); END;
CREATE TRIGGER photos_no_delete BEFORE DELETE ON photos BEGIN SELECT RAISE(ABORT, 'photos are evidence: never edited'); END;
`;
