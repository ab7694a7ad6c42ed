// The system actor inside a real hub: its commands cannot be sent by anyone, what it performs reaches
// consoles as sequenced events, the hub reads days in the center's zone, and a hub restarted after a
// due time performs the action on start.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HubEvent } from '../../shared/protocol/events';
import { CAMERA_STALE } from '../../main/hub/handlers/system';
import { SHIFT_LATE } from '../../main/hub/roster';
import { listCameras, listUnits } from '../../main/store/city';
import { unitShiftsOverlapping } from '../../main/store/attendance';
import { openStore } from '../../main/store/db';
import { findAction, listActions, scheduleAction } from '../../main/store/schedule';
import { centerDay, centerTimeText, DEFAULT_TIME_ZONE } from '../../shared/time';
import { ManualClock } from './manual-clock';
import { ask, cid, closeClients, consoleClient, fieldClient, NANJING, startTestHub, tempDir } from './hub-fixture';

const hubs: Array<Awaited<ReturnType<typeof startTestHub>>> = [];
afterEach(async () => {
  closeClients();
  for (const h of hubs.splice(0)) await h.close();
});

async function hub(opts: Parameters<typeof startTestHub>[0] = {}) {
  const h = await startTestHub(opts);
  hubs.push(h);
  return h;
}

describe('the system actor in a running hub', () => {
  it('no console or device can send a system command', async () => {
    const h = await hub();
    const manager = (await consoleClient(h.url, { username: 'manager', password: 'demo' })).socket;
    const device = await fieldClient(h.url);
    const cam = listCameras(h.db).find((c) => c.key)!;
    const forged = { commandId: cid(), actionId: 1, dueAt: 0, cameraId: cam.id, reason: 'forged', since: 0 };
    expect((await ask(manager, CAMERA_STALE, forged)).error?.code).toBe('forbidden');
    expect((await ask(device, CAMERA_STALE, forged)).error?.code).toBe('forbidden');
    expect((await ask(manager, 'mode:scheduled-switch', { ...forged, mode: 'night' })).error?.code).toBe('forbidden');
  });

  it('announces the center\'s time zone, and numbers ids by the center\'s day', async () => {
    const h = await hub({ timeZone: 'Pacific/Kiritimati' }); // UTC+14: its day is ahead of every machine's
    const { socket, ready } = await consoleClient(h.url, { username: 'operator', password: 'demo' });
    expect(ready.timeZone).toBe('Pacific/Kiritimati');
    const res = await ask(socket, 'incident:create', { commandId: cid(), category: 'parking', priority: 2, position: NANJING, description: 'x' });
    const day = new Date(Date.now() + 14 * 3_600_000).toISOString().slice(0, 10).replaceAll('-', '');
    expect(res.result.incident.id).toMatch(new RegExp(`^I${day}-`));
  });

  it('with a mode schedule, a hub started during the night switches to night at once, as the system, and consoles see it', async () => {
    const now = Date.now();
    const hhmm = (t: number) => centerTimeText(t, 'Asia/Shanghai', false);
    const h = await hub({ modeSchedule: { nightFrom: hhmm(now - 120_000), nightUntil: hhmm(now + 3_600_000), holidays: [] } });
    const { socket } = await consoleClient(h.url, { username: 'operator', password: 'demo' });
    const snap = await ask(socket, 'state:snapshot', {});
    expect(snap.result.mode).toMatchObject({ mode: 'night', by: 'system' });
    const page = await ask(socket, 'events:since', { afterSeq: 0 });
    expect((page.result.events as HubEvent[]).filter((e) => e.data.type === 'mode:changed')).toHaveLength(1);
    const pending = listActions(h.db).filter((a) => a.kind === 'mode:scheduled-switch' && a.state === 'pending');
    expect(pending).toHaveLength(1); // the morning switch, queued by the night one
    expect(pending[0]!.payload.mode).toBe('daily');
  });

  it('a hub started after a due time performs the action on start and consoles get its event', async () => {
    const dataDir = tempDir();
    const first = await hub({ dataDir });
    const cam = listCameras(first.db).find((c) => c.key)!;
    await first.close();
    hubs.splice(0);
    // While the hub is down, an action falls due (queued for a minute ago).
    const db = openStore(dataDir);
    const due = Date.now() - 60_000;
    const id = db.transaction(() => scheduleAction(db, {
      kind: CAMERA_STALE, subject: cam.id, payload: { cameraId: cam.id, reason: 'test', since: due }, dueAt: due, cause: 'test',
    }, due - 10_000))();
    db.close();

    const second = await hub({ dataDir });
    expect(findAction(second.db, id)).toMatchObject({ state: 'done', outcome: 'accepted' });
    const op = (await consoleClient(second.url, { username: 'operator', password: 'demo' })).socket;
    const page = await ask(op, 'events:since', { afterSeq: 0 });
    const alert = (page.result.events as HubEvent[]).find((e) => e.data.type === 'alert:raised' && e.data.alert.id === `alert-${id}`);
    expect(alert?.at).toBeGreaterThanOrEqual(due + 60_000);
  });

  it('runs the schedule on the clock it is given: a late check falls due when that clock passes it, not before', async () => {
    const clock = new ManualClock(Date.now());
    const h = await hub({ clock });
    const admin = (await consoleClient(h.url, { username: 'admin', password: 'demo' })).socket;
    const op = (await consoleClient(h.url, { username: 'operator', password: 'demo' })).socket;
    const updates: HubEvent[] = [];
    op.on('event', (e: HubEvent) => { if (e.data.type === 'shift:updated') updates.push(e); });
    // An officer with no shift around now; its shift began two minutes ago and nobody checked in.
    const now = Date.now();
    const officer = listUnits(h.db).find((u) => u.kind === 'officer' && u.postId && unitShiftsOverlapping(h.db, u.id, now - 4 * 3_600_000, now + 4 * 3_600_000).length === 0)!;
    const start = now - 120_000;
    const hhmm = (t: number) => centerTimeText(t, DEFAULT_TIME_ZONE, false);
    const csv = `unit_id,post_id,date,start,end\n${officer.id},${officer.postId},${centerDay(start, DEFAULT_TIME_ZONE)},${hhmm(start)},${hhmm(start + 3 * 3_600_000)}\n`;
    expect((await ask(admin, 'roster:import', { commandId: cid(), csv })).ok).toBe(true);
    const [shift] = unitShiftsOverlapping(h.db, officer.id, now - 4 * 3_600_000, now + 4 * 3_600_000);
    const late = listActions(h.db).find((a) => a.kind === SHIFT_LATE && a.subject === shift!.id)!;
    expect(late.dueAt).toBeGreaterThan(Date.now() + 60_000); // the grace is minutes: the real clock will not reach it during the test
    // The scheduler waits on the given clock's timers (a hub on the real clock would sit for minutes here).
    expect(clock.armed.length).toBeGreaterThan(0);
    clock.advanceTo(late.dueAt - 1);
    expect(findAction(h.db, late.id)).toMatchObject({ state: 'pending' });
    clock.advanceTo(late.dueAt);
    expect(findAction(h.db, late.id)).toMatchObject({ state: 'done', outcome: 'accepted' });
    await vi.waitFor(() => expect(updates.map((e) => e.data.type === 'shift:updated' && e.data.shift.unitId === officer.id && e.data.shift.state)).toContain('late'));
  });
});
