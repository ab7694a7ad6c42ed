// The admin's screen in real Chromium over a real hub, as the demo admin: add an operator (the password
// rules said before sending), who then signs in in a second browser; disable them, and their open console
// is signed out at once with the reason; enrol a phone by its code and revoke it; add a camera from a video file in the hub's data folder (served
// as HLS by the hub), trying it before it is saved, and see it play in the preview, and appear in an operator's console without a reload.
// Screenshots go to tests/artifacts/admin/.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { devices, type Page } from 'playwright-core';
import { listCameras } from '../../main/store/city';
import { findDevice, findUserByName } from '../../main/store/people';
import { demoHub, e2eSuite } from './harness';

let clip: string;
const e2e = e2eSuite('admin', {
  hub: (o) => {
    // A short clip inside the data folder, as a center would copy one in (the hub loops it into HLS).
    fs.mkdirSync(path.join(o.dataDir, 'videos'));
    clip = path.join(o.dataDir, 'videos', 'gate.mp4');
    execFileSync('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=15', '-t', '6', '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-g', '15', clip]);
    return demoHub(o);
  },
});
/** A page signed in at 1600×900 in English; open until the suite ends (the admin's page spans the tests). */
const signedIn = (username: string, password: string) => e2e.signedIn(username, { password, locale: 'en-US', perTest: false });
const shot = (page: Page, name: string) => e2e.shot(page, name);

describe('the admin screen', () => {
  let admin: Page;
  beforeAll(async () => {
    admin = await signedIn('admin', 'demo');
    await admin.waitForSelector('[data-testid=admin-tab-people][aria-selected=true]');
    await admin.waitForSelector('[data-testid=person-operator]');
  }, 120_000);

  it('adds an operator who then signs in; disabling them signs their open console out at once', async () => {
    const form = admin.locator('[data-testid=person-create]');
    await form.locator('input[name=username]').fill('zhaolei');
    await form.locator('select[name=role]').selectOption('operator');
    // The rules are said before anything is sent: this one contains the username.
    await form.locator('input[name=password]').fill('zhaolei2026');
    expect(await form.locator('[data-testid=password-rule]').textContent()).toMatch(/must not contain the username/);
    expect(await form.locator('button[type=submit]').isDisabled()).toBe(true);
    // Only the field in the wrong has the red border: a good username keeps the plain one.
    const border = (name: string) => form.locator(`input[name=${name}]`).evaluate((el) => getComputedStyle(el).borderTopColor);
    await form.locator('input[name=password]').evaluate((el) => el.blur());
    const plain = await form.locator('select[name=role]').evaluate((el) => getComputedStyle(el).borderTopColor);
    expect(await border('username')).toBe(plain);
    expect(await border('password')).not.toBe(plain);
    await form.locator('input[name=password]').fill('river lantern 42');
    await form.locator('button[type=submit]').click();
    await form.locator('[data-testid=admin-result][data-outcome=ok]').waitFor();
    await admin.waitForSelector('[data-testid=person-zhaolei][data-disabled=false]');
    expect(findUserByName(e2e.hub.db, 'zhaolei')).toMatchObject({ role: 'operator', disabled: false });
    await shot(admin, 'people-added');

    // The new operator signs in, in a second browser, and gets the operator's console.
    const operator = await signedIn('zhaolei', 'river lantern 42');
    await operator.waitForSelector('.header .user');
    expect(await operator.locator('.header .user').textContent()).toContain('zhaolei');
    await admin.click('[data-testid=admin-tab-devices]');
    await admin.click('[data-testid=admin-tab-people]');
    await admin.waitForSelector('[data-testid=person-zhaolei] >> text=/1 running, 1 online/');

    // Disabled: their open console drops to the sign-in screen, saying why.
    const row = admin.locator('[data-testid=person-zhaolei]');
    await row.locator('button.danger').click();
    const sub = row.locator('xpath=following-sibling::tr[1]');
    await sub.locator('input[name=reason]').fill('left the center');
    await sub.locator('button[type=submit]').click();
    await admin.waitForSelector('[data-testid=person-zhaolei][data-disabled=true]');
    const said = operator.locator('.login-error[data-problem=session_ended]');
    await said.waitFor({ timeout: 30_000 });
    expect(await said.textContent()).toMatch(/disabled your account/);
    await shot(operator, 'operator-signed-out');
    // And they cannot come back in.
    await operator.fill('input[name=username]', 'zhaolei');
    await operator.fill('input[name=password]', 'river lantern 42');
    await operator.click('button[type=submit]');
    await operator.waitForSelector('.login-error[data-problem=auth_failed]');
    await shot(admin, 'people-disabled');
    await operator.context().close();
  }, 360_000);

  it('enrols a phone by a one-time code shown as text and QR code: the field page opened from its link comes online; revoked, it is cut off at once', async () => {
    await admin.click('[data-testid=admin-tab-devices]');
    const form = admin.locator('[data-testid=device-enrol]');
    await form.locator('select[name=enrol-unit]').selectOption('off-007');
    await form.locator('input[name=enrol-label]').fill('phone 7');
    await form.locator('button[type=submit]').click();
    const shown = admin.locator('[data-testid=enrol-code]');
    await shown.waitFor();
    const code = (await shown.getAttribute('data-code'))!;
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{12}$/);
    expect(await shown.textContent()).toContain(`${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}`);
    expect(await shown.textContent()).toContain(`${e2e.hub.url}/field?code=${code}`);
    // The QR code is drawn (dark modules on the canvas).
    const dark = await admin.$eval('[data-testid=enrol-code] canvas', (c) => {
      const px = (c as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, 240, 240).data;
      let n = 0;
      for (let i = 0; i < px.length; i += 4) if (px[i]! < 100) n++;
      return n;
    });
    expect(dark).toBeGreaterThan(5000);
    await shot(admin, 'device-code');

    // The phone opens the link the QR code carries: the field page enrols itself and comes online.
    const phoneContext = await e2e.context({
      ...devices['Pixel 7'], locale: 'zh-CN', geolocation: { latitude: 32.0415, longitude: 118.7835, accuracy: 8 }, permissions: ['geolocation'],
    });
    const phonePage = await phoneContext.newPage();
    await phonePage.goto(`${e2e.hub.url}/field?code=${code}`);
    await phonePage.locator('[data-testid=field-link][data-state=online]').waitFor();
    const phone = { deviceId: e2e.hub.db.prepare('SELECT device_id FROM enrolment_codes WHERE used_at IS NOT NULL').pluck().get() as string };
    expect(findDevice(e2e.hub.db, phone.deviceId)).toMatchObject({ kind: 'terminal', unitId: 'off-007', label: 'phone 7', revokedAt: null });
    // The list refreshes by itself: the new device shows up connected.
    const row = admin.locator(`[data-testid=device-${phone.deviceId}]`);
    await row.waitFor({ timeout: 30_000 });
    await admin.waitForSelector(`[data-testid=device-${phone.deviceId}] >> text=/connected \\(1\\)/`, { timeout: 30_000 });
    expect(await row.textContent()).toContain('phone 7');

    await row.locator('button.danger').click();
    const sub = row.locator('xpath=following-sibling::tr[1]');
    await sub.locator('input[name=reason]').fill('phone lost');
    await sub.locator('button[type=submit]').click();
    // Cut at once: the phone's page loses its link.
    await phonePage.locator('[data-testid=field-link]:not([data-state=online])').waitFor({ timeout: 30_000 });
    await admin.waitForSelector(`[data-testid=device-${phone.deviceId}][data-revoked=true]`);
    expect(findDevice(e2e.hub.db, phone.deviceId)?.revokedAt).not.toBeNull();
    await shot(admin, 'device-revoked');
    await shot(phonePage, 'phone-revoked');
    await phoneContext.close();
  }, 180_000);

  it('adds a camera from a video file in the data folder: it plays in the preview and reaches an open operator console', async () => {
    const watcher = await signedIn('operator', 'demo');
    await watcher.waitForFunction(() => window.__xiuhua?.hub.getState().ready === true, undefined, { timeout: 60_000 });

    await admin.click('[data-testid=admin-tab-cameras]');
    await admin.click('[data-testid=camera-add]');
    const form = admin.locator('[data-testid=camera-form]');
    await form.locator('input[name=camera-id]').fill('cam-gate');
    await form.locator('input[name=camera-name]').fill('North gate');
    await form.locator('input[name=lng]').fill('118.7835');
    await form.locator('input[name=lat]').fill('32.0415');
    await form.locator('input[name=facing]').fill('90');
    await form.locator('select[name=source-kind]').selectOption('file');
    // A relative path is refused here, before the hub sees it.
    await form.locator('input[name=source-url]').fill('videos/gate.mp4');
    await form.locator('[data-testid=camera-invalid]').waitFor();
    expect(await form.locator('button[type=submit]').isDisabled()).toBe(true);
    await form.locator('input[name=source-url]').fill(clip);
    // Tried before it is saved: the hub serves it under this session's preview id, and nothing is stored yet.
    await form.locator('[data-testid=camera-try]').click();
    await admin.waitForSelector('[data-testid=camera-preview] .xv-tile[data-camera-id^="preview-"][data-phase=live]', { timeout: 90_000 });
    expect(listCameras(e2e.hub.db).some((c) => c.id === 'cam-gate')).toBe(false);
    await shot(admin, 'camera-tried');
    await form.locator('input[name=key]').check();
    await form.locator('button[type=submit]').click();

    await admin.waitForSelector('[data-testid=camera-cam-gate]');
    expect(listCameras(e2e.hub.db).find((c) => c.id === 'cam-gate')).toMatchObject({ key: true, sources: [{ kind: 'file', url: fs.realpathSync(clip) }] });
    const tile = '[data-testid=camera-preview] .xv-tile[data-camera-id="cam-gate"]';
    await admin.waitForSelector(`${tile}[data-phase=live]`, { timeout: 90_000 });
    const time = () => admin.$eval(`${tile} video`, (v) => (v as HTMLVideoElement).currentTime);
    const t0 = await time();
    await admin.waitForFunction(([sel, t]) => (document.querySelector(`${sel} video`) as HTMLVideoElement | null)!.currentTime > (t as number), [tile, t0] as const, { timeout: 30_000 });
    await shot(admin, 'camera-added');

    // The operator's console learned of it from the hub's event, without a reload.
    await watcher.waitForFunction(() => window.__xiuhua!.hub.getState().cameras.get('cam-gate')?.name === 'North gate', undefined, { timeout: 30_000 });
    await watcher.context().close();
  }, 360_000);
});
