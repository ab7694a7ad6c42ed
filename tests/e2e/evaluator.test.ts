// The evaluator's console in real Chromium over a real hub: a short history is made through the hub's own
// doors (a gateway's positions, an incident with a task accepted, an SOS acknowledged); the evaluator logs
// in, sets the period, filters the timeline by a unit, opens an entry, exports the filtered rows as CSV,
// replays the unit's track (found by its name) and the map, reads the scorecard, and verifies the chain (the hub's walk and the
// console's own re-hash) — then the database is tampered with and the same button names the broken entry.
// Screenshots go to tests/artifacts/evaluator/.
import fs from 'node:fs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Page } from 'playwright-core';
import type { PositionFix } from '../../shared/domain';
import { track } from '../../main/store/positions';
import { listUnits } from '../../main/store/city';
import { dataDirPublicKey } from '../../main/store/checkpoint';
import { generateKeyPairSync } from 'node:crypto';
import { ask, cid, closeClients, consoleClient, fieldClient } from '../integration/hub-fixture';
import { demoHub, e2eSuite } from './harness';

const UNIT = 'off-001';
const FIXES = 240;

const e2e = e2eSuite('evaluator', {
  hub: (o) => demoHub(o, { positions: { fanoutEveryMs: 50, writeEveryMs: 50 } }),
});
let t0: number;
let incidentId: string;
let sosId: string;
const TASK_FIXES = 5;

/** 'YYYY-MM-DDTHH:MM' in the center's zone, as the period inputs take it. */
function centerInput(ms: number): string {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
    .formatToParts(ms).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** The history: 20 min of one unit's positions every 5 s, an incident whose task that unit accepted, an SOS acknowledged. */
async function makeHistory(): Promise<void> {
  const gw = await fieldClient(e2e.hub.url);
  const op = (await consoleClient(e2e.hub.url, { username: 'operator', password: 'demo' })).socket;
  t0 = Date.now() - 20 * 60_000;
  const fixes: PositionFix[] = [];
  for (let i = 0; i < FIXES; i++) fixes.push({ unitId: UNIT, t: t0 + i * 5000, lng: 118.775 + i * 4e-5, lat: 32.04 + i * 1e-5 });
  expect((await ask(gw, 'unit:position', { fixes })).result).toMatchObject({ accepted: FIXES });
  const incident = await ask(op, 'incident:create', { commandId: cid(), category: 'parking', priority: 2, position: [118.78, 32.042], description: '占道停车（考评测试）' });
  const task = await ask(op, 'task:assign', { commandId: cid(), incidentId: incident.result.incident.id, unitId: UNIT });
  expect((await ask(gw, 'task:accept', { commandId: cid(), unitId: UNIT, taskId: task.result.task.id })).ok).toBe(true);
  incidentId = incident.result.incident.id;
  // the unit reports during its task (where it last was, a millisecond apart: times between the assignment and now)
  const assignedAt: number = task.result.task.assignedAt;
  const last = fixes.at(-1)!;
  const during = Array.from({ length: TASK_FIXES }, (_, i) => ({ unitId: UNIT, t: assignedAt + 1 + i, lng: last.lng, lat: last.lat }));
  expect(during.at(-1)!.t).toBeLessThan(Date.now());
  expect((await ask(gw, 'unit:position', { fixes: during })).result).toMatchObject({ accepted: TASK_FIXES });
  const sos = await ask(gw, 'sos:raise', { commandId: cid(), unitId: 'off-002', position: [118.781, 32.041] });
  sosId = sos.result.sos.id;
  expect((await ask(op, 'sos:acknowledge', { commandId: cid(), sosId: sos.result.sos.id })).ok).toBe(true);
  await vi.waitFor(() => expect(track(e2e.hub.db, UNIT, t0, Date.now())).toHaveLength(FIXES + TASK_FIXES), { timeout: 20_000, interval: 50 });
  closeClients();
}

beforeAll(() => makeHistory(), 60_000);

async function evaluatorPage(): Promise<Page> {
  const page = await e2e.signedIn('evaluator');
  await page.waitForSelector('[data-testid=tab-timeline][aria-selected=true]');
  return page;
}

/** The timeline's state once a load has finished: how many rows, and whether the period is exhausted. */
const timelineState = (page: Page) => page.locator('[data-testid=tl-count]').evaluate((el) => ({ count: Number(el.getAttribute('data-count')), done: el.getAttribute('data-done') }));

describe('the evaluator console', () => {
  it('filters the timeline, opens an entry, exports it, replays a unit, reads the scorecard and verifies the chain', async () => {
    const page = await evaluatorPage();
    expect(await page.locator('[data-testid=mode-open]').count()).toBe(0); // no operator controls

    // The period's fields show center time as every other time on the console (24-hour, not the browser's locale).
    expect(await page.inputValue('[data-testid=period-from]')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d$/);
    // What cannot be read is said, and the period in force stays: a day that does not exist, then an end before the start.
    const toBefore = await page.inputValue('[data-testid=period-to]');
    await page.fill('[data-testid=period-to]', '2026-02-30 08:00');
    await page.press('[data-testid=period-to]', 'Enter');
    await page.waitForSelector('[data-testid=period-problem]');
    expect(await page.getAttribute('[data-testid=period-to]', 'aria-invalid')).toBe('true');
    await page.fill('[data-testid=period-to]', '2000-01-01 00:00');
    await page.press('[data-testid=period-to]', 'Enter');
    await expect.poll(() => page.getAttribute('[data-testid=period-from]', 'aria-invalid')).toBe('true'); // the order: both fields
    await e2e.shot(page, 'period-problem');
    await page.click('[data-testid=period] button'); // a preset puts the period in force back in the fields
    await page.waitForSelector('[data-testid=period-problem]', { state: 'detached' });
    expect((await page.inputValue('[data-testid=period-to]')).slice(0, 10)).toBe(toBefore.slice(0, 10));

    await page.fill('[data-testid=period-from]', centerInput(t0 - 10 * 60_000));
    await page.fill('[data-testid=period-to]', centerInput(Date.now() + 2 * 60_000));
    await page.fill('[data-testid=f-unit]', UNIT);
    await page.click('[data-testid=f-apply]');
    // every row names the unit: the assignment, the acceptance — and nothing of the other unit's SOS
    await expect.poll(async () => {
      const rows = await page.locator('[data-testid=timeline] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-action')));
      return rows;
    }, { timeout: 30_000 }).toEqual(expect.arrayContaining(['task:assign', 'task:accept']));
    const actions = await page.locator('[data-testid=timeline] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-action')));
    expect(actions).not.toContain('sos:acknowledge');
    await e2e.shot(page, 'timeline-filtered');

    await page.click('[data-testid=timeline] tbody tr[data-action="task:accept"]');
    const panel = page.locator('[data-testid=concern-panel]');
    await expect.poll(() => panel.getAttribute('data-kind')).toBe('task');
    await expect.poll(() => panel.locator('[data-testid=related] li').count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(2); // assign + accept
    await e2e.shot(page, 'timeline-entry');

    const shown = await timelineState(page);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-csv]')]);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    const csvRows = csv.split('\r\n').filter((l) => /^\d+,/.test(l));
    expect(csvRows).toHaveLength(shown.count);
    expect(csvRows.every((r) => r.includes(UNIT))).toBe(true);
    expect(csv).toMatch(/xiuhua-audit-checkpoint\/v2 count=\d+ head=[0-9a-f]{64}/);

    await page.click('[data-testid=tab-replay]');
    // A name no unit has is said so here (the hub would refuse it as a bad id); the unit is found by its name.
    await page.fill('[data-testid=replay-unit-input]', '无此人');
    await page.click('[data-testid=replay-track]');
    expect(await page.locator('[data-testid=replay-unit-problem]').textContent()).toBe('没有名为“无此人”的队员或车辆：请输入姓名、警号、车牌或编号，或从列表中选择');
    const unitName = listUnits(e2e.hub.db).find((u) => u.id === UNIT)!.name;
    await page.fill('[data-testid=replay-unit-input]', unitName);
    await page.click('[data-testid=replay-track]');
    await page.locator('[data-testid=replay-unit-problem]').waitFor({ state: 'detached' });
    await expect.poll(() => page.locator('[data-testid=track-info]').getAttribute('data-fixes'), { timeout: 30_000 }).toBe(String(FIXES + TASK_FIXES));
    await expect.poll(() => page.locator('[data-testid=retention]').innerText()).toContain('30 天');
    // scrub into the unit's history: the unit is on the replayed map where its fixes put it
    await page.locator('[data-testid=replay-scrub]').fill(String(t0 + 10 * 60_000));
    await expect.poll(() => page.evaluate((u) => (window.__xiuhua?.map?.querySourceFeatures('officers') ?? []).some((f) => f.properties.id === u), UNIT), { timeout: 30_000 }).toBe(true);
    await page.selectOption('[data-testid=replay-speed]', '60');
    const before = Number(await page.locator('[data-testid=replay-time]').getAttribute('data-at'));
    await page.click('[data-testid=replay-play]');
    await expect.poll(async () => Number(await page.locator('[data-testid=replay-time]').getAttribute('data-at')), { timeout: 30_000 }).toBeGreaterThan(before + 60_000);
    await page.click('[data-testid=replay-play]'); // pause
    await e2e.shot(page, 'replay');

    // one incident replayed with its unit, opened from the task's entry: its entries listed, its unit's track played
    await page.click('[data-testid=tab-timeline]');
    await page.click('[data-testid=timeline] tbody tr[data-action="task:assign"]');
    await page.click('[data-testid=replay-incident-open]');
    await page.waitForSelector('[data-testid=tab-replay][aria-selected=true]');
    await expect.poll(() => page.locator('[data-testid=trace-info]').getAttribute('data-fixes'), { timeout: 30_000 }).toBe(String(TASK_FIXES));
    expect(await page.locator('[data-testid=trace-info]').getAttribute('data-units')).toBe('1');
    expect(await page.locator('[data-testid=trace-info]').innerText()).toContain(incidentId);
    const kinds = await page.locator('[data-testid=replay-trace-entry]').evaluateAll((lis) => lis.map((li) => `${li.getAttribute('data-kind')}`));
    expect(kinds).toEqual(['created', 'step', 'step']); // created, assigned, accepted
    // at the span's start nothing has happened yet; at its end every entry has, and the unit is where its track left it
    expect(await page.locator('[data-testid=replay-trace-entry][data-past=true]').count()).toBe(0);
    const end = await page.locator('[data-testid=replay-scrub]').getAttribute('max');
    await page.locator('[data-testid=replay-scrub]').fill(end!);
    await expect.poll(() => page.locator('[data-testid=replay-trace-entry][data-past=true]').count(), { timeout: 30_000 }).toBe(3);
    await expect.poll(() => page.evaluate((u) => (window.__xiuhua?.map?.querySourceFeatures('officers') ?? []).some((f) => f.properties.id === u), UNIT), { timeout: 30_000 }).toBe(true);
    await e2e.shot(page, 'replay-incident');
    await page.click('[data-testid=replay-incident-clear]');

    await page.click('[data-testid=tab-scorecard]');
    const card = page.locator('[data-testid=scorecard]');
    await card.waitFor();
    expect(await card.locator('tbody tr').count()).toBe(13);
    // the one task was accepted in time and the one SOS acknowledged within 60 s: full points for both
    expect(await card.locator('tr[data-indicator=task_ack_in_time]').getAttribute('data-points')).toBe('100');
    expect(await card.locator('tr[data-indicator=sos_ack_in_time]').getAttribute('data-points')).toBe('120');
    expect(Number(await page.locator('[data-testid=score-total]').innerText())).toBe(Number(await card.getAttribute('data-total')));
    // a figure with audit entries leads to them; a coverage figure to its rows
    await page.click('[data-testid=score-rows-route_coverage]');
    await page.waitForSelector('[data-testid=coverage-routes] table');
    await e2e.shot(page, 'scorecard');
    // the SOS figure leads to the entries of exactly the SOS calls it counted (here the one), not every sos: entry
    expect(await card.locator('[data-testid=score-entries-sos_ack_in_time]').innerText()).toContain('1');
    await page.click('[data-testid=score-entries-sos_ack_in_time]');
    await page.waitForSelector('[data-testid=tab-timeline][aria-selected=true]');
    await expect.poll(() => page.locator('[data-testid=f-targets]').getAttribute('data-ids')).toBe(sosId);
    await expect.poll(async () => (await timelineState(page)).done, { timeout: 30_000 }).toBe('true');
    const sosRows = await page.locator('[data-testid=timeline] tbody tr').evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute('data-action')} ${tr.getAttribute('data-target')}`));
    expect(sosRows).toEqual(expect.arrayContaining([`sos:raise ${sosId}`, `sos:acknowledge ${sosId}`]));
    expect(sosRows.every((r) => r.endsWith(` ${sosId}`))).toBe(true);
    await e2e.shot(page, 'timeline-sos-figure');
    await page.click('[data-testid=f-targets-clear]');
    await page.waitForSelector('[data-testid=f-targets]', { state: 'detached' });

    await page.click('[data-testid=verify]');
    const result = page.locator('[data-testid=verify-result]');
    await expect.poll(() => result.getAttribute('data-ok'), { timeout: 60_000 }).toBe('true');
    expect(await result.innerText()).toMatch(/已校验 \d+ 条记录，链头 [0-9a-f]{16}…/);
    // and this console re-hashed the stored entries itself (Web Crypto), not only taking the hub's word
    const own = page.locator('[data-testid=verify-own]');
    await expect.poll(() => own.getAttribute('data-ok'), { timeout: 60_000 }).toBe('true');
    expect(await own.innerText()).toMatch(/重新计算 \d+ 条记录的哈希/);
    // the checkpoints the hub signed (this check's and the CSV export's), each signature checked here with Web Crypto
    const checkpoints = page.locator('[data-testid=checkpoint]');
    await expect.poll(() => checkpoints.count(), { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
    expect(await checkpoints.evaluateAll((lis) => lis.map((li) => li.getAttribute('data-ok')))).toEqual(Array(await checkpoints.count()).fill('true'));
    const listed = page.locator('[data-testid=verify-checkpoints]');
    expect(await listed.getAttribute('data-key-source')).toBe('hub');

    // The evaluator's own trusted key, from outside the hub. A wrong one: nothing the hub signed verifies against it.
    const enterKey = async (key: string) => {
      await page.click('[data-testid=trusted-edit]');
      await page.fill('[data-testid=trusted-input]', key);
      await page.click('[data-testid=trusted-save]');
    };
    await enterKey('密钥？');
    expect(await page.locator('[data-testid=trusted-problem]').innerText()).toContain('无法识别');
    await page.click('[data-testid=trusted-key] button[type=button]'); // cancel
    const wrong = generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' }) as string;
    await enterKey(wrong);
    const wrongText = await page.locator('[data-testid=trusted-key]').getAttribute('data-key');
    expect(wrongText).toMatch(/^ed25519:[A-Za-z0-9_-]{43}$/);
    await page.click('[data-testid=verify]');
    await expect.poll(async () => (await listed.getAttribute('data-key-source')) === 'own' && (await checkpoints.count()) >= 2, { timeout: 60_000 }).toBe(true);
    expect(await listed.getAttribute('data-key')).toBe(wrongText);
    expect(await checkpoints.evaluateAll((lis) => lis.map((li) => li.getAttribute('data-why')))).toEqual(Array(await checkpoints.count()).fill('other_key'));
    expect(await page.locator('[data-testid=verify-key-differs]').innerText()).toContain('另一把');
    await e2e.shot(page, 'verify-wrong-key');
    // remembered by this console: a reload keeps it
    await page.reload();
    await page.waitForSelector('[data-testid=conn-status][data-status=live]', { timeout: 60_000 });
    expect(await page.locator('[data-testid=trusted-key]').getAttribute('data-key')).toBe(wrongText);
    // The center's real key, brought from outside (as hex this time): every checkpoint verifies, and says under whose key.
    const real = dataDirPublicKey(e2e.dataDir)!;
    await enterKey(Buffer.from(real.slice('ed25519:'.length), 'base64url').toString('hex'));
    expect(await page.locator('[data-testid=trusted-key]').getAttribute('data-key')).toBe(real);
    await page.click('[data-testid=verify]');
    await expect.poll(async () => (await listed.getAttribute('data-key')) === real && (await checkpoints.count()) >= 2, { timeout: 60_000 }).toBe(true);
    expect(await listed.getAttribute('data-key-source')).toBe('own');
    expect(await checkpoints.evaluateAll((lis) => lis.map((li) => li.getAttribute('data-ok')))).toEqual(Array(await checkpoints.count()).fill('true'));
    expect(await page.locator('[data-testid=verify-key]').innerText()).toContain('您自己的');
    expect(await checkpoints.first().innerText()).toContain('按您的密钥');
    await page.waitForSelector('[data-testid=verify-key-same]');
    await e2e.shot(page, 'verify-own-key');

    // someone edits entry 3 behind the hub's back: the same button says so, naming it
    const third = e2e.hub.db.prepare('SELECT action, target FROM audit_log WHERE seq = 3').get() as { action: string; target: string | null };
    e2e.hub.db.exec('DROP TRIGGER audit_log_no_update');
    e2e.hub.db.prepare("UPDATE audit_log SET entry = replace(entry, '\"outcome\":\"accepted\"', '\"outcome\":\"rejected\"') WHERE seq = 3").run();
    await page.click('[data-testid=verify]');
    await expect.poll(() => result.getAttribute('data-ok'), { timeout: 60_000 }).toBe('false');
    expect(await result.innerText()).toContain('第 3 条');
    await expect.poll(() => own.getAttribute('data-ok'), { timeout: 60_000 }).toBe('false');
    expect(await own.innerText()).toContain(`第 3 条（${third.action}${third.target ? ` ${third.target}` : ''}）`);
    // and no checkpoint is confirmed past the broken entry
    await expect.poll(async () => {
      const why = await checkpoints.evaluateAll((lis) => lis.map((li) => li.getAttribute('data-why')));
      return why.length >= 2 && why.every((w) => w === 'chain_broken');
    }, { timeout: 60_000 }).toBe(true);
    await e2e.shot(page, 'verify-broken');
    await page.click('[data-testid=scale-switch]');
    await page.waitForSelector('.evaluator[data-scale=wall]');
    await e2e.shot(page, 'scorecard-wall');
  }, 240_000);
});
