// The field page's position fixes, kept on the phone until the hub has them on disk. An ack only says
// the hub took a fix in; it writes every ~100 ms, so a hub killed in between loses what it acked. What
// counts is the connection's durable mark (ack `durableThrough`, event `positions:durable`): a batch is
// on disk once the mark reaches its ack's `durableAt` (docs/protocol.md, "Positions"). The mark belongs to
// one connection to one hub process, so on every new session everything not yet seen durable is sent
// again; the hub drops duplicates by (unit, fix time). Kept in the page's storage, like the outbox, so a
// reload (or a phone that closed the page) loses nothing either.
import type { PositionFix } from '../../../shared/domain';
import type { Ack, PositionAck } from '../../../shared/protocol';

/** Sends one batch and resolves to the hub's ack; rejects when no answer came (no connection, timeout). */
export type FixSender = (fixes: PositionFix[]) => Promise<Ack<PositionAck>>;
type KeyValue = Pick<Storage, 'getItem' | 'setItem'>;

/**
 * Four hours of one fix per 5 s (a long dead zone, or a hub down for a whole shift's morning): about
 * 300 KB in the page's storage. Beyond it the oldest are given up, and counted.
 */
export const KEEP_MAX = 2880;
/** Fixes per message: a backlog of hours goes out in a few dozen round trips. */
export const BATCH = 100;
/** Answers after which the same fixes can be sent again later (nothing was taken). */
const RETRYABLE = new Set(['rate_limited', 'internal']);

type SentBatch = { fixes: PositionFix[]; durableAt?: number };
type Stored = { fixes: PositionFix[]; dropped: number };

export class PositionKeeper {
  /** waiting to be sent on this session, oldest first */
  private queue: PositionFix[];
  /** sent on this session, waiting for the durable mark (durableAt once acked) */
  private sent: SentBatch[] = [];
  /** this connection's durable mark; a notice may come before the ack it settles */
  private through = 0;
  private send: FixSender | null = null;
  /** bumped when a connection ends: answers from an older one are ignored */
  private session = 0;
  private inFlight = false;
  private listeners = new Set<() => void>();
  /** the oldest fixes given up to the bound since everything kept last became durable */
  private droppedCount: number;
  /** fixes the hub refused for good (unknown unit, outside its time window, an outlier): not kept */
  refused = 0;

  constructor(private storage: KeyValue, private key: string, private max = KEEP_MAX) {
    const stored = PositionKeeper.read(storage, key);
    this.queue = stored.fixes;
    this.droppedCount = stored.dropped;
  }

  private static read(storage: KeyValue, key: string): Stored {
    try {
      const raw = JSON.parse(storage.getItem(key) ?? 'null') as Partial<Stored> | null;
      const fixes = Array.isArray(raw?.fixes) ? raw.fixes.filter((f): f is PositionFix => typeof f?.unitId === 'string' && typeof f?.t === 'number') : [];
      return { fixes, dropped: typeof raw?.dropped === 'number' ? raw.dropped : 0 };
    } catch {
      return { fixes: [], dropped: 0 };
    }
  }

  private save(): void {
    if (this.count === 0) this.droppedCount = 0; // all caught up: the loss was told while it lasted
    const fixes = [...this.sent.flatMap((b) => b.fixes), ...this.queue];
    this.storage.setItem(this.key, JSON.stringify({ fixes, dropped: this.droppedCount } satisfies Stored));
    for (const fn of this.listeners) fn();
  }

  /** Fixes not yet known to be on the hub's disk. */
  get count(): number {
    return this.queue.length + this.sent.reduce((n, b) => n + b.fixes.length, 0);
  }

  get dropped(): number {
    return this.droppedCount;
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** A new fix: stored first, sent when a session is open (offline they pile up, to the bound). */
  add(fix: PositionFix): void {
    // A reloaded page is given the phone's last fix again: the same fix is kept once.
    const same = (f: PositionFix) => f.t === fix.t && f.unitId === fix.unitId;
    if (this.queue.some(same) || this.sent.some((b) => b.fixes.some(same))) return;
    this.queue.push(fix);
    // The oldest not in flight go first (a batch in flight is at most BATCH fixes, far under the bound).
    const over = this.count - this.max;
    if (over > 0) this.droppedCount += this.queue.splice(0, over).length;
    this.save();
    this.pump();
  }

  /**
   * A session began (the hub's session:ready): a fresh mark, perhaps a restarted hub's. Everything kept
   * goes out again, oldest first.
   */
  open(send: FixSender): void {
    this.lost();
    this.send = send;
    this.pump();
  }

  /** The connection ended: its mark and its unanswered batches mean nothing now; all kept waits to be sent again. */
  lost(): void {
    this.session++;
    this.queue = [...this.sent.flatMap((b) => b.fixes), ...this.queue];
    this.sent = [];
    this.through = 0;
    this.send = null;
    this.inFlight = false;
  }

  /** The hub's `positions:durable` notice on this connection. */
  durable(through: number): void {
    this.through = Math.max(this.through, through);
    if (this.settle()) this.save();
  }

  /** Forgets the batches the mark has reached; says whether there were any. */
  private settle(): boolean {
    const before = this.sent.length;
    this.sent = this.sent.filter((b) => b.fixes.length > 0 && (b.durableAt === undefined || b.durableAt > this.through));
    return this.sent.length !== before;
  }

  /** One batch in flight at a time: a phone makes one fix every few seconds, and a backlog goes in order. */
  private pump(): void {
    const send = this.send;
    if (!send || this.inFlight || this.queue.length === 0) return;
    const batch: SentBatch = { fixes: this.queue.splice(0, BATCH) };
    this.sent.push(batch);
    this.inFlight = true;
    const session = this.session;
    const again = (fixes: PositionFix[]) => {
      this.sent = this.sent.filter((b) => b !== batch);
      this.queue = [...fixes, ...this.queue];
    };
    send(batch.fixes).then((ack) => {
      if (session !== this.session) return; // that connection is gone: its fixes are queued again already
      this.inFlight = false;
      if (!ack.ok) {
        // Tried again with the next fix (or the next session); a refusal for good is not sent forever.
        if (RETRYABLE.has(ack.error.code)) return again(batch.fixes);
        this.refused += batch.fixes.length;
        this.sent = this.sent.filter((b) => b !== batch);
        return this.save();
      }
      const refused = ack.result.refused ?? [];
      const why = new Map(refused.map((r) => [`${r.unitId}@${r.t}`, r.reason]));
      // A full write backlog refuses for now (send again later). The list names at most 20 refusals,
      // so the whole batch goes again, bar those refused for good; what the hub took is dropped as a duplicate.
      const backlog = refused.some((r) => r.reason === 'store_backlog');
      // A `duplicate` repeats the fix the hub holds as the unit's newest: that one is on disk by this ack's durableAt too.
      const gone = (f: PositionFix) => { const r = why.get(`${f.unitId}@${f.t}`); return r !== undefined && r !== 'duplicate' && r !== 'store_backlog'; };
      const kept = batch.fixes.filter((f) => !gone(f));
      this.refused += batch.fixes.length - kept.length;
      if (backlog) {
        again(kept);
        return this.save();
      }
      batch.fixes = kept;
      batch.durableAt = ack.result.durableAt;
      this.through = Math.max(this.through, ack.result.durableThrough);
      this.settle();
      this.save();
      this.pump();
    }, () => {
      if (session !== this.session) return;
      this.inFlight = false;
      again(batch.fixes); // no answer: sent again with the next fix, or on the next session
    });
  }
}
