// Version 130: devices enrolled by a one-time code (issue 13's field client, issue 18's Devices), and
// revoked devices. A code is kept only as its SHA-256, used once, and expires; a revoked device keeps
// its row (the record names it) but its secret opens nothing.
export const sql = `
CREATE TABLE enrolment_codes (
  id TEXT PRIMARY KEY,
  code_hash TEXT NOT NULL UNIQUE,
  unit_id TEXT NOT NULL REFERENCES units(id),
  label TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  device_id TEXT REFERENCES devices(id)
);
ALTER TABLE devices ADD COLUMN label TEXT;
ALTER TABLE devices ADD COLUMN revoked_at INTEGER;
`;
