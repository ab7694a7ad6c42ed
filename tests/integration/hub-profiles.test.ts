// An admin edits a mode's profile through a real hub (port 0, real SQLite, real socket.io clients):
// only admins may; a save names the version it was edited from and a save in between refuses it; the
// hub checks bounds, deadline order and the wall's cameras; each save is a new version (the old stay),
// audited with before and after, told to consoles (not to field devices); and the rules of a mode in
// force use the new version from the next decision on, each decision naming the version it used.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import type { Role } from '../../shared/domain';
import { MODE_PROFILES, type ModeProfile, type VersionedProfile } from '../../shared/modes';
import type { HubEvent } from '../../shared/protocol';
import { auditPage, verifyAudit } from '../../main/store/audit';
import { listCameras } from '../../main/store/city';
import { latestProfiles, profileVersion } from '../../main/store/modes';
import { currentMode } from '../../main/store/operations';
import { effectiveMode } from '../../main/hub/modes';
import { ask, cid, closeClients, consoleClient, fieldClient, NANJING, startTestHub } from './hub-fixture';

let hub: Awaited<ReturnType<typeof startTestHub>>;
beforeAll(async () => { hub = await startTestHub(); });
afterAll(() => hub.close());
afterEach(closeClients);

const LOGIN: Record<Role, string> = { operator: 'operator', duty_manager: 'manager', evaluator: 'evaluator', admin: 'admin' };
const as = async (role: Role) => (await consoleClient(hub.url, { username: LOGIN[role], password: 'demo' })).socket;
const newest = (mode: keyof typeof MODE_PROFILES) => latestProfiles(hub.db)[mode]!;
const saves = () => auditPage(hub.db, 0, 100_000).filter((e) => e.action === 'profile:save');

describe('who may save a profile', () => {
  it('operators, duty managers and evaluators are refused, audited, and nothing changes', async () => {
    for (const role of ['operator', 'duty_manager', 'evaluator'] as Role[]) {
      const res = await ask(await as(role), 'profile:save', {
        commandId: cid(), mode: 'emergency', baseVersion: 1, profile: { ...MODE_PROFILES.emergency, minStaffPerCell: 5 }, reason: '加强警力',
      });
      expect(res.error?.code, role).toBe('forbidden');
      expect(saves().at(-1)).toMatchObject({ actor: LOGIN[role], outcome: 'rejected' });
    }
    expect(newest('emergency').version).toBe(1);
  });
});

describe('saving', () => {
  it('a save is a new version (the old one stays), audited with before and after, told to consoles live and not to field devices', async () => {
    const admin = await as('admin');
    const watcher = await as('operator');
    const told: HubEvent[] = [];
    watcher.on('event', (e: HubEvent) => { if (e.data.type === 'profile:updated') told.push(e); });
    const gateway = await fieldClient(hub.url);
    const fieldTold: string[] = [];
    gateway.on('event', (e: HubEvent) => fieldTold.push(e.data.type));

    const base = newest('emergency');
    const edited: ModeProfile = { ...base.profile, minStaffPerCell: 3, checkInIntervalMin: 10 };
    const res = await ask(admin, 'profile:save', { commandId: cid(), mode: 'emergency', baseVersion: base.version, profile: edited, reason: '汛期加强值守' });
    expect(res.ok, res.error?.message).toBe(true);
    const saved = res.result.profile as VersionedProfile;
    expect(saved).toMatchObject({ version: base.version + 1, by: 'admin', profile: { minStaffPerCell: 3, checkInIntervalMin: 10 } });
    // Never overwritten: version 1 is still the shipped profile.
    expect(profileVersion(hub.db, 'emergency', base.version)?.profile).toEqual(MODE_PROFILES.emergency);
    expect(newest('emergency')).toEqual(saved);
    // The other modes are untouched.
    expect(newest('daily').version).toBe(1);

    const entry = saves().at(-1)!;
    expect(entry).toMatchObject({ actor: 'admin', outcome: 'accepted', target: 'emergency' });
    const detail = (entry.payload as { reason: string; detail: Record<string, unknown> });
    expect(detail.reason).toBe('汛期加强值守');
    expect(detail.detail).toMatchObject({
      baseVersion: base.version, version: base.version + 1,
      before: { minStaffPerCell: MODE_PROFILES.emergency.minStaffPerCell, checkInIntervalMin: MODE_PROFILES.emergency.checkInIntervalMin },
      after: { minStaffPerCell: 3, checkInIntervalMin: 10 },
      changes: [
        { path: 'minStaffPerCell', before: MODE_PROFILES.emergency.minStaffPerCell, after: 3 },
        { path: 'checkInIntervalMin', before: MODE_PROFILES.emergency.checkInIntervalMin, after: 10 },
      ],
    });
    expect(verifyAudit(hub.db).ok).toBe(true);

    await expect.poll(() => told.length).toBe(1);
    expect(told[0]!.data).toEqual({ type: 'profile:updated', profile: saved, reason: '汛期加强值守' });
    // A console that signs in now gets the new version in its snapshot.
    const snap = (await ask(await as('evaluator'), 'state:snapshot', {})).result;
    expect(snap.profiles.emergency).toEqual(saved);
    // Field devices are told too (the demo's simulated people follow the profile's rates and intervals):
    // live, in a catch-up page, and in the session:ready of a device that connects after the save.
    await expect.poll(() => fieldTold.includes('profile:updated')).toBe(true);
    const page = await ask(gateway, 'events:since', { afterSeq: 0, limit: 1000 });
    expect(page.ok, page.error?.message).toBe(true);
    expect((page.result.events as HubEvent[]).map((e) => e.data.type)).toContain('profile:updated');
    const late = await new Promise<{ profiles: Record<string, unknown> }>((resolve) => {
      const socket = io(`${hub.url}/field`, { auth: { deviceId: 'sim-gateway', secret: 'demo' }, transports: ['websocket'], forceNew: true });
      socket.once('session:ready', (ready: { profiles: Record<string, unknown> }) => { socket.disconnect(); resolve(ready); });
    });
    expect(late.profiles.emergency).toEqual(saved);
    const consolePage = await ask(watcher, 'events:since', { afterSeq: 0, limit: 1000 });
    expect((consolePage.result.events as HubEvent[]).map((e) => e.data.type)).toContain('profile:updated');
  });

  it('a retried commandId answers as the first time and adds no version', async () => {
    const admin = await as('admin');
    const base = newest('holiday');
    const payload = { commandId: cid(), mode: 'holiday', baseVersion: base.version, profile: { ...base.profile, demoIncidentsPerHour: 95 }, reason: '黄金周客流' };
    const first = await ask(admin, 'profile:save', payload);
    expect(first.ok, first.error?.message).toBe(true);
    const second = await ask(admin, 'profile:save', payload);
    expect(second).toEqual(first);
    expect(newest('holiday').version).toBe(base.version + 1);
    expect(saves().filter((e) => e.target === 'holiday' && e.outcome === 'accepted')).toHaveLength(1);
  });

  it('an edit from a version someone else has saved over is refused with who saved which version; nothing changes', async () => {
    const mine = await as('admin');
    const theirs = await as('admin');
    const base = newest('night');
    const a = await ask(theirs, 'profile:save', { commandId: cid(), mode: 'night', baseVersion: base.version, profile: { ...base.profile, minStaffPerCell: 1 }, reason: '夜间巡逻加密' });
    expect(a.ok, a.error?.message).toBe(true);
    const b = await ask(mine, 'profile:save', { commandId: cid(), mode: 'night', baseVersion: base.version, profile: { ...base.profile, checkInIntervalMin: 20 }, reason: '夜间签到加密' });
    expect(b.error?.code).toBe('conflict');
    expect(b.error?.message).toMatch(/^stale_version: .*version 1.*admin has saved version 2/);
    expect(b.error?.issues).toEqual([{ code: 'profile_stale', params: { base: base.version, by: 'admin', version: base.version + 1 } }]);
    expect(newest('night')).toMatchObject({ version: base.version + 1, profile: { minStaffPerCell: 1, checkInIntervalMin: base.profile.checkInIntervalMin } });
  });
});

describe('what the hub refuses', () => {
  const cameraIds = () => listCameras(hub.db).filter((c) => c.kind === 'fixed').map((c) => c.id);
  const cases: Array<[string, (p: ModeProfile) => unknown, string, RegExp]> = [
    ['deadlines out of order (acknowledge after arrive)', (p) => ({ ...p, taskAckSec: 900, taskArriveSec: 600 }), 'invalid_payload', /^deadline_order: /],
    ['arrive after finish', (p) => ({ ...p, taskArriveSec: 4000, taskFinishSec: 3600 }), 'invalid_payload', /^deadline_order: /],
    ['a check-in interval of 1 minute', (p) => ({ ...p, checkInIntervalMin: 1 }), 'invalid_payload', /^checkin_interval: .*between 5 and 240/],
    ['a check-in interval of 2 days', (p) => ({ ...p, checkInIntervalMin: 2880 }), 'invalid_payload', /^checkin_interval: /],
    ['a negative staffing minimum (the schema)', (p) => ({ ...p, minStaffPerCell: -1 }), 'invalid_payload', /minStaffPerCell/],
    ['a fractional staffing minimum (the schema)', (p) => ({ ...p, minStaffPerCell: 1.5 }), 'invalid_payload', /minStaffPerCell/],
    ['a staffing minimum of 500', (p) => ({ ...p, minStaffPerCell: 500 }), 'invalid_payload', /^min_staff: /],
    ['an escalation step an hour and a half late', (p) => ({ ...p, escalation: [{ role: 'operator', afterSec: 0 }, { role: 'duty_manager', afterSec: 5400 }] }), 'invalid_payload', /^escalation_delay: /],
    ['escalation steps out of order (the schema)', (p) => ({ ...p, escalation: [{ role: 'operator', afterSec: 60 }, { role: 'duty_manager', afterSec: 30 }] }), 'invalid_payload', /rising afterSec/],
    ['a wall naming a camera the hub does not have', (p) => ({ ...p, wall: { layout: '4', cameras: [cameraIds()[0], 'cam-nowhere'] } }), 'invalid_payload', /^wall_camera: .*cam-nowhere/],
    ['a display preset naming one', (p) => ({ ...p, wallByDisplay: { 'wall-2': { layout: '1', cameras: ['cam-ghost'] } } }), 'invalid_payload', /^wall_camera: wallByDisplay\.wall-2/],
    ['more cameras than the layout has tiles', (p) => ({ ...p, wall: { layout: '4', cameras: cameraIds().slice(0, 5) } }), 'invalid_payload', /^wall_tiles: /],
    ['another mode\'s profile', () => MODE_PROFILES.night, 'invalid_payload', /^mode_mismatch: /],
    ['an unknown field (the schema)', (p) => ({ ...p, colour: 'red' }), 'invalid_payload', /colour|Unrecognized/i],
    ['no change at all', (p) => p, 'invalid_payload', /^unchanged: /],
  ];
  for (const [what, edit, code, message] of cases) {
    it(`refuses ${what}`, async () => {
      const admin = await as('admin');
      const base = newest('daily');
      const res = await ask(admin, 'profile:save', { commandId: cid(), mode: 'daily', baseVersion: base.version, profile: edit(base.profile), reason: '调整' });
      expect(res.error?.code).toBe(code);
      expect(res.error?.message).toMatch(message);
      // The hub's own rules (not the schema's) come as issue codes too, for the screen to word.
      const key = /^\^(\w+):/.exec(message.source)?.[1];
      if (key) expect(res.error?.issues?.[0]?.code).toBe(`profile_${key}`);
      expect(newest('daily').version).toBe(base.version);
      expect(saves().at(-1)).toMatchObject({ actor: 'admin', outcome: 'rejected' });
    });
  }

  it('a reason is required', async () => {
    const base = newest('daily');
    const res = await ask(await as('admin'), 'profile:save', { commandId: cid(), mode: 'daily', baseVersion: base.version, profile: { ...base.profile, minStaffPerCell: 2 }, reason: ' ' });
    expect(res.error?.code).toBe('invalid_payload');
    expect(newest('daily').version).toBe(base.version);
  });

  it('a wall of cameras the hub has, within the layout, is accepted', async () => {
    const base = newest('daily');
    const wall = { layout: '4' as const, cameras: cameraIds().slice(0, 4) };
    const res = await ask(await as('admin'), 'profile:save', { commandId: cid(), mode: 'daily', baseVersion: base.version, profile: { ...base.profile, wall }, reason: '大屏改为四分屏' });
    expect(res.ok, res.error?.message).toBe(true);
    expect(newest('daily').profile.wall).toEqual(wall);
  });
});

describe('the rules follow the new version', () => {
  it('a mode in force (city-wide and an area emergency) uses the newly saved version from the next decision on; the record says which version each used', async () => {
    const dm = await as('duty_manager');
    const op = await as('operator');
    const admin = await as('admin');
    const switched = await ask(dm, 'mode:switch', { commandId: cid(), mode: 'emergency', reason: '全市应急演练' });
    expect(switched.ok, switched.error?.message).toBe(true);
    const before = newest('emergency');
    expect(switched.result.change.profileVersion).toBe(before.version);

    const assign = async (unitId: string) => {
      const inc = await ask(op, 'incident:create', { commandId: cid(), category: 'parking', priority: 2, position: NANJING, description: '占道' });
      expect(inc.ok, inc.error?.message).toBe(true);
      const res = await ask(op, 'task:assign', { commandId: cid(), incidentId: inc.result.incident.id, unitId });
      expect(res.ok, res.error?.message).toBe(true);
      const entry = auditPage(hub.db, 0, 100_000).filter((e) => e.action === 'task:assign' && e.outcome === 'accepted').at(-1)!;
      return { task: res.result.task as { id: string; assignedAt: number; ackDeadline: number }, basis: (entry.payload as { detail: { deadlinesBy: Record<string, unknown> } }).detail.deadlinesBy };
    };
    const first = await assign('off-020');
    expect(first.task.ackDeadline - first.task.assignedAt).toBe(before.profile.taskAckSec * 1000);
    expect(first.basis).toMatchObject({ mode: 'emergency', scope: 'city', profileVersion: before.version });

    const save = await ask(admin, 'profile:save', {
      commandId: cid(), mode: 'emergency', baseVersion: before.version, profile: { ...before.profile, taskAckSec: 45 }, reason: '应急受理时限缩短',
    });
    expect(save.ok, save.error?.message).toBe(true);
    const after = save.result.profile as VersionedProfile;

    const second = await assign('off-021');
    expect(second.task.ackDeadline - second.task.assignedAt).toBe(45_000);
    expect(second.basis).toMatchObject({ mode: 'emergency', scope: 'city', profileVersion: after.version });
    // The task assigned before keeps the deadline of the version it was decided by.
    const kept = hub.db.prepare('SELECT ack_deadline AS ack FROM tasks WHERE id = ?').get(first.task.id) as { ack: number };
    expect(kept.ack).toBe(first.task.ackDeadline);
    // The switch row says which version it was made with; the mode in force now uses the new one.
    expect(currentMode(hub.db)).toMatchObject({ mode: 'emergency', profileVersion: before.version });
    expect(effectiveMode(hub.db, null, Date.now())).toMatchObject({ mode: 'emergency', profileVersion: after.version, profile: { taskAckSec: 45 } });
    expect((await ask(dm, 'mode:end', { commandId: cid(), reason: '演练结束' })).ok).toBe(true);

    // An area emergency in force follows a save of the emergency profile too; the rest of the city keeps daily's.
    expect((await ask(dm, 'mode:switch', { commandId: cid(), mode: 'emergency', reason: '片区应急', areaId: 'dist-xinjiekou' })).ok).toBe(true);
    const again = await ask(admin, 'profile:save', {
      commandId: cid(), mode: 'emergency', baseVersion: after.version, profile: { ...after.profile, minStaffPerCell: 4 }, reason: '片区加派',
    });
    expect(again.ok, again.error?.message).toBe(true);
    expect(effectiveMode(hub.db, 'dist-xinjiekou', Date.now())).toMatchObject({ mode: 'emergency', scope: 'area', profileVersion: after.version + 1, profile: { minStaffPerCell: 4 } });
    expect(effectiveMode(hub.db, 'dist-hanzhongmen', Date.now())).toMatchObject({ mode: 'daily', profileVersion: newest('daily').version });
    expect((await ask(dm, 'mode:end', { commandId: cid(), areaId: 'dist-xinjiekou', reason: '解除' })).ok).toBe(true);
  });

  it('saved versions survive a restart of the hub', async () => {
    const dataDir = hub.dataDir;
    const versions = Object.fromEntries(Object.entries(latestProfiles(hub.db)).map(([m, v]) => [m, v!.version]));
    await hub.close();
    hub = await startTestHub({ dataDir });
    expect(Object.fromEntries(Object.entries(latestProfiles(hub.db)).map(([m, v]) => [m, v!.version]))).toEqual(versions);
    expect(versions.emergency).toBeGreaterThan(1);
  });
});
