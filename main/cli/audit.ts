// `npm run audit -- verify --data <dir> [--checkpoint "<text>"]` and `npm run audit -- checkpoint --data <dir>`.
import { formatCheckpoint, parseCheckpoint, verifyAudit } from '../store/audit';
import { openStoreReadOnly, StoreError } from '../store/db';
import { cliArgs, fail } from './args';

const USAGE = 'npm run audit -- verify|checkpoint --data <dir> [--checkpoint "<checkpoint line>"]';
const { values, positionals } = cliArgs(USAGE, { data: { type: 'string' }, checkpoint: { type: 'string' } });
const [verb] = positionals;
if ((verb !== 'verify' && verb !== 'checkpoint') || !values.data) fail(`usage: ${USAGE}`, 2);

let checkpoint;
try {
  checkpoint = values.checkpoint ? parseCheckpoint(values.checkpoint) : undefined;
} catch (e) {
  fail((e as Error).message, 2);
}

try {
  const db = openStoreReadOnly(values.data);
  const result = verifyAudit(db, checkpoint);
  db.close();
  if (!result.ok) fail(`audit log broken at entry ${result.firstBad!.seq}: ${result.firstBad!.why} (${result.count} entries verified before it)`);
  if (verb === 'checkpoint') {
    // Keep this line somewhere the hub cannot write (printed report, another machine): verify --checkpoint
    // then proves the log still holds these entries, which catches truncation and rollback.
    console.log(formatCheckpoint({ count: result.count, head: result.headHash }));
  } else {
    console.log(`${result.count} entries verified, head ${result.headHash}${checkpoint ? ` (checkpoint at ${checkpoint.count} holds)` : ''}`);
  }
} catch (e) {
  if (e instanceof StoreError) fail(e.message);
  throw e;
}
