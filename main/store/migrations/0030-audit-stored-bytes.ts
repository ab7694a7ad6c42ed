// Version 30: the audit log keeps each entry as one canonical JSON text, written once, and the hash
// covers exactly those stored bytes (rule 2) — verifying no longer re-encodes anything, so a verifier in
// any language needs only SHA-256, not our canonical JSON. The columns a timeline filters on are
// generated from that text, so they cannot disagree with what was hashed; they are indexed with `at`
// for keyset paging over (at, seq) (each index ends in the rowid, which is seq). Entries written before this migration were hashed over a
// re-encoding of their columns (rule 1): they are copied with `rule = 1` and keep being verified that
// way. Their `entry` is built here by SQLite (json_object, keys in the order rule 1 sorts them), and
// the rule-1 verifier parses it and re-encodes it exactly as it did the columns — so no old hash has
// to be recomputed, and a row altered before the migration still fails after it.
// Also: events(at), for the evaluator's timeline of what the hub broadcast.
export const sql = `
DROP TRIGGER audit_log_no_update;
DROP TRIGGER audit_log_no_delete;
CREATE TABLE audit_log_v30 (
  seq INTEGER PRIMARY KEY,
  entry TEXT NOT NULL,
  rule INTEGER NOT NULL DEFAULT 2 CHECK (rule IN (1, 2)),
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  at INTEGER NOT NULL GENERATED ALWAYS AS (json_extract(entry, '$.at')) VIRTUAL,
  actor TEXT NOT NULL GENERATED ALWAYS AS (json_extract(entry, '$.actor')) VIRTUAL,
  role TEXT NOT NULL GENERATED ALWAYS AS (json_extract(entry, '$.role')) VIRTUAL,
  action TEXT NOT NULL GENERATED ALWAYS AS (json_extract(entry, '$.action')) VIRTUAL,
  target TEXT GENERATED ALWAYS AS (json_extract(entry, '$.target')) VIRTUAL,
  outcome TEXT NOT NULL CHECK (outcome IN ('accepted','rejected')) GENERATED ALWAYS AS (json_extract(entry, '$.outcome')) VIRTUAL,
  reason TEXT GENERATED ALWAYS AS (json_extract(entry, '$.reason')) VIRTUAL
);
INSERT INTO audit_log_v30 (seq, entry, rule, prev_hash, hash)
  SELECT seq,
    json_object('action', action, 'actor', actor, 'at', at, 'outcome', outcome, 'payload', payload,
                'reason', reason, 'role', role, 'seq', seq, 'target', target),
    1, prev_hash, hash
  FROM audit_log ORDER BY seq;
DROP TABLE audit_log;
ALTER TABLE audit_log_v30 RENAME TO audit_log;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit log is append-only: UPDATE refused'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit log is append-only: DELETE refused'); END;
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_actor_at ON audit_log(actor, at);
CREATE INDEX audit_log_action_at ON audit_log(action, at);
CREATE INDEX audit_log_target_at ON audit_log(target, at);
-- refusals are few: a partial index finds them without carrying every accepted entry
CREATE INDEX audit_log_refused_at ON audit_log(at) WHERE outcome = 'rejected';
CREATE INDEX events_at ON events(at);
`;
