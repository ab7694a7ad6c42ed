// Dispatch end to end in Chromium: the operator creates an incident inside the grid from a citizen's call,
// takes the first unit the hub recommends, appends an amendment, and the field page (a second page, signed in for that unit)
// accepts, sets off, arrives and finishes. Each step shows live on the console — the task's state in
// the incident panel and a new line in the incident's trace — and the hub's record agrees.
import { beforeAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import type { LngLat } from '../../shared/domain';
import { offsetM } from '../../shared/geo';
import type { IncidentTrace } from '../../shared/incidents';
import type { Ack } from '../../shared/protocol';
import { demoHub, e2eSuite, fieldSignIn } from './harness';

// Inside cell-04-12 (新街口), beside 中山东路.
const SPOT: LngLat = [118.7845, 32.0435];
const CELL = 'cell-04-12';
const OFFICERS = ['off-101', 'off-102', 'off-103', 'off-104'];

// A still city (no simulator answering tasks); a fix is in the ranking index as soon as it is taken.
const e2e = e2eSuite('dispatch', { hub: (o) => demoHub(o, { positions: { index: { maxStaleMs: 0 } } }) });

beforeAll(async () => {
  // A few officers around the spot, so that the hub has units to recommend.
  const gw = io(`${e2e.hub.url}/field`, { auth: { deviceId: 'sim-gateway', secret: 'demo' }, transports: ['websocket'] });
  await new Promise<void>((resolve, reject) => { gw.once('session:ready', () => resolve()); gw.once('connect_error', reject); });
  const t = Date.now();
  const fixes = OFFICERS.map((unitId, i) => { const [lng, lat] = offsetM(SPOT, 80 + i * 90, -60 - i * 40); return { unitId, t, lng, lat }; });
  const res = (await gw.timeout(10_000).emitWithAck('unit:position', { fixes })) as Ack<{ accepted: number }>;
  gw.disconnect();
  expect(res.ok && res.result.accepted).toBe(OFFICERS.length);
}, 180_000);

/** The hub's own trace, over a socket of the test's own (what the console shows is checked against it). */
async function hubTrace(incidentId: string): Promise<IncidentTrace> {
  const s = io(`${e2e.hub.url}/console`, { auth: { username: 'evaluator', password: 'demo' }, transports: ['websocket'] });
  try {
    await new Promise<void>((resolve, reject) => { s.once('session:ready', () => resolve()); s.once('connect_error', reject); });
    const res = (await s.timeout(10_000).emitWithAck('incident:trace', { incidentId })) as Ack<IncidentTrace>;
    if (!res.ok) throw new Error(res.error.message);
    return res.result;
  } finally {
    s.disconnect();
  }
}

describe('dispatch from the console to the field page', () => {
  it('an incident inside the grid goes to the first recommended unit, and every field step shows live in the panel and the trace', async () => {
    const page = await e2e.consoleAs('operator');
    // The place panel at the spot: the map at rest over it, the pointer on it, N.
    await page.evaluate((at) => window.__xiuhua!.map!.jumpTo({ center: at, zoom: 17 }), SPOT);
    await page.waitForFunction(() => !window.__xiuhua!.map!.isMoving() && window.__xiuhua!.map!.loaded(), undefined, { timeout: 60_000 });
    const pt = await page.evaluate((at) => {
      const map = window.__xiuhua!.map!;
      const r = map.getCanvas().getBoundingClientRect();
      const p = map.project(at);
      return { x: r.left + p.x, y: r.top + p.y };
    }, SPOT);
    await page.mouse.move(pt.x, pt.y);
    await page.keyboard.press('n');
    await page.waitForSelector('[data-testid=side-panel][data-kind=place]');
    await page.selectOption('[data-testid=new-category]', 'parking');
    await page.selectOption('[data-testid=new-subtype]', 'illegal-parking');
    await page.selectOption('[data-testid=new-priority]', '1');
    await page.selectOption('[data-testid=new-source]', 'phone');
    await page.fill('[data-testid=new-caller-name]', '王女士');
    // A number the hub would refuse is said at the field, before anything is sent.
    await page.fill('[data-testid=new-caller-number]', '一三八');
    expect(await page.locator('[data-testid=new-caller-number-problem]').textContent()).toBe('号码只能含数字、空格、- 和开头的 +，3–24 位');
    expect(await page.locator('[data-testid=create-incident]').isDisabled()).toBe(true);
    await page.fill('[data-testid=new-caller-number]', '138 0000 1234');
    await page.locator('[data-testid=new-caller-number-problem]').waitFor({ state: 'detached' });
    await page.fill('[data-testid=new-caller-text]', '车辆堵住消防通道');
    await page.fill('[data-testid=new-description]', '违停堵塞消防通道');
    await page.click('[data-testid=create-incident]');
    const panel = page.locator('[data-testid=side-panel][data-kind=incident]');
    await panel.waitFor();
    const incidentId = (await panel.getAttribute('data-id'))!;
    expect(await panel.locator('[data-testid=incident-source]').innerText()).toContain('王女士');
    const made = (await hubTrace(incidentId)).incident;
    expect(made).toMatchObject({ category: 'parking', subtype: 'illegal-parking', priority: 1, source: { kind: 'phone', callerName: '王女士' } });
    expect(made.place.cellId).toBe(CELL); // inside the grid
    expect(await panel.locator('[data-testid=incident-place]').innerText()).toContain(made.place.street!);

    // The first recommendation, as the hub ranks it.
    const first = panel.locator('[data-testid=recommended]').first();
    await first.waitFor();
    const unitId = (await first.getAttribute('data-unit'))!;
    expect(OFFICERS).toContain(unitId);
    await panel.locator('[data-testid=trace-open]').click();
    await first.locator('[data-testid=assign-unit]').click();
    const task = panel.locator(`[data-testid=incident-task][data-unit="${unitId}"]`);
    await panel.locator(`[data-testid=incident-task][data-unit="${unitId}"][data-state=assigned]`).waitFor();
    expect(await task.locator('[data-testid=time-left]').getAttribute('data-deadline')).toBe('ack');
    const taskId = (await task.getAttribute('data-task'))!;
    await panel.locator('[data-testid=trace-entry][data-kind=step][data-state=assigned]').waitFor();
    // A correction, appended with its reason.
    await panel.locator('[data-testid=amend-open]').click();
    await panel.locator('[data-testid=amend-reason]').fill('补充情况');
    await panel.locator('[data-testid=amend-text]').fill('来电人称车牌为苏A·12345');
    await panel.locator('[data-testid=amend-send]').click();
    await panel.locator('[data-testid=trace-entry][data-kind=amendment]').waitFor();

    // The field page, signed in for that unit, near the spot.
    const field = await e2e.context({
      viewport: { width: 480, height: 860 }, locale: 'zh-CN',
      geolocation: { longitude: SPOT[0] + 0.0003, latitude: SPOT[1] - 0.0002 }, permissions: ['geolocation'],
    });
    const phone = await field.newPage();
    await phone.goto(`${e2e.hub.url}/field`);
    await fieldSignIn(phone, unitId);
    const card = phone.locator(`[data-testid=field-task][data-task="${taskId}"]`);

    const steps: Array<[string, string]> = [['field-accept', 'accepted'], ['field-depart', 'en_route'], ['field-arrive', 'arrived'], ['field-finish', 'finished']];
    for (const [button, state] of steps) {
      await card.locator(`[data-testid=${button}]`).click();
      // Live on the console: the task's state in the panel, and the step in the trace.
      await panel.locator(`[data-testid=incident-task][data-task="${taskId}"][data-state=${state}]`).waitFor();
      await panel.locator(`[data-testid=trace-entry][data-kind=step][data-state=${state}]`).waitFor();
      if (state !== 'finished') await phone.locator(`[data-testid=field-task][data-task="${taskId}"][data-state=${state}]`).waitFor();
      if (state === 'en_route') expect(await task.locator('[data-testid=time-left]').getAttribute('data-deadline')).toBe('arrive');
    }
    await e2e.shot(page, 'console-trace');
    await e2e.shot(phone, 'field-done');
    await panel.locator('[data-testid=incident-state][data-state=resolved]').waitFor();

    // The trace on the console is the hub's, in the order things happened.
    const shown = await panel.locator('[data-testid=trace-entry]').evaluateAll((els) => els.map((e) => e.getAttribute('data-state') ?? e.getAttribute('data-kind')));
    expect(shown).toEqual(['created', 'assigned', 'amendment', 'accepted', 'en_route', 'arrived', 'finished']);
    const truth = await hubTrace(incidentId);
    expect(truth.entries.map((e) => (e.kind === 'step' ? e.state : e.kind))).toEqual(shown);
    const stepsOfUnit = truth.entries.filter((e) => e.kind === 'step' && e.state !== 'assigned');
    expect(stepsOfUnit.every((e) => e.kind === 'step' && e.unitId === unitId && e.actor === 'sim-gateway')).toBe(true);
    // Where the unit was, from the phone's position, on the moves that need it.
    for (const e of truth.entries) if (e.kind === 'step' && (e.state === 'en_route' || e.state === 'arrived')) expect(e.position).toEqual([SPOT[0] + 0.0003, SPOT[1] - 0.0002]);
    await field.close();
    await page.context().close();
  }, 240_000);
});
