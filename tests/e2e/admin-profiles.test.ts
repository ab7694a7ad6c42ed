// The admin edits a mode profile in real Chromium over a real hub: raises the emergency profile's staffing
// minimum with a reason, sees what will change and what the hub would refuse before saving, saves; the
// store has a new version (the old one kept); a second admin who was editing from the old version is told
// of the save live and refused in words when saving anyway; and the duty manager's console, open all the
// while, shows the new minimum in the mode dialog's preview. Screenshots go to tests/artifacts/admin-profiles/.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { MODE_PROFILES } from '../../shared/modes';
import { auditPage } from '../../main/store/audit';
import { latestProfiles, profileVersion } from '../../main/store/modes';
import { e2eSuite } from './harness';

const e2e = e2eSuite('admin-profiles');
const signedIn = (username: string, locale: string) => e2e.signedIn(username, { locale });

async function profilesTab(username: string): Promise<Page> {
  const page = await signedIn(username, 'en-US');
  await page.click('[data-testid=admin-tab-profiles]');
  await page.click('[data-testid=profile-mode-emergency]');
  await page.waitForSelector('[data-testid=profile-editor][data-mode=emergency][data-version="1"]');
  return page;
}

const shot = (page: Page, name: string) => e2e.shot(page, name, true);

describe('mode profiles on the admin screen', () => {
  it('the admin raises the emergency staffing minimum with a reason; a new version in the store, another admin told and refused in words, the duty manager\'s preview shows it', async () => {
    const daily = MODE_PROFILES.daily.minStaffPerCell;
    const shipped = MODE_PROFILES.emergency.minStaffPerCell;
    const raised = shipped + 2;
    // The duty manager's console is open before the save: the new number must reach it live.
    const manager = await signedIn('manager', 'zh-CN');
    await manager.waitForFunction(() => window.__xiuhua?.hub.getState().ready === true);
    const admin = await profilesTab('admin');
    const other = await profilesTab('admin'); // a second admin's desk (the demo has one admin account)

    // The other admin starts an edit of their own from version 1.
    await other.fill('[data-testid="profile-field-checkInIntervalMin"]', '12');

    // What will change is shown; what the hub would refuse is said before sending.
    await admin.fill('[data-testid=profile-field-minStaffPerCell]', String(raised));
    const row = admin.locator('[data-testid=profile-diff] tr[data-path=minStaffPerCell]');
    expect(await row.innerText()).toMatch(new RegExp(`Officers per cell, at least\\s+${shipped}\\s+${raised}`));
    await admin.fill('[data-testid=profile-field-taskAckSec]', '900');
    expect(await admin.locator('[data-testid=profile-problems]').innerText()).toContain('deadlines must be in order: accept < on site < finish');
    await admin.fill('[data-testid=profile-reason]', 'flood season: more officers per cell');
    expect(await admin.locator('[data-testid=profile-save]').isDisabled()).toBe(true);
    await admin.fill('[data-testid=profile-field-taskAckSec]', String(MODE_PROFILES.emergency.taskAckSec));
    await admin.locator('[data-testid=profile-problems]').waitFor({ state: 'detached' });
    expect(await admin.locator('[data-testid=profile-diff] tr[data-path]').count()).toBe(1);
    await shot(admin, 'before-save');
    await admin.click('[data-testid=profile-save]');
    await admin.waitForSelector('[data-testid=admin-result][data-outcome=ok]');
    await admin.waitForSelector('[data-testid=profile-version][data-version="2"]');
    expect(await admin.locator('[data-testid=profile-version]').innerText()).toContain('Version 2');
    expect(await admin.locator('[data-testid=profile-version]').innerText()).toContain('saved by admin');
    // The same screen in Chinese.
    await admin.click('[data-testid=lang-switch]');
    await expect.poll(() => admin.locator('[data-testid=profile-version]').innerText()).toMatch(/应急 · 第 2 版 · admin 于 .* 保存/);
    expect(await admin.locator('[data-testid=admin-result]').innerText()).toContain('已保存为第 2 版');
    await shot(admin, 'saved-zh');

    // The store: a new version, by the admin; the shipped one kept.
    const stored = latestProfiles(e2e.hub.db).emergency!;
    expect(stored).toMatchObject({ version: 2, by: 'admin', profile: { minStaffPerCell: raised, checkInIntervalMin: MODE_PROFILES.emergency.checkInIntervalMin } });
    expect(profileVersion(e2e.hub.db, 'emergency', 1)?.profile).toEqual(MODE_PROFILES.emergency);
    const entry = auditPage(e2e.hub.db, 0, 100_000).filter((e) => e.action === 'profile:save').at(-1)!;
    expect(entry).toMatchObject({ actor: 'admin', outcome: 'accepted', target: 'emergency' });
    expect((entry.payload as { reason: string }).reason).toBe('flood season: more officers per cell');

    // The other admin is told at once; saving from version 1 anyway is refused, in words, and nothing changes.
    await other.waitForSelector('[data-testid=profile-newer]');
    expect(await other.locator('[data-testid=profile-newer]').innerText()).toContain('admin has just saved version 2');
    await other.fill('[data-testid=profile-reason]', 'tighter check-ins');
    await other.click('[data-testid=profile-save]');
    const refusal = other.locator('[data-testid=admin-result][data-outcome=conflict]');
    await refusal.waitFor();
    expect(await refusal.innerText()).toContain('admin saved version 2 of this profile while you were editing version 1');
    await shot(other, 'stale-refused');
    expect(latestProfiles(e2e.hub.db).emergency!.version).toBe(2);
    // Loading their version shows the raised minimum.
    await other.click('[data-testid=profile-newer] button');
    await other.waitForSelector('[data-testid=profile-editor][data-version="2"]');
    expect(await other.inputValue('[data-testid=profile-field-minStaffPerCell]')).toBe(String(raised));

    // The duty manager's mode dialog previews the new minimum for an emergency.
    await manager.click('[data-testid=mode-open]');
    const dialog = manager.locator('[data-testid=mode-dialog]');
    await dialog.locator('input[value=emergency]').check();
    await expect.poll(() => manager.locator('[data-testid=mode-preview]').innerText()).toContain(`${daily}\t${raised}`);
    await shot(manager, 'manager-preview');
  }, 360_000);
});
