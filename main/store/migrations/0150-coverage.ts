// Version 150: coverage kept as data for the evaluator (issue 13, main/hub/coverage.ts). Per unit and
// shift period: which pieces of a patrol vehicle's route corridor it drove (a bitset, one bit per
// piece of the route line), and how long an officer dwelt in each grid cell ('' = in no cell). Written
// in bounded batches by the coverage watch, not on the position hot path; read by period start.
// And indexes by time for the scorecard's roll-call, mode-change and fence-alert indicators.
export const sql = `
CREATE TABLE coverage_routes (
  unit_id TEXT NOT NULL,
  period_from INTEGER NOT NULL,
  period_to INTEGER NOT NULL,
  route_id TEXT NOT NULL,
  pieces INTEGER NOT NULL CHECK (pieces > 0),
  visited BLOB NOT NULL,
  driven INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (unit_id, period_from),
  CHECK (period_to > period_from)
) WITHOUT ROWID;
CREATE INDEX coverage_routes_period ON coverage_routes(period_from);

CREATE TABLE coverage_dwell (
  unit_id TEXT NOT NULL,
  period_from INTEGER NOT NULL,
  cell_id TEXT NOT NULL,
  period_to INTEGER NOT NULL,
  shift_id TEXT,
  assigned INTEGER NOT NULL CHECK (assigned IN (0, 1)),
  dwell_ms INTEGER NOT NULL CHECK (dwell_ms >= 0),
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (unit_id, period_from, cell_id),
  CHECK (period_to > period_from)
) WITHOUT ROWID;
CREATE INDEX coverage_dwell_period ON coverage_dwell(period_from);

-- the scorecard's other new counts read their period by time (main/store/scorecard.ts)
CREATE INDEX roll_calls_at ON roll_calls(at);
CREATE INDEX mode_changes_at ON mode_changes(at);
CREATE INDEX fence_alerts_raised_at ON fence_alerts(raised_at);
`;
