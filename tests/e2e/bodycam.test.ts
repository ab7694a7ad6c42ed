// Body-worn cameras on the operator console, in real Chromium against a real demo hub (real SQLite in a
// temp dir, a still city: the readings are the test's own, sent by a field gateway over socket.io):
// the officer's panel shows recording, battery, storage left and last upload as of the reading, and says
// plainly when the reading is old; the bodycam_stopped alert appears in the notices in words, clears
// itself when the camera records again and goes once acknowledged. Text ≥ 24 px at wall scale.
// Screenshots in tests/artifacts/bodycam/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { centerTimeText } from '../../shared/time';
import { ask, cid, closeClients, consoleClient, fieldClient, hubSnapshot, type ConsoleClient, type FieldClient } from '../integration/hub-fixture';
import { demoHub, drawnTextSizes, e2eSuite } from './harness';

let gateway: FieldClient;
let operator: ConsoleClient;
let page: Page;
/** the hub's body camera clock runs this far from the real one (a reading received "earlier") */
let clockOffsetMs = 0;
const e2e = e2eSuite('bodycam', {
  hub: (o) => demoHub(o, { bodycam: { now: () => Date.now() + clockOffsetMs } }),
});

const hm = (ms: number) => centerTimeText(ms, 'Asia/Shanghai', false);
const reading = (unitId: string, t: number, over: Record<string, unknown> = {}) => ({
  unitId, t, recording: true, batteryPct: 63, storageFreeMb: 12_345, lastUploadAt: t - 10 * 60_000, ...over,
});
async function report(r: ReturnType<typeof reading>): Promise<void> {
  const res = await ask(gateway, 'bodycam:report', { reports: [r] });
  expect(res).toMatchObject({ ok: true, result: { accepted: 1 } });
}

beforeAll(async () => {
  gateway = await fieldClient(e2e.hub.url);
  ({ socket: operator } = await consoleClient(e2e.hub.url, { username: 'operator', password: 'demo' }));
  page = await e2e.consoleAs('operator', { viewport: { width: 1920, height: 1080 }, perTest: false });
}, 240_000);

afterAll(() => closeClients());

async function officer(n: number): Promise<{ id: string; name: string }> {
  return page.evaluate((i) => [...window.__xiuhua!.hub.getState().units.values()].filter((u) => u.kind === 'officer')[i]!, n);
}
async function openUnit(name: string, id: string): Promise<void> {
  await page.fill('[data-testid=search]', name);
  await page.press('[data-testid=search]', 'Enter');
  await page.waitForSelector(`[data-testid=side-panel][data-kind=unit][data-id="${id}"]`);
}
async function setScale(scale: 'desk' | 'wall') {
  if ((await page.getAttribute('.console', 'data-scale')) !== scale) await page.click('[data-testid=scale-switch]');
  await page.waitForSelector(`.console[data-scale=${scale}]`);
}
/** Every text in the side panel and the notices, with its size as drawn. */
const panelTextSizes = () => drawnTextSizes(page, '.panel, .notices');

describe('body cameras on the console', () => {
  it("shows the selected officer's camera: recording, battery, storage left, last upload, as of the reading", async () => {
    const a = await officer(0);
    const t = Date.now() - 2000;
    await report(reading(a.id, t));
    await openUnit(a.name, a.id);
    const box = page.locator('[data-testid=bodycam]');
    await page.waitForSelector('[data-testid=bodycam][data-state=recording]');
    expect(await box.locator('h3').textContent()).toBe('执法记录仪');
    expect(await page.textContent('[data-testid=bodycam-recording]')).toBe('● 正在录像');
    expect(await page.textContent('[data-testid=bodycam-battery]')).toBe('63%');
    expect(await page.textContent('[data-testid=bodycam-storage]')).toBe('12.1 GB');
    expect(await page.textContent('[data-testid=bodycam-upload]')).toMatch(new RegExp(`^${hm(t - 10 * 60_000)}（10 分钟前）$`));
    expect(await page.textContent('[data-testid=bodycam-asof]')).toMatch(/^截至 \d\d:\d\d，(刚刚|\d+ 秒前)$/);
    await e2e.shot(page, 'unit-desk-zh');
    // A newer reading replaces it live.
    await report(reading(a.id, t + 10_000, { batteryPct: 62, storageFreeMb: 900 }));
    await page.waitForFunction(() => document.querySelector('[data-testid=bodycam-battery]')?.textContent === '62%');
    expect(await page.textContent('[data-testid=bodycam-storage]')).toBe('900 MB');
  }, 120_000);

  it('says the figures are old when the readings stopped (as of when, how long ago)', async () => {
    const b = await officer(1);
    clockOffsetMs = -4 * 60_000; // the hub received this reading four minutes ago
    const at = Date.now() + clockOffsetMs;
    try {
      await report(reading(b.id, at - 1000, { recording: false, batteryPct: 41 }));
    } finally {
      clockOffsetMs = 0;
    }
    await openUnit(b.name, b.id);
    await page.waitForSelector('[data-testid=bodycam][data-state=stale]');
    expect(await page.textContent('[data-testid=bodycam-asof]')).toBe(`读数已滞后：截至 ${hm(at)}，4 分钟前`);
    expect(await page.textContent('[data-testid=bodycam-battery]')).toBe('41%');
    await e2e.shot(page, 'unit-stale-zh');
  }, 60_000);

  it('raises "not recording during a task" in the notices in words, clears it when recording resumes, and drops it once acknowledged', async () => {
    const c = await officer(2);
    const incident = (await ask(operator, 'incident:create', { commandId: cid(), category: 'parking', priority: 2, position: [118.7835, 32.0415], description: '占道停车' })).result.incident;
    const task = (await ask(operator, 'task:assign', { commandId: cid(), incidentId: incident.id, unitId: c.id, note: '' })).result.task;
    expect((await ask(gateway, 'task:accept', { commandId: cid(), unitId: c.id, taskId: task.id })).ok).toBe(true);
    const t = Date.now() - 1000;
    await report(reading(c.id, t, { recording: false }));
    await openUnit(c.name, c.id);
    await page.waitForSelector('[data-testid=bodycam-alert][data-cleared=false]');
    expect(await page.textContent('[data-testid=bodycam-alert] strong')).toBe(`自 ${hm(t)} 起未录像（处置任务中）`);
    await page.waitForSelector('[data-testid=notices]');
    if ((await page.locator('.notice-list').count()) === 0) await page.click('[data-testid=notice-count]');
    const notice = page.locator('.notice[data-kind=bodycam_stopped]');
    await notice.waitFor();
    expect(await notice.locator('span').first().textContent()).toBe(`${c.name} 的执法记录仪自 ${hm(t)} 起未录像（处置任务中）`);
    await setScale('wall');
    const small = (await panelTextSizes()).filter((d) => d.px < 24);
    await e2e.shot(page, 'alert-wall-zh');
    await setScale('desk');
    expect(small).toEqual([]);

    // Recording again: the alert clears itself and says so; it stays until acknowledged.
    const back = t + 10_000;
    await report(reading(c.id, back, { recording: true }));
    await page.waitForSelector('[data-testid=bodycam-alert][data-cleared=true]');
    await page.waitForFunction(() => document.querySelector('.notice[data-kind=bodycam_stopped] span')?.textContent?.includes('已于'));
    const clearedAt = (await hubSnapshot(e2e.hub.url)).bodycam.alerts.find((x) => x.unitId === c.id)!.clearedAt!;
    expect(await notice.locator('span').first().textContent()).toBe(`${c.name} 的执法记录仪自 ${hm(t)} 起曾停止录像，已于 ${hm(clearedAt)} 恢复录像`);
    await e2e.shot(page, 'alert-cleared-zh');
    await notice.locator('[data-testid=bodycam-ack]').click();
    await notice.waitFor({ state: 'detached' });
    await page.waitForSelector('[data-testid=bodycam-alert]', { state: 'detached' });
    // On the record: cleared and acknowledged by this operator, so no longer among the unsettled ones.
    expect((await hubSnapshot(e2e.hub.url)).bodycam.alerts.filter((x) => x.unitId === c.id)).toEqual([]);
  }, 120_000);

  it('in English too', async () => {
    const a = await officer(0);
    await openUnit(a.name, a.id);
    await page.click('[data-testid=lang-switch]');
    await page.waitForFunction(() => document.querySelector('[data-testid=bodycam] h3')?.textContent === 'Body camera');
    expect(await page.textContent('[data-testid=bodycam-recording]')).toBe('● Recording');
    expect(await page.textContent('[data-testid=bodycam-upload]')).toMatch(/^\d\d:\d\d \((\d+ min ago)\)$/);
    expect(await page.textContent('[data-testid=bodycam-asof]')).toMatch(/^As of \d\d:\d\d, /);
    await e2e.shot(page, 'unit-desk-en');
    await page.click('[data-testid=lang-switch]');
  }, 60_000);
});
