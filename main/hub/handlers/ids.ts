// Readable ids an operator can say over the radio: prefix, the center's date, running number of that day.
import { centerDay } from '../../../shared/time';
import type { Db } from '../../store/db';
import { prepared } from '../../store/statements';

const TABLES = { I: 'incidents', T: 'tasks', S: 'sos', C: 'check_ins', O: 'checkin_overrides', R: 'roll_calls' } as const;
const PAD = 4;
const PADDED_MAX = 10 ** PAD - 1;

/** The last number handed out past the padding, per store and table (with its day): a hint, checked against the table before use. */
const lastGiven = new WeakMap<Db, Map<string, { stem: string; n: number }>>();

/**
 * The center's day of the last id, by UTC minute: every zone's offset is whole minutes, so the day cannot
 * change within one, and reading the zone's clock (Intl) costs more than the key lookup that follows.
 */
let dayMemo = { timeZone: '', minute: NaN, day: '' };

function dayOf(now: number, timeZone: string): string {
  const minute = Math.floor(now / 60_000);
  if (dayMemo.minute !== minute || dayMemo.timeZone !== timeZone) dayMemo = { timeZone, minute, day: centerDay(now, timeZone).replaceAll('-', '') };
  return dayMemo.day;
}

export function nextId(db: Db, prefix: keyof typeof TABLES, now: number, timeZone: string): string {
  const day = dayOf(now, timeZone);
  const stem = `${prefix}${day}-`;
  const table = TABLES[prefix];
  // The day's greatest id, read from the primary key's end (a count of the day's rows grew with the day and
  // was a third of a command's CPU by evening). Numbers are padded to four digits, so this is the day's
  // greatest number until the 10,000th; past it "10000" sorts below "9999" and the number is found by
  // probing ids instead (a day's numbers are handed out one after another, so 1..n all exist).
  const last = prepared(db, `SELECT id FROM ${table} WHERE id >= ? AND id < ? ORDER BY id DESC LIMIT 1`).get(stem, `${stem}~`) as { id: string } | undefined;
  let n = last ? Number(last.id.slice(stem.length)) : 0;
  if (n >= PADDED_MAX) n = greatestPast(db, table, stem);
  return `${stem}${String(n + 1).padStart(PAD, '0')}`;
}

/**
 * The day's greatest number once it is past the padding: the number last handed out when it is still the
 * greatest (two key lookups), else a gallop and a bisection over the key from the 9,999th (a rolled-back
 * command, another process). A count of the day's rows, as before, read every row of the day per id:
 * at 2,000 incidents a second that was a fifth of the hub's time after the first five seconds.
 */
function greatestPast(db: Db, table: string, stem: string): number {
  const has = (k: number) => prepared(db, `SELECT 1 FROM ${table} WHERE id = ?`).get(`${stem}${String(k).padStart(PAD, '0')}`) !== undefined;
  let hints = lastGiven.get(db);
  if (!hints) lastGiven.set(db, (hints = new Map()));
  const hint = hints.get(table);
  let n: number;
  if (hint?.stem === stem && has(hint.n) && !has(hint.n + 1)) {
    n = hint.n;
  } else {
    let lo = PADDED_MAX; // exists: the primary key's end said so
    let step = 1;
    while (has(lo + step)) {
      lo += step;
      step *= 2;
    }
    let hi = lo + step; // does not exist
    while (hi - lo > 1) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if (has(mid)) lo = mid;
      else hi = mid;
    }
    n = lo;
  }
  hints.set(table, { stem, n: n + 1 });
  return n;
}
