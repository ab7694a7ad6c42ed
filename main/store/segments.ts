// Per-unit minute segments (migration 0080): one unit's fixes of one minute packed in one row, so a
// unit's day is 1,440 row reads by its key instead of a scan of everyone's 86.4 M fixes.
//
// Format of `fixes` (little-endian), FIX_BYTES per fix, in time order:
//   u16 ms into the minute · f64 lng · f64 lat · f32 speed · f32 heading · f32 accuracy (NaN: absent)
// A minute is sealed once it is complete (the writer's clock has passed its end by SEAL_GRACE_MS).
// Fixes that arrive for an already sealed minute are sealed later as a further part of it — never an
// update — and readers merge the parts, dropping a second fix at the same ms (positions' own key
// refuses those too). Readers take sealed minutes from here and the rest (the unsealed tail) from the
// writer's memory when they run in the hub, or from `positions` when they do not.
import type { PositionFix } from '../../shared/domain';
import type { Db, ReadDb } from './db';
import { prepared } from './statements';

export const MINUTE_MS = 60_000;
export const SEAL_GRACE_MS = 5_000;
export const FIX_BYTES = 2 + 8 + 8 + 4 + 4 + 4; // 30
const SEALED_MARK = 'segments_sealed_through';
/** The first minute segments were kept for: fixes before it (a store older than v80) are read from positions. */
const START_MARK = 'segments_start';

export const SEGMENT_SQL = {
  insert: `INSERT INTO position_segments (unit_id, minute, part, n, fixes)
    VALUES (@unitId, @minute, (SELECT coalesce(max(part), -1) + 1 FROM position_segments WHERE unit_id = @unitId AND minute = @minute), @n, @fixes)`,
  range: 'SELECT minute, fixes FROM position_segments WHERE unit_id = ? AND minute >= ? AND minute <= ? ORDER BY minute, part',
  tail: 'SELECT unit_id, t, lng, lat, speed, heading, accuracy FROM positions WHERE t >= ? AND t <= ? AND unit_id = ? ORDER BY t',
  window: 'SELECT unit_id, t, lng, lat, speed, heading, accuracy FROM positions WHERE t >= @from AND t <= @to AND lng >= @west AND lng <= @east AND lat >= @south AND lat <= @north ORDER BY t, unit_id LIMIT @limit',
  unsealed: 'SELECT unit_id, t, lng, lat, speed, heading, accuracy FROM positions WHERE t >= ? AND t < ? ORDER BY t, unit_id',
  getMark: 'SELECT at FROM store_marks WHERE name = ?',
  setMark: 'INSERT INTO store_marks (name, at) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET at = excluded.at',
} as const;

export function encodeSegment(minute: number, fixes: readonly PositionFix[]): Buffer {
  const buf = Buffer.allocUnsafe(fixes.length * FIX_BYTES);
  let o = 0;
  for (const f of fixes) {
    encodeFix(buf, o, minute, f);
    o += FIX_BYTES;
  }
  return buf;
}

function encodeFix(buf: Buffer, o: number, minute: number, f: PositionFix): void {
  buf.writeUInt16LE(f.t - minute, o);
  buf.writeDoubleLE(f.lng, o + 2);
  buf.writeDoubleLE(f.lat, o + 10);
  buf.writeFloatLE(f.speed ?? NaN, o + 18);
  buf.writeFloatLE(f.heading ?? NaN, o + 22);
  buf.writeFloatLE(f.accuracy ?? NaN, o + 26);
}

// float32 keeps speed, heading and accuracy to ~7 significant digits: what a GNSS fix carries.
// Every fix is made with the same shape (absent values undefined, which the wire drops): a day is 86,400
// of them, and objects of one shape are what keeps the decode inside the 50 ms budget.
function decodeInto(out: PositionFix[], unitId: string, minute: number, buf: Buffer, from: number, to: number): void {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let o = 0; o + FIX_BYTES <= buf.length; o += FIX_BYTES) {
    const t = minute + v.getUint16(o, true);
    if (t < from || t > to) continue;
    const speed = v.getFloat32(o + 18, true);
    const heading = v.getFloat32(o + 22, true);
    const accuracy = v.getFloat32(o + 26, true);
    out.push({
      unitId, t, lng: v.getFloat64(o + 2, true), lat: v.getFloat64(o + 10, true),
      speed: Number.isNaN(speed) ? undefined : speed,
      heading: Number.isNaN(heading) ? undefined : heading,
      accuracy: Number.isNaN(accuracy) ? undefined : accuracy,
    });
  }
}

type FixRow = { unit_id: string; t: number; lng: number; lat: number; speed: number | null; heading: number | null; accuracy: number | null };
export function fixOfRow(r: FixRow): PositionFix {
  return {
    unitId: r.unit_id, t: r.t, lng: r.lng, lat: r.lat,
    ...(r.speed === null ? {} : { speed: r.speed }),
    ...(r.heading === null ? {} : { heading: r.heading }),
    ...(r.accuracy === null ? {} : { accuracy: r.accuracy }),
  };
}

export function readMark(db: ReadDb, name: string): number | null {
  const row = prepared(db, SEGMENT_SQL.getMark).get(name) as { at: number } | undefined;
  return row?.at ?? null;
}
export function writeMark(db: Db, name: string, at: number): void {
  prepared(db, SEGMENT_SQL.setMark).run(name, at);
}

/** The first minute not yet sealed (every fix the writer had for earlier minutes is in segments). */
export function sealedThrough(db: ReadDb): number {
  return readMark(db, SEALED_MARK) ?? 0;
}

const minuteOf = (t: number) => t - (((t % MINUTE_MS) + MINUTE_MS) % MINUTE_MS);

/**
 * The first start with segments: they begin with the next whole minute (fixes of this one may be in
 * positions already); history before it stays in positions and is read from there. Returns false when
 * segments had begun already.
 */
export function startSegments(db: Db, now: number): boolean {
  if (readMark(db, START_MARK) !== null) return false;
  const start = minuteOf(now) + MINUTE_MS;
  db.transaction(() => {
    writeMark(db, START_MARK, start);
    writeMark(db, SEALED_MARK, start);
  })();
  return true;
}

/** Writes segments: one row per unit and minute in one transaction. Fixes must be in time order per unit. */
export function writeSegments(db: Db, minutes: ReadonlyArray<{ unitId: string; minute: number; fixes: readonly PositionFix[] }>, sealedUpTo: number | null): void {
  writeEncoded(db, minutes.map((m) => ({ unitId: m.unitId, minute: m.minute, n: m.fixes.length, fixes: encodeSegment(m.minute, m.fixes) })), sealedUpTo);
}

/** The same, each minute's fixes already encoded (encodeSegment), in time order. */
function writeEncoded(db: Db, minutes: ReadonlyArray<{ unitId: string; minute: number; n: number; fixes: Buffer }>, sealedUpTo: number | null): void {
  const insert = prepared(db, SEGMENT_SQL.insert);
  db.transaction(() => {
    for (const m of minutes) if (m.n) insert.run({ unitId: m.unitId, minute: m.minute, n: m.n, fixes: m.fixes });
    if (sealedUpTo !== null) writeMark(db, SEALED_MARK, sealedUpTo);
  })();
}

/**
 * One unit's unsealed fixes of one minute, encoded as they come (a segment's format): bytes, not fix
 * objects. At 20,000 units × 1 Hz the writer holds ~1.3 M fixes (a minute and the grace); as objects they
 * all lived long enough to reach the old generation, and every major GC walked them.
 */
class PendingMinute {
  buf = Buffer.allocUnsafe(16 * FIX_BYTES);
  n = 0;
  /** false once a fix came older than the one before it: seal() puts them in order */
  ordered = true;
  private last = -1;
  constructor(readonly minute: number) {}

  push(f: PositionFix): void {
    if ((this.n + 1) * FIX_BYTES > this.buf.length) {
      const grown = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(grown, 0, 0, this.n * FIX_BYTES);
      this.buf = grown;
    }
    encodeFix(this.buf, this.n * FIX_BYTES, this.minute, f);
    this.n++;
    if (f.t < this.last) this.ordered = false;
    else this.last = f.t;
  }

  /** The segment: the fixes in time order (a stable sort: of two at one ms, the first to come stays first). */
  bytes(unitId: string): Buffer {
    const used = this.buf.subarray(0, this.n * FIX_BYTES);
    if (this.ordered) return used;
    const fixes: PositionFix[] = [];
    decodeInto(fixes, unitId, this.minute, used, -Infinity, Infinity);
    fixes.sort((a, b) => a.t - b.t);
    return encodeSegment(this.minute, fixes);
  }
}

/**
 * Seals minutes from the fixes the position pipeline accepted (`pipeline.observe(w.add)`), once a
 * minute (`seal(now)`, from the hub's timer). It holds the unsealed tail in memory and answers it.
 */
export class SegmentWriter {
  /** unit → minute → fixes of that minute not yet sealed */
  private readonly pending = new Map<string, Map<number, PendingMinute>>();
  constructor(private readonly db: Db) {}

  /**
   * After a restart the tail since the last seal is only in `positions`: seal what is complete of it
   * now (one scan of that time range), so no minute is lost from segments.
   */
  recover(now: number): void {
    if (startSegments(this.db, now)) return;
    const from = sealedThrough(this.db);
    const upTo = minuteOf(now - SEAL_GRACE_MS);
    if (upTo <= from) return;
    for (const r of prepared(this.db, SEGMENT_SQL.unsealed).iterate(from, upTo) as IterableIterator<FixRow>) this.add([fixOfRow(r)]);
    this.seal(now);
  }

  readonly add = (fixes: readonly PositionFix[]): void => {
    for (const f of fixes) {
      let unit = this.pending.get(f.unitId);
      if (!unit) this.pending.set(f.unitId, (unit = new Map()));
      const m = minuteOf(f.t);
      let list = unit.get(m);
      if (!list) unit.set(m, (list = new PendingMinute(m)));
      list.push(f);
    }
  };

  /** Seals every minute that ended SEAL_GRACE_MS or more before `now`. Returns how many rows it wrote. */
  seal(now: number): number {
    const upTo = minuteOf(now - SEAL_GRACE_MS);
    const rows: Array<{ unitId: string; minute: number; n: number; fixes: Buffer }> = [];
    for (const [unitId, minutes] of this.pending) {
      for (const [minute, p] of minutes) {
        if (minute >= upTo) continue;
        rows.push({ unitId, minute, n: p.n, fixes: p.bytes(unitId) });
      }
    }
    writeEncoded(this.db, rows, Math.max(upTo, sealedThrough(this.db)));
    for (const r of rows) {
      const unit = this.pending.get(r.unitId)!;
      unit.delete(r.minute);
      if (unit.size === 0) this.pending.delete(r.unitId);
    }
    return rows.length;
  }

  /** The unit's fixes not sealed yet, between two times. */
  tail(unitId: string, from: number, to: number): PositionFix[] {
    const out: PositionFix[] = [];
    for (const p of this.pending.get(unitId)?.values() ?? []) decodeInto(out, unitId, p.minute, p.buf.subarray(0, p.n * FIX_BYTES), from, to);
    return out;
  }
}

/**
 * One unit's track from `from` to `to` (inclusive), in time order: sealed minutes from segments, the
 * rest from the writer's memory when one is given (the hub), else from `positions`.
 */
export function unitTrack(db: ReadDb, unitId: string, from: number, to: number, writer?: SegmentWriter): PositionFix[] {
  const out: PositionFix[] = [];
  const sealed = sealedThrough(db);
  const start = readMark(db, START_MARK);
  // Before segments began (or with no writer ever run), the slow path: positions, keyed by time.
  const legacyTo = Math.min(to, (start ?? Infinity) - 1);
  if (from <= legacyTo) for (const r of prepared(db, SEGMENT_SQL.tail).all(from, legacyTo, unitId) as FixRow[]) out.push(fixOfRow(r));
  if (start === null) return out;
  for (const r of prepared(db, SEGMENT_SQL.range).all(unitId, minuteOf(from), minuteOf(to)) as Array<{ minute: number; fixes: Buffer }>) {
    decodeInto(out, unitId, r.minute, r.fixes, from, to);
  }
  if (writer) out.push(...writer.tail(unitId, from, to));
  else if (to >= sealed) for (const r of prepared(db, SEGMENT_SQL.tail).all(Math.max(from, sealed), to, unitId) as FixRow[]) out.push(fixOfRow(r));
  // Parts of one minute, and the tail, can interleave: sort (when they do), and keep the first fix at each ms.
  let sorted = true;
  for (let i = 1; i < out.length && sorted; i++) sorted = out[i - 1]!.t <= out[i]!.t;
  if (!sorted) out.sort((a, b) => a.t - b.t);
  let w = 0;
  for (let i = 0; i < out.length; i++) if (i === 0 || out[i]!.t !== out[w - 1]!.t) out[w++] = out[i]!;
  out.length = w;
  return out;
}

/** Every unit's fixes in a short window (map replay), from positions' time key, optionally in a box. */
export function replayWindow(db: ReadDb, from: number, to: number, bbox: readonly [number, number, number, number] | undefined, limit: number): { fixes: PositionFix[]; truncated: boolean } {
  const [west, south, east, north] = bbox ?? [-180, -90, 180, 90];
  const rows = prepared(db, SEGMENT_SQL.window).all({ from, to, west, south, east, north, limit: limit + 1 }) as FixRow[];
  const truncated = rows.length > limit;
  return { fixes: rows.slice(0, limit).map(fixOfRow), truncated };
}
