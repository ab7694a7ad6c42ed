// The admin's roster import (issue 18) in real Chromium over a real hub, as the demo admin (in Chinese): a
// CSV with three bad rows is chosen, previewed and refused whole — each bad row said in words with its row
// and column, from the codes the hub sends; the fixed file, dropped on the screen, is imported and its shift
// listed with its post, officer and times in the center's zone. The officer's attendance then uses the new
// shift: on a clock the test moves (the hub's schedule runs on it) the shift goes late, a check-in at the
// officer's usual post is refused as not this shift's, and one at the imported post puts it on duty.
// Screenshots go to tests/artifacts/admin-roster/.
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { MODE_PROFILES } from '../../shared/modes';
import { centerClock, centerDay, DEFAULT_TIME_ZONE } from '../../shared/time';
import { findShift, unitShiftsOverlapping } from '../../main/store/attendance';
import { listAreas, listUnits } from '../../main/store/city';
import type { Shift } from '../../shared/attendance';
import { ask, cid, closeClients, consoleClient, fieldClient } from '../integration/hub-fixture';
import { demoHub, e2eSuite } from './harness';
import { MovableClock } from './movable-clock';

const MIN = 60_000;
const TZ = DEFAULT_TIME_ZONE;
const clock = new MovableClock();
const e2e = e2eSuite('admin-roster', { hub: (o) => demoHub(o, { clock }) });
afterAll(() => closeClients());

const hhmm = (t: number) => {
  const c = centerClock(t, TZ);
  return `${String(c.hour).padStart(2, '0')}:${String(c.minute).padStart(2, '0')}`;
};
const shot = (page: Page, name: string) => e2e.shot(page, name, true);

describe('the admin imports a roster', () => {
  it('refuses a file with three bad rows, each said in words with its row; imports the fixed one, lists its shift, and attendance uses it', async () => {
    const now = Date.now();
    // An officer with no shift around now, and a post that is not the officer's own: the import moves them there.
    const officers = listUnits(e2e.hub.db).filter((u) => u.kind === 'officer' && u.postId && u.status !== 'off_duty');
    const officer = officers.find((u) => unitShiftsOverlapping(e2e.hub.db, u.id, now - 3 * 60 * MIN, now + 4 * 60 * MIN).length === 0)!;
    expect(officer, 'an officer free around now').toBeDefined();
    const posts = listAreas(e2e.hub.db).filter((a) => a.kind === 'post' && a.parentId);
    const own = posts.find((p) => p.id === officer.postId)!;
    const post = posts.find((p) => p.id !== officer.postId)!;
    const [other1, other2] = officers.filter((u) => u.id !== officer.id);
    // The shift began two minutes ago and runs three hours (center time, to the minute).
    const start = now - 2 * MIN;
    const day = centerDay(start, TZ);
    const good = `${officer.id},${post.id},${day},${hhmm(start)},${hhmm(start + 3 * 60 * MIN)}`;
    const bad = [
      'unit_id,post_id,date,start,end',
      good,
      `ghost-officer,${post.id},${day},08:00,16:00`,
      `${other1!.id},${other1!.postId},2027-02-30,08:00,16:00`,
      `${other2!.id},${other2!.postId},${day},08:00,25:00`,
    ].join('\r\n');

    const page = await e2e.signedIn('admin', { viewport: { width: 1600, height: 1000 } });
    await page.click('[data-testid=admin-tab-roster]');
    await page.waitForSelector('[data-testid=roster-upcoming]:not([data-total=""])');
    expect(await page.locator('[data-testid=admin-tab-roster]').textContent()).toBe('排班');

    // The template to start from: the header and two rows of real officers at their posts.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=roster-template]')]);
    const template = fs.readFileSync((await download.path())!, 'utf8').trim().split(/\r?\n/);
    expect(template[0]).toBe('unit_id,post_id,date,start,end');
    expect(template).toHaveLength(3);
    for (const line of template.slice(1)) {
      const [unitId, postId] = line.split(',');
      expect(listUnits(e2e.hub.db).find((u) => u.id === unitId)?.postId).toBe(postId);
    }

    // The bad file, chosen: previewed row by row before anything is sent.
    await page.setInputFiles('[data-testid=roster-file]', { name: '排班-有误.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await page.waitForSelector('[data-testid=roster-preview][data-rows="4"]');
    expect(await page.locator('[data-testid=roster-row][data-row="2"] td').nth(1).textContent()).toBe(`${officer.name} (${officer.id})`);
    await page.click('[data-testid=roster-import]');
    const said = page.locator('[data-testid=roster-result][data-outcome=invalid_payload]');
    await said.waitFor();
    expect(await said.locator('.admin-roster-lead').textContent()).toBe('排班-有误.csv：发现 3 处问题，未导入任何内容。请在文件中改正后重新导入：');
    const items = said.locator('[data-testid=roster-issues] li');
    expect(await items.allTextContents()).toEqual([
      '第 3 行，队员（unit_id）：没有队员 ghost-officer',
      '第 4 行，日期（date）：“2027-02-30”不是日期（格式 YYYY-MM-DD，例如 2027-03-01）',
      '第 5 行，结束（end）：“25:00”不是时间（格式 HH:MM，00:00 至 24:00）',
    ]);
    expect(await items.evaluateAll((li) => li.map((x) => [x.getAttribute('data-row'), x.getAttribute('data-column'), x.getAttribute('data-code')]))).toEqual([
      ['3', 'unit_id', 'no_unit'], ['4', 'date', 'bad_date'], ['5', 'end', 'bad_time'],
    ]);
    // The preview marks the same rows; the good one is not marked.
    expect(await page.locator('[data-testid=roster-row]').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-row'), r.getAttribute('data-bad')])))
      .toEqual([['2', 'false'], ['3', 'true'], ['4', 'true'], ['5', 'true']]);
    await shot(page, 'refused');
    // All or nothing: not even the good row was stored.
    expect(unitShiftsOverlapping(e2e.hub.db, officer.id, now - 3 * 60 * MIN, now + 4 * 60 * MIN)).toEqual([]);

    // An operator's console, open all along, hears of the shift as it is imported and as it changes.
    const { socket: operator } = await consoleClient(e2e.hub.url, { username: 'operator', password: 'demo' });
    const heard: Shift[] = [];
    operator.on('event', (e) => { if (e.data.type === 'shift:updated') heard.push(e.data.shift); });
    const heardOf = (id: string) => heard.filter((x) => x.id === id).map((x) => x.state);

    // The fixed file, dropped on the screen.
    const fixed = `unit_id,post_id,date,start,end\r\n${good}\r\n`;
    const dropped = await page.evaluateHandle((text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], '排班.csv', { type: 'text/csv' }));
      return dt;
    }, fixed);
    await page.dispatchEvent('[data-testid=roster-drop]', 'drop', { dataTransfer: dropped });
    await page.waitForSelector('[data-testid=roster-preview][data-rows="1"]');
    await page.click('[data-testid=roster-import]');
    const ok = page.locator('[data-testid=roster-result][data-outcome=ok]');
    await ok.waitFor();
    expect(await ok.textContent()).toBe('已从 排班.csv 导入 1 个班次。');
    const [shift] = unitShiftsOverlapping(e2e.hub.db, officer.id, now - 3 * 60 * MIN, now + 4 * 60 * MIN);
    expect(shift).toMatchObject({ postId: post.id, source: 'import', state: 'scheduled' });

    // Listed among the shifts to come: post, officer, start and end in the center's time zone.
    const listed = page.locator(`[data-testid=roster-shift][data-unit="${officer.id}"][data-post="${post.id}"]`);
    await listed.waitFor();
    expect(await listed.locator('td').allTextContents()).toEqual([
      `${post.name} (${post.id})`, `${officer.name} (${officer.id})`,
      `${day} ${hhmm(start)}`, `${centerDay(start + 3 * 60 * MIN, TZ)} ${hhmm(start + 3 * 60 * MIN)}`, '导入',
    ]);
    // The consoles got the new shift without a reload (the import's events).
    await expect.poll(() => heardOf(shift!.id), { timeout: 30_000 }).toEqual(['scheduled']);
    await shot(page, 'imported');

    // Past the grace on the hub's clock, the imported shift's late check runs.
    clock.advanceBy((MODE_PROFILES.daily.attendance.lateAfterMin + 1) * MIN);
    await expect.poll(() => findShift(e2e.hub.db, shift!.id)?.state, { timeout: 60_000 }).toBe('late');
    await expect.poll(() => heardOf(shift!.id), { timeout: 30_000 }).toEqual(['scheduled', 'late']);

    // The officer is held to the imported post: at the usual one the check-in is refused, at the new one it counts.
    const gw = await fieldClient(e2e.hub.url);
    const atOwn = await ask(gw, 'checkin:create', { commandId: cid(), unitId: officer.id, postId: own.id, position: own.center, fix: { t: Date.now(), accuracy: 8 } });
    expect(atOwn.error).toMatchObject({ code: 'conflict', message: expect.stringContaining(`holds post ${post.name} on this shift`) });
    const atNew = await ask(gw, 'checkin:create', { commandId: cid(), unitId: officer.id, postId: post.id, position: post.center, fix: { t: Date.now(), accuracy: 8 } });
    expect(atNew.ok, atNew.error?.message).toBe(true);
    expect(findShift(e2e.hub.db, shift!.id)).toMatchObject({ state: 'on_duty', via: 'fence' });
    await expect.poll(() => heardOf(shift!.id), { timeout: 30_000 }).toEqual(['scheduled', 'late', 'on_duty']);
    expect(e2e.pageErrors).toEqual([]);
  }, 360_000);
});
