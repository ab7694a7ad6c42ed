// Body-worn camera telemetry over a real hub and real socket.io: readings reported by a gateway, checked
// one by one, kept and fanned out to consoles, surviving a restart; the "not recording during a task"
// alert raised, cleared when recording resumes, acknowledged; and not raised without a task.
import { afterEach, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import type { BodycamStatus } from '../../shared/bodycam';
import type { HubEvent } from '../../shared/protocol/events';
import type { Snapshot } from '../../shared/protocol/sockets';
import { BODYCAM_STOPPED } from '../../main/hub/bodycam';
import { listActions } from '../../main/store/schedule';
import { auditPage } from '../../main/store/audit';
import { ask, cid, closeClients, consoleClient, fieldClient, NANJING, startTestHub, tempDir, type ConsoleClient } from './hub-fixture';

afterEach(closeClients);

const reading = (unitId: string, t: number, over: Record<string, unknown> = {}) => ({
  unitId, t, recording: true, batteryPct: 80, storageFreeMb: 20_000, lastUploadAt: t - 600_000, ...over,
});

/** Resolves with the first `name` message that `match` accepts. */
function next<T>(socket: Socket, name: string, match: (x: T) => boolean): Promise<T> {
  return new Promise((resolve) => {
    const on = (x: T) => {
      if (!match(x)) return;
      socket.off(name, on);
      resolve(x);
    };
    socket.on(name, on);
  });
}
const statusOf = (socket: Socket, unitId: string, t: number) =>
  next<BodycamStatus[]>(socket, 'bodycam:status', (xs) => xs.some((s) => s.unitId === unitId && s.t === t)).then((xs) => xs.find((s) => s.unitId === unitId)!);
const eventOf = (socket: Socket, match: (e: HubEvent) => boolean) => next<HubEvent>(socket, 'event', match);

async function operator(url: string): Promise<ConsoleClient> {
  return (await consoleClient(url, { username: 'operator', password: 'demo' })).socket;
}

async function taskInHand(op: ConsoleClient, gw: Socket, unitId: string): Promise<string> {
  const incident = (await ask(op, 'incident:create', { commandId: cid(), category: 'parking', priority: 2, position: NANJING, description: '占道停车' })).result.incident;
  const task = (await ask(op, 'task:assign', { commandId: cid(), incidentId: incident.id, unitId })).result.task;
  expect((await ask(gw, 'task:accept', { commandId: cid(), unitId, taskId: task.id })).ok).toBe(true);
  return task.id as string;
}

describe('body camera telemetry', () => {
  it('a reading reaches consoles, the snapshot and (after a restart) the store; bad values and bad readings are refused with a reason', async () => {
    const dataDir = tempDir();
    let hub = await startTestHub({ dataDir });
    try {
      const op = await operator(hub.url);
      const gw = await fieldClient(hub.url);
      const t = Date.now() - 1000;
      const seen = statusOf(op, 'off-001', t);
      const ack = await ask(gw, 'bodycam:report', { reports: [reading('off-001', t, { batteryPct: 63, storageFreeMb: 12_345, recording: false })] });
      expect(ack).toMatchObject({ ok: true, result: { accepted: 1 } });
      const live = await seen;
      expect(live).toMatchObject({ unitId: 'off-001', t, recording: false, batteryPct: 63, storageFreeMb: 12_345, lastUploadAt: t - 600_000 });
      expect(live.receivedAt).toBeGreaterThanOrEqual(t);
      const snap = (await ask(op, 'state:snapshot', {})).result as Snapshot;
      expect(snap.bodycam.statuses.find((s) => s.unitId === 'off-001')).toMatchObject({ t, batteryPct: 63 });

      // Whole messages that break the schema: refused with the field named, nothing kept.
      for (const [bad, field] of [
        [reading('off-002', t, { batteryPct: 150 }), 'batteryPct'],
        [reading('off-002', t, { storageFreeMb: -1 }), 'storageFreeMb'],
        [reading('off-002', t, { recording: 'yes' }), 'recording'],
        [reading('off-002', t, { lastUploadAt: t + 60_000 }), 'lastUploadAt'],
        [{ ...reading('off-002', t), extra: 1 }, 'extra'],
      ] as const) {
        const res = await ask(gw, 'bodycam:report', { reports: [bad] });
        expect(res.ok, JSON.stringify(bad)).toBe(false);
        expect(res.error?.code).toBe('invalid_payload');
        expect(res.error?.message).toContain(field);
      }
      // Readings checked one by one: each refused one with its reason, the others taken.
      const mixed = await ask(gw, 'bodycam:report', { reports: [
        reading('nobody-9', t),
        reading('off-001', t), // the same reading again
        reading('off-001', t + 2000), // sooner than the 5 s a camera is read at most
        reading('off-002', Date.now() + 10 * 60_000),
        reading('off-002', Date.now() - 25 * 3600_000),
        reading('off-003', t),
      ] });
      expect(mixed.result.accepted).toBe(1);
      expect(mixed.result.refused.map((r: { reason: string }) => r.reason)).toEqual(['unknown_unit', 'out_of_order', 'too_frequent', 'in_future', 'too_old']);
      // A terminal speaks for its own unit only.
      expect((await ask(op, 'bodycam:report', { reports: [reading('off-004', t)] })).error?.code).toBe('forbidden');
      const refusals = auditPage(hub.db, 0, 100_000).filter((e) => e.action === 'bodycam:report' && e.outcome === 'rejected');
      expect(refusals.length).toBeGreaterThanOrEqual(5);

      await hub.close();
      hub = await startTestHub({ dataDir });
      const after = (await ask(await operator(hub.url), 'state:snapshot', {})).result as Snapshot;
      expect(after.bodycam.statuses.find((s) => s.unitId === 'off-001')).toMatchObject({ t, recording: false, batteryPct: 63, receivedAt: live.receivedAt });
      expect(after.bodycam.statuses.find((s) => s.unitId === 'off-003')).toMatchObject({ t });
    } finally {
      await hub.close();
    }
  }, 60_000);

  it('recording stopped during a task raises an alert; recording again clears it; an operator acknowledges it', async () => {
    const hub = await startTestHub();
    try {
      const op = await operator(hub.url);
      const gw = await fieldClient(hub.url);
      const t0 = Date.now() - 60_000;
      expect((await ask(gw, 'bodycam:report', { reports: [reading('off-010', t0)] })).ok).toBe(true);
      const taskId = await taskInHand(op, gw, 'off-010');

      const raised = eventOf(op, (e) => e.data.type === 'alert:raised' && e.data.alert.kind === 'bodycam_stopped' && e.data.alert.subjectId === 'off-010');
      const opened = eventOf(op, (e) => e.data.type === 'bodycam:alert' && e.data.alert.unitId === 'off-010' && e.data.alert.clearedAt === null);
      expect((await ask(gw, 'bodycam:report', { reports: [reading('off-010', t0 + 10_000, { recording: false })] })).ok).toBe(true);
      const notice = await raised;
      const alert = (await opened).data as Extract<HubEvent['data'], { type: 'bodycam:alert' }>;
      expect(alert.alert).toMatchObject({ taskId, since: t0 + 10_000, acknowledgedAt: null });
      if (notice.data.type !== 'alert:raised') throw new Error('unreachable');
      expect(notice.data.alert.message.en).toMatch(/body camera has not been recording/);
      // Still off: no second alert (one per stop), and the snapshot holds the open one.
      expect((await ask(gw, 'bodycam:report', { reports: [reading('off-010', t0 + 20_000, { recording: false })] })).ok).toBe(true);
      expect(listActions(hub.db).filter((a) => a.kind === BODYCAM_STOPPED && a.subject === 'bodycam:off-010')).toHaveLength(1);
      const snap = (await ask(op, 'state:snapshot', {})).result as Snapshot;
      expect(snap.bodycam.alerts.map((a) => a.id)).toEqual([alert.alert.id]);

      const cleared = eventOf(op, (e) => e.data.type === 'bodycam:alert' && e.data.alert.id === alert.alert.id && e.data.alert.clearedAt !== null);
      expect((await ask(gw, 'bodycam:report', { reports: [reading('off-010', t0 + 30_000, { recording: true })] })).ok).toBe(true);
      const clear = (await cleared).data as Extract<HubEvent['data'], { type: 'bodycam:alert' }>;
      expect(clear.alert.clearedBy).toBe('recording');

      const ack = await ask(op, 'bodycam:acknowledge', { commandId: cid(), alertId: alert.alert.id });
      expect(ack.result.alert).toMatchObject({ acknowledgedBy: 'operator', clearedBy: 'recording' });
      expect((await ask(op, 'bodycam:acknowledge', { commandId: cid(), alertId: alert.alert.id })).error?.code).toBe('conflict');
      const settled = (await ask(op, 'state:snapshot', {})).result as Snapshot;
      expect(settled.bodycam.alerts).toEqual([]);
      const audit = auditPage(hub.db, 0, 100_000).filter((e) => e.target === 'off-010' && e.outcome === 'accepted').map((e) => `${e.actor} ${e.action}`);
      expect(audit).toEqual(expect.arrayContaining(['system bodycam:stopped', 'system bodycam:cleared', 'operator bodycam:acknowledge']));
    } finally {
      await hub.close();
    }
  }, 60_000);

  it('a camera not recording without a task in hand raises nothing; the task ending clears an open alert', async () => {
    const hub = await startTestHub();
    try {
      const op = await operator(hub.url);
      const gw = await fieldClient(hub.url);
      const t0 = Date.now() - 60_000;
      expect((await ask(gw, 'bodycam:report', { reports: [reading('off-020', t0, { recording: false })] })).ok).toBe(true);
      // An assigned task not yet accepted is not in hand either.
      const incident = (await ask(op, 'incident:create', { commandId: cid(), category: 'parking', priority: 2, position: NANJING, description: '占道' })).result.incident;
      const assigned = (await ask(op, 'task:assign', { commandId: cid(), incidentId: incident.id, unitId: 'off-020' })).result.task;
      expect((await ask(gw, 'bodycam:report', { reports: [reading('off-020', t0 + 10_000, { recording: false })] })).ok).toBe(true);
      // The decision is taken while the report is handled: by its ack, an alert would be queued.
      expect(listActions(hub.db).filter((a) => a.kind === BODYCAM_STOPPED)).toEqual([]);

      // Accepted: the next reading (still not recording) raises it, with the stop dated from the first one.
      expect((await ask(gw, 'task:accept', { commandId: cid(), unitId: 'off-020', taskId: assigned.id })).ok).toBe(true);
      const opened = eventOf(op, (e) => e.data.type === 'bodycam:alert' && e.data.alert.unitId === 'off-020' && e.data.alert.clearedAt === null);
      expect((await ask(gw, 'bodycam:report', { reports: [reading('off-020', t0 + 20_000, { recording: false })] })).ok).toBe(true);
      expect(((await opened).data as Extract<HubEvent['data'], { type: 'bodycam:alert' }>).alert.since).toBe(t0);

      expect((await ask(gw, 'task:finish', { commandId: cid(), unitId: 'off-020', taskId: assigned.id })).ok).toBe(true);
      const cleared = eventOf(op, (e) => e.data.type === 'bodycam:alert' && e.data.alert.unitId === 'off-020' && e.data.alert.clearedAt !== null);
      expect((await ask(gw, 'bodycam:report', { reports: [reading('off-020', t0 + 30_000, { recording: false })] })).ok).toBe(true);
      expect(((await cleared).data as Extract<HubEvent['data'], { type: 'bodycam:alert' }>).alert.clearedBy).toBe('task_over');
    } finally {
      await hub.close();
    }
  }, 60_000);
});
