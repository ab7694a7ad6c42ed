// Audit log bench (issue 9): how long `audit verify` (and the console's `audit:verify` request, the
// same verifyAudit) takes over a long log, and what an append and a timeline page cost at that size.
// Entries look like the hub's (a command payload of a few hundred bytes, mixed actors and actions).
// Appends run in batches of 1000 per transaction, so the figure is the store's CPU, not fsync.
// On a shared machine the wall-clock figures swing with the load; the CPU figures much less.
// Knob (environment): BENCH_AUDIT_ENTRIES (100000).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { appendAudit, AUDIT_SQL, auditTimeline, verifyAudit, verifyAuditInSlices } from '../../main/store/audit';
import { verifyAuditParallel } from '../../main/store/audit-parallel';
import { startCheckpointer } from '../../main/store/checkpointer';
import { openStore, openStoreReadOnly } from '../../main/store/db';

const n = Number(process.env.BENCH_AUDIT_ENTRIES);
const ENTRIES = Number.isFinite(n) && n > 0 ? Math.floor(n) : 100_000;
const ACTIONS = ['incident:create', 'task:assign', 'task:accept', 'sos:resolve', 'mode:switch', 'session:login'];

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(): Promise<Record<string, number | string>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiuhua-bench-audit-'));
  try {
    const db = openStore(dir);
    const checkpointer = startCheckpointer(db, { log: () => {} }); // as the hub's store: checkpoints off the event loop
    await checkpointer.whenRunning(); // it takes over when the event loop turns: the appends below never let it
    const t0 = Date.UTC(2026, 11, 1);
    let appendMs = 0;
    for (let done = 0; done < ENTRIES;) {
      const batch = Math.min(1000, ENTRIES - done);
      const start = performance.now();
      db.transaction(() => {
        for (let i = done; i < done + batch; i++) {
          appendAudit(db, {
            actor: `u-op-${i % 12}`, role: 'operator', action: ACTIONS[i % ACTIONS.length]!, target: `inc-${Math.floor(i / 4)}`,
            payload: { commandId: `c-${i}`, category: 'sanitation', priority: 2, position: { lng: 118.78 + i * 1e-7, lat: 32.04 }, description: `垃圾满溢 第${i}号 东门外人行道` },
            outcome: i % 50 ? 'accepted' : 'rejected', reason: i % 50 ? null : 'invalid_payload: description too long', at: t0 + i * 250,
          });
        }
      })();
      appendMs += performance.now() - start;
      done += batch;
    }
    const prepareRuns = 2000;
    let s = performance.now();
    for (let i = 0; i < prepareRuns; i++) db.prepare(AUDIT_SQL.insert);
    const prepareUs = ((performance.now() - s) * 1000) / prepareRuns;
    await checkpointer.close();
    db.close();

    const ro = openStoreReadOnly(dir);
    const verifyMs: number[] = [];
    const verifyCpuMs: number[] = [];
    let count = 0;
    for (let r = 0; r < 3; r++) {
      s = performance.now();
      const cpu = process.cpuUsage();
      const res = verifyAudit(ro);
      const used = process.cpuUsage(cpu);
      verifyMs.push(performance.now() - s);
      verifyCpuMs.push((used.user + used.system) / 1000);
      if (!res.ok) throw new Error(`bench log does not verify: ${res.firstBad?.why}`);
      count = res.count;
    }
    // On every core even at this size (its own threshold would walk it on one): what the workers' start costs.
    s = performance.now();
    const parallel = await verifyAuditParallel(ro, undefined, os.availableParallelism(), 0);
    const parallelMs = performance.now() - s;
    if (!parallel.ok || parallel.headHash !== verifyAudit(ro).headHash) throw new Error('the parallel verify disagrees with the walk');
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    s = performance.now();
    await verifyAuditInSlices(ro);
    const slicedMs = performance.now() - s;
    loop.disable();
    const page = (q: Partial<Parameters<typeof auditTimeline>[1]>) => {
      const ms: number[] = [];
      for (let r = 0; r < 20; r++) {
        s = performance.now();
        auditTimeline(ro, { from: t0 + (ENTRIES * 250) / 2, to: t0 + ENTRIES * 250, limit: 200, ...q });
        ms.push(performance.now() - s);
      }
      return Math.round(median(ms) * 100) / 100;
    };
    const timeline = {
      'timeline page ms: second half, no filter': page({}),
      'timeline page ms: second half, one actor': page({ actor: 'u-op-3' }),
      'timeline page ms: second half, refusals': page({ outcome: 'rejected' }),
      // the worst case of a residual filter: every row of the actor's range read, none matches
      'timeline page ms: second half, actor + outcome, empty': page({ actor: 'u-op-3', outcome: 'rejected' }),
    };
    ro.close();
    const verify = median(verifyMs);
    return {
      entries: count,
      'database MB': Math.round(fs.statSync(path.join(dir, 'xiuhua.sqlite')).size / 1e5) / 10,
      'append µs per entry (1000 per transaction)': Math.round((appendMs * 1000) / ENTRIES * 10) / 10,
      'prepare INSERT µs (what the statement cache saves per append)': Math.round(prepareUs * 10) / 10,
      'verify ms (median of 3)': Math.round(verify),
      'verify CPU ms (median of 3)': Math.round(median(verifyCpuMs)),
      'verify CPU µs per entry': Math.round((median(verifyCpuMs) * 1000) / count * 100) / 100,
      [`verify on ${os.availableParallelism()} threads (workers' start included): ms`]: Math.round(parallelMs),
      'verify in slices of 1000: ms': Math.round(slicedMs),
      'verify in slices of 1000: longest event-loop block ms': Math.round(loop.max / 1e6),
      ...timeline,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
