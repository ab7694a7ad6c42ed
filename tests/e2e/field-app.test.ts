// The field app end to end (issue 13) on a phone-sized Chromium whose position the test sets: an admin
// enrols the phone by a one-time code, which the officer types; the page shows the unit by name and
// checks in at the post it is standing at without a post id being typed; the network goes away, the
// officer presses SOS and accepts a task, and the page (reloaded meanwhile, from its service worker)
// keeps both as "waiting to send"; the network comes back and each reaches the hub exactly once — in
// the store and the audit log — and the console's state shows the officer in SOS where the phone is.
import { afterEach, describe, expect, it } from 'vitest';
import { devices } from 'playwright-core';
import { distanceM } from '../../shared/geo';
import { INCIDENT_CATEGORY_LABELS } from '../../shared/domain';
import { auditPage } from '../../main/store/audit';
import { findPost, listUnits } from '../../main/store/city';
import { shiftForCheckIn } from '../../main/store/attendance';
import { EARLY_CHECKIN_MS } from '../../main/hub/handlers/attendance';
import { ask, cid, closeClients, consoleClient, hubSnapshot, type ConsoleClient } from '../integration/hub-fixture';
import { e2eSuite } from './harness';

// A still demo city: the only positions of our officer are the phone's.
const e2e = e2eSuite('field-app');
afterEach(() => closeClients());

const accepted = (action: string, actor: string) => auditPage(e2e.hub.db, 0, 1_000_000).filter((e) => e.action === action && e.actor === actor && e.outcome === 'accepted');

describe('the field app', () => {
  it('enrols by code, checks in at the nearest post, and sends what was pressed offline once when back online', async () => {
    const admin: ConsoleClient = (await consoleClient(e2e.hub.url, { username: 'admin', password: 'demo' })).socket;
    const operator: ConsoleClient = (await consoleClient(e2e.hub.url, { username: 'operator', password: 'demo' })).socket;
    const officer = listUnits(e2e.hub.db).find((u) => u.kind === 'officer' && u.postId && u.status === 'on_post')!;
    // Where it must check in: its shift's post if it is on one (the hub accepts only that), else its own post.
    const postId = shiftForCheckIn(e2e.hub.db, officer.id, Date.now(), EARLY_CHECKIN_MS)?.postId ?? officer.postId!;
    const post = findPost(e2e.hub.db, postId)!;
    const cell = e2e.hub.db.prepare('SELECT name FROM areas WHERE id = ?').pluck().get(officer.cellId) as string;

    const made = await ask(admin, 'device:enrol', { commandId: cid(), unitId: officer.id, label: 'e2e phone' });
    expect(made.ok, JSON.stringify(made.error)).toBe(true);
    const code = made.result.code as string;

    const phoneContext = await e2e.context({
      ...devices['Pixel 7'], locale: 'zh-CN',
      geolocation: { latitude: post.center[1], longitude: post.center[0], accuracy: 8 }, permissions: ['geolocation'],
    });
    const phone = await phoneContext.newPage();
    e2e.watch(phone, 'phone');
    await phone.goto(`${e2e.hub.url}/field`);

    // Typed the way people type it: lower case, in groups.
    await phone.fill('[data-testid=field-enrol-code]', `${code.slice(0, 4).toLowerCase()} ${code.slice(4, 8)} ${code.slice(8).toLowerCase()}`);
    await phone.click('[data-testid=field-enrol-send]');
    const deviceId = e2e.hub.db.prepare('SELECT device_id FROM enrolment_codes WHERE unit_id = ? AND used_at IS NOT NULL').pluck();
    const header = phone.locator('[data-testid=field-unit]');
    await header.locator('h1').filter({ hasText: officer.name }).waitFor();
    await header.filter({ hasText: cell }).waitFor();
    await phone.locator('[data-testid=field-link][data-state=online]').waitFor();
    const device = deviceId.get(officer.id) as string;
    expect(device).toMatch(/^dev-/);
    // The page shows names, not ids.
    expect(await header.innerText()).not.toContain(officer.id);

    // Check in: one button, at the post it stands at.
    const checkIn = phone.locator('[data-testid=field-checkin]');
    await checkIn.waitFor();
    expect(await checkIn.getAttribute('data-post')).toBe(post.id);
    expect(await checkIn.innerText()).toContain(post.name);
    await checkIn.click();
    await phone.locator('.msg').filter({ hasText: '已发送' }).waitFor();
    expect(e2e.hub.db.prepare('SELECT count(*) FROM check_ins WHERE unit_id = ? AND post_id = ?').pluck().get(officer.id, post.id)).toBe(1);
    await e2e.shot(phone, 'checked-in');

    // A task for the officer reaches the phone.
    const incident = await ask(operator, 'incident:create', { commandId: cid(), category: 'parking', priority: 2, position: post.center, description: '占道停车' });
    const task = await ask(operator, 'task:assign', { commandId: cid(), incidentId: incident.result.incident.id, unitId: officer.id });
    expect(task.ok, JSON.stringify(task.error)).toBe(true);
    const taskId = task.result.task.id as string;
    await phone.locator(`[data-testid=field-task][data-task="${taskId}"][data-state=assigned]`).waitFor();

    // No signal: SOS and accept are kept on the phone, not sent.
    await phone.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    await phoneContext.setOffline(true);
    await phone.locator('[data-testid=field-link][data-state=offline]').waitFor();
    await phone.locator('button.sos').click();
    await phone.locator('[data-testid=field-accept]').click();
    await phone.locator('[data-testid=field-outbox][data-count="2"]').waitFor();
    // Honest about it: the SOS is waiting to be sent, not "sent".
    await phone.locator('[data-testid=field-sos] li[data-step=sent][data-done=false]').waitFor();
    await e2e.shot(phone, 'offline-waiting');
    // Restarted without signal, the page comes from its service worker, and the outbox is still there.
    await phone.reload();
    await phone.locator('[data-testid=field-outbox][data-count="2"]').waitFor();
    expect(e2e.hub.db.prepare('SELECT count(*) FROM sos WHERE unit_id = ?').pluck().get(officer.id)).toBe(0);
    expect(e2e.hub.db.prepare('SELECT state FROM tasks WHERE id = ?').pluck().get(taskId)).toBe('assigned');

    // Back online: both go out, and the outbox empties only once the hub has answered.
    await phoneContext.setOffline(false);
    await phone.locator('[data-testid=field-link][data-state=online]').waitFor();
    await phone.locator('[data-testid=field-outbox]').waitFor({ state: 'detached' });
    await phone.locator(`[data-testid=field-task][data-task="${taskId}"][data-state=accepted]`).waitFor();

    // Exactly once, in the store and in the record.
    expect(e2e.hub.db.prepare('SELECT count(*) FROM sos WHERE unit_id = ?').pluck().get(officer.id)).toBe(1);
    expect(e2e.hub.db.prepare("SELECT count(*) FROM task_steps WHERE task_id = ? AND state = 'accepted'").pluck().get(taskId)).toBe(1);
    expect(accepted('sos:raise', device)).toHaveLength(1);
    expect(accepted('task:accept', device)).toHaveLength(1);
    expect(accepted('checkin:create', device)).toHaveLength(1);
    expect(accepted('device:claim', 'system')).toHaveLength(1);

    // The console's state: the officer in SOS, at the phone's position, checked in.
    const snap = await hubSnapshot(e2e.hub.url);
    expect(snap.units.find((u) => u.id === officer.id)?.status).toBe('sos');
    const sos = snap.sos.find((s) => s.unitId === officer.id)!;
    expect(distanceM(sos.position, post.center)).toBeLessThan(5);
    const fix = snap.positions.find((p) => p.unitId === officer.id);
    expect(fix, 'the phone streams its position').toBeDefined();
    expect(distanceM([fix!.lng, fix!.lat], post.center)).toBeLessThan(5);
    await e2e.shot(phone, 'back-online');
    expect(e2e.pageErrors).toEqual([]);
  }, 300_000);

  it('opened from the QR code (?code= in the address), a phone enrols with nothing typed and drops the code from the address', async () => {
    const admin: ConsoleClient = (await consoleClient(e2e.hub.url, { username: 'admin', password: 'demo' })).socket;
    const officer = listUnits(e2e.hub.db).filter((u) => u.kind === 'officer' && u.postId).at(-1)!;
    const made = await ask(admin, 'device:enrol', { commandId: cid(), unitId: officer.id });
    const context = await e2e.context({ ...devices['Pixel 7'], locale: 'zh-CN' });
    const phone = await context.newPage();
    await phone.goto(`${made.result.hubUrl}/field?code=${made.result.code}`);
    await phone.locator('[data-testid=field-unit] h1').filter({ hasText: officer.name }).waitFor();
    await phone.locator('[data-testid=field-link][data-state=online]').waitFor();
    expect(new URL(phone.url()).search).toBe('');
    // Reloaded, it stays signed in (the credential is kept on the phone), and the spent code is not tried again.
    await phone.reload();
    await phone.locator('[data-testid=field-link][data-state=online]').waitFor();
    expect(auditPage(e2e.hub.db, 0, 1_000_000).filter((e) => e.action === 'device:claim' && e.outcome === 'accepted')).toHaveLength(2);
  }, 120_000);

  /** A phone enrolled from the admin's QR code for `officer`, online; its device id. */
  async function enrolledPhone(officerId: string, name: string, shot: string) {
    const admin: ConsoleClient = (await consoleClient(e2e.hub.url, { username: 'admin', password: 'demo' })).socket;
    const made = await ask(admin, 'device:enrol', { commandId: cid(), unitId: officerId });
    expect(made.ok, JSON.stringify(made.error)).toBe(true);
    const post = findPost(e2e.hub.db, listUnits(e2e.hub.db).find((u) => u.id === officerId)!.postId!)!;
    const context = await e2e.context({
      ...devices['Pixel 7'], locale: 'zh-CN',
      geolocation: { latitude: post.center[1], longitude: post.center[0], accuracy: 8 }, permissions: ['geolocation'],
    });
    const phone = await context.newPage();
    e2e.watch(phone, 'phone');
    await phone.goto(`${made.result.hubUrl}/field?code=${made.result.code}`);
    await phone.locator('[data-testid=field-unit] h1').filter({ hasText: name }).waitFor();
    await phone.locator('[data-testid=field-link][data-state=online]').waitFor();
    await e2e.shot(phone, shot);
    const deviceId = e2e.hub.db.prepare('SELECT device_id FROM enrolment_codes WHERE unit_id = ? AND used_at IS NOT NULL').pluck().get(officerId) as string;
    return { admin, context, phone, deviceId, post };
  }

  it('says what a task is about (category, urgency, street, description), not its incident id; the initial mode with a reason in words', async () => {
    const officer = listUnits(e2e.hub.db).filter((u) => u.kind === 'officer' && u.postId)[3]!;
    const { phone, post } = await enrolledPhone(officer.id, officer.name, 'task-enrolled');
    // The seeded mode's reason, in Chinese (the store keeps the hub's 'initial mode').
    await phone.locator('[data-testid=field-mode-reason]').filter({ hasText: '系统初始模式' }).waitFor();
    expect(await phone.locator('[data-testid=field-mode]').innerText()).not.toContain('initial mode');

    const operator: ConsoleClient = (await consoleClient(e2e.hub.url, { username: 'operator', password: 'demo' })).socket;
    const incident = (await ask(operator, 'incident:create', { commandId: cid(), category: 'municipal', priority: 1, position: post.center, description: '窨井盖缺失，已有行人绊倒' })).result.incident;
    const task = await ask(operator, 'task:assign', { commandId: cid(), incidentId: incident.id, unitId: officer.id, note: '请带警示锥' });
    expect(task.ok, JSON.stringify(task.error)).toBe(true);
    const card = phone.locator(`[data-testid=field-task][data-task="${task.result.task.id}"]`);
    await card.locator('[data-testid=field-task-brief][data-loaded=true]').waitFor();
    expect(await card.locator('[data-testid=field-task-what]').innerText()).toBe(`${INCIDENT_CATEGORY_LABELS.municipal.zh} · 紧急`);
    expect(await card.locator('[data-testid=field-task-description]').innerText()).toBe('窨井盖缺失，已有行人绊倒');
    if (incident.place.street) expect(await card.locator('[data-testid=field-task-where]').innerText()).toContain(incident.place.street);
    const text = await card.innerText();
    expect(text).toContain('指挥中心：请带警示锥');
    expect(text).not.toContain(incident.id);
    await e2e.shot(phone, 'task-brief');
  }, 120_000);

  it('an SOS says "received by the center" only once the hub has acked that press, also when pressed again offline and reloaded', async () => {
    const officer = listUnits(e2e.hub.db).filter((u) => u.kind === 'officer' && u.postId)[4]!;
    const { phone, context, deviceId } = await enrolledPhone(officer.id, officer.name, 'sos-enrolled');
    const sosBox = phone.locator('[data-testid=field-sos]');
    const step = (key: string, done: boolean) => sosBox.locator(`li[data-step=${key}][data-done=${done}]`);
    await phone.locator('button.sos').click();
    await step('received', true).waitFor();
    expect(e2e.hub.db.prepare('SELECT count(*) FROM sos WHERE unit_id = ?').pluck().get(officer.id)).toBe(1);
    await step('sent', true).waitFor();
    // Pressed again without signal while the first is open: the new press is on the phone, not received.
    await phone.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    await context.setOffline(true);
    await phone.locator('[data-testid=field-link][data-state=offline]').waitFor();
    await phone.locator('button.sos').click();
    await phone.locator('[data-testid=field-outbox][data-count="1"]').waitFor();
    await step('sent', false).waitFor();
    await step('received', false).waitFor();
    await e2e.shot(phone, 'sos-again-offline');
    // Reloaded without signal: the waiting press is still shown as waiting, not forgotten.
    await phone.reload();
    await phone.locator('[data-testid=field-outbox][data-count="1"]').waitFor();
    await step('sent', false).waitFor();
    await step('received', false).waitFor();
    await context.setOffline(false);
    await phone.locator('[data-testid=field-outbox]').waitFor({ state: 'detached' });
    await step('received', true).waitFor();
    expect(accepted('sos:raise', deviceId)).toHaveLength(2);
    await e2e.shot(phone, 'sos-received');
  }, 120_000);

  it('after an admin revokes the phone, it goes back to the enrol screen and says why (not "reconnecting" for ever)', async () => {
    const officer = listUnits(e2e.hub.db).filter((u) => u.kind === 'officer' && u.postId)[5]!;
    const { phone, admin, deviceId, post } = await enrolledPhone(officer.id, officer.name, 'revoke-before');
    // A task whose brief the phone keeps: a lost phone must not go on telling its finder about incidents.
    const operator: ConsoleClient = (await consoleClient(e2e.hub.url, { username: 'operator', password: 'demo' })).socket;
    const incident = (await ask(operator, 'incident:create', { commandId: cid(), category: 'municipal', priority: 2, position: post.center, description: '遗失手机前的任务' })).result.incident;
    const task = await ask(operator, 'task:assign', { commandId: cid(), incidentId: incident.id, unitId: officer.id });
    expect(task.ok, JSON.stringify(task.error)).toBe(true);
    await phone.locator(`[data-testid=field-task][data-task="${task.result.task.id}"] [data-testid=field-task-brief][data-loaded=true]`).waitFor();
    expect(await phone.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('xiuhua.field.briefs.')))).toHaveLength(1);
    const res = await ask(admin, 'device:revoke', { commandId: cid(), deviceId, reason: '手机遗失' });
    expect(res.ok, JSON.stringify(res.error)).toBe(true);
    const problem = phone.locator('[data-testid=field-enrol-problem]');
    await problem.waitFor();
    expect(await problem.innerText()).toBe('本机的登记已被管理员撤销，无法再连接中枢。请向管理员索取新的注册码，重新注册本机。');
    await phone.locator('[data-testid=field-enrol-code]').waitFor();
    // The credential is gone from the phone: a reload stays on the enrol screen.
    expect(await phone.evaluate(() => Object.keys(localStorage).filter((k) => /credential/i.test(k) && localStorage.getItem(k)))).toEqual([]);
    // And so are the task briefs it kept.
    expect(await phone.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('xiuhua.field.briefs.')))).toEqual([]);
    await e2e.shot(phone, 'revoked');
  }, 120_000);
});
