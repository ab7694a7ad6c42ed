// `npm run roster -- import <file.csv> --data <dir> [--time-zone Asia/Shanghai]`: imports a center's
// shifts (header unit_id,post_id,date,start,end; times in the center's zone) into a hub's store. The
// file is checked row by row and imported whole or not at all, as the `roster:import` command of an
// administrator at the command line, audited like one from a console. A running hub on the same
// data folder picks up the new shifts' late checks at its scheduler's next look (within a minute).
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { DEFAULT_TIME_ZONE, isTimeZone } from '../../shared/time';
import { runCommand } from '../hub/commands';
import { consoleHandlers } from '../hub/handlers/console';
import { ensureInitialMode } from '../hub/seed';
import { openStore, StoreError } from '../store/db';
import { cliArgs, fail } from './args';

const USAGE = 'npm run roster -- import <file.csv> --data <dir> [--time-zone Asia/Shanghai]';
const { values, positionals } = cliArgs(USAGE, { data: { type: 'string' }, 'time-zone': { type: 'string' } });
const [verb, file] = positionals;
if (verb !== 'import' || !file) fail(`usage: ${USAGE}`, 2);
if (!values.data) fail('--data <dir> is required', 2);
const timeZone = values['time-zone'] ?? DEFAULT_TIME_ZONE;
if (!isTimeZone(timeZone)) fail(`unknown time zone "${timeZone}" (an IANA name such as Asia/Shanghai)`, 2);
let csv: string;
try {
  csv = fs.readFileSync(file, 'utf8');
} catch (e) {
  fail(`cannot read ${file}: ${(e as Error).message}`);
}
try {
  const db = openStore(values.data);
  const now = Date.now();
  ensureInitialMode(db, now); // the late checks follow the mode's grace
  const def = consoleHandlers({ dataDir: values.data })['roster:import'];
  const { ack } = runCommand(db, def, { id: 'cli', role: 'admin' }, { commandId: `roster-cli-${randomUUID()}`, csv }, now, { timeZone });
  db.close();
  if (!ack.ok) fail(ack.error.message);
  console.log(`imported ${ack.result.imported} shifts from ${file}`);
} catch (e) {
  if (e instanceof StoreError) fail(e.message);
  throw e;
}
