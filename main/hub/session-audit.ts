// Device sessions audited in batches. Each device connection is audited as it begins (before it is let in)
// and as it ends; written one transaction each, a city's 10,000 phones reconnecting after a restart cost
// the hub 10,000 fsyncs one after another on its event loop (and 10,000 more for the ends as the old hub
// closed), and handshakes waiting behind them timed out and came again, so that a 10,000-device storm
// stalled at 5,849 back. Entries that arrive in one turn of the event loop are written in one transaction
// (at setImmediate, after the turn's I/O): a connection is still let in only after its entry is stored.
import { appendAudit, type AuditInput } from '../store/audit';
import type { Db } from '../store/db';

export type SessionAudit = {
  /** Resolves once the entry is committed; rejects (the whole batch) if the write failed. */
  append(entry: AuditInput): Promise<void>;
  /** Writes what is queued now (the hub is closing). */
  flush(): void;
};

export function sessionAudit(db: Db): SessionAudit {
  let queue: Array<{ entry: AuditInput; resolve: () => void; reject: (e: unknown) => void }> = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (!queue.length) return;
    const batch = queue;
    queue = [];
    try {
      db.transaction(() => {
        for (const b of batch) appendAudit(db, b.entry);
      })();
    } catch (e) {
      for (const b of batch) b.reject(e);
      return;
    }
    for (const b of batch) b.resolve();
  };
  return {
    append(entry) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ entry, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
    flush,
  };
}
