// Where the hub's signed checkpoints are kept: in the audit log itself, as the payload of the entries that
// produced them — `audit:checkpoint` (a chain check that held, signed for whoever asked) and `audit:export`
// (the line printed in the file). A copy kept elsewhere is what proves a rollback; these let the
// evaluator's console list them and re-check each against the chain it re-hashed.
import type { ReadDb } from './db';
import { prepared } from './statements';

export const CHECKPOINT_SQL = {
  // audit_log_action_at serves each action; newest first
  recent: `SELECT seq, at, actor, action, json_extract(entry, '$.payload.checkpoint') AS line FROM audit_log
    WHERE action IN ('audit:checkpoint', 'audit:export') AND outcome = 'accepted' AND json_extract(entry, '$.payload.checkpoint') IS NOT NULL
    ORDER BY at DESC, seq DESC LIMIT ?`,
} as const;

export type RecordedCheckpoint = { seq: number; at: number; actor: string; action: string; line: string };

export function recentCheckpoints(db: ReadDb, limit: number): RecordedCheckpoint[] {
  return prepared(db, CHECKPOINT_SQL.recent).all(limit) as RecordedCheckpoint[];
}
