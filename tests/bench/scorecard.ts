// Scorecard bench (issue 14): `score:card` over a big synthetic record, built by SQL (not through the hub):
// BENCH_SCORE_DAYS (default 30) days of a busy center — per day BENCH_SCORE_CHECKINS (200,000) check-ins,
// BENCH_SCORE_TASKS (2,000) tasks with three steps and their finish deadline rows, 2,000 incidents with an
// audit entry closing each, 50 SOS calls with an acknowledgement each, 5,000 broadcast alerts and the key
// cameras' down/recovery entries — plus BENCH_SCORE_FILLER (2,000,000) other audit entries, so the audit
// lookups by target run in a log of realistic size. Figures: the card of one day, of the whole record, and
// the card of a day in a store without the v120 indexes (the baseline, same record, same run).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, type Db } from '../../main/store/db';
import { scoreCard, loadScorecardConfig } from '../../main/hub/scorecard';
import { SCORECARD_SQL } from '../../main/store/scorecard';
import { prepared } from '../../main/store/statements';

const knob = (name: string, dflt: number) => {
  const n = Number(process.env[name]);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : dflt;
};
const DAYS = knob('BENCH_SCORE_DAYS', 30);
const CHECKINS = knob('BENCH_SCORE_CHECKINS', 200_000);
const TASKS = knob('BENCH_SCORE_TASKS', 2_000);
const FILLER = knob('BENCH_SCORE_FILLER', 2_000_000);
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 9, 1, 16, 0, 0);

const r2 = (x: number) => Math.round(x * 100) / 100;
function time(fn: () => unknown, runs = 7): number {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    fn();
    ms.push(performance.now() - s);
  }
  return r2(ms.sort((a, b) => a - b)[Math.floor(runs / 2)]!);
}

const seq = (n: number) => `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${n - 1})`;

function build(db: Db): void {
  const span = DAYS * DAY;
  const units = (db.prepare("SELECT count(*) AS n FROM units").get() as { n: number }).n;
  db.transaction(() => {
    db.exec(`INSERT INTO units (id, kind, name, status) SELECT 'u' || i, 'officer', 'u' || i, 'on_post' FROM (${seq(500)} SELECT i FROM n)`);
    db.exec(`INSERT INTO areas (id, kind, name, center_lng, center_lat, radius_m) VALUES ('p0', 'post', 'p0', 118.78, 32.04, 40)`);
    db.exec(`${seq(CHECKINS * DAYS)} INSERT INTO check_ins (id, unit_id, post_id, lng, lat, at, on_site)
      SELECT 'c' || i, 'u' || (i % 500), 'p0', 118.78, 32.04, ${T0} + (i * ${span}) / ${CHECKINS * DAYS}, (i % 10) != 0 FROM n`);
    const incidents = TASKS * DAYS;
    db.exec(`${seq(incidents)} INSERT INTO incidents (id, category, priority, state, lng, lat, description, source, created_at, updated_at)
      SELECT 'I' || i, 'parking', 2, 'closed', 118.78, 32.04, '', 'console', ${T0} + (i * ${span}) / ${incidents}, 0 FROM n`);
    db.exec(`${seq(incidents)} INSERT INTO tasks (id, incident_id, unit_id, state, note, assigned_at, ack_deadline, arrive_deadline, updated_at)
      SELECT 'T' || i, 'I' || i, 'u' || (i % 500), 'finished', '', t, t + 180000, t + 1200000, t FROM (SELECT i, ${T0} + (i * ${span}) / ${incidents} AS t FROM n)`);
    for (const [state, dt] of [['accepted', 60_000], ['arrived', 600_000], ['finished', 3_000_000]] as const) {
      db.exec(`INSERT INTO task_steps (task_id, state, actor, at) SELECT id, '${state}', 'gw', assigned_at + ${dt} + (rowid % 7) * 60000 FROM tasks`);
    }
    db.exec(`INSERT INTO scheduled_actions (kind, subject, payload, due_at, created_at, cause, state, done_at, outcome)
      SELECT 'task:finish-overdue', id, json_object('taskId', id, 'deadline', assigned_at + 7200000), assigned_at + 7200000, assigned_at, 'bench', 'cancelled', assigned_at, 'task finished' FROM tasks`);
    db.exec(`${seq(50 * DAYS)} INSERT INTO sos (id, unit_id, lng, lat, note, state, raised_at, updated_at)
      SELECT 'S' || i, 'u' || (i % 500), 118.78, 32.04, '', 'acknowledged', ${T0} + (i * ${span}) / ${50 * DAYS}, 0 FROM n`);
    db.exec(`${seq(5000 * DAYS)} INSERT INTO events (at, type, unit_id, data)
      SELECT ${T0} + (i * ${span}) / ${5000 * DAYS}, 'alert:raised', NULL, json_object('alert', json_object('kind', CASE WHEN i % 5 = 0 THEN 'checkin_missed' ELSE 'task_overdue' END)) FROM n`);
    // the audit log: the entries the card looks up by target, among filler entries
    const head = (db.prepare('SELECT coalesce(max(seq), 0) AS s FROM audit_log').get() as { s: number }).s;
    const zeros = "'" + '0'.repeat(64) + "'";
    const entry = (action: string, target: string, at: string) => `json_object('action', '${action}', 'actor', 'operator', 'at', ${at}, 'outcome', 'accepted', 'payload', json_object(), 'reason', NULL, 'role', 'operator', 'target', ${target})`;
    db.exec(`INSERT INTO audit_log (seq, entry, rule, prev_hash, hash) SELECT ${head + 1} + rowid, ${entry('incident:close', 'id', 'created_at + 5400000')}, 2, ${zeros}, ${zeros} FROM incidents WHERE id LIKE 'I%'`);
    let top = (db.prepare('SELECT max(seq) AS s FROM audit_log').get() as { s: number }).s;
    db.exec(`INSERT INTO audit_log (seq, entry, rule, prev_hash, hash) SELECT ${top} + rowid, ${entry('sos:acknowledge', 'id', 'raised_at + 40000')}, 2, ${zeros}, ${zeros} FROM sos`);
    top = (db.prepare('SELECT max(seq) AS s FROM audit_log').get() as { s: number }).s;
    db.exec(`${seq(FILLER)} INSERT INTO audit_log (seq, entry, rule, prev_hash, hash)
      SELECT ${top + 1} + i, ${entry('task:accept', "'T' || (i % 60000)", `${T0} + (i * ${span}) / ${FILLER}`)}, 2, ${zeros}, ${zeros} FROM n`);
    top = (db.prepare('SELECT max(seq) AS s FROM audit_log').get() as { s: number }).s;
    db.exec(`INSERT INTO audit_log (seq, entry, rule, prev_hash, hash)
      SELECT ${top} + row_number() OVER (), ${entry("' || action || '", 'id', 'at')}, 2, ${zeros}, ${zeros} FROM (
        SELECT c.id, d.k, CASE WHEN d.k % 2 = 0 THEN 'camera:stale' ELSE 'camera:recovered' END AS action, ${T0} + d.k * 3600000 + (c.rowid % 60) * 60000 AS at
        FROM cameras c, (${seq(DAYS * 24)} SELECT i AS k FROM n) d WHERE c.key = 1 ORDER BY at)`);
  })();
  void units;
}

export async function run(): Promise<Record<string, number | string>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiuhua-bench-score-'));
  try {
    const db = openStore(dir);
    db.exec(`INSERT INTO cameras (id, kind, name, sources, key) SELECT 'k' || i, 'fixed', 'k' || i, '[]', 1 FROM (${seq(16)} SELECT i FROM n)`);
    const s = performance.now();
    build(db);
    const buildSec = Math.round((performance.now() - s) / 1000);
    db.exec('ANALYZE');
    const cfg = loadScorecardConfig();
    const mid = T0 + Math.floor(DAYS / 2) * DAY;
    const now = T0 + DAYS * DAY + DAY;
    const day = () => scoreCard(db, { from: mid, to: mid + DAY, now }, cfg);
    const card = day();
    const figures: Record<string, number | string> = {
      record: `${DAYS} d: ${CHECKINS * DAYS} check-ins, ${TASKS * DAYS} tasks, ${(db.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n} audit entries`,
      build_s: buildSec,
      day_total: card.total,
      day_card_ms: time(day),
      whole_record_card_ms: time(() => scoreCard(db, { from: T0, to: T0 + DAYS * DAY, now }, cfg), 3),
    };
    // where a day's card spends its time: each query once over the day (the camera ones for one camera)
    const params = { from: mid, to: mid + DAY, now, kind: 'checkin_missed', camera: 'k1' };
    for (const [name, sql] of Object.entries(SCORECARD_SQL)) {
      const wanted = Object.fromEntries([...sql.matchAll(/@(\w+)/g)].map((m) => [m[1]!, params[m[1] as keyof typeof params]]));
      figures[`day_${name}_ms`] = time(() => prepared(db, sql).all(wanted), 3);
    }
    // the baseline: the same day's card without the v120 indexes
    for (const ix of ['tasks_assigned_at', 'check_ins_at', 'sos_raised_at', 'incidents_created_at', 'task_steps_task_state', 'events_type_at']) db.exec(`DROP INDEX ${ix}`);
    figures.day_card_without_v120_indexes_ms = time(day, 3);
    db.close();
    return figures;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
