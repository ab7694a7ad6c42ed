// `npm run soak [-- --kills <n>] [--seed <n>] [--units <n>]`: the crash suite's long run (not part of
// npm test). Prints the figures docs/reliability.md records and exits non-zero on any failed check.
import { parseArgs } from 'node:util';
import { runCrash } from './crash';

const { values } = parseArgs({
  options: { kills: { type: 'string', default: '1000' }, seed: { type: 'string', default: '1016' }, units: { type: 'string', default: '2000' } },
});
const kills = Number(values.kills);
const started = Date.now();
const r = await runCrash({
  kills, seed: Number(values.seed), units: Number(values.units),
  log: (line) => console.log(`[${Math.round((Date.now() - started) / 1000)} s] ${line}`),
});
const problems = [
  r.kills !== kills && `only ${r.kills} of ${kills} kills`,
  r.integrity !== 'ok' && `integrity_check: ${r.integrity}`,
  !r.auditOk && 'audit chain does not verify',
  r.commandsMissing.length > 0 && `${r.commandsMissing.length} acked commands missing (${r.commandsMissing.slice(0, 5).join(', ')})`,
  r.commandsAppliedTwice.length > 0 && `${r.commandsAppliedTwice.length} commands applied twice`,
  r.fixesLost > 0 && `${r.fixesLost} durable fixes lost`,
  r.fixesKept > 0 && `${r.fixesKept} fixes never became durable`,
  r.resumeGaps.length > 0 && `resume gaps: ${r.resumeGaps.slice(0, 5).join('; ')}`,
  r.consoleGaps.length > 0 && `console gaps: ${r.consoleGaps.slice(0, 5).join('; ')}`,
  r.timedPending.length > 0 && `timed actions skipped: ${r.timedPending.slice(0, 5).join('; ')}`,
  r.timedCancelled.length > 0 && `timed actions cancelled: ${r.timedCancelled.slice(0, 5).join('; ')}`,
  r.timedDoneTwice.length > 0 && `timed actions done twice: ${r.timedDoneTwice.slice(0, 5).join('; ')}`,
  r.timedEndsWrong.length > 0 && `area emergencies not ended once: ${r.timedEndsWrong.slice(0, 5).join('; ')}`,
].filter(Boolean);
console.log([
  `kills survived      ${r.kills}`,
  `run time            ${(r.runMs / 1000).toFixed(0)} s (${(r.runMs / Math.max(1, r.kills)).toFixed(0)} ms a kill: restart p50 ${r.restartMsP50} ms, load back p50 ${r.resumeMsP50} ms)`,
  `commands acked      ${r.commandsAcked} (missing ${r.commandsMissing.length}, applied twice ${r.commandsAppliedTwice.length})`,
  `fixes sent          ${r.fixesSent} (resent after a kill ${r.fixesResent})`,
  `fixes durable       ${r.fixesDurable} (lost ${r.fixesLost}, never durable ${r.fixesKept}, given up ${r.fixesDropped})`,
  `store               integrity_check ${r.integrity}, audit chain ${r.auditOk ? 'verifies' : 'BROKEN'} (${r.auditCount} entries)`,
  `console resumes     ${r.resumes} (gaps ${r.resumeGaps.length + r.consoleGaps.length})`,
  `refused reconnects  ${JSON.stringify(r.refusedReconnects)} (each retried)`,
  `timed actions       ${r.timedDone} of ${r.timedSwitches} area emergencies ended by the scheduler (skipped ${r.timedPending.length}, twice ${r.timedDoneTwice.length})`,
].join('\n'));
if (problems.length > 0) {
  console.error(`FAILED:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
// The hub children are gone by now; what keeps the loop alive (a client's reconnect timer, a
// pending socket) is the harness's, and a command-line run ends when its report is printed.
process.exit(0);
