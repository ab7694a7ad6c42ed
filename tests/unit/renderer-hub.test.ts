// The console's live-data core without a browser: event ordering and position merging.
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type { HubEvent } from '../../shared/protocol';
import type { Area, Camera, Route, Sos, Unit } from '../../shared/domain';
import { PositionStore, Sequencer } from '../../renderer/src/hub';
import { TRAIL_GAP_MS } from '../../renderer/src/hub/positions';
import { applyBodycamStatus, applyEvent, emptyState, type HubState } from '../../renderer/src/hub/state';
import type { BodycamAlert, BodycamStatus } from '../../shared/bodycam';
import { MODE_PROFILES } from '../../shared/modes';

const ev = (seq: number): HubEvent => ({ seq, at: seq, data: { type: 'unit:status', unitId: 'off-001', status: 'on_post' } });

describe('Sequencer', () => {
  it('releases every event exactly once and in order, whatever order and duplication they arrive in', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 5 }), // snapshot head
      fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 80 }),
      (head, arrivals) => {
        const seq = new Sequencer();
        const released: number[] = [];
        // events arriving before the snapshot are held, then released from the head on
        const [early, late] = [arrivals.slice(0, 5), arrivals.slice(5)];
        for (const s of early) released.push(...seq.offer(ev(s)).map((e) => e.seq));
        expect(released).toEqual([]);
        released.push(...seq.reset(head).map((e) => e.seq));
        for (const s of late) released.push(...seq.offer(ev(s)).map((e) => e.seq));
        // the page that fills any gap (events:since) completes it
        const max = Math.max(head, ...arrivals);
        for (let s = head + 1; s <= max; s++) released.push(...seq.offer(ev(s)).map((e) => e.seq));
        expect(released).toEqual(Array.from({ length: max - head }, (_, i) => head + 1 + i));
        expect(seq.hasGap).toBe(false);
      },
    ));
  });

  it('holds a later event until the gap before it is filled', () => {
    const seq = new Sequencer();
    seq.reset(10);
    expect(seq.offer(ev(12))).toEqual([]);
    expect(seq.hasGap).toBe(true);
    expect(seq.offer(ev(11)).map((e) => e.seq)).toEqual([11, 12]);
  });
});

describe('PositionStore', () => {
  it('keeps each unit\'s newest fix and tells listeners at a bounded rate, not once per batch', () => {
    vi.useFakeTimers();
    const store = new PositionStore(300, { request: (cb) => cb(), now: () => Date.now() });
    const flushes: string[][] = [];
    store.subscribe((f) => flushes.push([...f.changed]));
    flushes.length = 0;
    for (let i = 0; i < 50; i++) store.merge([{ unitId: `u${i % 5}`, t: 1000 + i, lng: 118.78, lat: 32.04 }]);
    store.merge([{ unitId: 'u0', t: 1, lng: 0, lat: 0 }]); // older than what we have: ignored
    vi.advanceTimersByTime(1000);
    expect(flushes.length).toBe(1);
    expect(new Set(flushes[0])).toEqual(new Set(['u0', 'u1', 'u2', 'u3', 'u4']));
    expect(store.get('u0')!.fix.t).toBe(1045);
    expect(store.get('u0')!.trail.length).toBeLessThanOrEqual(8);
    vi.useRealTimers();
  });

  it('breaks a trail across a gap instead of drawing a straight line over it', () => {
    const store = new PositionStore(300, { request: (cb) => cb(), now: () => Date.now() });
    const fix = (t: number, lng: number) => ({ unitId: 'v1', t, lng, lat: 32.04 });
    store.merge([fix(1000, 118.7800), fix(3000, 118.7801), fix(5000, 118.7802)]);
    expect(store.get('v1')!.trail).toHaveLength(3);
    // The device was silent for longer than TRAIL_GAP_MS: the trail starts again where it reappeared.
    store.merge([fix(5000 + TRAIL_GAP_MS + 1, 118.79)]);
    expect(store.get('v1')!.trail).toEqual([[118.79, 32.04]]);
    store.merge([fix(5000 + TRAIL_GAP_MS + 2000, 118.7901)]);
    expect(store.get('v1')!.trail).toHaveLength(2);
    // The console lost the hub (however briefly): the next fix starts a new trail too.
    store.breakTrails();
    store.merge([fix(5000 + TRAIL_GAP_MS + 4000, 118.80)]);
    expect(store.get('v1')!.trail).toEqual([[118.80, 32.04]]);
  });
});

describe('the console\'s alarms', () => {
  it('an acknowledged SOS takes its "still unacknowledged" reminders off the alarm bar', () => {
    const sos: Sos = { id: 'S1', unitId: 'u-1', position: [118.78, 32.04], note: '', state: 'raised', raisedAt: 1, updatedAt: 1, street: null, statusBefore: 'on_post' as const, acknowledgedBy: null, acknowledgedAt: null, escalations: 0, escalatedTo: null, incidentId: null, help: [], resolvedBy: null, resolvedAt: null, resolution: null };
    const reminder = { id: 'alert-9', kind: 'sos_unacknowledged' as const, subjectId: 'u-1', at: 2, message: { zh: '仍未响应', en: 'still unacknowledged' } };
    let s = applyEvent(emptyState('http://hub'), { seq: 1, at: 1, data: { type: 'sos:raised', sos } });
    s = applyEvent(s, { seq: 2, at: 2, data: { type: 'alert:raised', alert: reminder } });
    expect(s.alerts.map((a) => a.id)).toEqual(['alert-9']);
    s = applyEvent(s, { seq: 3, at: 3, data: { type: 'sos:updated', sos: { ...sos, state: 'acknowledged', updatedAt: 3 } } });
    expect(s.alerts).toEqual([]);
  });

  it('the position store\'s alerts clear when they end: behind by caught up, failing by recovered; failing replaces behind', () => {
    const store = (id: string, kind: 'positions_slow' | 'positions_caught_up' | 'positions_backlog' | 'positions_recovered', seq: number) =>
      ({ seq, at: seq, data: { type: 'alert:raised' as const, alert: { id, kind, subjectId: 'positions', at: seq, message: { zh: id, en: id } } } });
    let s = applyEvent(emptyState('http://hub'), store('slow-1', 'positions_slow', 1));
    expect(s.alerts.map((a) => a.id)).toEqual(['slow-1']);
    s = applyEvent(s, store('up-1', 'positions_caught_up', 2));
    expect(s.alerts).toEqual([]);
    s = applyEvent(s, store('slow-2', 'positions_slow', 3));
    s = applyEvent(s, store('fail-1', 'positions_backlog', 4));
    expect(s.alerts.map((a) => a.id)).toEqual(['fail-1']);
    s = applyEvent(s, store('ok-1', 'positions_recovered', 5));
    expect(s.alerts).toEqual([]);
  });
});

describe('mode profiles on the console', () => {
  it('profile:updated replaces that mode\'s profile with the newer version only; an older or repeated one changes nothing', () => {
    const v1 = Object.fromEntries(Object.entries(MODE_PROFILES).map(([m, p]) => [m, { version: 1, profile: p, by: 'system', at: 0 }])) as NonNullable<HubState['profiles']>;
    const s0: HubState = { ...emptyState('http://hub'), profiles: v1 };
    const v2 = { version: 2, profile: { ...MODE_PROFILES.emergency, minStaffPerCell: 4 }, by: 'admin', at: 5 };
    const s1 = applyEvent(s0, { seq: 1, at: 5, data: { type: 'profile:updated', profile: v2, reason: '汛期' } });
    expect(s1.profiles?.emergency).toEqual(v2);
    expect(s1.profiles?.daily).toBe(v1.daily);
    const stale = applyEvent(s1, { seq: 2, at: 6, data: { type: 'profile:updated', profile: { ...v2, version: 1 }, reason: 'x' } });
    expect(stale.profiles).toBe(s1.profiles);
  });
});

describe('the grid on the console', () => {
  it('grid:changed puts the saved cells, posts and routes and takes the retired ones away, leaving the rest', () => {
    const cell = (id: string, name: string): Area => ({ id, kind: 'cell', name, parentId: 'd-1', polygon: { type: 'Polygon', coordinates: [[[118.78, 32.04], [118.79, 32.04], [118.79, 32.05], [118.78, 32.04]]] }, center: [118.785, 32.045], radiusM: null });
    const post: Area = { id: 'p-1', kind: 'post', name: '岗', parentId: 'c-1', polygon: null, center: [118.785, 32.045], radiusM: 50 };
    const route = (id: string): Route => ({ id, name: id, line: [[118.78, 32.04], [118.79, 32.05]], modes: ['daily'] } as Route);
    const s0: HubState = { ...emptyState('http://hub'), areas: new Map([['c-1', cell('c-1', '旧名')], ['c-2', cell('c-2', '留下')], ['c-3', cell('c-3', '撤销')]]), routes: new Map([['r-1', route('r-1')]]) };
    const s1 = applyEvent(s0, { seq: 1, at: 5, data: { type: 'grid:changed', version: 2, areas: [cell('c-1', '新名'), post], routes: [route('r-2')], retired: { areaIds: ['c-3'], routeIds: ['r-1'] } } });
    expect([...s1.areas.keys()].sort()).toEqual(['c-1', 'c-2', 'p-1']);
    expect(s1.areas.get('c-1')?.name).toBe('新名');
    expect(s1.areas.get('c-2')).toBe(s0.areas.get('c-2'));
    expect([...s1.routes.keys()]).toEqual(['r-2']);
    expect(s1.lastSeq).toBe(1);
  });
});

describe('cameras on the console', () => {
  it('camera:updated hands a body camera to another officer: the new wearer names it, the old one names none', () => {
    const officer = (id: string, cameraId: string | null): Unit => ({ id, kind: 'officer', name: id, badge: null, plate: null, squad: null, cellId: null, postId: null, routeId: null, cameraId, status: 'on_post' });
    const cam: Camera = { id: 'bc-1', kind: 'body', name: '执法记录仪', position: null, facing: null, unitId: 'off-2', sources: [{ kind: 'testsrc', url: 'testsrc:bc-1' }], key: false };
    const s0: HubState = { ...emptyState('http://hub'), units: new Map([['off-1', officer('off-1', 'bc-1')], ['off-2', officer('off-2', 'bc-9')], ['off-3', officer('off-3', null)]]) };
    const s1 = applyEvent(s0, { seq: 1, at: 5, data: { type: 'camera:updated', camera: cam } });
    expect(s1.cameras.get('bc-1')).toEqual(cam);
    expect([...s1.units.values()].map((u) => [u.id, u.cameraId])).toEqual([['off-1', null], ['off-2', 'bc-1'], ['off-3', null]]);
    expect(s1.units.get('off-3')).toBe(s0.units.get('off-3'));
    // Taken off every unit: nobody names it.
    const s2 = applyEvent(s1, { seq: 2, at: 6, data: { type: 'camera:updated', camera: { ...cam, unitId: null } } });
    expect(s2.units.get('off-2')?.cameraId).toBeNull();
  });
});

describe('body cameras in the console state', () => {
  const status = (t: number, over: Partial<BodycamStatus> = {}): BodycamStatus => ({ unitId: 'off-001', t, recording: true, batteryPct: 80, storageFreeMb: 1000, lastUploadAt: null, receivedAt: t, ...over });
  const alert = (over: Partial<BodycamAlert> = {}): BodycamAlert => ({ id: 'bodycam-1', unitId: 'off-001', taskId: 'task-1', since: 1, raisedAt: 2, clearedAt: null, clearedBy: null, acknowledgedBy: null, acknowledgedAt: null, ...over });
  const ev = (seq: number, data: HubEvent['data']): HubEvent => ({ seq, at: seq, data } as HubEvent);

  it('keeps the newest reading per unit, whatever order the batches come in', () => {
    let s = applyBodycamStatus(emptyState('http://hub'), [status(20_000, { batteryPct: 70 })]);
    s = applyBodycamStatus(s, [status(10_000, { batteryPct: 90 }), status(5_000, { unitId: 'off-002' })]);
    expect(s.bodycam.get('off-001')?.batteryPct).toBe(70);
    expect(s.bodycam.get('off-002')?.t).toBe(5_000);
    expect(applyBodycamStatus(s, [])).toBe(s);
  });

  it('holds an alert until it is both cleared and acknowledged; its notice goes once acknowledged', () => {
    let s: HubState = { ...emptyState('http://hub'), lastSeq: 0 };
    s = applyEvent(s, ev(1, { type: 'alert:raised', alert: { id: 'bodycam-1', kind: 'bodycam_stopped', subjectId: 'off-001', at: 2, message: { zh: '未录像', en: 'not recording' } } }));
    s = applyEvent(s, ev(2, { type: 'bodycam:alert', alert: alert() }));
    expect(s.alerts.map((a) => a.id)).toEqual(['bodycam-1']);
    s = applyEvent(s, ev(3, { type: 'bodycam:alert', alert: alert({ clearedAt: 5, clearedBy: 'recording' }) }));
    expect(s.bodycamAlerts.get('bodycam-1')?.clearedBy).toBe('recording');
    expect(s.alerts).toHaveLength(1); // cleared, still to be acknowledged
    s = applyEvent(s, ev(4, { type: 'bodycam:alert', alert: alert({ clearedAt: 5, clearedBy: 'recording', acknowledgedBy: 'operator', acknowledgedAt: 6 }) }));
    expect(s.alerts).toEqual([]);
    expect(s.bodycamAlerts.size).toBe(0);
  });
});
