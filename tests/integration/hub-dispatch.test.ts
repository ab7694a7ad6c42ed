// Dispatch guardrails held by the hub, not only hidden in the UI: one open task per unit per incident,
// no task for a unit in SOS unless a duty manager overrides with a reason, and one SOS per call for help.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auditPage } from '../../main/store/audit';
import { ask, cid, closeClients, consoleClient, fieldClient, NANJING, startTestHub } from './hub-fixture';

let hub: Awaited<ReturnType<typeof startTestHub>>;
beforeAll(async () => { hub = await startTestHub(); });
afterAll(() => hub.close());
afterEach(closeClients);

const login = async (username: string) => (await consoleClient(hub.url, { username, password: 'demo' })).socket;
const countSos = (unitId: string) => (hub.db.prepare('SELECT count(*) AS n FROM sos WHERE unit_id = ?').get(unitId) as { n: number }).n;

async function incident() {
  const res = await ask(await login('operator'), 'incident:create', { commandId: cid(), category: 'muck', priority: 1, position: NANJING, description: '渣土抛洒' });
  expect(res.ok, res.error?.message).toBe(true);
  return res.result.incident.id as string;
}

describe('dispatch guardrails', () => {
  it('a unit gets one open task per incident; once it ends, the unit can be sent again', async () => {
    const op = await login('operator');
    const incidentId = await incident();
    const first = await ask(op, 'task:assign', { commandId: cid(), incidentId, unitId: 'off-020' });
    expect(first.ok, first.error?.message).toBe(true);
    const twice = await ask(op, 'task:assign', { commandId: cid(), incidentId, unitId: 'off-020' });
    expect(twice.error).toMatchObject({ code: 'conflict', message: expect.stringMatching(/already has task/) });
    expect((await ask(op, 'task:cancel', { commandId: cid(), taskId: first.result.task.id, reason: '改派' })).ok).toBe(true);
    expect((await ask(op, 'task:assign', { commandId: cid(), incidentId, unitId: 'off-020' })).ok).toBe(true);
  });

  it('a unit in SOS is not sent; an operator cannot override, a duty manager can with a reason (audited)', async () => {
    const gw = await fieldClient(hub.url);
    expect((await ask(gw, 'sos:raise', { commandId: cid(), unitId: 'off-021', position: NANJING })).ok).toBe(true);
    const incidentId = await incident();
    const op = await login('operator');
    expect((await ask(op, 'task:assign', { commandId: cid(), incidentId, unitId: 'off-021' })).error).toMatchObject({ code: 'conflict', message: expect.stringMatching(/in SOS/) });
    expect((await ask(op, 'task:assign', { commandId: cid(), incidentId, unitId: 'off-021', override: { reason: '就近' } })).error?.code).toBe('forbidden');
    const dm = await login('manager');
    expect((await ask(dm, 'task:assign', { commandId: cid(), incidentId, unitId: 'off-021', override: { reason: ' ' } })).error?.code).toBe('invalid_payload');
    const res = await ask(dm, 'task:assign', { commandId: cid(), incidentId, unitId: 'off-021', override: { reason: '唯一在场人员' } });
    expect(res.ok, res.error?.message).toBe(true);
    const entry = auditPage(hub.db, 0, 1_000_000).filter((e) => e.action === 'task:assign' && e.outcome === 'accepted').at(-1);
    expect(entry).toMatchObject({ actor: 'manager', target: res.result.task.id, payload: { detail: { override: { reason: '唯一在场人员', unitStatus: 'sos' } } } });
  });

  it('a second SOS press while one is open updates it instead of opening another', async () => {
    const gw = await fieldClient(hub.url);
    const first = await ask(gw, 'sos:raise', { commandId: cid(), unitId: 'off-022', position: NANJING, note: '被围堵' });
    expect(first.ok).toBe(true);
    const moved: [number, number] = [NANJING[0] + 0.001, NANJING[1]];
    const again = await ask(gw, 'sos:raise', { commandId: cid(), unitId: 'off-022', position: moved, note: '对方持械' });
    expect(again.ok, again.error?.message).toBe(true);
    expect(again.result.sos).toMatchObject({ id: first.result.sos.id, position: moved, note: '被围堵 / 对方持械', state: 'raised' });
    expect(countSos('off-022')).toBe(1);
    // Once resolved, a new press is a new call for help.
    expect((await ask(await login('operator'), 'sos:resolve', { commandId: cid(), sosId: first.result.sos.id, note: '已到场处置' })).ok).toBe(true);
    const next = await ask(gw, 'sos:raise', { commandId: cid(), unitId: 'off-022', position: NANJING });
    expect(next.result.sos.id).not.toBe(first.result.sos.id);
    expect(countSos('off-022')).toBe(2);
  });
});
