// Evaluator reads bench (issue 14). Two stores, both built synthetically, fast, by SQL or by the
// segment writer's own encoder, not through the hub:
// 1. the audit timeline at BENCH_TIMELINE_ENTRIES (default 10 M): a keyset page at 10 %, 50 % and 90 %
//    into the range against the same page by LIMIT/OFFSET (the baseline, same run), filtered pages, and
//    a free-text page (bounded scan). Entries are inserted with the indexes dropped and re-created from
//    the migration's own SQL (the chain is not verified here; audit-verify.ts benches that).
// 2. one unit's day track at BENCH_TRACK_UNITS (10,000) units × 1 Hz. A full day of every unit is 14.4 M
//    segments and ~26 GB, too big for a bench here: every unit gets all 1,440 minute rows, but only the
//    BENCH_TRACK_FULL (20) measured units carry 60 fixes a minute; the others one fix a minute. A read
//    touches only its own unit's key range and blobs, so the others' blob size changes the tree around
//    it, not the pages it reads — but say so. Baseline in the same run: the same unit's last
//    BENCH_TRACK_BASELINE_MIN (10) minutes from `positions` (keyed by (t, unit_id)) with every unit at 1 Hz,
//    against the same minutes from segments.
// Wall-clock figures swing with the machine's load; none of them fails the run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AUDIT_SQL, auditTimelinePage, OFFSET_BASELINE_SQL } from '../../main/store/audit';
import { openStore, type Db } from '../../main/store/db';
import { track } from '../../main/store/positions';
import { encodeSegment, MINUTE_MS, startSegments, unitTrack, writeSegments } from '../../main/store/segments';
import { prepared } from '../../main/store/statements';
import type { PositionFix } from '../../shared/domain';

const knob = (name: string, dflt: number) => {
  const n = Number(process.env[name]);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : dflt;
};
const ENTRIES = knob('BENCH_TIMELINE_ENTRIES', 10_000_000);
const UNITS = knob('BENCH_TRACK_UNITS', 10_000);
const FULL = knob('BENCH_TRACK_FULL', 20);
const BASELINE_MIN = knob('BENCH_TRACK_BASELINE_MIN', 10);
const T0 = Date.UTC(2026, 10, 2, 16, 0, 0); // a day in the center's time zone (UTC+8)
const ACTIONS = ['incident:create', 'task:assign', 'task:accept', 'task:finish', 'sos:raise', 'mode:switch', 'checkin:create', 'session:login'];

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const r2 = (x: number) => Math.round(x * 100) / 100;
/** Median wall ms of `runs` calls; the median CPU ms of the same calls is left in `lastCpu`. */
let lastCpu = 0;
function time(fn: () => unknown, runs = 15): number {
  const ms: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c = process.cpuUsage();
    const s = performance.now();
    fn();
    ms.push(performance.now() - s);
    const u = process.cpuUsage(c);
    cpu.push((u.user + u.system) / 1000);
  }
  lastCpu = r2(median(cpu));
  return r2(median(ms));
}

function buildAudit(db: Db): number {
  const s = performance.now();
  const indexes = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_log' AND sql IS NOT NULL").all() as Array<{ name: string; sql: string }>;
  db.transaction(() => {
    for (const ix of indexes) db.exec(`DROP INDEX ${ix.name}`);
    db.prepare(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${ENTRIES})
      INSERT INTO audit_log (seq, entry, rule, prev_hash, hash)
      SELECT i, json_object('action', json_extract('${JSON.stringify(ACTIONS)}', '$[' || (i % 8) || ']'),
        'actor', 'u-' || (i % 50), 'at', ${T0} + (i / 3) * 25, 'outcome', CASE WHEN i % 97 = 0 THEN 'rejected' ELSE 'accepted' END,
        'payload', json_object('commandId', 'c-' || i, 'note', 'note' || (i % 5000) || ' 东门外人行道 垃圾满溢'),
        'reason', NULL, 'role', 'operator', 'target', CASE WHEN i % 97 = 0 THEN NULL ELSE 'T' || (i % 1000) END),
        2, '0000000000000000000000000000000000000000000000000000000000000000', '0000000000000000000000000000000000000000000000000000000000000000'
      FROM n`).run();
    for (const ix of indexes) db.exec(ix.sql);
  })();
  return Math.round((performance.now() - s) / 1000);
}

function timelineFigures(db: Db): Record<string, number> {
  const from = T0;
  const to = T0 + Math.floor(ENTRIES / 3) * 25 + 25;
  const offsetPage = prepared(db, OFFSET_BASELINE_SQL);
  const keyAt = (k: number) => ({ at: T0 + Math.floor(k / 3) * 25, seq: k }); // entry k, by construction
  const out: Record<string, number> = {};
  for (const depth of [0.1, 0.5, 0.9]) {
    const k = Math.floor(ENTRIES * depth);
    const keyset = time(() => auditTimelinePage(db, { from, to, after: keyAt(k), limit: 200 }));
    const keysetCpu = lastCpu;
    const offset = time(() => offsetPage.all({ from, to, limit: 200, offset: k }), 3);
    out[`page of 200 at ${depth * 100} %: keyset CPU ms`] = keysetCpu;
    out[`page of 200 at ${depth * 100} %: LIMIT/OFFSET CPU ms`] = lastCpu;
    out[`page of 200 at ${depth * 100} %: keyset ms`] = keyset;
    out[`page of 200 at ${depth * 100} %: LIMIT/OFFSET ms (baseline)`] = offset;
    out[`page of 200 at ${depth * 100} %: OFFSET ÷ keyset`] = r2(offset / keyset);
  }
  const mid = keyAt(Math.floor(ENTRIES / 2));
  out['page at 50 %, one actor: ms'] = time(() => auditTimelinePage(db, { from, to, after: mid, limit: 200, actor: 'u-7' }));
  out['page at 50 %, action prefix task: (3 actions merged): ms'] = time(() => auditTimelinePage(db, { from, to, after: mid, limit: 200, actionPrefix: 'task:' }));
  out['page at 50 %, one target + prefix task:: ms'] = time(() => auditTimelinePage(db, { from, to, after: mid, limit: 200, target: 'T10', actionPrefix: 'task:' }));
  out['page at 50 %, refusals: ms'] = time(() => auditTimelinePage(db, { from, to, after: mid, limit: 200, outcome: 'rejected' }));
  out['last page (backward from the end): ms'] = time(() => auditTimelinePage(db, { from, to, before: { at: to, seq: 0 }, limit: 200 }));
  let scanned = 0;
  out['free text, rare (1 in 5,000): page ms'] = time(() => (scanned = auditTimelinePage(db, { from, to, after: mid, limit: 50, text: 'note1234 ' }).scanned), 5);
  out['free text, rare: entries read (the bound)'] = scanned;
  out['free text, common (every entry): page ms'] = time(() => auditTimelinePage(db, { from, to, after: mid, limit: 50, text: '东门' }), 5);
  const plans = Object.values(AUDIT_SQL.timeline).concat(Object.values(AUDIT_SQL.timelineBackward))
    .map((sql) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ from: 0, to: 1, afterAt: 0, afterSeq: 0, beforeAt: 0, beforeSeq: 0, limit: 1, actor: 'a', action: 'b', target: 'c', outcome: 'accepted', actionLo: 'a', actionHi: 'b' }) as Array<{ detail: string }>).map((r) => r.detail).join(' '));
  out['timeline statements planned with a sort or a full scan (want 0)'] = plans.filter((p) => /TEMP B-TREE|SCAN audit_log/.test(p)).length;
  return out;
}

function fixesOfMinute(unitId: string, minute: number, every: number): PositionFix[] {
  const out: PositionFix[] = [];
  for (let s = 0; s < 60; s += every) out.push({ unitId, t: minute + s * 1000 + 137, lng: 118.7 + s * 1e-5, lat: 32.0 + (minute / MINUTE_MS % 1000) * 1e-5, speed: 3.5, heading: 90 });
  return out;
}

function buildSegments(db: Db): number {
  const s = performance.now();
  startSegments(db, T0 - MINUTE_MS); // segments from T0 on
  const sparse = new Map<number, Buffer>();
  for (let m = 0; m < 1440; m++) {
    const minute = T0 + m * MINUTE_MS;
    sparse.set(minute, encodeSegment(minute, fixesOfMinute('x', minute, 60)));
  }
  const insert = db.prepare('INSERT INTO position_segments (unit_id, minute, part, n, fixes) VALUES (?, ?, 0, ?, ?)');
  for (let u = 0; u < UNITS; u += 100) {
    db.transaction(() => {
      for (let v = u; v < Math.min(UNITS, u + 100); v++) {
        const unitId = `u-${String(v).padStart(5, '0')}`;
        if (v < FULL) continue;
        for (const [minute, blob] of sparse) insert.run(unitId, minute, 1, blob);
      }
    })();
  }
  // The measured units through the writer's own path (writeSegments), a minute of every one at a time.
  for (let m = 0; m < 1440; m++) {
    const minute = T0 + m * MINUTE_MS;
    writeSegments(db, [...Array(FULL).keys()].map((v) => { const unitId = `u-${String(v).padStart(5, '0')}`; return { unitId, minute, fixes: fixesOfMinute(unitId, minute, 1) }; }), minute + MINUTE_MS);
  }
  return Math.round((performance.now() - s) / 1000);
}

function buildPositions(db: Db): void {
  const insert = db.prepare('INSERT INTO positions (t, unit_id, lng, lat, speed, heading, accuracy, received_at) VALUES (?, ?, ?, ?, 3.5, 90, NULL, ?)');
  const start = T0 + (1440 - BASELINE_MIN) * MINUTE_MS;
  for (let s = 0; s < BASELINE_MIN * 60; s++) {
    const t = start + s * 1000 + 137;
    db.transaction(() => {
      for (let v = 0; v < UNITS; v++) insert.run(t, `u-${String(v).padStart(5, '0')}`, 118.7, 32.0, t);
    })();
  }
}

export async function run(): Promise<Record<string, number | string>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiuhua-bench-evaluator-'));
  try {
    const db = openStore(dir);
    db.pragma('synchronous = OFF'); // building the fixture only; the reads are what is measured
    const auditBuildS = buildAudit(db);
    const timeline = timelineFigures(db);
    const segBuildS = buildSegments(db);
    buildPositions(db);
    db.pragma('wal_checkpoint(TRUNCATE)');
    const dayTo = T0 + 1440 * MINUTE_MS - 1;
    const unit = `u-${String(FULL - 1).padStart(5, '0')}`; // one of the measured units
    let n = 0;
    const dayMs = time(() => (n = unitTrack(db, unit, T0, dayTo).length), 11);
    const dayCpu = lastCpu;
    // a different unit each time: nothing of it in the page cache from the run before
    let k = 0;
    const coldish = time(() => unitTrack(db, `u-${String(k++ % FULL).padStart(5, '0')}`, T0, dayTo), FULL);
    const coldishCpu = lastCpu;
    const tailFrom = T0 + (1440 - BASELINE_MIN) * MINUTE_MS;
    let segN = 0;
    const fromSegments = time(() => (segN = unitTrack(db, unit, tailFrom, dayTo).length), 11);
    let baseN = 0;
    const fromPositions = time(() => (baseN = track(db, unit, tailFrom, dayTo).length), 5);
    const mb = Math.round(fs.statSync(path.join(dir, 'xiuhua.sqlite')).size / 1e6);
    db.close();
    return {
      'timeline entries': ENTRIES,
      'timeline fixture build s': auditBuildS,
      ...timeline,
      'track: units (each with 1,440 minute rows)': UNITS,
      'track: units with 60 fixes a minute (measured)': FULL,
      'track: segment fixture build s': segBuildS,
      'track: database MB (audit + segments + positions)': mb,
      'day track of one unit: fixes': n,
      'day track of one unit: ms (same unit, median of 11)': dayMs,
      'day track of one unit: CPU ms (median; wall time above includes waiting for the shared cores)': dayCpu,
      'day track, a different unit each read: ms (median)': coldish,
      'day track, a different unit each read: CPU ms (median)': coldishCpu,
      [`last ${BASELINE_MIN} min of one unit from segments: ms`]: fromSegments,
      [`last ${BASELINE_MIN} min of one unit from positions (baseline, ${UNITS} units at 1 Hz): ms`]: fromPositions,
      [`last ${BASELINE_MIN} min: positions ÷ segments`]: r2(fromPositions / fromSegments),
      [`last ${BASELINE_MIN} min: fixes from segments / from positions`]: `${segN} / ${baseN}`,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
