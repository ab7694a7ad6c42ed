// Version 110: electronic attendance and fences. Shifts come from the roster (the demo city's weekly
// pattern, or an imported CSV); each keeps where it stands (scheduled, on duty, late, missing) so the
// console and the evaluator read one row, not a replay of check-ins. Check-in overrides, roll-calls
// and fence alerts are rows of their own: each is raised, answered and settled by recorded commands.
export const sql = `
CREATE TABLE shifts (
  id TEXT PRIMARY KEY,
  unit_id TEXT NOT NULL REFERENCES units(id),
  post_id TEXT NOT NULL REFERENCES areas(id),
  cell_id TEXT REFERENCES areas(id),
  starts_at INTEGER NOT NULL,
  ends_at INTEGER NOT NULL,
  state TEXT NOT NULL DEFAULT 'scheduled' CHECK (state IN ('scheduled','on_duty','late','missing')),
  checked_in_at INTEGER,
  via TEXT CHECK (via IN ('fence','override')),
  source TEXT NOT NULL CHECK (source IN ('demo','import')),
  created_at INTEGER NOT NULL,
  CHECK (ends_at > starts_at)
);
-- the shift a unit is on at t; the shifts around now for the console
CREATE INDEX shifts_unit_start ON shifts(unit_id, starts_at);
CREATE INDEX shifts_start ON shifts(starts_at);

CREATE TABLE checkin_overrides (
  id TEXT PRIMARY KEY,
  unit_id TEXT NOT NULL REFERENCES units(id),
  post_id TEXT NOT NULL REFERENCES areas(id),
  shift_id TEXT REFERENCES shifts(id),
  lng REAL NOT NULL,
  lat REAL NOT NULL,
  reason TEXT NOT NULL,
  refusal TEXT NOT NULL,
  at INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('requested','granted','refused')),
  decided_by TEXT,
  decided_at INTEGER,
  note TEXT
);
CREATE INDEX checkin_overrides_state ON checkin_overrides(state);

CREATE TABLE roll_calls (
  id TEXT PRIMARY KEY,
  by TEXT NOT NULL,
  at INTEGER NOT NULL,
  deadline INTEGER NOT NULL,
  area_id TEXT REFERENCES areas(id),
  pick TEXT NOT NULL CHECK (pick IN ('hand','random')),
  seed TEXT,
  closed INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE roll_call_targets (
  roll_call_id TEXT NOT NULL REFERENCES roll_calls(id),
  unit_id TEXT NOT NULL REFERENCES units(id),
  state TEXT NOT NULL CHECK (state IN ('pending','answered','missed')),
  answered_at INTEGER,
  lng REAL,
  lat REAL,
  PRIMARY KEY (roll_call_id, unit_id)
) WITHOUT ROWID;

CREATE TABLE fence_alerts (
  id TEXT PRIMARY KEY,
  unit_id TEXT NOT NULL REFERENCES units(id),
  kind TEXT NOT NULL CHECK (kind IN ('cell','route')),
  area_id TEXT NOT NULL,
  raised_at INTEGER NOT NULL,
  lng REAL NOT NULL,
  lat REAL NOT NULL,
  since INTEGER NOT NULL,
  cleared_at INTEGER,
  acknowledged_by TEXT,
  acknowledged_at INTEGER
);
-- at most one open fence alert per unit and kind
CREATE UNIQUE INDEX fence_alerts_open ON fence_alerts(unit_id, kind) WHERE cleared_at IS NULL;
`;
