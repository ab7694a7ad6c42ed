// The simulator against a real hub: what an operator's console sees when the demo city runs —
// units moving, check-ins and incidents arriving, and a task the operator assigns being taken up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubEvent } from '../../shared/protocol';
import type { Task } from '../../shared/domain';
import { loadDemoCity } from '../../main/hub/seed';
import { loadUnits } from '../../main/sim/city/index';
import { startSimulator, SimulatorConnectError, type Simulator } from '../../main/sim/simulator';
import { ask, cid, closeClients, consoleClient, startTestHub, type ConsoleClient } from './hub-fixture';

const city = loadDemoCity();
let hub: Awaited<ReturnType<typeof startTestHub>>;
let operator: ConsoleClient;
let sim: Simulator;
const events: HubEvent[] = [];
const seenUnits = new Set<string>();
let outsideMap = 0;

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
  hub = await startTestHub({ simulate: false }); // this test runs the simulator itself
  ({ socket: operator } = await consoleClient(hub.url, { username: 'operator', password: 'demo' }));
  operator.on('event', (e) => events.push(e));
  const [w, s, e, n] = city.bbox;
  operator.on('unit:positions', ({ fixes }) => {
    for (const f of fixes) {
      seenUnits.add(f.unitId);
      // GPS noise and the odd outlier may step a little past the map edge, not kilometres
      if (f.lng < w - 0.01 || f.lng > e + 0.01 || f.lat < s - 0.01 || f.lat > n + 0.01) outsideMap++;
    }
  });
  sim = await startSimulator({ hubUrl: hub.url, deviceId: 'sim-gateway', secret: 'demo', city, seed: 3 });
}, 60_000);

afterAll(async () => {
  await sim?.stop();
  closeClients();
  await hub?.close();
});

describe('field simulator through a real hub', () => {
  it('moves every unit of the demo city on the console map within seconds', async () => {
    await waitFor('all 230 units', () => (seenUnits.size === city.units.length ? true : undefined), 20_000);
    expect(outsideMap).toBe(0);
    const st = sim.stats();
    expect(st.units).toBe(city.units.length);
    expect(st.fixesAccepted).toBeGreaterThan(0);
    expect(st.fixesAccepted).toBeLessThanOrEqual(st.fixesSent);
  }, 30_000);

  it('delivers check-ins at posts and field-reported incidents as events within a minute', async () => {
    const checkIn = await waitFor('a check-in', () => events.find((e) => e.data.type === 'checkin:recorded'), 60_000);
    const incident = await waitFor('an incident', () => events.find((e) => e.data.type === 'incident:created'), 60_000);
    if (checkIn.data.type !== 'checkin:recorded' || incident.data.type !== 'incident:created') throw new Error('unreachable');
    expect(checkIn.data.checkIn.onSite).toBe(true);
    expect(incident.data.incident.source.kind).toBe('field');
    expect(sim.stats().commandErrors).toBe(0);
  }, 70_000);

  it('takes up a task the operator assigns: accepted (or refused with a reason) after a human delay', async () => {
    const created = await ask(operator, 'incident:create', { commandId: cid(), category: 'parking', priority: 2, position: city.center, description: '占用消防通道 / Fire lane blocked' });
    expect(created.ok).toBe(true);
    // Five officers, so that one who happens to be slow or to refuse does not decide the test.
    const officers = city.units.filter((u) => u.kind === 'officer').slice(0, 5);
    const taskIds: string[] = [];
    for (const o of officers) {
      const res = await ask(operator, 'task:assign', { commandId: cid(), incidentId: created.result.incident.id, unitId: o.id, note: '请尽快处置' });
      expect(res.ok).toBe(true);
      taskIds.push((res.result.task as Task).id);
    }
    // The acceptance itself (a unit that sets off at once is en route right after it).
    const accepted = await waitFor('an accepted task', () => events.flatMap((e) => (e.data.type === 'task:updated' ? [e.data.task] : []))
      .find((t) => taskIds.includes(t.id) && t.state === 'accepted'), 90_000);
    expect(accepted.updatedAt - accepted.assignedAt).toBeGreaterThanOrEqual(4_000);
  }, 100_000);

  it('follows a mode switch: vehicles whose route is not patrolled at night park', async () => {
    const { socket: manager } = await consoleClient(hub.url, { username: 'manager', password: 'demo' });
    const res = await ask(manager, 'mode:switch', { commandId: cid(), mode: 'night', reason: '夜间模式 / dusk' });
    expect(res.ok).toBe(true);
    await new Promise((r) => setTimeout(r, 3000)); // the switch reaches the simulator; fixes in flight land
    const routeOf = new Map(city.units.map((u) => [u.id, city.routes.find((r) => r.id === u.routeId)]));
    const speeds = new Map<string, number[]>();
    const onFixes = ({ fixes }: { fixes: { unitId: string; speed?: number }[] }) => {
      for (const f of fixes) if (routeOf.get(f.unitId)) speeds.set(f.unitId, [...(speeds.get(f.unitId) ?? []), f.speed ?? 0]);
    };
    operator.on('unit:positions', onFixes);
    await new Promise((r) => setTimeout(r, 6000));
    operator.off('unit:positions', onFixes);
    const moving = (id: string) => (speeds.get(id) ?? []).some((v) => v > 0);
    const vehicles = [...speeds.keys()];
    const offRoute = vehicles.filter((id) => !routeOf.get(id)!.modes.includes('night'));
    const nightRoute = vehicles.filter((id) => routeOf.get(id)!.modes.includes('night'));
    expect(offRoute.length).toBeGreaterThan(0);
    expect(offRoute.filter(moving)).toEqual([]);
    expect(nightRoute.filter(moving).length).toBeGreaterThan(0);
  }, 30_000);

  it('says clearly when the hub refuses the device', async () => {
    await expect(startSimulator({ hubUrl: hub.url, deviceId: 'sim-gateway', secret: 'wrong', city, seed: 1 })).rejects.toThrow(SimulatorConnectError);
    await expect(startSimulator({ hubUrl: hub.url, deviceId: 'sim-gateway', secret: 'wrong', city, seed: 1 })).rejects.toThrow(/refused device "sim-gateway"/);
  });
});

describe('load mode through a real hub', () => {
  it('spreads extra load units over several gateway connections; the hub knows every one of them', async () => {
    const n = 2000;
    const loadHub = await startTestHub({ simulate: false, extraUnits: loadUnits(city, n, city.seed) });
    const { socket: watcher } = await consoleClient(loadHub.url, { username: 'operator', password: 'demo' });
    const seen = new Set<string>();
    watcher.on('unit:positions', ({ fixes }) => fixes.forEach((f) => seen.add(f.unitId)));
    const load = await startSimulator({ hubUrl: loadHub.url, deviceId: 'sim-gateway', secret: 'demo', city, seed: 5, extraUnits: n, connections: 3 });
    try {
      await waitFor('every load unit on the console', () => ([...seen].filter((id) => id.startsWith('load-')).length === n ? true : undefined), 30_000);
      const st = load.stats();
      expect(st.units).toBe(city.units.length + n);
      await waitFor('the batches sent so far accepted', () => (load.stats().fixesAccepted >= st.fixesSent ? true : undefined), 20_000);
      expect(loadHub.pipeline.stats.unknownUnit).toBe(0);
      // The only fixes refused are the simulator's GPS glitches, jumps no officer can make (outliers).
      const { implausible_speed: outliers, ...others } = loadHub.pipeline.stats.refused;
      expect(others).toEqual({ unknown_unit: 0, too_old: 0, in_future: 0, store_backlog: 0, duplicate: 0 });
      expect(load.stats().fixesRejected).toBeLessThanOrEqual(outliers);
    } finally {
      await load.stop();
      watcher.disconnect();
      await loadHub.close();
    }
  }, 90_000);

  it('reports fixes of load units the hub was not started with as rejected', async () => {
    const s = await startSimulator({ hubUrl: hub.url, deviceId: 'sim-gateway', secret: 'demo', city, seed: 6, extraUnits: 50, cityUnits: false });
    try {
      await waitFor('rejected fixes', () => (s.stats().fixesRejected > 0 ? true : undefined), 10_000);
      expect(s.stats().fixesAccepted).toBe(0);
    } finally {
      await s.stop();
    }
  });
});

describe('a hub restart', () => {
  it('is ridden out: the simulator reconnects by itself and its units move again', async () => {
    const first = await startTestHub({ simulate: false });
    const lines: string[] = [];
    const s = await startSimulator({ hubUrl: first.url, deviceId: 'sim-gateway', secret: 'demo', city, seed: 9, log: (l) => lines.push(l) });
    try {
      await waitFor('fixes accepted', () => (s.stats().fixesAccepted > 0 ? true : undefined), 10_000);
      await first.close();
      await waitFor('the loss noticed', () => (lines.some((l) => l.startsWith('connection lost')) ? true : undefined), 10_000);
      const again = await startTestHub({ simulate: false, dataDir: first.dataDir, port: first.port });
      try {
        const { socket: watcher } = await consoleClient(again.url, { username: 'operator', password: 'demo' });
        const seen = new Set<string>();
        watcher.on('unit:positions', ({ fixes }) => fixes.forEach((f) => seen.add(f.unitId)));
        await waitFor('units moving on the restarted hub', () => (seen.size > 100 ? true : undefined), 30_000);
        expect(lines.some((l) => l.startsWith('reconnected'))).toBe(true);
        watcher.disconnect();
      } finally {
        await s.stop();
        await again.close();
      }
    } finally {
      await s.stop();
    }
  }, 90_000);
});
