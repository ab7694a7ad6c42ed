// A device that connects while an emergency is declared for one district learns it at connect: the
// field namespace's session:ready lists every area emergency in force (scope, reason, end time), and
// a simulator started then runs that district's emergency routes from its first tick, and only those.
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FieldServerEvents } from '../../shared/protocol/sockets';
import { pointInPolygon } from '../../shared/geo';
import { loadDemoCity } from '../../main/hub/seed';
import { startSimulator, type Simulator } from '../../main/sim/simulator';
import { ask, cid, closeClients, consoleClient, startTestHub, type ConsoleClient, type FieldClient } from './hub-fixture';

type SessionReady = Parameters<FieldServerEvents['session:ready']>[0];

const city = loadDemoCity();
const DISTRICT = 'dist-xinjiekou';
let hub: Awaited<ReturnType<typeof startTestHub>>;
let manager: ConsoleClient;
let operator: ConsoleClient;
let sim: Simulator | undefined;
let endsAt: number;
const raw: FieldClient[] = [];

function readyOf(): Promise<SessionReady> {
  const socket: FieldClient = io(`${hub.url}/field`, { auth: { deviceId: 'sim-gateway', secret: 'demo' }, transports: ['websocket'], reconnection: false, forceNew: true });
  raw.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('session:ready', resolve);
    socket.once('connect_error', reject);
  });
}

beforeAll(async () => {
  hub = await startTestHub({ simulate: false }); // the simulator starts below, after the emergency
  ({ socket: manager } = await consoleClient(hub.url, { username: 'manager', password: 'demo' }));
  ({ socket: operator } = await consoleClient(hub.url, { username: 'operator', password: 'demo' }));
  endsAt = Date.now() + 2 * 3600_000;
  const res = await ask(manager, 'mode:switch', { commandId: cid(), mode: 'emergency', reason: '暴雨内涝', areaId: DISTRICT, endsAt });
  expect(res.ok, res.error?.message).toBe(true);
}, 60_000);

afterAll(async () => {
  await sim?.stop();
  raw.forEach((s) => s.disconnect());
  closeClients();
  await hub?.close();
});

describe('area emergencies already in force when a device connects', () => {
  it('session:ready lists each one with its area, reason and end time; the city keeps its own mode', async () => {
    const ready = await readyOf();
    expect(ready.mode.mode).toBe('daily');
    expect(ready.areaModes).toHaveLength(1);
    expect(ready.areaModes[0]).toMatchObject({ mode: 'emergency', areaId: DISTRICT, kind: 'switch', reason: '暴雨内涝', endsAt, by: 'manager' });
    // Ended: no longer listed to the next device.
    const { socket: other } = await consoleClient(hub.url, { username: 'manager', password: 'demo' });
    const cell = city.areas.find((a) => a.kind === 'cell' && a.parentId !== DISTRICT)!;
    expect((await ask(other, 'mode:switch', { commandId: cid(), mode: 'emergency', reason: '临时', areaId: cell.id, endsAt: null })).ok).toBe(true);
    expect((await readyOf()).areaModes.map((c) => c.areaId).sort()).toEqual([DISTRICT, cell.id].sort());
    expect((await ask(other, 'mode:end', { commandId: cid(), areaId: cell.id, reason: '解除' })).ok).toBe(true);
    expect((await readyOf()).areaModes.map((c) => c.areaId)).toEqual([DISTRICT]);
  });

  it('a simulator started during it runs the emergency routes through that district, and not those elsewhere', async () => {
    const district = city.areas.find((a) => a.id === DISTRICT)!;
    const emergencyOnly = city.routes.filter((r) => !r.modes.includes('daily'));
    const through = (r: (typeof city.routes)[number]) => r.line.some((p) => pointInPolygon(p, district.polygon!));
    const vehiclesOn = (routes: typeof city.routes) => new Set(city.units.filter((u) => routes.some((r) => r.id === u.routeId)).map((u) => u.id));
    const starting = vehiclesOn(emergencyOnly.filter(through));
    const parked = vehiclesOn(emergencyOnly.filter((r) => !through(r)));
    expect(starting.size).toBeGreaterThan(0);
    expect(parked.size).toBeGreaterThan(0);

    const moved = new Set<string>();
    const fixesOfParked = new Map<string, number>();
    operator.on('unit:positions', ({ fixes }) => {
      for (const f of fixes) {
        if ((f.speed ?? 0) > 0) moved.add(f.unitId);
        if (parked.has(f.unitId)) fixesOfParked.set(f.unitId, (fixesOfParked.get(f.unitId) ?? 0) + 1);
      }
    });
    const lines: string[] = [];
    sim = await startSimulator({ hubUrl: hub.url, deviceId: 'sim-gateway', secret: 'demo', city, seed: 3, log: (l) => lines.push(l) });
    expect(lines.join('\n')).toContain(`emergency in ${DISTRICT}`);
    // Every vehicle of the district's emergency routes drives (without the list they would stay parked, as in daily).
    const until = Date.now() + 45_000;
    while ([...starting].some((id) => !moved.has(id))) {
      if (Date.now() > until) throw new Error(`never moved: ${[...starting].filter((id) => !moved.has(id)).join(', ')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    // Meanwhile the other emergency-only vehicles reported (several fixes each) and stood still.
    while ([...parked].some((id) => (fixesOfParked.get(id) ?? 0) < 3)) {
      if (Date.now() > until) throw new Error('the parked vehicles sent too few fixes');
      await new Promise((r) => setTimeout(r, 200));
    }
    expect([...parked].filter((id) => moved.has(id))).toEqual([]);
  }, 90_000);
});
