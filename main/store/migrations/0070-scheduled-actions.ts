// Version 70: the durable schedule of the hub's own commands (deadlines, escalation steps, scheduled
// mode switches, stale-camera alerts). The scheduler runs a due pending row as a `system` command and
// marks it done in that command's transaction, so a restart neither loses nor repeats an action.
// `subject` is what the action concerns (a task, a camera), so that a later change can find and cancel it.
export const sql = `
CREATE TABLE scheduled_actions (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  subject TEXT,
  payload TEXT NOT NULL,
  due_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  cause TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','done','cancelled')),
  done_at INTEGER,
  outcome TEXT,
  CHECK ((state = 'pending') = (done_at IS NULL))
);
CREATE INDEX scheduled_actions_due ON scheduled_actions(state, due_at);
CREATE INDEX scheduled_actions_subject ON scheduled_actions(subject, kind);
`;
