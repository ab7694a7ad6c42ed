// One-click help through a real hub: the officer's own phone hears every step of its SOS (received,
// acknowledged by whom, help on the way with the unit and its travel time, resolved); sending help is one
// command and one audit entry; resolving needs a note, calls the help off and puts the unit back where it was.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HubEvent } from '../../shared/protocol/events';
import type { Sos } from '../../shared/domain';
import { hashSecretSync } from '../../main/hub/auth';
import { auditPage } from '../../main/store/audit';
import { findUnit } from '../../main/store/city';
import { insertDevice } from '../../main/store/people';
import { ask, cid, closeClients, consoleClient, fieldClient, startTestHub, type FieldClient } from './hub-fixture';

let hub: Awaited<ReturnType<typeof startTestHub>>;
beforeAll(async () => { hub = await startTestHub(); });
afterAll(() => hub.close());
afterEach(closeClients);

const login = async (username: string) => (await consoleClient(hub.url, { username, password: 'demo' })).socket;
/** On 中山东路, east of 新街口. */
const ZHONGSHAN: [number, number] = [118.7836, 32.04344];

/** The phone of one unit (a terminal: it hears only its own unit's events). */
async function phoneOf(unitId: string): Promise<{ phone: FieldClient; sos: () => Sos[] }> {
  insertDevice(hub.db, { id: `phone-${unitId}`, secretHash: hashSecretSync('s3cret-s3cret'), kind: 'terminal', unitId, at: Date.now() });
  const phone = await fieldClient(hub.url, { deviceId: `phone-${unitId}`, secret: 's3cret-s3cret' });
  const seen: Sos[] = [];
  phone.on('event', (e: HubEvent) => { if (e.data.type === 'sos:raised' || e.data.type === 'sos:updated') seen.push(e.data.sos); });
  return { phone, sos: () => seen };
}

const until = async <T>(f: () => T | undefined, what: string): Promise<T> => {
  await expect.poll(() => f() !== undefined, { timeout: 10_000, message: what }).toBe(true);
  return f()!;
};

describe('one-click help', () => {
  it('the phone hears received → acknowledged by → help on the way (unit, ETA) → resolved; the unit returns to patrolling', async () => {
    expect(findUnit(hub.db, 'off-003')?.status).toBe('patrolling'); // has a post, but was patrolling: not "on post" afterwards
    const { phone, sos: heard } = await phoneOf('off-003');
    const raised = await ask(phone, 'sos:raise', { commandId: cid(), unitId: 'off-003', position: ZHONGSHAN, note: '被围堵' });
    expect(raised.ok, raised.error?.message).toBe(true);
    const sosId = raised.result.sos.id as string;
    expect(raised.result.sos).toMatchObject({ state: 'raised', statusBefore: 'patrolling', street: { zh: '中山东路' }, acknowledgedBy: null, help: [] });
    await until(() => heard().find((s) => s.id === sosId && s.state === 'raised'), 'the phone hears its SOS');
    expect(findUnit(hub.db, 'off-003')?.status).toBe('sos');

    const op = await login('operator');
    const other = await login('manager');
    const onOther: Sos[] = [];
    other.on('event', (e: HubEvent) => { if (e.data.type === 'sos:updated') onOther.push(e.data.sos); });
    const ack = await ask(op, 'sos:acknowledge', { commandId: cid(), sosId });
    expect(ack.ok, ack.error?.message).toBe(true);
    const acked = await until(() => heard().find((s) => s.state === 'acknowledged'), 'the phone hears who acknowledged');
    expect(acked).toMatchObject({ acknowledgedBy: 'operator', acknowledgedAt: expect.any(Number) });
    await until(() => onOther.find((s) => s.acknowledgedBy === 'operator'), 'the other console hears it too');
    expect((await ask(other, 'sos:acknowledge', { commandId: cid(), sosId })).error?.code).toBe('conflict');

    const before = auditPage(hub.db, 0, 1_000_000).length;
    const sent = await ask(op, 'sos:assist', { commandId: cid(), sosId, unitId: 'off-004', etaSec: 240 });
    expect(sent.ok, sent.error?.message).toBe(true);
    expect(sent.result.task).toMatchObject({ unitId: 'off-004', state: 'assigned' });
    const helped = await until(() => heard().find((s) => s.help.length === 1), 'the phone hears help is on the way');
    expect(helped.help[0]).toMatchObject({ unitId: 'off-004', unitName: findUnit(hub.db, 'off-004')!.name, etaSec: 240, sentBy: 'operator', taskId: sent.result.task.id });
    expect(helped.incidentId).toBe(sent.result.task.incidentId);
    // One command, one entry: the task it made is part of it, not a second record.
    const written = auditPage(hub.db, before, 100);
    expect(written.map((e) => e.action)).toEqual(['sos:assist']);
    expect(written[0]).toMatchObject({ target: sosId, payload: { detail: { taskId: sent.result.task.id, incidentId: helped.incidentId, etaSec: 240 } } });

    // A second unit joins on the same incident; the officer cannot be sent to their own SOS.
    const second = await ask(op, 'sos:assist', { commandId: cid(), sosId, unitId: 'off-005', etaSec: 300 });
    expect(second.ok, second.error?.message).toBe(true);
    expect(second.result.task.incidentId).toBe(helped.incidentId);
    expect((await ask(op, 'sos:assist', { commandId: cid(), sosId, unitId: 'off-003' })).error?.code).toBe('conflict');
    expect((await ask(op, 'sos:assist', { commandId: cid(), sosId, unitId: 'off-004' })).error).toMatchObject({ code: 'conflict', message: expect.stringMatching(/already has task/) });

    expect((await ask(op, 'sos:resolve', { commandId: cid(), sosId, note: ' ' })).error?.code).toBe('invalid_payload');
    const resolved = await ask(op, 'sos:resolve', { commandId: cid(), sosId, note: '支援已到，人员安全' });
    expect(resolved.ok, resolved.error?.message).toBe(true);
    const end = await until(() => heard().find((s) => s.state === 'resolved'), 'the phone hears it is resolved');
    expect(end).toMatchObject({ resolvedBy: 'operator', resolution: '支援已到，人员安全' });
    expect(findUnit(hub.db, 'off-003')?.status).toBe('patrolling');
    const tasks = hub.db.prepare('SELECT unit_id, state FROM tasks WHERE incident_id = ? ORDER BY unit_id').all(helped.incidentId) as { unit_id: string; state: string }[];
    expect(tasks).toEqual([{ unit_id: 'off-004', state: 'cancelled' }, { unit_id: 'off-005', state: 'cancelled' }]);
    expect((hub.db.prepare('SELECT state FROM incidents WHERE id = ?').get(helped.incidentId) as { state: string }).state).toBe('closed');
    expect((await ask(op, 'sos:resolve', { commandId: cid(), sosId, note: '再次' })).error?.code).toBe('conflict');
  });

  it('a unit in SOS stays "SOS" while its own task moves on, and returns to its task when resolved', async () => {
    const op = await login('operator');
    const incident = (await ask(op, 'incident:create', { commandId: cid(), category: 'parking', priority: 2, position: ZHONGSHAN, description: '违停' })).result.incident;
    const task = (await ask(op, 'task:assign', { commandId: cid(), incidentId: incident.id, unitId: 'off-006' })).result.task;
    const { phone } = await phoneOf('off-006');
    const sos = (await ask(phone, 'sos:raise', { commandId: cid(), unitId: 'off-006', position: ZHONGSHAN })).result.sos;
    expect(sos.statusBefore).toBe(findUnit(hub.db, 'off-006')!.postId ? 'on_post' : 'patrolling'); // assigned, not yet accepted
    expect((await ask(phone, 'task:accept', { commandId: cid(), unitId: 'off-006', taskId: task.id })).ok).toBe(true);
    expect(findUnit(hub.db, 'off-006')?.status).toBe('sos');
    expect((await ask(op, 'sos:resolve', { commandId: cid(), sosId: sos.id, note: '误触' })).ok).toBe(true);
    expect(findUnit(hub.db, 'off-006')?.status).toBe('on_task');
  });
});
