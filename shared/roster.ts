// A center's roster as CSV (header unit_id,post_id,date,start,end; times in the center's zone): how a
// line is split into fields, and why the hub refuses a row, as a code and its parameters with the
// row and column (the wire's Issue). Pure: the hub checks with these (main/hub/roster.ts checkRoster),
// the admin's screen reads the same file the same way for its preview and words the hub's refusals.
export const ROSTER_COLUMNS = ['unit_id', 'post_id', 'date', 'start', 'end'] as const;
export type RosterColumn = (typeof ROSTER_COLUMNS)[number];
/** The longest shift a roster may hold, in hours. */
export const MAX_SHIFT_H = 16;

/** One CSV line split into fields: commas, double quotes around a field, "" for a quote inside one; null for an unclosed quote. */
export function csvFields(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) return null; // an unclosed quote
        if (line[i] === '"' && line[i + 1] === '"') {
          field += '"';
          i += 2;
        } else if (line[i] === '"') {
          i++;
          break;
        } else field += line[i++];
      }
      if (i < line.length && line[i] !== ',') return null;
    } else {
      const next = line.indexOf(',', i);
      field = next === -1 ? line.slice(i) : line.slice(i, next);
      i = next === -1 ? line.length : next;
    }
    out.push(field.trim());
    if (i >= line.length) return out;
    i++; // the comma
  }
}

/** A file's lines (a byte-order mark dropped), as the hub numbers them: line 1 is the header. */
export const rosterLines = (csv: string): string[] => csv.replace(/^\uFEFF/, '').split(/\r?\n/);

/** Whether the first line is the roster's header (any case). */
export function isRosterHeader(line: string | undefined): boolean {
  const header = csvFields(line ?? '')?.map((h) => h.toLowerCase());
  return !!header && ROSTER_COLUMNS.every((c, i) => header[i] === c);
}

type RosterIssueParams = {
  roster_header: { columns: string };
  unclosed_quote: Record<string, never>;
  field_count: { got: number; want: number };
  no_unit: { unit: string };
  unit_is_vehicle: { unit: string };
  no_post: { post: string };
  bad_date: { value: string };
  bad_time: { value: string };
  shift_too_long: { hours: number; max: number };
  shift_over: Record<string, never>;
  overlaps_row: { other: number; unit: string };
  overlaps_roster: { unit: string };
  no_shifts: Record<string, never>;
};
export type RosterIssueCode = keyof RosterIssueParams;
/** Why one row is refused: the row (its line in the file), the column at fault when one is, the code and its parameters. */
export type RosterIssue = { [K in RosterIssueCode]: { code: K; params: RosterIssueParams[K]; row?: number; column?: RosterColumn } }[RosterIssueCode];

export function rosterIssue<K extends RosterIssueCode>(code: K, params: RosterIssueParams[K], row?: number, column?: RosterColumn): RosterIssue {
  return { code, params, ...(row !== undefined ? { row } : {}), ...(column ? { column } : {}) } as RosterIssue;
}

/** A row's issue in English (without the "line N: " the record puts before a row's issues). */
export function rosterIssueInEnglish(i: RosterIssue): string {
  switch (i.code) {
    case 'roster_header': return `the header must be ${i.params.columns}`;
    case 'unclosed_quote': return 'an unclosed quote';
    case 'field_count': return `${i.params.got} fields, ${i.params.want} expected`;
    case 'no_unit': return `no unit ${i.params.unit}`;
    case 'unit_is_vehicle': return `${i.params.unit} is a vehicle; only officers hold posts`;
    case 'no_post': return `no post ${i.params.post}`;
    case 'bad_date': return `date "${i.params.value}" is not a day (YYYY-MM-DD)`;
    case 'bad_time': return `${i.column ?? 'time'} "${i.params.value}" is not a time (HH:MM)`;
    case 'shift_too_long': return `the shift is ${i.params.hours} h long; at most ${i.params.max} h`;
    case 'shift_over': return 'the shift is already over';
    case 'overlaps_row': return `overlaps line ${i.params.other} for ${i.params.unit}`;
    case 'overlaps_roster': return `overlaps a shift of ${i.params.unit} already in the roster`;
    case 'no_shifts': return 'the file holds no shifts';
  }
}

/** The issues as the record words them: one line per row ("line 5: no unit off-9; …"), in row order. */
export function rosterErrorLines(issues: readonly RosterIssue[]): string[] {
  const byRow = new Map<number, string[]>();
  const other: string[] = [];
  for (const i of issues) {
    if (i.row === undefined) other.push(rosterIssueInEnglish(i));
    else byRow.set(i.row, [...(byRow.get(i.row) ?? []), rosterIssueInEnglish(i)]);
  }
  return [...[...byRow].sort((a, b) => a[0] - b[0]).map(([row, why]) => `line ${row}: ${why.join('; ')}`), ...other];
}
