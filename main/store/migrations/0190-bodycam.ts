// Version 190: body-worn camera telemetry (shared/bodycam.ts). `bodycam_status` holds the latest
// reading per unit, so a restarted hub still shows (as stale) what each camera last said;
// `bodycam_alerts` the "stopped recording during a task" alerts, raised and cleared by the system actor
// and acknowledged by an operator.
export const sql = `
CREATE TABLE bodycam_status (
  unit_id TEXT PRIMARY KEY REFERENCES units(id),
  t INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  recording INTEGER NOT NULL CHECK (recording IN (0, 1)),
  battery_pct INTEGER NOT NULL CHECK (battery_pct BETWEEN 0 AND 100),
  storage_free_mb INTEGER NOT NULL CHECK (storage_free_mb >= 0),
  last_upload_at INTEGER
) WITHOUT ROWID;
CREATE TABLE bodycam_alerts (
  id TEXT PRIMARY KEY,
  unit_id TEXT NOT NULL REFERENCES units(id),
  task_id TEXT NOT NULL,
  since INTEGER NOT NULL,
  raised_at INTEGER NOT NULL,
  cleared_at INTEGER,
  cleared_by TEXT CHECK (cleared_by IN ('recording', 'task_over')),
  acknowledged_by TEXT,
  acknowledged_at INTEGER
);
CREATE INDEX bodycam_alerts_unit_open ON bodycam_alerts(unit_id) WHERE cleared_at IS NULL;
CREATE INDEX bodycam_alerts_unsettled ON bodycam_alerts(raised_at) WHERE cleared_at IS NULL OR acknowledged_at IS NULL;
`;
