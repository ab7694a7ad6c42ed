// What a store must show after any ordeal: the file is intact, the audit chain verifies, and every acked
// command is in the ledger with exactly one accepted audit entry (none missing, none applied twice).
import { verifyAudit } from '../../main/store/audit';
import { openStoreReadOnly } from '../../main/store/db';

export type StoreCheck = {
  integrity: string;
  auditOk: boolean;
  auditEntries: number;
  /** acked ids absent from the ledger or without an accepted audit entry */
  missing: string[];
  /** acked ids with more than one accepted audit entry */
  twice: string[];
  /** ids the caller says were never acked ok that are in the ledger anyway */
  unackedApplied: string[];
};

export function checkStore(dataDir: string, acked: Iterable<string>, refused: Iterable<string> = []): StoreCheck {
  const db = openStoreReadOnly(dataDir);
  try {
    const integrity = db.pragma('integrity_check', { simple: true }) as string;
    const audit = verifyAudit(db);
    const ledger = new Set(db.prepare('SELECT command_id FROM commands').pluck().all() as string[]);
    const accepted = new Map<string, number>();
    for (const row of db.prepare(`SELECT json_extract(entry, '$.payload.commandId') AS cid, count(*) AS n FROM audit_log
      WHERE json_extract(entry, '$.outcome') = 'accepted' AND json_extract(entry, '$.payload.commandId') IS NOT NULL GROUP BY cid`).all() as Array<{ cid: string; n: number }>) {
      accepted.set(row.cid, row.n);
    }
    const ids = [...acked];
    return {
      integrity, auditOk: audit.ok, auditEntries: audit.count,
      missing: ids.filter((c) => !ledger.has(c) || !accepted.has(c)),
      twice: ids.filter((c) => (accepted.get(c) ?? 0) > 1),
      unackedApplied: [...refused].filter((c) => ledger.has(c)),
    };
  } finally {
    db.close();
  }
}
