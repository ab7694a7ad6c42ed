// The recordings of push-to-talk talks: one row per talk (the audio is a file, see 0140-voice-talks.ts).
import type { VoiceTalkRecord } from '../../shared/protocol/voice';
import type { Db, ReadDb } from './db';

type TalkRow = {
  talk_id: string; channel: string; actor: string; role: string; unit_id: string | null;
  started_at: number; ended_at: number; mime: string; bytes: number; sha256: string; file: string; recorded_at: number;
};

const fromRow = (r: TalkRow): VoiceTalkRecord => ({
  talkId: r.talk_id, channel: r.channel, actor: r.actor, role: r.role, unitId: r.unit_id,
  startedAt: r.started_at, endedAt: r.ended_at, mime: r.mime, bytes: r.bytes, sha256: r.sha256, recordedAt: r.recorded_at,
});

export function insertVoiceTalk(db: Db, t: VoiceTalkRecord & { file: string }): void {
  db.prepare(`INSERT INTO voice_talks (talk_id, channel, actor, role, unit_id, started_at, ended_at, mime, bytes, sha256, file, recorded_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
    t.talkId, t.channel, t.actor, t.role, t.unitId, t.startedAt, t.endedAt, t.mime, t.bytes, t.sha256, t.file, t.recordedAt,
  );
}

export function findVoiceTalk(db: ReadDb, talkId: string): (VoiceTalkRecord & { file: string }) | undefined {
  const row = db.prepare('SELECT * FROM voice_talks WHERE talk_id = ?').get(talkId) as TalkRow | undefined;
  return row ? { ...fromRow(row), file: row.file } : undefined;
}

/** Newest first: the talks of a channel, or those a unit spoke or was spoken to on its own channel. */
export function listVoiceTalks(db: ReadDb, q: { channel?: string; unitId?: string; limit: number }): VoiceTalkRecord[] {
  if (q.unitId !== undefined) {
    return (db.prepare(`SELECT * FROM voice_talks WHERE unit_id = ? OR channel = ? ORDER BY started_at DESC LIMIT ?`)
      .all(q.unitId, `unit:${q.unitId}`, q.limit) as TalkRow[]).map(fromRow);
  }
  if (q.channel !== undefined) {
    return (db.prepare('SELECT * FROM voice_talks WHERE channel = ? ORDER BY started_at DESC LIMIT ?').all(q.channel, q.limit) as TalkRow[]).map(fromRow);
  }
  return (db.prepare('SELECT * FROM voice_talks ORDER BY started_at DESC LIMIT ?').all(q.limit) as TalkRow[]).map(fromRow);
}
