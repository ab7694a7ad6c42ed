// The audit log: append-only (triggers refuse UPDATE/DELETE), hash-chained, verifiable end to end.
// Each entry is one canonical JSON text, made once at append time and stored as is; its hash is
// SHA-256(prevHash ‖ '\n' ‖ the stored bytes of that text), so editing, deleting or reordering any entry
// breaks the chain, and verifying re-encodes nothing (rule 2, schema 30 on). Entries written before
// schema 30 keep the rule they were hashed under (rule 1: a canonical re-encoding of their fields,
// see migrations/0030). Truncating the tail breaks nothing, which is what checkpoints are for.
import { createHash, hash as oneShotHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { AuditEntry } from '../../shared/domain';
import { canonicalJson } from './canonical';
import type { Db, ReadDb } from './db';
import { prepared } from './statements';

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

/** Rule 1 (schema < 30): hash over a canonical re-encoding of the fields. Rule 2: over the stored text. */
type HashRule = 1 | 2;
const ENTRY_COLUMNS = 'seq, entry, rule, prev_hash, hash';
type Row = { seq: number; entry: string; rule: HashRule; prev_hash: string; hash: string };
type Filter = 'actor' | 'action' | 'target' | 'outcome';
/** What leads a timeline query: the filter whose index serves the range and the order. */
type Lead = 'target' | 'refused' | 'actor' | 'action' | 'all';
type Direction = 'forward' | 'backward';

/**
 * A slice of the timeline between two times, keyset-paged over (at, seq) in either direction,
 * optionally filtered. The most selective filter given leads (its index serves the range and the order;
 * refusals have a partial index of their own); the other filters, and an action prefix
 * (@actionLo ≤ action < @actionHi), are checked on the rows that index finds.
 */
function timelineSql(lead: Lead, direction: Direction = 'forward'): string {
  const leading = lead === 'all' ? '' : lead === 'refused' ? `outcome = 'rejected' AND ` : `${lead} = @${lead} AND `;
  const others = (['target', 'actor', 'action', 'outcome'] as const).filter((f) => f !== lead)
    .map((f) => `AND (@${f} IS NULL OR ${f} = @${f})`).join(' ');
  const prefix = 'AND (@actionLo IS NULL OR (action >= @actionLo AND action < @actionHi))';
  const range = direction === 'forward'
    ? '(at, seq) > (@afterAt, @afterSeq) AND at < @to'
    : '(at, seq) < (@beforeAt, @beforeSeq) AND at >= @from';
  const order = direction === 'forward' ? 'at, seq' : 'at DESC, seq DESC';
  return `SELECT ${ENTRY_COLUMNS}, at FROM audit_log
    WHERE ${leading}${range} ${others} ${prefix}
    ORDER BY ${order} LIMIT @limit`;
}

function timelineLead(q: Partial<Record<Filter, string>> & { actionPrefix?: string; targets?: readonly string[] }): Lead {
  if (q.target !== undefined || q.targets !== undefined) return 'target';
  if (q.outcome === 'rejected') return 'refused';
  if (q.actor !== undefined) return 'actor';
  // An action prefix alone is served by the action index too: one keyset stream per action it matches.
  return q.action !== undefined || q.actionPrefix !== undefined ? 'action' : 'all';
}

/** The store's own SQL, exported so query-plan tests read what actually runs. */
export const AUDIT_SQL = {
  head: 'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1',
  // Positional parameters: binding by name costs a lookup per parameter on every append.
  insert: 'INSERT INTO audit_log (seq, entry, rule, prev_hash, hash) VALUES (?, ?, 2, ?, ?)',
  // The chain in keyset slices, the entry as text: a JS string costs less to read than a Buffer per
  // row, and where it might not be the stored bytes exactly the walk reads those (entryBytes).
  // (seq > ? AND seq <= ?: a range of the chain; the whole chain is the range up to the highest rowid.)
  walk: 'SELECT seq, rule, entry, prev_hash, hash FROM audit_log WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?',
  // Exactly the stored bytes of one entry (CAST … AS BLOB: no detour through a JS string).
  entryBytes: 'SELECT CAST(entry AS BLOB) FROM audit_log WHERE seq = ?',
  // A store not yet migrated to schema 30 (read-only tools do not migrate): the same rows as 0030 makes.
  walkSchema20: `SELECT seq, 1 AS rule,
    json_object('action', action, 'actor', actor, 'at', at, 'outcome', outcome, 'payload', payload,
                'reason', reason, 'role', role, 'seq', seq, 'target', target) AS entry,
    prev_hash, hash FROM audit_log WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?`,
  // The chain's last number, where the ranges of a parallel verify are cut.
  lastSeq: 'SELECT max(seq) FROM audit_log',
  page: `SELECT ${ENTRY_COLUMNS} FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`,
  timeline: {
    all: timelineSql('all'),
    target: timelineSql('target'),
    refused: timelineSql('refused'),
    actor: timelineSql('actor'),
    action: timelineSql('action'),
  } satisfies Record<Lead, string>,
  timelineBackward: {
    all: timelineSql('all', 'backward'),
    target: timelineSql('target', 'backward'),
    refused: timelineSql('refused', 'backward'),
    actor: timelineSql('actor', 'backward'),
    action: timelineSql('action', 'backward'),
  } satisfies Record<Lead, string>,
  // The distinct actions under a prefix, one index seek each (a loose index scan), not a scan of them all.
  actionsWithPrefix: `WITH RECURSIVE a(action) AS (
      SELECT min(action) FROM audit_log WHERE action >= @actionLo AND action < @actionHi
      UNION ALL
      SELECT (SELECT min(action) FROM audit_log WHERE action > a.action AND action < @actionHi) FROM a WHERE a.action IS NOT NULL)
    SELECT action FROM a WHERE action IS NOT NULL`,
} as const;

/** An entry's keys in canonical (sorted) order, with their JSON names written once. */
const ENTRY_KEYS = (['action', 'actor', 'at', 'outcome', 'payload', 'reason', 'role', 'target'] as const)
  .map((key) => ({ key, name: `${JSON.stringify(key)}:` }));

/**
 * The text an entry is stored and hashed as (rule 2): its fields as canonical JSON, payload inline —
 * canonicalJson({ at, actor, … }) byte for byte, written in the keys' fixed order rather than sorting
 * a fresh object on every append.
 */
function entryText(input: AuditInput): string {
  let text = '{';
  for (const { key, name } of ENTRY_KEYS) {
    const v = key === 'payload' ? (input.payload ?? null) : input[key];
    if (v === undefined) continue; // canonicalJson drops it; a caller outside the types might pass it
    text += `${text.length > 1 ? ',' : ''}${name}${canonicalJson(v)}`;
  }
  return `${text}}`;
}

function chainHash(prevHash: string, bytes: string | Uint8Array): string {
  // One-shot over one string (its UTF-8 bytes): about half the CPU of a Hash object fed three times.
  if (typeof bytes === 'string') return oneShotHash('sha256', `${prevHash}\n${bytes}`, 'hex');
  return createHash('sha256').update(prevHash).update('\n').update(bytes).digest('hex');
}

/**
 * The hash of a stored rule-2 entry read as text. Decoding UTF-8 into a JS string is lossless for valid
 * UTF-8, and puts U+FFFD wherever the bytes were not valid; so a string without U+FFFD encodes back to
 * exactly the stored bytes, and anything else (U+FFFD, a BLOB or a number stored in place of the text)
 * is hashed from the stored bytes themselves: invalid bytes that decode to a valid entry's text are
 * still caught.
 */
function storedEntryHash(db: ReadDb, prevHash: string, seq: number, entry: unknown): string {
  if (typeof entry === 'string' && !entry.includes('\uFFFD')) return chainHash(prevHash, entry);
  const bytes = prepared(db, AUDIT_SQL.entryBytes).pluck().get(seq) as Buffer | null;
  return chainHash(prevHash, bytes ?? new Uint8Array(0));
}

/** Rule 1, as schema ≤ 20 verified it: seq and the fields re-encoded, the payload string normalised. */
function rule1Hash(prevHash: string, text: string): string {
  const e = JSON.parse(text) as Record<string, unknown>;
  if (typeof e.payload !== 'string') throw new Error('payload is not a string');
  const body = canonicalJson({
    seq: e.seq, at: e.at, actor: e.actor, role: e.role, action: e.action, target: e.target,
    payload: canonicalJson(JSON.parse(e.payload)), outcome: e.outcome, reason: e.reason,
  });
  return chainHash(prevHash, body);
}

function head(db: ReadDb): { seq: number; hash: string } {
  const row = prepared(db, AUDIT_SQL.head).get() as { seq: number; hash: string } | undefined;
  return row ?? { seq: 0, hash: GENESIS_HASH };
}

/** Append one entry. Call inside the transaction that makes the change it records. */
export function appendAudit(db: Db, input: AuditInput): AuditEntry {
  const { seq: headSeq, hash: prevHash } = head(db);
  const seq = headSeq + 1;
  // canonicalJson escapes lone surrogates (JSON.stringify does), so the text is well-formed and SQLite
  // stores exactly the UTF-8 bytes hashed here.
  const entry = entryText(input);
  const hash = chainHash(prevHash, entry); // update(string) hashes its UTF-8 bytes
  prepared(db, AUDIT_SQL.insert).run(seq, entry, prevHash, hash);
  // Field by field, not { ...input, seq, … }: V8 made a new hidden class for each object spread and then
  // extended (~3 µs an append, measured), and only an AuditEntry's own fields belong in it.
  return {
    seq, at: input.at, actor: input.actor, role: input.role, action: input.action, target: input.target,
    payload: input.payload, outcome: input.outcome, reason: input.reason, prevHash, hash,
  };
}

export type Checkpoint = { count: number; head: string };
export type VerifyResult = {
  ok: boolean;
  count: number;
  headHash: string;
  firstBad: { seq: number; why: string } | null;
  /** How many of the verified entries (from the first) were hashed under rule 1, before schema 30. */
  legacyCount: number;
};

function schemaVersion(db: ReadDb): number {
  return db.pragma('user_version', { simple: true }) as number;
}

type WalkRow = [seq: number, rule: number, entry: unknown, prevHash: string, hash: string];

/**
 * Where a walk of the chain stands: the last entry verified (count, its hash), how many entries from the
 * first were hashed under rule 1, whether the checkpoint's entry was seen. A walk from the start begins at
 * START; a walk of a later range begins where that range's first row says the chain stands (RangeClaim).
 */
export type WalkState = { count: number; prevHash: string; legacyCount: number; checkpointSeen: boolean };
const START: WalkState = { count: 0, prevHash: GENESIS_HASH, legacyCount: 0, checkpointSeen: false };

/** The chain check, one row at a time in seq order: `take` returns a failed result, or null to go on. */
function chainWalker(db: ReadDb, checkpoint: Checkpoint | undefined, from: WalkState = START, extent: 'chain' | 'range' = 'chain') {
  let { prevHash, count, legacyCount, checkpointSeen } = from;
  const bad = (seq: number, why: string): VerifyResult => ({ ok: false, count, headHash: prevHash, firstBad: { seq, why }, legacyCount });
  return {
    get count() {
      return count;
    },
    get state(): WalkState {
      return { count, prevHash, legacyCount, checkpointSeen };
    },
    take([seq, rule, entry, rowPrev, rowHash]: WalkRow): VerifyResult | null {
      const expected = count + 1;
      if (seq < 1) return bad(seq, `an entry numbered ${seq} precedes entry 1`);
      if (seq !== expected) return bad(expected, `entry ${expected} is missing (next is ${seq})`);
      if (rowPrev !== prevHash) return bad(seq, `entry ${seq} does not link to entry ${seq - 1}`);
      let hash: string;
      if (rule === 2) {
        hash = storedEntryHash(db, prevHash, seq, entry);
      } else if (rule === 1 && legacyCount === count) {
        try {
          hash = rule1Hash(prevHash, String(entry));
        } catch {
          return bad(seq, `entry ${seq} has an unreadable payload`);
        }
        legacyCount++;
      } else {
        // Rule 1 ends where schema 30 began: an old rule after a new one is a row made to look old.
        return bad(seq, rule === 1 ? `entry ${seq} claims the pre-schema-30 hash rule after entries that use the stored-bytes rule` : `entry ${seq} has an unknown hash rule ${String(rule)}`);
      }
      if (hash !== rowHash) return bad(seq, `entry ${seq} was altered (hash mismatch)`);
      prevHash = rowHash;
      count = seq;
      if (checkpoint && seq === checkpoint.count) {
        if (rowHash !== checkpoint.head) return bad(seq, `entry ${seq} differs from the checkpoint`);
        checkpointSeen = true;
      }
      return null;
    },
    finish(): VerifyResult {
      // A range's end is not the log's: whether the checkpoint's entry is there at all is for joinRanges.
      if (extent === 'chain' && checkpoint && !checkpointSeen && checkpoint.count > 0) {
        return bad(count + 1, `log ends at entry ${count} but the checkpoint vouches for ${checkpoint.count}: truncated or rolled back`);
      }
      return { ok: true, count, headHash: prevHash, firstBad: null, legacyCount };
    },
  };
}

/**
 * Verifies the next slice of the walk, up to entry `last`: the result once the walk is over (the walker's
 * finish(), or its failure), null while there is more.
 */
function verifySlice(walk: Database.Statement, walker: ReturnType<typeof chainWalker>, sliceRows: number, last: number | bigint = HIGHEST_ROWID): VerifyResult | null {
  // The first slice starts below any rowid: a row numbered 0 or less must be seen, not skipped.
  const rows = walk.all(walker.count || LOWEST_ROWID, last, sliceRows) as WalkRow[];
  for (const row of rows) {
    const failed = walker.take(row);
    if (failed) return failed;
  }
  return rows.length < sliceRows ? walker.finish() : null;
}

// Keyset slices rather than one long iterate(): fewer per-row crossings into SQLite (~15 % less CPU
// measured), and the same walk can give the event loop back between slices.
const SLICE_ROWS = 1000;
const LOWEST_ROWID = -(2n ** 63n);
const HIGHEST_ROWID = 2n ** 63n - 1n;
const walkStatement = (db: ReadDb) => prepared(db, schemaVersion(db) < 30 ? AUDIT_SQL.walkSchema20 : AUDIT_SQL.walk).raw(true);

/**
 * Walk the whole chain. With a checkpoint taken earlier (and kept elsewhere), also prove that the
 * log still holds that entry unchanged — which catches a truncated or rolled-back log. Entries
 * appended while it walks (by another process) are verified too; the result is the head reached.
 */
export function verifyAudit(db: ReadDb, checkpoint?: Checkpoint): VerifyResult {
  return verifyFrom(db, checkpoint, START);
}

/** The walk from where a chain stands (START: the whole chain) to its head. */
function verifyFrom(db: ReadDb, checkpoint: Checkpoint | undefined, from: WalkState): VerifyResult {
  const walker = chainWalker(db, checkpoint, from);
  const walk = walkStatement(db);
  for (;;) {
    const done = verifySlice(walk, walker, SLICE_ROWS);
    if (done) return done;
  }
}

/**
 * One range of the chain verified on its own, entries `first`…`last` (last null: on to the head, entries
 * appended meanwhile too), so that ranges can be verified at once on several threads (audit-parallel.ts).
 * It walks from the state the range's first row claims: the chain stands at entry first − 1 with that
 * row's prev_hash, and (if it is a rule-1 row) every entry before it was rule 1. Whether the claim is
 * true only the range before can tell: joinRanges checks it.
 */
export type RangeOutcome = {
  /** The state the first row claims; null when the range holds no entry. */
  claim: WalkState | null;
  firstRule: number | null;
  /** The walk's result under the claim: a failure (under a claim joinRanges upholds) is the chain's. */
  result: VerifyResult;
  /** Where the walk stands at its end (or its failure). */
  state: WalkState;
};

export function verifyAuditRange(db: ReadDb, checkpoint: Checkpoint | undefined, first: number, last: number | null): RangeOutcome {
  const walk = walkStatement(db);
  const end = last ?? HIGHEST_ROWID;
  const [head] = walk.all(first - 1 || LOWEST_ROWID, end, 1) as WalkRow[];
  if (!head) return { claim: null, firstRule: null, result: chainWalker(db, undefined).finish(), state: START };
  const claim: WalkState = { count: first - 1, prevHash: head[3], legacyCount: first - 1, checkpointSeen: false };
  // The checkpoint's entry is checked where it falls; whether it was seen at all is for the join.
  const walker = chainWalker(db, checkpoint, claim, 'range');
  for (;;) {
    const done = verifySlice(walk, walker, SLICE_ROWS, end);
    if (done) return { claim, firstRule: head[1], result: done, state: walker.state };
  }
}

/**
 * The chain's verdict from its ranges' (in order): each range's claim is checked against where the one
 * before it ended — its last number and hash, and an unbroken rule-1 run if the range starts with a rule-1
 * row. Where every claim holds, each range was walked exactly as one walk would have walked it, so its
 * failure is the chain's first. Where one does not (a deleted or reordered entry, a broken link at a
 * seam), the walk goes on from there on this thread, so the break is named as one walk names it.
 */
export function joinRanges(db: ReadDb, checkpoint: Checkpoint | undefined, ranges: readonly RangeOutcome[]): VerifyResult {
  let at = START;
  for (const r of ranges) {
    if (!r.claim) continue;
    const holds = r.claim.count === at.count && r.claim.prevHash === at.prevHash && (r.firstRule !== 1 || at.legacyCount === at.count);
    if (!holds) return verifyFrom(db, checkpoint, at);
    const legacyCount = at.legacyCount + r.state.legacyCount - r.claim.legacyCount;
    if (!r.result.ok) return { ...r.result, legacyCount };
    at = { count: r.state.count, prevHash: r.state.prevHash, legacyCount, checkpointSeen: at.checkpointSeen || r.state.checkpointSeen };
  }
  return chainWalker(db, checkpoint, at).finish();
}

/**
 * The same walk, giving the event loop back between slices: for a hub that answers consoles while it
 * verifies a long log (the walk is O(entries), docs/performance.md). The hub's writes go on meanwhile.
 */
export async function verifyAuditInSlices(db: ReadDb, checkpoint?: Checkpoint, sliceRows = SLICE_ROWS): Promise<VerifyResult> {
  const walker = chainWalker(db, checkpoint);
  const walk = walkStatement(db);
  for (;;) {
    const done = verifySlice(walk, walker, sliceRows);
    if (done) return done;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function toEntry(r: Row): AuditEntry {
  const e = JSON.parse(r.entry) as Omit<AuditEntry, 'seq' | 'prevHash' | 'hash'>;
  // Rule-1 entries carry their payload as the JSON text it was stored as before schema 30.
  const payload: unknown = r.rule === 1 ? JSON.parse(e.payload as string) : e.payload;
  return {
    seq: r.seq, at: e.at, actor: e.actor, role: e.role, action: e.action, target: e.target,
    payload, outcome: e.outcome, reason: e.reason, prevHash: r.prev_hash, hash: r.hash,
  };
}

/** Entries as stored — the exact text each hash covers — so a client can re-check the chain itself. */
export type RawAuditEntry = { seq: number; rule: HashRule; entry: string; prevHash: string; hash: string };

export function auditRawPage(db: ReadDb, afterSeq: number, limit: number): RawAuditEntry[] {
  return (prepared(db, AUDIT_SQL.page).all(afterSeq, limit) as Row[]).map((r) => ({ seq: r.seq, rule: r.rule, entry: r.entry, prevHash: r.prev_hash, hash: r.hash }));
}

export function auditPage(db: ReadDb, afterSeq: number, limit: number): AuditEntry[] {
  return (prepared(db, AUDIT_SQL.page).all(afterSeq, limit) as Row[]).map(toEntry);
}

export type TimelineKey = { at: number; seq: number };

export type AuditTimelineQuery = {
  /** Times in ms: entries with from ≤ at < to. */
  from: number;
  to: number;
  /** The last entry of the previous page (keyset paging forward); omit for the first page. */
  after?: TimelineKey;
  /** Page backward: the entries just before this one, returned in time order. Excludes `after`. */
  before?: TimelineKey;
  limit: number;
  actor?: string;
  /** An exact action… */
  action?: string;
  /** …or every action that starts with this (e.g. 'task:'). */
  actionPrefix?: string;
  target?: string;
  /** Entries about any of these ids (one keyset stream each, merged in time order). */
  targets?: readonly string[];
  outcome?: 'accepted' | 'rejected';
  /** Free text, matched as a substring of the stored entry text, case-insensitively. */
  text?: string;
  /** With `text`: at most this many entries of the filtered range are read for one page (default TEXT_SCAN_ROWS). */
  scanLimit?: number;
};

export type AuditTimelinePage = {
  /** In time order, whichever the direction. */
  entries: AuditEntry[];
  /**
   * Where the next page in the same direction starts (pass it as `after`, or as `before` when paging
   * backward): the last entry returned, or — when a text search stopped at its scan limit — the last
   * entry it read. Null when the range is exhausted in that direction.
   */
  cursor: TimelineKey | null;
  /** A text search read `scanLimit` entries and stopped: matches beyond `cursor` were not looked for yet. */
  truncated: boolean;
  /** How many entries of the filtered range were read to make this page (the text search's cost). */
  scanned: number;
};

/** How many entries a text search reads at most for one page, before it says `truncated`. */
export const TEXT_SCAN_ROWS = 20_000;
const CHUNK_ROWS = 500;

type TimelineRow = Row & { at: number };

/** The smallest string above every string that starts with `prefix` (BINARY collation, BMP prefixes). */
function prefixUpperBound(prefix: string): string {
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}

/** A substring, letters matched case-insensitively (one compiled pattern: ~10× cheaper per row than lower-casing). */
function textMatcher(text: string): RegExp {
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
}

/**
 * One keyset stream of rows in the page's order, read in chunks from one statement; several are merged
 * when an action prefix matches several actions (each action's index range is in (at, seq) order).
 * A chunk starts at `first` rows and doubles with each refill up to `most`: merged streams share one
 * page, so each starts with its share of it rather than a whole page (every row read is a table lookup
 * on a 10-million-entry log), and a stream that turns out to hold most of the page catches up quickly.
 */
class KeysetStream {
  private rows: TimelineRow[] = [];
  private i = 0;
  private done = false;
  private key: TimelineKey;
  private chunk: number;
  constructor(private readonly statement: Database.Statement, private readonly params: Record<string, unknown>,
    private readonly backward: boolean, start: TimelineKey, first: number, private readonly most: number) {
    this.key = start;
    this.chunk = Math.min(first, most);
  }
  peek(): TimelineRow | undefined {
    if (this.i >= this.rows.length && !this.done) {
      const keyParams = this.backward ? { beforeAt: this.key.at, beforeSeq: this.key.seq } : { afterAt: this.key.at, afterSeq: this.key.seq };
      const chunk = this.chunk;
      this.chunk = Math.min(chunk * 2, this.most);
      this.rows = this.statement.all({ ...this.params, ...keyParams, limit: chunk }) as TimelineRow[];
      this.i = 0;
      if (this.rows.length < chunk) this.done = true;
      const last = this.rows.at(-1);
      if (last) this.key = { at: last.at, seq: last.seq };
    }
    return this.rows[this.i];
  }
  next(): void {
    this.i++;
  }
}

/** Who did what when, in time order: the evaluator's timeline of the audit log. See AuditTimelinePage. */
export function auditTimelinePage(db: ReadDb, q: AuditTimelineQuery): AuditTimelinePage {
  const backward = q.before !== undefined;
  const lead = timelineLead(q);
  const statement = prepared(db, (backward ? AUDIT_SQL.timelineBackward : AUDIT_SQL.timeline)[lead]);
  const actionLo = q.actionPrefix ?? null;
  const actionHi = q.actionPrefix ? prefixUpperBound(q.actionPrefix) : null;
  const params = {
    from: q.from, to: q.to, actor: q.actor ?? null, action: q.action ?? null, target: q.target ?? null,
    outcome: q.outcome ?? null, actionLo, actionHi, afterAt: 0, afterSeq: 0, beforeAt: 0, beforeSeq: 0,
  };
  // seq starts at 1, so (at, seq) > (from, 0) includes every entry at `from`, and (at, seq) < (to, 0) none at `to`.
  const start = q.before ?? q.after ?? { at: q.from, seq: 0 };
  const actions = lead === 'action' && q.action === undefined && actionLo !== null
    ? (prepared(db, AUDIT_SQL.actionsWithPrefix).all({ actionLo, actionHi }) as Array<{ action: string }>).map((r) => r.action)
    : [q.action ?? null];
  const needle = q.text ? textMatcher(q.text) : null;
  const scanLimit = needle ? (q.scanLimit ?? TEXT_SCAN_ROWS) : Infinity;
  // Without text every row read is kept: read one more than the page to know whether there is more.
  const most = needle ? CHUNK_ROWS : q.limit + 1;
  const targets = q.targets !== undefined ? [...new Set(q.targets)] : null;
  const first = Math.ceil(most / (targets ?? actions).length) + 1;
  // Several targets: one stream per target on the target index (the action filter checked on its rows).
  const streams = targets !== null
    ? targets.map((target) => new KeysetStream(statement, { ...params, target, action: q.action ?? null }, backward, start, first, most))
    : actions.map((action) => new KeysetStream(statement, { ...params, action }, backward, start, first, most));
  const kept: TimelineRow[] = [];
  let scanned = 0;
  let lastRead: TimelineKey | null = null;
  let exhausted = false;
  while (kept.length < q.limit && scanned < scanLimit) {
    let best: KeysetStream | null = null;
    let bestRow: TimelineRow | undefined;
    for (const s of streams) {
      const r = s.peek();
      if (!r) continue;
      const better = !bestRow || (backward ? r.at > bestRow.at || (r.at === bestRow.at && r.seq > bestRow.seq) : r.at < bestRow.at || (r.at === bestRow.at && r.seq < bestRow.seq));
      if (better) {
        best = s;
        bestRow = r;
      }
    }
    if (!best || !bestRow) {
      exhausted = true;
      break;
    }
    best.next();
    scanned++;
    lastRead = { at: bestRow.at, seq: bestRow.seq };
    if (!needle || needle.test(bestRow.entry)) kept.push(bestRow);
  }
  if (!exhausted && kept.length === q.limit && !needle) {
    // the page is full: is there anything after it?
    exhausted = streams.every((s) => s.peek() === undefined);
  } else if (!exhausted && needle) {
    exhausted = streams.every((s) => s.peek() === undefined);
  }
  const truncated = needle !== null && !exhausted && kept.length < q.limit;
  const entries = kept.map(toEntry);
  if (backward) entries.reverse();
  const lastKept = kept.at(-1);
  const cursor = exhausted ? null : truncated ? lastRead : lastKept ? { at: lastKept.at, seq: lastKept.seq } : lastRead;
  return { entries, cursor, truncated, scanned };
}

/** Who did what when, in time order: one page forward (see auditTimelinePage for the rest). */
export function auditTimeline(db: ReadDb, q: AuditTimelineQuery): AuditEntry[] {
  return auditTimelinePage(db, q).entries;
}

/** The baseline the bench compares keyset paging with: the same page by LIMIT/OFFSET. Never used by the hub. */
export const OFFSET_BASELINE_SQL = `SELECT ${ENTRY_COLUMNS} FROM audit_log WHERE at >= @from AND at < @to ORDER BY at, seq LIMIT @limit OFFSET @offset`;
