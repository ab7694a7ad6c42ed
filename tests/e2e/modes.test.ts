// Two consoles, as in a real center: the duty manager declares an emergency for one district with a
// reason, after reading what will change; the operator's console shows it (the emergency strip, the
// district outlined, that district's cells needing the emergency minimum while the rest keep daily);
// a field page of an officer posted in the district shows the emergency there; the duty manager ends it
// and both consoles and the field page return. A second emergency, declared for an hour, ends by
// itself when the hub's clock passes the hour, on both consoles and the phone. Last, the holiday
// calendar edited on one duty manager's desk shows on another.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { MODE_PROFILES } from '../../shared/modes';
import { auditPage } from '../../main/store/audit';
import { demoHub, e2eSuite, fieldSignIn, signIn, waitLive } from './harness';
import { MovableClock } from './movable-clock';

const DISTRICT = 'dist-xinjiekou';
const clock = new MovableClock();
// Every context a test opens is closed after it: five live maps at once on two shared cores kept a later
// console from loading in time (CI, 2 Dec).
const e2e = e2eSuite('modes', { hub: (o) => demoHub(o, { clock }) });
/** What each page logged, for the failure message. */
const logs = new Map<Page, string[]>();

async function consoleAs(username: string): Promise<Page> {
  const page = await newPage({ width: 1600, height: 900 });
  await page.goto(e2e.hub.url);
  await signIn(page, username);
  await waitLive(page);
  await page.waitForFunction(() => {
    const x = window.__xiuhua;
    return !!x?.map && x.hub.getState().ready && !!x.map.getSource('areas') && x.map.querySourceFeatures('areas').length > 0;
  }, undefined, { timeout: 90_000 }).catch(async (e: Error) => {
    // Say which part never came, with what the page logged, instead of a bare timeout.
    const state = await page.evaluate(() => {
      const x = window.__xiuhua;
      return { map: !!x?.map, ready: x?.hub.getState().ready, source: !!x?.map?.getSource('areas'), features: x?.map?.querySourceFeatures('areas').length, loaded: x?.map?.loaded() };
    }).catch((err: Error) => err.message);
    throw new Error(`${username}'s console did not load: ${JSON.stringify(state)}; page log: ${(logs.get(page) ?? []).slice(-20).join(' | ')}; ${e.message}`);
  });
  return page;
}

async function newPage(viewport: { width: number; height: number }): Promise<Page> {
  const context = await e2e.context({ viewport, locale: 'zh-CN' });
  const page = await context.newPage();
  const log: string[] = [];
  logs.set(page, log);
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') log.push(`${m.type()}: ${m.text()}`); });
  page.on('pageerror', (err) => log.push(`pageerror: ${err.message}`));
  return page;
}

/** The field page signed in through the simulator's gateway for one unit. */
async function fieldPageOf(unitId: string): Promise<Page> {
  const page = await newPage({ width: 480, height: 860 });
  await page.goto(`${e2e.hub.url}/field`);
  await fieldSignIn(page, unitId);
  return page;
}

/** The areas source's properties for one area, as the map has them. */
function areaProps(page: Page, id: string) {
  return page.evaluate((areaId) => {
    const f = window.__xiuhua!.map!.querySourceFeatures('areas').find((x) => x.properties.id === areaId);
    return f ? (f.properties as Record<string, unknown>) : null;
  }, id);
}

describe('operating modes across two consoles', () => {
  it('an emergency declared for one district shows on the operator console with its staffing, and ends on both', async () => {
    const manager = await consoleAs('manager');
    const operator = await consoleAs('operator');
    // A cell inside the district, and one outside it (from the hub's own areas).
    const cells = await operator.evaluate(() => [...window.__xiuhua!.hub.getState().areas.values()].filter((a) => a.kind === 'cell').map((a) => ({ id: a.id, parentId: a.parentId })));
    const inside = cells.find((c) => c.parentId === DISTRICT)!.id;
    const outside = cells.find((c) => c.parentId !== DISTRICT)!.id;
    expect(await operator.locator('[data-testid=mode-open]').count()).toBe(0); // operators do not switch
    const phone = await fieldPageOf(await operator.evaluate((district) => {
      const { areas, units } = window.__xiuhua!.hub.getState();
      return [...units.values()].find((u) => u.kind === 'officer' && u.postId && areas.get(areas.get(u.postId)?.parentId ?? '')?.parentId === district)!.id;
    }, DISTRICT));
    await phone.waitForSelector('[data-testid=field-mode][data-mode=daily][data-scope=city]');

    await manager.click('[data-testid=mode-open]');
    const dialog = manager.locator('[data-testid=mode-dialog]');
    await dialog.locator('input[value=emergency]').check();
    await manager.selectOption('[data-testid=mode-scope]', DISTRICT);
    await expect.poll(() => manager.locator('[data-testid=mode-confirm]').isDisabled()).toBe(true); // no reason yet
    await manager.fill('[data-testid=mode-reason]', '暴雨内涝，新街口启动应急');
    const preview = await manager.locator('[data-testid=mode-preview]').innerText();
    expect(preview).toContain(`${MODE_PROFILES.daily.minStaffPerCell}\t${MODE_PROFILES.emergency.minStaffPerCell}`);
    expect(preview).toContain('1 分钟'); // the emergency's acknowledge deadline
    await e2e.shot(manager, 'manager-confirm');
    await manager.click('[data-testid=mode-confirm]');
    await manager.waitForSelector('[data-testid=mode-dialog]', { state: 'detached' });

    await operator.waitForSelector(`[data-testid=emergencies] li[data-area=${DISTRICT}]`);
    expect(await operator.locator('[data-testid=emergencies]').innerText()).toContain('暴雨内涝');
    expect(await operator.locator('[data-testid=mode]').innerText()).toContain('日常'); // the city stays daily
    await expect.poll(async () => (await areaProps(operator, inside))?.need, { timeout: 30_000 }).toBe(MODE_PROFILES.emergency.minStaffPerCell);
    expect((await areaProps(operator, outside))?.need).toBe(MODE_PROFILES.daily.minStaffPerCell);
    expect((await areaProps(operator, DISTRICT))?.emergency).toBe('yes');
    await e2e.shot(operator, 'operator-district-emergency');
    await phone.waitForSelector('[data-testid=field-mode][data-mode=emergency][data-scope=area]');
    expect(await phone.locator('[data-testid=field-mode]').innerText()).toContain('新街口片区');
    await e2e.shot(phone, 'field-district-emergency');

    // 解除 pressed by mistake is taken back with 取消, nothing sent; then ended for real.
    await manager.click(`[data-testid=emergencies] li[data-area=${DISTRICT}] [data-testid=end-emergency]`);
    await manager.click('[data-testid=end-cancel]');
    await manager.waitForSelector('[data-testid=end-reason]', { state: 'detached' });
    expect(await manager.locator(`[data-testid=emergencies] li[data-area=${DISTRICT}]`).count()).toBe(1);
    await manager.click(`[data-testid=emergencies] li[data-area=${DISTRICT}] [data-testid=end-emergency]`);
    await manager.fill('[data-testid=end-reason]', '积水已退');
    await manager.click('[data-testid=end-confirm]');
    for (const page of [manager, operator]) await page.waitForSelector('[data-testid=emergencies]', { state: 'detached' });
    await expect.poll(async () => (await areaProps(operator, inside))?.need, { timeout: 30_000 }).toBe(MODE_PROFILES.daily.minStaffPerCell);
    await phone.waitForSelector('[data-testid=field-mode][data-mode=daily][data-scope=city]');
  }, 300_000);

  it('an emergency declared for one hour ends by itself when the hour has passed, on both consoles and the phone', async () => {
    const manager = await consoleAs('manager');
    const operator = await consoleAs('operator');
    const inside = await operator.evaluate((district) => [...window.__xiuhua!.hub.getState().areas.values()].find((a) => a.kind === 'cell' && a.parentId === district)!.id, DISTRICT);
    const phone = await fieldPageOf(await operator.evaluate((district) => {
      const { areas, units } = window.__xiuhua!.hub.getState();
      return [...units.values()].find((u) => u.kind === 'officer' && u.postId && areas.get(areas.get(u.postId)?.parentId ?? '')?.parentId === district)!.id;
    }, DISTRICT));
    await phone.waitForSelector('[data-testid=field-mode][data-mode=daily][data-scope=city]');

    await manager.click('[data-testid=mode-open]');
    await manager.locator('[data-testid=mode-dialog] input[value=emergency]').check();
    await manager.selectOption('[data-testid=mode-scope]', DISTRICT);
    await manager.selectOption('[data-testid=mode-ends]', '1');
    await manager.fill('[data-testid=mode-reason]', '大型活动散场，新街口应急一小时');
    await manager.click('[data-testid=mode-confirm]');
    await manager.waitForSelector('[data-testid=mode-dialog]', { state: 'detached' });
    for (const page of [manager, operator]) await page.waitForSelector(`[data-testid=emergencies] li[data-area=${DISTRICT}]`);
    await expect.poll(async () => (await areaProps(operator, inside))?.need, { timeout: 30_000 }).toBe(MODE_PROFILES.emergency.minStaffPerCell);
    await phone.waitForSelector('[data-testid=field-mode][data-mode=emergency][data-scope=area]');
    await e2e.shot(operator, 'operator-emergency-for-an-hour');

    // The hour passes on the hub's clock (the consoles' clocks stay real, so only the hub can end it).
    clock.advanceBy(61 * 60_000);
    for (const page of [manager, operator]) await page.waitForSelector('[data-testid=emergencies]', { state: 'detached' });
    await expect.poll(async () => (await areaProps(operator, inside))?.need, { timeout: 30_000 }).toBe(MODE_PROFILES.daily.minStaffPerCell);
    expect(await operator.locator('[data-testid=mode]').innerText()).toContain('日常');
    await phone.waitForSelector('[data-testid=field-mode][data-mode=daily][data-scope=city]');
    await e2e.shot(operator, 'operator-emergency-ended-by-time');
    // The record says the system ended it, at its end time, and what the district returned to.
    const ended = auditPage(e2e.hub.db, 0, 10_000).filter((e) => e.action === 'mode:expire' && e.outcome === 'accepted');
    expect(ended).toHaveLength(1);
    expect(ended[0]!.actor).toBe('system');
    expect(ended[0]!.payload).toMatchObject({ detail: { ended: 'emergency', returns: 'daily', scope: DISTRICT } });
  }, 300_000);

  it('the holiday calendar in the mode dialog: estimated dates confirmed, a day added on one console appears on another and is removed there', async () => {
    // Two duty managers' desks (the same account twice: the demo has one).
    const manager = await consoleAs('manager');
    const other = await consoleAs('manager');
    const openCalendar = async (page: Page) => {
      await page.click('[data-testid=mode-open]');
      await page.click('[data-testid=holiday-calendar] summary');
      await page.locator('[data-testid=holiday-calendar] input[type=checkbox]').check(); // past days too: the shipped dates are 2027
      return page.locator('[data-testid=holiday-calendar]');
    };
    const mine = await openCalendar(manager);
    const theirs = await openCalendar(other);
    const national = mine.locator('li[data-date="2027-10-01"]');
    expect(await national.innerText()).toContain('预估');
    await manager.fill('[data-testid=calendar-reason]', '国务院通知已发布');
    await national.locator('[data-testid=calendar-confirm]').click();
    await expect.poll(() => national.innerText()).not.toContain('预估');
    await expect.poll(() => theirs.locator('li[data-date="2027-10-01"]').innerText()).not.toContain('预估');

    // The day is typed as the console shows days; one that does not exist is said, and cannot be added.
    await manager.fill('[data-testid=calendar-name-zh]', '三八调休');
    await manager.fill('[data-testid=calendar-date]', '2027-02-30');
    await manager.waitForSelector('[data-testid=calendar-date-problem]');
    expect(await manager.isDisabled('[data-testid=calendar-add]')).toBe(true);
    await manager.fill('[data-testid=calendar-date]', '2027-3-8');
    await manager.waitForSelector('[data-testid=calendar-date-problem]', { state: 'detached' });
    await manager.fill('[data-testid=calendar-name-zh]', '三八调休');
    await manager.click('[data-testid=calendar-add]');
    await theirs.locator('li[data-date="2027-03-08"]').waitFor();
    await e2e.shot(manager, 'manager-calendar');
    await other.fill('[data-testid=calendar-reason]', '误加');
    await theirs.locator('li[data-date="2027-03-08"] [data-testid=calendar-remove]').click();
    await mine.locator('li[data-date="2027-03-08"]').waitFor({ state: 'detached' });
    const days = e2e.hub.db.prepare('SELECT date, estimated FROM holiday_calendar WHERE date IN (?, ?)').all('2027-10-01', '2027-03-08');
    expect(days).toEqual([{ date: '2027-10-01', estimated: 0 }]);
  }, 300_000);
});
