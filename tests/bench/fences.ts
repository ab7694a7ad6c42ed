// Fence watch and fix plausibility bench (issue 13): the CPU the attendance rules add per fix on the
// position hot path, at 10,000 units reporting at 1 Hz. Every officer is checked in (so every one is
// held to its cell) and every vehicle's route runs, the worst case; a few per cent of the units stand
// outside their fence, so state changes happen too. The fixes go through the pipeline's accept (with
// and without the speed rule, to price it) and through the fence watch as a flush hands them over.
// The store is real (the demo city plus load units in a temp dir); the watch's breaches are counted,
// not performed, so the figure is the watch's own cost. Wall-clock swings with load; CPU much less.
// Knobs (environment): BENCH_FENCE_UNITS (10000 load units), BENCH_FENCE_SECONDS (60 rounds of one fix per unit, 10 s apart).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PositionFix } from '../../shared/domain';
import { FIX_RULES } from '../../shared/attendance';
import { offsetM } from '../../shared/geo';
import { FenceWatch } from '../../main/hub/fences';
import { PositionPipeline } from '../../main/hub/positions';
import { ensureInitialMode, loadDemoCity, seedDemo } from '../../main/hub/seed';
import { loadUnits } from '../../main/sim/city/load';
import { insertShift } from '../../main/store/attendance';
import { listAreas, listRoutes, listUnits } from '../../main/store/city';
import { openStore } from '../../main/store/db';
import { envInt } from './harness';

const LOAD_UNITS = envInt('BENCH_FENCE_UNITS', 10_000);
const SECONDS = envInt('BENCH_FENCE_SECONDS', 60);
/** fixes of one unit are this far apart in time, so the run spans the modes' fence times (10 min at 60 steps) */
const STEP_MS = 10_000;
const cpuUs = () => { const u = process.cpuUsage(); return u.user + u.system; };

export async function run(): Promise<Record<string, number | string>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiuhua-bench-fences-'));
  const db = openStore(dir);
  try {
    const city = loadDemoCity();
    const t0 = Date.now();
    seedDemo(db, city, loadUnits(city, LOAD_UNITS, 7), t0);
    ensureInitialMode(db, t0);
    const units = listUnits(db);
    const areas = listAreas(db);
    const routes = new Map(listRoutes(db).map((r) => [r.id, r]));
    const posts = new Map(areas.filter((a) => a.kind === 'post').map((a) => [a.id, a]));
    db.transaction(() => {
      for (const u of units) {
        if (u.kind !== 'officer' || !u.postId) continue;
        insertShift(db, { id: `b-${u.id}`, unitId: u.id, postId: u.postId, cellId: u.cellId, startsAt: t0 - 3600_000, endsAt: t0 + 8 * 3600_000, state: 'on_duty', checkedInAt: t0 - 3600_000, via: 'fence', source: 'import' }, t0);
      }
    })();
    for (const u of units) if (u.status === 'off_duty' || u.status === 'on_task') u.status = 'patrolling';
    db.prepare("UPDATE units SET status = 'patrolling' WHERE status IN ('off_duty', 'on_task')").run();
    // Where each unit stands: officers at their post (3 % far outside the cell), vehicles on their route (3 % off it).
    const homes = units.map((u, i) => {
      const far = i % 33 === 0 ? 900 : 0;
      const at = u.kind === 'officer' ? posts.get(u.postId ?? '')?.center : routes.get(u.routeId ?? '')?.line[Math.floor((i * 7) % (routes.get(u.routeId ?? '')?.line.length ?? 1))];
      return offsetM(at ?? city.center, far, 0);
    });
    const kinds = new Map(units.map((u) => [u.id, u.kind]));
    let now = t0;
    let changes = 0;
    // The hub re-reads who is on duty every 5 s of its clock; here a round is 10 s, so that re-read is priced apart below.
    const watch = new FenceWatch({ db, units, areas, routes: [...routes.values()], schedule: () => void changes++, now: () => now, refreshMs: 5 * 60_000 });
    const fixesAt = (s: number): PositionFix[] => units.map((u, i) => {
      const wobble = Math.sin(s * 0.7 + i) * 4; // a few metres of GPS scatter
      const [lng, lat] = offsetM(homes[i]!, wobble, Math.cos(s * 0.9 + i) * 4);
      return { unitId: u.id, t: t0 + s * STEP_MS, lng, lat, accuracy: 6 };
    });
    const batches = Array.from({ length: SECONDS }, (_, s) => fixesAt(s));
    const total = SECONDS * units.length;

    const pipelines = (speedRule: boolean) => {
      const p = new PositionPipeline(db, { fanout: () => {}, log: () => {}, now: () => now, writeEveryMs: 3_600_000, maxBuffered: total + 1 });
      p.setKnownUnits(units.map((u) => u.id), speedRule ? (id) => FIX_RULES.maxSpeedMps[kinds.get(id)!] : undefined);
      return p;
    };
    const acceptCost = (speedRule: boolean) => {
      const p = pipelines(speedRule);
      const start = cpuUs();
      let refused = 0;
      for (let s = 0; s < SECONDS; s++) {
        now = t0 + s * STEP_MS;
        for (let k = 0; k < batches[s]!.length; k += 2000) refused += p.accept(batches[s]!.slice(k, k + 2000)).refusedCount ?? 0;
      }
      const us = (cpuUs() - start) / total;
      (p as unknown as { buffer: PositionFix[] }).buffer = []; // nothing to write: the bench prices accept only
      void p.close(); // nothing buffered: no write, no writer thread
      return { us, refused };
    };
    acceptCost(true); // warm-up: the first pass pays for compiling
    const plain = acceptCost(false);
    const ruled = acceptCost(true);

    // The watch as flushes hand it the fixes: ~100 ms worth at a time.
    const perFlush = Math.ceil(units.length / 10);
    const start = cpuUs();
    for (let s = 0; s < SECONDS; s++) {
      now = t0 + s * STEP_MS;
      const b = batches[s]!;
      for (let k = 0; k < b.length; k += perFlush) watch.observe(b.slice(k, k + perFlush));
    }
    const watchUs = (cpuUs() - start) / total;
    // What the periodic re-read costs: a watch that re-reads at every call, fed one fix at a time.
    const rereads = 20;
    const eager = new FenceWatch({ db, units, areas, routes: [...routes.values()], schedule: () => {}, now: () => now, refreshMs: 0 });
    const r0 = cpuUs();
    for (let i = 0; i < rereads; i++) eager.observe([batches[0]![i]!]);
    const rereadMs = (cpuUs() - r0) / rereads / 1000;
    return {
      units: units.length,
      'fixes (rounds × units)': total,
      'accept: CPU µs per fix without the speed rule': Math.round(plain.us * 1000) / 1000,
      'accept: CPU µs per fix with the speed and duplicate rules': Math.round(ruled.us * 1000) / 1000,
      'accept: fixes refused by the rules (must be 0 here)': ruled.refused,
      'fence watch: CPU µs per fix (every officer on duty, every route running)': Math.round(watchUs * 1000) / 1000,
      'fence watch: re-read of duty, statuses and mode, CPU ms each (every 5 s in the hub)': Math.round(rereadMs * 100) / 100,
      'fence watch: that re-read per fix at 1 Hz, µs': Math.round(((rereadMs * 1000) / (5 * units.length)) * 1000) / 1000,
      'fence watch: state changes queued (units outside their fence)': changes,
      'units placed outside their fence': units.filter((_, i) => i % 33 === 0).length,
    };
  } finally {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
