// Version 10: the whole domain. Later issues fill tables that nobody writes yet (attendance, evaluation),
// so their shape is settled here once. JSON columns hold small structured values (geometry, sources).
export const sql = `
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('operator','duty_manager','evaluator','admin')),
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE areas (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('district','cell','post')),
  name TEXT NOT NULL,
  parent_id TEXT REFERENCES areas(id),
  polygon TEXT,
  center_lng REAL NOT NULL,
  center_lat REAL NOT NULL,
  radius_m REAL
);
CREATE INDEX areas_parent ON areas(parent_id);

CREATE TABLE routes (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  roads TEXT NOT NULL,
  line TEXT NOT NULL,
  modes TEXT NOT NULL
);

CREATE TABLE units (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('officer','vehicle')),
  name TEXT NOT NULL,
  badge TEXT,
  plate TEXT,
  squad TEXT,
  cell_id TEXT REFERENCES areas(id),
  post_id TEXT REFERENCES areas(id),
  route_id TEXT REFERENCES routes(id),
  camera_id TEXT,
  status TEXT NOT NULL
);

CREATE TABLE devices (
  id TEXT PRIMARY KEY,
  secret_hash TEXT NOT NULL,
  -- a terminal speaks for one unit; a gateway (simulator, vehicle-fleet bridge) for any unit
  kind TEXT NOT NULL CHECK (kind IN ('terminal','gateway')),
  unit_id TEXT REFERENCES units(id),
  created_at INTEGER NOT NULL,
  CHECK ((kind = 'terminal') = (unit_id IS NOT NULL))
);

CREATE TABLE cameras (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('fixed','vehicle','body')),
  name TEXT NOT NULL,
  lng REAL,
  lat REAL,
  facing REAL,
  unit_id TEXT REFERENCES units(id),
  sources TEXT NOT NULL,
  key INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE incidents (
  id TEXT PRIMARY KEY,
  category TEXT NOT NULL,
  priority INTEGER NOT NULL,
  state TEXT NOT NULL,
  lng REAL NOT NULL,
  lat REAL NOT NULL,
  description TEXT NOT NULL,
  source TEXT NOT NULL,
  resolution TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX incidents_state ON incidents(state);

CREATE TABLE tasks (
  id TEXT PRIMARY KEY,
  incident_id TEXT NOT NULL REFERENCES incidents(id),
  unit_id TEXT NOT NULL REFERENCES units(id),
  state TEXT NOT NULL,
  note TEXT NOT NULL,
  assigned_at INTEGER NOT NULL,
  ack_deadline INTEGER NOT NULL,
  arrive_deadline INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX tasks_unit_state ON tasks(unit_id, state);
CREATE INDEX tasks_incident ON tasks(incident_id);

-- every transition of a task, for tracing and evaluation ("incident handling can be traced")
CREATE TABLE task_steps (
  id INTEGER PRIMARY KEY,
  task_id TEXT NOT NULL REFERENCES tasks(id),
  state TEXT NOT NULL,
  actor TEXT NOT NULL,
  at INTEGER NOT NULL,
  lng REAL,
  lat REAL,
  note TEXT
);
CREATE INDEX task_steps_task ON task_steps(task_id);

CREATE TABLE sos (
  id TEXT PRIMARY KEY,
  unit_id TEXT NOT NULL REFERENCES units(id),
  lng REAL NOT NULL,
  lat REAL NOT NULL,
  note TEXT NOT NULL,
  state TEXT NOT NULL,
  raised_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX sos_state ON sos(state);

CREATE TABLE check_ins (
  id TEXT PRIMARY KEY,
  unit_id TEXT NOT NULL REFERENCES units(id),
  post_id TEXT NOT NULL REFERENCES areas(id),
  lng REAL NOT NULL,
  lat REAL NOT NULL,
  at INTEGER NOT NULL,
  on_site INTEGER NOT NULL
);
CREATE INDEX check_ins_unit_at ON check_ins(unit_id, at);

CREATE TABLE mode_changes (
  id INTEGER PRIMARY KEY,
  mode TEXT NOT NULL CHECK (mode IN ('daily','night','holiday','emergency')),
  reason TEXT NOT NULL,
  area_id TEXT,
  by TEXT NOT NULL,
  at INTEGER NOT NULL
);

-- high volume: own table, written in batches by the position pipeline
CREATE TABLE positions (
  unit_id TEXT NOT NULL,
  t INTEGER NOT NULL,
  lng REAL NOT NULL,
  lat REAL NOT NULL,
  speed REAL,
  heading REAL,
  accuracy REAL,
  received_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX positions_unit_t ON positions(unit_id, t);

-- applied commands by client-made id: a retry returns the stored result instead of applying twice
CREATE TABLE commands (
  command_id TEXT PRIMARY KEY,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  result TEXT NOT NULL,
  at INTEGER NOT NULL
);

-- the hub's sequenced event log: consoles resume from it after a reconnect
CREATE TABLE events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  type TEXT NOT NULL,
  unit_id TEXT,
  data TEXT NOT NULL
);

CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  role TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT,
  payload TEXT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('accepted','rejected')),
  reason TEXT,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit log is append-only: UPDATE refused'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit log is append-only: DELETE refused'); END;
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
  BEGIN SELECT RAISE(ABORT, 'event log is append-only: UPDATE refused'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
  BEGIN SELECT RAISE(ABORT, 'event log is append-only: DELETE refused'); END;
`;
