// One-click help end to end in real Chromium, against a real demo hub with the city moving (simulator on,
// pressing no SOS of its own): an officer presses SOS on the field page; two consoles and a video wall
// raise the alarm (the mode's sound really playing, the SOS spoken, the banner on the wall, the body camera
// and the nearest cameras on its tiles); one operator acknowledges, both consoles fall silent and the phone
// shows who; help is sent from the nearest free units and the phone shows who is coming; resolving it
// with a note clears every screen and puts the wall back.
//
// Speech: this Chromium has no voice installed (speech-dispatcher is absent), so the manager's console
// shows the real "no voice" case; the operator's console is given one stand-in voice list and a speak()
// that records what it was asked to say (there is no engine here that could say it).
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { distanceM } from '../../shared/geo';
import { MODE_PROFILES } from '../../shared/modes';
import { listCameras } from '../../main/store/city';
import { findSos, listActiveSos } from '../../main/store/sos';
import { e2eSuite, fieldSignIn, movingDemoHub, signIn, standInVoice } from './harness';

// The city moves, but the simulator presses no SOS of its own: the one on screen is the test's.
const e2e = e2eSuite('sos', {
  hub: movingDemoHub,
  chromiumArgs: ['--autoplay-policy=no-user-gesture-required'],
});

async function signedIn(query: string, username: string, withVoice: boolean, viewport = { width: 1280, height: 760 }): Promise<Page> {
  const context = await e2e.context({ viewport, locale: 'zh-CN' });
  if (withVoice) await context.addInitScript(standInVoice);
  const page = await context.newPage();
  e2e.watch(page, `${username}${query}`);
  await page.goto(`${e2e.hub.url}/index.html${query}`);
  await signIn(page, username);
  await page.waitForFunction(() => window.__xiuhua?.hub.getState().ready === true || document.querySelector('[data-testid=wall]') !== null)
    .catch((e: Error) => { throw new Error(`${e.message}; page errors: ${e2e.pageErrors.join(' | ')}`); });
  return page;
}

/** The alarm <audio> element is really playing (not paused, and its clock moves on). */
async function audioPlaying(page: Page): Promise<boolean> {
  return page.evaluate(async () => {
    const a = document.querySelector<HTMLAudioElement>('[data-testid=alarm-audio]');
    if (!a || a.paused) return false;
    const t0 = a.currentTime;
    await new Promise((r) => setTimeout(r, 300));
    return !a.paused && a.currentTime !== t0;
  });
}
const audioPaused = (page: Page) => page.evaluate(() => document.querySelector<HTMLAudioElement>('[data-testid=alarm-audio]')?.paused ?? true);
const tileCameras = (page: Page) => page.$$eval('.xv-cell', (cells) => cells.map((c) => c.querySelector('[data-camera-id]')?.getAttribute('data-camera-id') ?? null));

describe('one-click help', () => {
  it('an SOS from the field page alarms two consoles and the wall, is acknowledged, helped and resolved', async () => {
    const operator = await signedIn('', 'operator', true);
    const manager = await signedIn('', 'manager', false, { width: 900, height: 600 }); // small: less map to draw in software
    const wall = await signedIn(`?view=video-wall&display=sos&hub=${encodeURIComponent(e2e.hub.url)}`, 'operator', false, { width: 960, height: 540 });
    await wall.waitForSelector('.xv-wall[data-layout="9"]');
    await operator.waitForFunction(() => window.__xiuhua!.hub.positions.size > 100);

    // An officer on post with a body camera and a fresh position, as the hub has them.
    const officer = await operator.evaluate(() => {
      const h = window.__xiuhua!.hub;
      const u = [...h.getState().units.values()].find((x) => x.kind === 'officer' && x.status === 'on_post' && x.cameraId && h.positions.get(x.id));
      return u ? { id: u.id, name: u.name, cameraId: u.cameraId!, at: h.positions.get(u.id)!.fix } : null;
    });
    expect(officer).not.toBeNull();
    const phoneContext = await e2e.context({
      viewport: { width: 480, height: 900 }, locale: 'zh-CN',
      geolocation: { latitude: officer!.at.lat, longitude: officer!.at.lng }, permissions: ['geolocation'],
    });
    const phone = await phoneContext.newPage();
    await phone.goto(`${e2e.hub.url}/field`);
    await fieldSignIn(phone, officer!.id);
    await phone.locator('button.sos').click();
    await phone.waitForSelector('[data-testid=field-sos] li[data-step=received][data-done=true]');
    const sos = listActiveSos(e2e.hub.db).find((x) => x.unitId === officer!.id)!;
    expect(sos).toMatchObject({ state: 'raised', statusBefore: 'on_post' });

    // Both consoles: the banner, the sound playing; the wall: the banner too.
    const line = (page: Page, state = 'raised') => page.locator(`[data-testid=sos-banner] [data-sos="${sos.id}"][data-state=${state}]`);
    for (const page of [operator, manager, wall]) {
      await line(page).waitFor();
      expect(await line(page).innerText()).toContain(officer!.name);
    }
    for (const page of [operator, manager]) await expect.poll(() => audioPlaying(page), { timeout: 30_000 }).toBe(true);
    expect(await operator.locator('[data-testid=alarm-audio]').getAttribute('data-sound')).toBe(MODE_PROFILES.daily.alarmSound);

    // Spoken on the console with a voice, in its language; the one without says it is tone-only.
    await expect.poll(() => operator.evaluate(() => window.__spoken?.length ?? 0), { timeout: 15_000 }).toBeGreaterThan(0);
    const said = (await operator.evaluate(() => window.__spoken!))[0]!;
    expect(said.lang).toBe('zh-CN');
    expect(said.text).toMatch(/^求助：/);
    expect(said.text).toContain(officer!.name);
    if (sos.street) expect(said.text).toContain(sos.street.zh);
    expect(await manager.locator('[data-testid=sos-sound]').getAttribute('data-voice')).toBe('none');
    expect(await manager.locator('[data-testid=sos-sound-note]').innerText()).toContain('仅告警音');

    // The wall: the officer's body camera large, then the five fixed cameras nearest to the press.
    const cameras = listCameras(e2e.hub.db);
    const nearest = cameras.filter((c) => c.kind === 'fixed' && c.position)
      .sort((a, b) => distanceM(a.position!, sos.position) - distanceM(b.position!, sos.position) || (a.id < b.id ? -1 : 1))
      .slice(0, 5).map((c) => c.id);
    await wall.waitForSelector('.xv-wall[data-layout="1+5"]');
    await expect.poll(() => tileCameras(wall)).toEqual([officer!.cameraId, ...nearest]);
    // Pictures of the pages that draw no map (a software-rendered map takes long to capture on a loaded machine).
    await e2e.shot(phone, 'raised-phone');

    // One operator acknowledges: both consoles fall silent, everyone shows who.
    await line(operator).getByRole('button', { name: '确认求助' }).click();
    for (const page of [operator, manager, wall]) await line(page, 'acknowledged').waitFor();
    for (const page of [operator, manager]) await expect.poll(() => audioPaused(page)).toBe(true);
    expect(await line(manager, 'acknowledged').locator('[data-testid=sos-stage]').innerText()).toContain('已由 operator');
    await phone.waitForSelector('[data-testid=field-sos] li[data-step=acknowledged][data-done=true]');
    expect(await phone.locator('li[data-step=acknowledged]').innerText()).toBe('已由 operator 确认');

    // Help from the nearest free units, by road travel time: the phone is told who and when.
    await line(operator, 'acknowledged').locator('[data-testid=sos-handle]').click();
    const first = operator.locator('[data-testid=sos-recommended]').first();
    await first.waitFor();
    const helper = { id: (await first.getAttribute('data-unit'))!, eta: Number(await first.getAttribute('data-eta')) };
    expect(helper.id).not.toBe(officer!.id);
    await first.locator('[data-testid=sos-assist]').click();
    await phone.waitForSelector('[data-testid=field-sos] li[data-step=help][data-done=true]');
    const helperName = await operator.evaluate((id) => window.__xiuhua!.hub.getState().units.get(id)!.name, helper.id);
    expect(await phone.locator('li[data-step=help]').innerText()).toContain(`${helperName}（约 ${Math.max(1, Math.round(helper.eta / 60))} 分钟）`);
    await expect.poll(() => line(manager, 'acknowledged').locator('[data-testid=sos-help]').count()).toBe(1);
    await e2e.shot(phone, 'helped-phone');

    // Resolving needs a note; then every screen clears, the wall returns to the mode's preset, the officer to their post.
    expect(await operator.locator('[data-testid=sos-resolve]').isDisabled()).toBe(true);
    await operator.fill('[data-testid=sos-resolve-note]', '支援已到场，队员安全');
    await operator.click('[data-testid=sos-resolve]');
    for (const page of [operator, manager, wall]) await page.locator('[data-testid=sos-banner]').waitFor({ state: 'detached' });
    await phone.waitForSelector('[data-testid=field-sos] li[data-step=resolved][data-done=true]');
    expect(await phone.locator('li[data-step=resolved]').innerText()).toContain('支援已到场，队员安全');
    await wall.waitForSelector('.xv-wall[data-layout="9"]');
    const keyIds = cameras.filter((c) => c.key).map((c) => c.id).slice(0, 9);
    await expect.poll(async () => (await tileCameras(wall)).slice(0, keyIds.length)).toEqual(keyIds);
    expect(findSos(e2e.hub.db, sos.id)).toMatchObject({ state: 'resolved', resolvedBy: 'operator', acknowledgedBy: 'operator' });
    await expect.poll(() => operator.evaluate((id) => window.__xiuhua!.hub.getState().units.get(id)!.status, officer!.id)).toBe('on_post');
    await e2e.shot(phone, 'resolved-phone');
    expect(e2e.pageErrors).toEqual([]);
  }, 600_000);
});
