// Version 90: what an SOS needs to be answered and traced. Where it is in words (the nearest named road,
// resolved offline at the press), the status the unit had before (it returns to it on resolve), who
// acknowledged and when, how far it escalated, the incident its help tasks hang on, who resolved it and
// with what note. `sos_help` lists the units sent to help, each with the travel time the operator was
// shown when sending it (what the officer is told: "help on the way").
export const sql = `
ALTER TABLE sos ADD COLUMN street_zh TEXT;
ALTER TABLE sos ADD COLUMN street_en TEXT;
ALTER TABLE sos ADD COLUMN status_before TEXT;
ALTER TABLE sos ADD COLUMN acknowledged_by TEXT;
ALTER TABLE sos ADD COLUMN acknowledged_at INTEGER;
ALTER TABLE sos ADD COLUMN escalations INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sos ADD COLUMN escalated_to TEXT;
ALTER TABLE sos ADD COLUMN incident_id TEXT REFERENCES incidents(id);
ALTER TABLE sos ADD COLUMN resolved_by TEXT;
ALTER TABLE sos ADD COLUMN resolved_at INTEGER;
ALTER TABLE sos ADD COLUMN resolution TEXT;
CREATE INDEX sos_unit ON sos(unit_id, state);
CREATE TABLE sos_help (
  task_id TEXT PRIMARY KEY REFERENCES tasks(id),
  sos_id TEXT NOT NULL REFERENCES sos(id),
  unit_id TEXT NOT NULL REFERENCES units(id),
  unit_name TEXT NOT NULL,
  eta_sec INTEGER,
  sent_by TEXT NOT NULL,
  sent_at INTEGER NOT NULL
);
CREATE INDEX sos_help_sos ON sos_help(sos_id);
`;
