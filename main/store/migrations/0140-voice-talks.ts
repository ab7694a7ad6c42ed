// Version 140: the recordings of push-to-talk talks (issue 15). The audio itself is a file in the data
// dir (voice/<sha256>.<ext>, content-addressed so a retried upload writes nothing new); the row says who
// spoke on which channel and when, and the audit entry of the voice:record command holds the same hash.
export const sql = `
CREATE TABLE voice_talks (
  talk_id TEXT PRIMARY KEY,
  channel TEXT NOT NULL,
  actor TEXT NOT NULL,
  role TEXT NOT NULL,
  unit_id TEXT,
  started_at INTEGER NOT NULL,
  ended_at INTEGER NOT NULL,
  mime TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  file TEXT NOT NULL,
  recorded_at INTEGER NOT NULL
);
CREATE INDEX voice_talks_channel ON voice_talks(channel, started_at);
CREATE INDEX voice_talks_unit ON voice_talks(unit_id, started_at);
`;
