// The simulator's body cameras against a real hub: every foot officer's camera reaches the consoles
// about every ten seconds, none refused; and a camera that stops recording during a task raises the
// hub's bodycam_stopped alert, which clears by itself (recording again, or the task over).
// A simulator of its own with every task's camera stopping once, soon and briefly, so the test need not
// wait for chance or for the demo's minutes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BodycamAlert, BodycamStatus } from '../../shared/bodycam';
import type { HubEvent } from '../../shared/protocol';
import { loadDemoCity } from '../../main/hub/seed';
import { startSimulator, type Simulator } from '../../main/sim/simulator';
import { ask, cid, closeClients, consoleClient, startTestHub, type ConsoleClient } from './hub-fixture';

const city = loadDemoCity();
const officers = city.units.filter((u) => u.kind === 'officer');
let hub: Awaited<ReturnType<typeof startTestHub>>;
let operator: ConsoleClient;
let sim: Simulator;
const events: HubEvent[] = [];
const statuses = new Map<string, BodycamStatus[]>();
const logged: string[] = [];

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  hub = await startTestHub({ simulate: false });
  ({ socket: operator } = await consoleClient(hub.url, { username: 'operator', password: 'demo' }));
  operator.on('event', (e) => events.push(e));
  operator.on('bodycam:status', (xs) => xs.forEach((s) => statuses.set(s.unitId, [...(statuses.get(s.unitId) ?? []), s])));
  sim = await startSimulator({ hubUrl: hub.url, deviceId: 'sim-gateway', secret: 'demo', city, seed: 5, log: (l) => logged.push(l), tuning: {
    bodycamStopPerTask: 1, sosPerHour: 0,
    // Off soon after the task starts and for 15–20 s: longer than the 9–11 s between readings, so one
    // reading sees it, and short enough that the test waits seconds, not the demo's minute or two.
    bodycamStopTiming: { afterMs: [1_000, 3_000], lastsMs: [15_000, 20_000] },
  } });
}, 60_000);

afterAll(async () => {
  await sim?.stop();
  closeClients();
  await hub?.close();
});

describe('simulated body cameras through a real hub', () => {
  it('every foot officer\'s camera reports to the consoles within seconds, and the hub refuses none', async () => {
    await waitFor('a reading of every officer', () => (officers.every((o) => statuses.has(o.id)) ? true : undefined), 30_000);
    expect([...statuses.keys()].filter((id) => !officers.some((o) => o.id === id))).toEqual([]); // vehicles carry none
    // a second reading of some officer, 9–11 s (device clock) after the first
    const two = await waitFor('two readings of one officer', () => [...statuses.values()].find((xs) => xs.length >= 2), 20_000);
    expect(two[1]!.t - two[0]!.t).toBeGreaterThanOrEqual(9_000);
    expect(two[1]!.t - two[0]!.t).toBeLessThanOrEqual(11_000);
    for (const xs of statuses.values()) {
      for (const s of xs) {
        expect(s.batteryPct).toBeGreaterThan(0);
        expect(s.storageFreeMb).toBeGreaterThan(0);
        expect(s.lastUploadAt).not.toBeNull();
      }
    }
    const st = sim.stats();
    expect(st.bodycamAccepted).toBeGreaterThanOrEqual(officers.length);
    expect(st.bodycamRefused).toBe(0);
    expect(logged.filter((l) => l.includes('refused'))).toEqual([]);
    // the snapshot a console loads carries them too
    const snap = await ask(operator, 'state:snapshot', {});
    expect(new Set((snap.result.bodycam.statuses as BodycamStatus[]).map((s) => s.unitId)).size).toBe(officers.length);
  }, 60_000);

  it('a camera that stops during a task raises bodycam_stopped in words, and the alert clears by itself', async () => {
    const created = await ask(operator, 'incident:create', { commandId: cid(), category: 'parking', priority: 2, position: city.center, description: '占用消防通道 / Fire lane blocked' });
    expect(created.ok).toBe(true);
    // Five officers, so that one who refuses or dawdles does not decide the test.
    const five = officers.slice(0, 5);
    for (const o of five) {
      const res = await ask(operator, 'task:assign', { commandId: cid(), incidentId: created.result.incident.id, unitId: o.id, note: '请尽快处置' });
      expect(res.ok).toBe(true);
    }
    const alerts = () => events.flatMap((e) => (e.data.type === 'bodycam:alert' ? [e.data.alert as BodycamAlert] : []));
    const raised = await waitFor('a bodycam_stopped alert', () => events.flatMap((e) => (e.data.type === 'alert:raised' && e.data.alert.kind === 'bodycam_stopped' ? [e.data.alert] : []))[0], 150_000);
    const unit = five.find((o) => o.id === raised.subjectId);
    expect(unit).toBeDefined();
    expect(raised.message.zh).toContain(`${unit!.name} 的执法记录仪`);
    expect(raised.message.en).toContain('body camera has not been recording');
    // The readings said so: the unit's latest status is not recording.
    expect(statuses.get(unit!.id)!.some((s) => !s.recording)).toBe(true);
    const cleared = await waitFor('the alert cleared', () => alerts().find((a) => a.unitId === unit!.id && a.clearedAt !== null), 180_000);
    expect(['recording', 'task_over']).toContain(cleared.clearedBy);
    // (statuses are fanned out at most once a second, so the reading that cleared it may come just after the event)
    if (cleared.clearedBy === 'recording') await waitFor('the recording reading', () => (statuses.get(unit!.id)!.at(-1)!.recording ? true : undefined), 5_000);
    expect(sim.stats().bodycamRefused).toBe(0);
  }, 340_000);
});
