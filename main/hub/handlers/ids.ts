// Readable ids an operator can say over the radio: prefix, the center's date, running number of that day.
import { centerDay } from '../../../shared/time';
import type { Db } from '../../store/db';
import { prepared } from '../../store/statements';

const TABLES = { I: 'incidents', T: 'tasks', S: 'sos', C: 'check_ins', O: 'checkin_overrides', R: 'roll_calls' } as const;
const PAD = 4;

export function nextId(db: Db, prefix: keyof typeof TABLES, now: number, timeZone: string): string {
  const day = centerDay(now, timeZone).replaceAll('-', '');
  const stem = `${prefix}${day}-`;
  const table = TABLES[prefix];
  // The day's greatest id, read from the primary key's end (a count of the day's rows grew with the day and
  // was a third of a command's CPU by evening). Numbers are padded to four digits, so this is the day's
  // greatest number until the 10,000th; past it "10000" sorts below "9999" and the rows are counted instead.
  const last = prepared(db, `SELECT id FROM ${table} WHERE id >= ? AND id < ? ORDER BY id DESC LIMIT 1`).get(stem, `${stem}~`) as { id: string } | undefined;
  let n = last ? Number(last.id.slice(stem.length)) : 0;
  if (n >= 10 ** PAD - 1) n = (prepared(db, `SELECT count(*) AS n FROM ${table} WHERE id >= ? AND id < ?`).get(stem, `${stem}~`) as { n: number }).n;
  return `${stem}${String(n + 1).padStart(PAD, '0')}`;
}
