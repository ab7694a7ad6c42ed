// The scorecard (千分制) and the evaluator's exports over a real hub: a small record written by hand into
// a past hour, every indicator checked against figures computed here by hand, the weights and star
// levels, and the exported CSV/PDF carrying those figures and a checkpoint that verifies.
import { PDFParse } from 'pdf-parse';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ScorecardConfig } from '../../shared/protocol/scorecard';
import { appendAudit, verifyAudit } from '../../main/store/audit';
import { checkCheckpointSignature, parseCheckpoint } from '../../main/store/checkpoint';
import { writeCoverage } from '../../main/store/coverage';
import { appendEvent } from '../../main/store/log';
import { loadScorecardConfig, scoreCard, starsFor } from '../../main/hub/scorecard';
import { ask, closeClients, consoleClient, startTestHub } from './hub-fixture';

const H = 3_600_000;
const M = 60_000;
const T0 = Date.UTC(2026, 0, 5, 2, 0, 0); // 10:00 in Nanjing, long before any demo history
const T1 = T0 + H;

let hub: Awaited<ReturnType<typeof startTestHub>>;
beforeAll(async () => {
  hub = await startTestHub();
  writeRecord();
});
afterAll(() => hub.close());
afterEach(closeClients);
const login = async (username: string) => (await consoleClient(hub.url, { username, password: 'demo' })).socket;

/** The hand-made record. Comments give what each row contributes; the expected figures follow from them. */
function writeRecord(): void {
  const db = hub.db;
  const audit = (action: string, target: string, at: number, actor = 'operator') =>
    appendAudit(db, { actor, role: actor === 'system' ? 'system' : 'operator', action, target, payload: {}, outcome: 'accepted', reason: null, at });
  db.transaction(() => {
    // check-ins: 4 in the hour (3 on site), 1 in the hour before (on site)
    const checkIn = db.prepare('INSERT INTO check_ins (id, unit_id, post_id, lng, lat, at, on_site) VALUES (?, ?, (SELECT post_id FROM units WHERE id = ?), 118.78, 32.04, ?, ?)');
    [[T0 + 1 * M, 1], [T0 + 2 * M, 1], [T0 + 3 * M, 1], [T0 + 4 * M, 0], [T0 - 30 * M, 1]].forEach(([at, on], i) => checkIn.run(`ck-${i}`, 'off-001', 'off-001', at, on));
    // one missed check-in alert in the hour; a camera alert (another kind) does not count as one
    appendEvent(db, T0 + 5 * M, { type: 'alert:raised', alert: { id: 'a1', kind: 'checkin_missed', subjectId: 'off-001', at: T0 + 5 * M, message: { zh: '漏打卡', en: 'missed' } } } as never, null);
    appendEvent(db, T0 + 6 * M, { type: 'alert:raised', alert: { id: 'a2', kind: 'camera_down', subjectId: 'cam-x', at: T0 + 6 * M, message: { zh: '离线', en: 'down' } } } as never, null);

    // incidents: 3 created in the hour — I1 closed in it, I2 closed after it, I3 open; I0 in the hour before (tasks only)
    const incident = db.prepare(`INSERT INTO incidents (id, category, priority, state, lng, lat, description, source, created_at, updated_at) VALUES (?, 'parking', 2, ?, 118.78, 32.04, '测试', 'console', ?, ?)`);
    incident.run('I0', 'open', T0 - 50 * M, T0 - 50 * M);
    incident.run('I1', 'closed', T0 + 10 * M, T0 + 10 * M);
    incident.run('I2', 'closed', T0 + 20 * M, T0 + 20 * M);
    incident.run('I3', 'open', T0 + 30 * M, T0 + 30 * M);
    audit('incident:close', 'I1', T0 + 50 * M);
    audit('incident:close', 'I2', T1 + 5 * M);

    // tasks, ack deadline +3 min, arrive +20 min, finish +60 min (the finish deadline lives in the scheduled action)
    const task = db.prepare(`INSERT INTO tasks (id, incident_id, unit_id, state, note, assigned_at, ack_deadline, arrive_deadline, updated_at) VALUES (?, 'I1', 'off-002', 'assigned', '', ?, ?, ?, ?)`);
    const step = db.prepare(`INSERT INTO task_steps (task_id, state, actor, at) VALUES (?, ?, 'gw', ?)`);
    const finishDeadline = db.prepare(`INSERT INTO scheduled_actions (kind, subject, payload, due_at, created_at, cause) VALUES ('task:finish-overdue', ?, ?, ?, ?, 'test')`);
    const addTask = (id: string, at: number, steps: Array<[string, number]>) => {
      task.run(id, at, at + 3 * M, at + 20 * M, at);
      finishDeadline.run(id, JSON.stringify({ taskId: id, deadline: at + 60 * M }), at + 60 * M, at);
      for (const [s, dt] of steps) step.run(id, s, at + dt);
    };
    addTask('TA', T0 + 1 * M, [['accepted', 1 * M], ['arrived', 10 * M], ['finished', 40 * M]]); // all three in time
    addTask('TB', T0 + 2 * M, [['accepted', 5 * M], ['arrived', 15 * M], ['finished', 70 * M]]); // late ack, arrived in time, late finish
    addTask('TC', T0 + 3 * M, [['accepted', 2 * M]]); // acked in time, never arrived
    addTask('TD', T0 + 4 * M, []); // nothing
    addTask('TE', T0 - 40 * M, [['accepted', 1 * M], ['arrived', 2 * M], ['finished', 3 * M]]); // the hour before

    // SOS: 3 raised in the hour — acknowledged after 20 s, after 90 s, never
    const sos = db.prepare(`INSERT INTO sos (id, unit_id, lng, lat, note, state, raised_at, updated_at) VALUES (?, 'off-003', 118.78, 32.04, '', ?, ?, ?)`);
    sos.run('S1', 'acknowledged', T0 + 10 * M, T0 + 10 * M);
    sos.run('S2', 'acknowledged', T0 + 20 * M, T0 + 20 * M);
    sos.run('S3', 'raised', T0 + 30 * M, T0 + 30 * M);
    audit('sos:acknowledge', 'S1', T0 + 10 * M + 20_000);
    audit('sos:acknowledge', 'S2', T0 + 20 * M + 90_000);

    // a roll-call in the hour picking 4 officers: 2 answered, 1 missed, 1 still pending (left out)
    db.prepare(`INSERT INTO roll_calls (id, by, at, deadline, area_id, pick) VALUES ('R1', 'operator', ?, ?, NULL, 'hand')`).run(T0 + 15 * M, T0 + 25 * M);
    const target = db.prepare(`INSERT INTO roll_call_targets (roll_call_id, unit_id, state) VALUES ('R1', ?, ?)`);
    [['off-001', 'answered'], ['off-002', 'answered'], ['off-003', 'missed'], ['off-004', 'pending']].forEach(([u, st]) => target.run(u, st));

    // mode changes in the hour: one by a person with a reason, one whose reason is a single character, one by the schedule
    const mode = db.prepare(`INSERT INTO mode_changes (mode, reason, area_id, by, at, kind, from_mode, ends_at, profile_version) VALUES (?, ?, NULL, ?, ?, 'switch', 'daily', NULL, 1)`);
    mode.run('emergency', '暴雨预警', 'duty', T0 + 12 * M);
    mode.run('daily', ' x ', 'duty', T0 + 14 * M);
    mode.run('night', 'mode schedule: night', 'system', T0 + 16 * M);

    // fence alerts: acknowledged after 60 s (in time, the target is 300 s), after 10 min (late), never
    const fence = db.prepare(`INSERT INTO fence_alerts (id, unit_id, kind, area_id, raised_at, lng, lat, since, cleared_at, acknowledged_by, acknowledged_at) VALUES (?, 'off-005', 'cell', 'x', ?, 118.78, 32.04, ?, ?, ?, ?)`);
    fence.run('F1', T0 + 20 * M, T0 + 15 * M, T0 + 40 * M, 'operator', T0 + 21 * M);
    fence.run('F2', T0 + 25 * M, T0 + 20 * M, null, 'operator', T0 + 35 * M);
    fence.run('F3', T0 + 30 * M, T0 + 25 * M, T0 + 33 * M, null, null);
  })();
  // coverage kept as data (the coverage watch writes it; hub-coverage.test.ts checks that): two vehicle
  // periods that began in the hour, 7 of 10 and 5 of 20 pieces driven; an officer on a rostered shift 40 min in
  // the assigned cell, 10 in another, 10 in none; another officer's dwell off shift (no shift id: left out)
  const bits = (n: number, set: number) => Uint8Array.from({ length: Math.ceil(n / 8) }, (_, i) => (set >= (i + 1) * 8 ? 0xff : (1 << Math.max(0, set - i * 8)) - 1));
  writeCoverage(hub.db, [
    { unitId: 'veh-001', from: T0, to: T1, routeId: 'r1', pieces: 10, visited: bits(10, 7) },
    { unitId: 'veh-002', from: T0 + 30 * M, to: T1, routeId: 'r2', pieces: 20, visited: bits(20, 5) },
  ], [
    { unitId: 'off-001', from: T0, to: T1, cellId: 'cell-a', shiftId: 'sh-1', assigned: true, ms: 40 * M },
    { unitId: 'off-001', from: T0, to: T1, cellId: 'cell-b', shiftId: 'sh-1', assigned: false, ms: 10 * M },
    { unitId: 'off-001', from: T0, to: T1, cellId: '', shiftId: 'sh-1', assigned: false, ms: 10 * M },
    { unitId: 'off-002', from: T0, to: T1, cellId: 'cell-a', shiftId: null, assigned: true, ms: 30 * M },
  ], T1);
  // key cameras: the first is down 30 min in the hour; the second went down 5 min before it and stays down
  const keys = (hub.db.prepare('SELECT id FROM cameras WHERE key = 1 ORDER BY id').all() as Array<{ id: string }>).map((r) => r.id);
  hub.db.transaction(() => {
    audit('camera:stale', keys[0]!, T0 + 10 * M, 'system');
    audit('camera:recovered', keys[0]!, T0 + 40 * M, 'system');
    audit('camera:stale', keys[1]!, T0 - 5 * M, 'system');
  })();
}

describe('score:card', () => {
  it('computes each indicator of a period as counted by hand, weighted to 1000, with stars and the period before', async () => {
    const ev = await login('evaluator');
    const res = await ask(ev, 'score:card', { from: T0, to: T1 });
    expect(res.ok).toBe(true);
    const card = res.result;
    const keyCameras = card.indicators.find((i: { id: string }) => i.id === 'camera_availability').detail.keyCameras;
    expect(keyCameras).toBe(16); // the demo city's wall cameras
    const by = Object.fromEntries(card.indicators.map((i: { id: string; met: number; of: number; points: number }) => [i.id, [i.met, i.of, i.points]]));
    expect(by).toEqual({
      checkin_compliance: [4, 5, 80], // 4 check-ins ÷ (4 + 1 missed) × 100
      on_post_rate: [3, 4, 60], // 3 on site ÷ 4 × 80
      task_ack_in_time: [2, 4, 50], // TA, TC ÷ 4 × 100
      task_arrive_in_time: [2, 4, 50], // TA, TB
      task_finish_in_time: [1, 4, 20], // TA ÷ 4 × 80
      sos_ack_in_time: [1, 3, 40], // S1 within 60 s ÷ 3 × 120
      camera_availability: [16 * 60 - 90, 16 * 60, 63.4], // 30 + 60 min down of 960 camera-minutes × 70
      incident_closure: [1, 3, 26.7], // I1 (I2 was closed after the hour) × 80
      rollcall_answered: [2, 3, 40], // 2 answered ÷ (2 + 1 missed) × 60
      route_coverage: [12, 30, 24], // (7 + 5) ÷ (10 + 20) pieces × 60
      cell_dwell: [40, 60, 40], // 40 min in the assigned cell ÷ 60 min seen on shift × 60
      mode_change_reasons: [1, 2, 20], // '暴雨预警' of the two by people ('x' is too short) × 40
      alert_ack_in_time: [1, 3, 16.7], // F1 within 300 s ÷ 3 × 50
    });
    const detail = (id: string) => card.indicators.find((i: { id: string }) => i.id === id).detail;
    expect(detail('sos_ack_in_time')).toMatchObject({ medianAckSec: 55, unacknowledged: 1 });
    // medians from assignment: accepted after 1, 5, 2 min → 2 min; arrived after 10, 15 → 12.5 min; finished after 40, 70 → 55 min
    expect([detail('task_ack_in_time').medianSec, detail('task_arrive_in_time').medianSec, detail('task_finish_in_time').medianSec]).toEqual([120, 750, 3300]);
    expect(detail('rollcall_answered')).toEqual({ missed: 1, pending: 1 });
    expect(detail('mode_change_reasons')).toEqual({ scheduled: 1, minChars: 2 });
    expect(detail('alert_ack_in_time')).toMatchObject({ medianAckSec: 330, unacknowledged: 1, targetSec: 300, pending: 0 }); // 60 s and 600 s
    expect(detail('route_coverage')).toEqual({ periods: 2, running: 0 });
    expect(card.indicators.find((i: { id: string }) => i.id === 'sos_ack_in_time').source.targets).toEqual(['S1', 'S2', 'S3']);
    expect(card.total).toBe(530.8);
    expect(card.stars).toBe(1);
    // the hour before: one on-site check-in, TE all in time, no SOS (full weight), the second camera down
    // its last 5 min (955 of 960 × 70 → 69.6), I0 created and not closed (0 of 80), nothing of the new five (full): 919.6, five stars
    expect(card.previous).toEqual({ from: T0 - H, to: T0, total: 919.6, stars: 5, recorded: true });
    expect(card.indicators.every((i: { definition: { zh: string; en: string } }) => i.definition.zh && i.definition.en)).toBe(true);
  });

  it('says when the period before had nothing to count, instead of comparing with an empty record\'s full marks', async () => {
    // two hours before T0 nothing was written: the card of [T0 - 2H, T0 - H] has an empty period before it
    const ev = await login('evaluator');
    const res = await ask(ev, 'score:card', { from: T0 - 2 * H, to: T0 - H });
    expect(res.ok).toBe(true);
    expect(res.result.previous).toMatchObject({ from: T0 - 3 * H, to: T0 - 2 * H, total: 1000, recorded: false });
    // the export says so too, in both languages, where the recorded hour before gives its total
    const csv = async (from: number, lang: 'zh-CN' | 'en') => {
      const out = await ask(ev, 'audit:export', { what: 'scorecard', format: 'csv', lang, from, to: from + H }, 20_000);
      return Buffer.from(out.result.data, 'base64').toString('utf8').split('\r\n').find((l) => /^(上一期间|Previous period),/.test(l));
    };
    expect(await csv(T0 - 2 * H, 'zh-CN')).toBe('上一期间,无记录（该期间无可计项）');
    expect(await csv(T0 - 2 * H, 'en')).toBe('Previous period,no record (nothing to count in it)');
    expect(await csv(T0, 'en')).toBe('Previous period,919.6');
  });

  it('leaves out what is still within its deadline: pending, neither met nor missed', () => {
    // seen at T0 + 6 min: TD's acknowledge deadline (T0 + 7 min) has not passed, TB's and TC's have;
    // S3, never acknowledged, is less than 60 s old at that `now` (the record is synthetic): pending
    const card = scoreCard(hub.db, { from: T0, to: T1, now: T0 + 6 * M }, loadScorecardConfig());
    const ack = card.indicators.find((i) => i.id === 'task_ack_in_time')!;
    expect([ack.met, ack.of, ack.detail.pending]).toEqual([2, 3, 1]);
    const arrive = card.indicators.find((i) => i.id === 'task_arrive_in_time')!;
    expect([arrive.met, arrive.of, arrive.detail.pending]).toEqual([2, 2, 2]); // TA, TB arrived in time; TC, TD still have time
    const sos = card.indicators.find((i) => i.id === 'sos_ack_in_time')!;
    expect([sos.met, sos.of, sos.detail.pending]).toEqual([1, 2, 1]);
  });

  it('is refused to operators and for a period that is not one', async () => {
    expect((await ask(await login('operator'), 'score:card', { from: T0, to: T1 })).error?.code).toBe('forbidden');
    expect((await ask(await login('evaluator'), 'score:card', { from: T1, to: T0 })).error?.code).toBe('invalid_payload');
  });

  it('ships weights that sum to 1000 and refuses a configuration whose do not; stars by threshold', () => {
    const cfg = loadScorecardConfig();
    expect(cfg.indicators.reduce((s, i) => s + i.weight, 0)).toBe(1000);
    const bad = ScorecardConfig.safeParse({ ...cfg, indicators: cfg.indicators.map((i, k) => (k === 0 ? { ...i, weight: i.weight + 1 } : i)) });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toMatch(/sum to 1001/);
    expect([starsFor(1000, cfg), starsFor(900, cfg), starsFor(899.9, cfg), starsFor(600, cfg), starsFor(12, cfg)]).toEqual([5, 5, 4, 2, 1]);
  });
});

describe('audit:export', () => {
  it('exports the filtered timeline as CSV (BOM, the filtered rows) with a signed checkpoint that verifies, and audits the export', async () => {
    const ev = await login('evaluator');
    const res = await ask(ev, 'audit:export', { what: 'timeline', format: 'csv', lang: 'zh-CN', from: T0, to: T1, action: 'sos:acknowledge' }, 20_000);
    expect(res.ok).toBe(true);
    const text = Buffer.from(res.result.data, 'base64').toString('utf8');
    expect(text.startsWith('\uFEFF序号,时间,操作人')).toBe(true);
    const rows = text.split('\r\n').filter((l) => /^\d+,/.test(l));
    expect(rows.map((r) => r.split(',')[4])).toEqual(['sos:acknowledge', 'sos:acknowledge']);
    expect(rows.map((r) => r.split(',')[5])).toEqual(['S1', 'S2']);
    expect(res.result).toMatchObject({ rows: 2, truncated: false, chain: { ok: true } });
    const cp = parseCheckpoint(res.result.chain.checkpoint);
    expect(text).toContain(res.result.chain.checkpoint);
    if (cp.version !== 2) throw new Error('expected a signed checkpoint');
    expect(() => checkCheckpointSignature(cp, res.result.chain.publicKey, 'the export')).not.toThrow();
    expect(verifyAudit(hub.db, cp)).toMatchObject({ ok: true });
    const audited = await ask(ev, 'audit:timeline', { from: Date.now() - 60_000, to: Date.now() + 1000, action: 'audit:export' });
    expect(audited.result.entries.at(-1)).toMatchObject({ actor: 'evaluator', payload: { what: 'timeline', format: 'csv', rows: 2 } });
  });

  it('exports the scorecard as a PDF whose text has the figures of the card and the chain head', async () => {
    const ev = await login('evaluator');
    const res = await ask(ev, 'audit:export', { what: 'scorecard', format: 'pdf', lang: 'zh-CN', from: T0, to: T1 }, 30_000);
    expect(res.ok).toBe(true);
    const pdf = Buffer.from(res.result.data, 'base64');
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const parser = new PDFParse({ data: new Uint8Array(pdf) });
    const text = (await parser.getText()).text;
    await parser.destroy();
    expect(text).toContain('530.8 / 1000');
    expect(text).toContain('打卡合规率 — 80.0 / 100');
    expect(text).toContain('事件结案率 — 26.7 / 80');
    expect(text).toContain('巡逻路线覆盖率 — 24.0 / 60');
    expect(text.replace(/\s+/g, '')).toContain(res.result.chain.headHash);
  });
});
