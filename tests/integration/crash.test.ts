// Issue 16, crash: the hub killed with SIGKILL at seeded random moments under load, restarted, again and
// again (tests/soak/crash.ts). Nothing acknowledged may be missing or applied twice, no timed action done
// twice or skipped, no durable fix lost,
// the store and the audit chain intact, consoles resumed without a gap. `npm run soak` runs it longer.
import { describe, expect, it } from 'vitest';
import { runCrash } from '../soak/crash';

// The CI size: 200 kills took 7.4 min here at load 3–8 (restart p50 1–2.7 s, docs/reliability.md);
// XIUHUA_CRASH_KILLS=30 for a quick run, `npm run soak` for 1,000.
const KILLS = Number(process.env.XIUHUA_CRASH_KILLS ?? 200);

describe('the hub killed again and again under load', () => {
  it(`survives ${KILLS} SIGKILLs with nothing acked missing or doubled, no durable fix lost, store and audit intact`, async () => {
    const r = await runCrash({ kills: KILLS, seed: 16, units: 2000 });
    console.log(`crash: ${JSON.stringify({ ...r, commandsMissing: r.commandsMissing.length, commandsAppliedTwice: r.commandsAppliedTwice.length })}`);
    expect(r.kills).toBe(KILLS);
    expect(r.integrity).toBe('ok');
    expect(r.auditOk).toBe(true);
    expect(r.commandsAcked).toBeGreaterThan(KILLS);
    expect(r.commandsMissing).toEqual([]);
    expect(r.commandsAppliedTwice).toEqual([]);
    expect(r.fixesDurable).toBeGreaterThan(0);
    expect(r.fixesKept).toBe(0); // everything sent became durable in the end
    expect(r.fixesLost).toBe(0);
    expect(r.resumes).toBeGreaterThanOrEqual(3 * KILLS); // every console resumed after every restart
    expect(r.resumeGaps).toEqual([]);
    expect(r.consoleGaps).toEqual([]);
    // timed actions: every area emergency's end done once, late if the hub was down, none skipped
    expect(r.timedSwitches).toBeGreaterThan(KILLS / 2);
    expect(r.timedDone).toBe(r.timedSwitches);
    expect(r.timedPending).toEqual([]);
    expect(r.timedCancelled).toEqual([]);
    expect(r.timedDoneTwice).toEqual([]);
    expect(r.timedEndsWrong).toEqual([]);
  }, 30 * 60_000);
});
