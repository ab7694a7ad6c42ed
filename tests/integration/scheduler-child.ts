// A hub process reduced to its store and its scheduler, for the restart tests: it performs what is
// due, prints each written event's seq, re-reads the schedule on each line of stdin (rows the test
// added from its own connection), and runs until killed. With a second argument k it kills itself
// right after the k-th performed action has committed and been broadcast: a crash at the worst moment
// for bookkeeping kept outside the command's transaction.
import { openStore } from '../../main/store/db';
import { systemHandlers } from '../../main/hub/handlers/system';
import { Scheduler } from '../../main/hub/scheduler';

const db = openStore(process.argv[2]!);
const crashAfter = Number(process.argv[3] ?? Infinity);
let performed = 0;
const scheduler = new Scheduler({
  db, commands: systemHandlers, lateLogMs: Number.MAX_SAFE_INTEGER,
  broadcast: (events) => {
    for (const e of events) process.stdout.write(`event ${e.event.seq}\n`);
    if (++performed >= crashAfter) process.kill(process.pid, 'SIGKILL');
  },
  log: (line) => process.stderr.write(`${line}\n`),
});
scheduler.start();
process.stdout.write('ready\n');
// stdin open keeps the process up (the scheduler's timers are unref'd) until it is killed
process.stdin.on('data', () => scheduler.wake());
