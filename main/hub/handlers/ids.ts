// Readable ids an operator can say over the radio: prefix, the center's date, running number of that day.
import { centerDay } from '../../../shared/time';
import type { Db } from '../../store/db';

const TABLES = { I: 'incidents', T: 'tasks', S: 'sos', C: 'check_ins' } as const;

export function nextId(db: Db, prefix: keyof typeof TABLES, now: number, timeZone: string): string {
  const day = centerDay(now, timeZone).replaceAll('-', '');
  const stem = `${prefix}${day}-`;
  const row = db.prepare(`SELECT count(*) AS n FROM ${TABLES[prefix]} WHERE id >= ? AND id < ?`).get(stem, `${stem}~`) as { n: number };
  return `${stem}${String(row.n + 1).padStart(4, '0')}`;
}
