// The audit log: append-only (triggers refuse UPDATE/DELETE), hash-chained, verifiable end to end.
// hash = SHA-256(prevHash ‖ canonical encoding of the entry's own fields), so editing, deleting or
// reordering any entry breaks the chain. Truncating the tail does not, which is what checkpoints are for.
import { createHash } from 'node:crypto';
import type { AuditEntry } from '../../shared/domain';
import { canonicalJson } from './canonical';
import type { Db, ReadDb } from './db';

export const GENESIS_HASH = '0'.repeat(64);

export type AuditInput = {
  actor: string;
  role: string;
  action: string;
  target: string | null;
  payload: unknown;
  outcome: 'accepted' | 'rejected';
  reason: string | null;
  at: number;
};

type Row = {
  seq: number; at: number; actor: string; role: string; action: string; target: string | null;
  payload: string; outcome: 'accepted' | 'rejected'; reason: string | null; prev_hash: string; hash: string;
};

function entryHash(prevHash: string, e: Omit<Row, 'prev_hash' | 'hash'>): string {
  const body = canonicalJson({
    seq: e.seq, at: e.at, actor: e.actor, role: e.role, action: e.action,
    target: e.target, payload: e.payload, outcome: e.outcome, reason: e.reason,
  });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}

function head(db: ReadDb): { seq: number; hash: string } {
  const row = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as
    | { seq: number; hash: string }
    | undefined;
  return row ?? { seq: 0, hash: GENESIS_HASH };
}

/** Append one entry. Call inside the transaction that makes the change it records. */
export function appendAudit(db: Db, input: AuditInput): AuditEntry {
  const prev = head(db);
  const row = { ...input, seq: prev.seq + 1, payload: canonicalJson(input.payload ?? null) };
  const hash = entryHash(prev.hash, row);
  db.prepare(
    `INSERT INTO audit_log (seq, at, actor, role, action, target, payload, outcome, reason, prev_hash, hash)
     VALUES (@seq, @at, @actor, @role, @action, @target, @payload, @outcome, @reason, @prev_hash, @hash)`,
  ).run({ ...row, prev_hash: prev.hash, hash });
  return { ...input, seq: row.seq, prevHash: prev.hash, hash };
}

export type Checkpoint = { count: number; head: string };
export type VerifyResult = {
  ok: boolean;
  count: number;
  headHash: string;
  firstBad: { seq: number; why: string } | null;
};

const CHECKPOINT_PREFIX = 'xiuhua-audit-checkpoint/v1';

export function formatCheckpoint(c: Checkpoint): string {
  return `${CHECKPOINT_PREFIX} count=${c.count} head=${c.head}`;
}

export function parseCheckpoint(text: string): Checkpoint {
  const m = new RegExp(`^${CHECKPOINT_PREFIX} count=(\\d+) head=([0-9a-f]{64})$`).exec(text.trim());
  if (!m) throw new Error(`not a checkpoint: expected "${CHECKPOINT_PREFIX} count=<n> head=<sha256>"`);
  return { count: Number(m[1]), head: m[2]! };
}

/**
 * Walk the whole chain. With a checkpoint taken earlier (and kept elsewhere), also prove that the
 * log still holds that entry unchanged — which catches a truncated or rolled-back log.
 */
export function verifyAudit(db: ReadDb, checkpoint?: Checkpoint): VerifyResult {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  let checkpointSeen = false;
  const bad = (seq: number, why: string): VerifyResult => ({ ok: false, count, headHash: prevHash, firstBad: { seq, why } });
  for (const row of db.prepare('SELECT * FROM audit_log ORDER BY seq').iterate() as Iterable<Row>) {
    if (row.seq !== expectedSeq) return bad(expectedSeq, `entry ${expectedSeq} is missing (next is ${row.seq})`);
    if (row.prev_hash !== prevHash) return bad(row.seq, `entry ${row.seq} does not link to entry ${row.seq - 1}`);
    let payload: string;
    try {
      payload = canonicalJson(JSON.parse(row.payload));
    } catch {
      return bad(row.seq, `entry ${row.seq} has an unreadable payload`);
    }
    if (entryHash(prevHash, { ...row, payload }) !== row.hash) return bad(row.seq, `entry ${row.seq} was altered (hash mismatch)`);
    prevHash = row.hash;
    count = row.seq;
    expectedSeq++;
    if (checkpoint && row.seq === checkpoint.count) {
      if (row.hash !== checkpoint.head) return bad(row.seq, `entry ${row.seq} differs from the checkpoint`);
      checkpointSeen = true;
    }
  }
  if (checkpoint && !checkpointSeen && checkpoint.count > 0) {
    return bad(count + 1, `log ends at entry ${count} but the checkpoint vouches for ${checkpoint.count}: truncated or rolled back`);
  }
  return { ok: true, count, headHash: prevHash, firstBad: null };
}

export function auditPage(db: ReadDb, afterSeq: number, limit: number): AuditEntry[] {
  const rows = db.prepare('SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?').all(afterSeq, limit) as Row[];
  return rows.map((r) => ({
    seq: r.seq, at: r.at, actor: r.actor, role: r.role, action: r.action, target: r.target,
    payload: JSON.parse(r.payload), outcome: r.outcome, reason: r.reason, prevHash: r.prev_hash, hash: r.hash,
  }));
}
