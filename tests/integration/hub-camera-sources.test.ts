// camera:upsert against a real hub: file sources only inside the hub's data folder (symlinks resolved,
// stored by their real path), option-like and foreign-scheme URLs refused, every refusal audited; a vehicle
// camera only on a vehicle and a body camera only on an officer on foot, refused by key otherwise.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listCameras, listUnits } from '../../main/store/city';
import { auditPage } from '../../main/store/audit';
import { ask, cid, closeClients, consoleClient, NANJING, startTestHub, tempDir, type ConsoleClient } from './hub-fixture';

let hub: Awaited<ReturnType<typeof startTestHub>>;
let admin: ConsoleClient;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub.close());
afterEach(closeClients);

const camera = (id: string, source: { kind: string; url: string }) =>
  ({ id, kind: 'fixed', name: '测试摄像机', position: NANJING, facing: 0, unitId: null, sources: [source], key: false });
const upsert = (id: string, source: { kind: string; url: string }) => ask(admin, 'camera:upsert', { commandId: cid(), camera: camera(id, source) });

describe('camera:upsert sources', () => {
  beforeEach(async () => {
    admin = (await consoleClient(hub.url, { username: 'admin', password: 'demo' })).socket;
  });

  it('accepts a video file inside the data folder, stored by its real path', async () => {
    fs.mkdirSync(path.join(hub.dataDir, 'videos'), { recursive: true });
    const clip = path.join(hub.dataDir, 'videos', 'clip.mp4');
    fs.writeFileSync(clip, 'x');
    fs.symlinkSync(clip, path.join(hub.dataDir, 'videos', 'alias.mp4'));
    const res = await upsert('cam-file', { kind: 'file', url: path.join(hub.dataDir, 'videos', 'alias.mp4') });
    expect(res.ok).toBe(true);
    expect(res.result.camera.sources[0].url).toBe(fs.realpathSync(clip));
    expect(listCameras(hub.db).find((c) => c.id === 'cam-file')?.sources[0]?.url).toBe(fs.realpathSync(clip));
  });

  it('refuses files outside the data folder, also through a symlink or ..', async () => {
    const outside = path.join(tempDir('xiuhua-outside-'), 'secret.mp4');
    fs.writeFileSync(outside, 'x');
    fs.symlinkSync('/etc/passwd', path.join(hub.dataDir, 'passwd.mp4'));
    fs.symlinkSync(path.dirname(outside), path.join(hub.dataDir, 'elsewhere'));
    const refusals = [
      [{ kind: 'file', url: '/etc/passwd' }, 'invalid_payload', /inside the hub's data folder/],
      [{ kind: 'file', url: outside }, 'invalid_payload', /inside the hub's data folder/],
      [{ kind: 'file', url: path.join(hub.dataDir, 'passwd.mp4') }, 'invalid_payload', /inside the hub's data folder/],
      [{ kind: 'file', url: path.join(hub.dataDir, 'elsewhere', 'secret.mp4') }, 'invalid_payload', /inside the hub's data folder/],
      [{ kind: 'file', url: `${hub.dataDir}/../${path.basename(path.dirname(outside))}/secret.mp4` }, 'invalid_payload', /segments/],
      [{ kind: 'file', url: hub.dataDir.replace(/^\//, '') + '/videos/clip.mp4' }, 'invalid_payload', /absolute path/],
      [{ kind: 'file', url: path.join(hub.dataDir, 'videos') }, 'invalid_payload', /not a regular file/],
      [{ kind: 'file', url: path.join(hub.dataDir, 'missing.mp4') }, 'not_found', /no file/],
      [{ kind: 'rtsp', url: '-version' }, 'invalid_payload', /may not start with "-"/],
      [{ kind: 'rtsp', url: 'file:/etc/passwd' }, 'invalid_payload', /rtsp or rtsps URL/],
      [{ kind: 'hls', url: 'javascript:alert(1)' }, 'invalid_payload', /http or https URL/],
    ] as const;
    for (const [i, [source, code, message]] of refusals.entries()) {
      const res = await upsert(`cam-bad-${i}`, source);
      expect(res.error?.code, source.url).toBe(code);
      expect(res.error?.message, source.url).toMatch(message);
    }
    const stored = listCameras(hub.db).map((c) => c.id);
    expect(stored.filter((id) => id.startsWith('cam-bad-'))).toEqual([]);
    // Audited: ten a minute row by row for one actor and action, the rest counted into a summary (refusals.ts).
    const audited = auditPage(hub.db, 0, 100_000).filter((e) => e.action === 'camera:upsert' && e.outcome === 'rejected');
    expect(audited.map((e) => e.reason)).toEqual(refusals.slice(0, 10).map(([source]) => expect.stringMatching(source.kind === 'file' ? /^(invalid_payload|not_found): / : /^invalid_payload: /)));
  });
});

describe('camera:upsert units', () => {
  // A hub of its own: the refusals above have used up this admin's row-by-row allowance for this minute (refusals.ts).
  let own: Awaited<ReturnType<typeof startTestHub>>;
  beforeAll(async () => {
    own = await startTestHub();
  });
  afterAll(() => own.close());
  beforeEach(async () => {
    admin = (await consoleClient(own.url, { username: 'admin', password: 'demo' })).socket;
  });
  const riding = (id: string, kind: 'vehicle' | 'body', unitId: string) =>
    ({ id, kind, name: '随车摄像机', position: null, facing: null, unitId, sources: [{ kind: 'testsrc', url: `testsrc:${id}` }], key: false });

  it('puts a vehicle camera on a vehicle and a body camera on an officer on foot', async () => {
    const units = listUnits(own.db);
    const vehicle = units.find((u) => u.kind === 'vehicle')!;
    const officer = units.find((u) => u.kind === 'officer')!;
    for (const camera of [riding('cam-ride-veh', 'vehicle', vehicle.id), riding('cam-ride-body', 'body', officer.id)]) {
      const res = await ask(admin, 'camera:upsert', { commandId: cid(), camera });
      expect(res.ok, JSON.stringify(res.error)).toBe(true);
      expect(listCameras(own.db).find((c) => c.id === camera.id)).toMatchObject({ kind: camera.kind, unitId: camera.unitId });
    }
  });

  it('a body camera handed to another officer is that officer\'s camera now, and no longer the first one\'s', async () => {
    const officers = listUnits(own.db).filter((u) => u.kind === 'officer' && u.cameraId);
    const [first, second] = officers;
    const worn = listCameras(own.db).find((c) => c.id === first!.cameraId)!;
    expect(worn.unitId).toBe(first!.id);
    const res = await ask(admin, 'camera:upsert', { commandId: cid(), camera: { ...worn, unitId: second!.id } });
    expect(res.ok, JSON.stringify(res.error)).toBe(true);
    const byId = new Map(listUnits(own.db).map((u) => [u.id, u]));
    expect(byId.get(second!.id)!.cameraId).toBe(worn.id);
    expect(byId.get(first!.id)!.cameraId).toBeNull();
    const entry = auditPage(own.db, 0, 1_000_000).reverse().find((e) => e.action === 'camera:upsert' && e.target === worn.id)!;
    expect((entry.payload as { detail: { unitLinks: unknown } }).detail.unitLinks).toEqual([{ unitId: first!.id, cameraId: null }, { unitId: second!.id, cameraId: worn.id }]);
  });

  it('refuses a vehicle camera on an officer and a body camera on a vehicle, with an issue code, audited as refusals, nothing stored', async () => {
    const units = listUnits(own.db);
    const vehicle = units.find((u) => u.kind === 'vehicle')!;
    const officer = units.find((u) => u.kind === 'officer')!;
    const cases = [
      [riding('cam-misfit-veh', 'vehicle', officer.id), /^vehicle_camera_needs_vehicle: unit off-\d+ is an officer on foot; /, 'vehicle_camera_needs_vehicle', officer],
      [riding('cam-misfit-body', 'body', vehicle.id), /^body_camera_needs_officer: unit veh-\d+ is a vehicle; /, 'body_camera_needs_officer', vehicle],
    ] as const;
    const seq = auditPage(own.db, 0, 1_000_000).at(-1)!.seq;
    for (const [camera, message, code, unit] of cases) {
      const res = await ask(admin, 'camera:upsert', { commandId: cid(), camera });
      expect(res.ok).toBe(false);
      expect(res.error?.code).toBe('invalid_payload');
      expect(res.error?.message).toMatch(message);
      // The screen words the refusal from this, in the admin's language.
      expect(res.error?.issues).toEqual([{ code, params: { unit: unit.id, name: unit.name } }]);
    }
    // A fixed camera on a unit, and one with no place, are refused the same way.
    const fixed = { ...riding('cam-misfit-fixed', 'vehicle', vehicle.id), kind: 'fixed' as const, position: [118.78, 32.04] as [number, number], facing: 90 };
    for (const [camera, code] of [[fixed, 'fixed_camera_no_unit'], [{ ...fixed, unitId: null, position: null }, 'fixed_camera_needs_position']] as const) {
      const res = await ask(admin, 'camera:upsert', { commandId: cid(), camera });
      expect(res.error?.code).toBe('invalid_payload');
      expect(res.error?.issues?.[0]?.code).toBe(code);
    }
    expect(listCameras(own.db).filter((c) => c.id.startsWith('cam-misfit-'))).toEqual([]);
    const audited = auditPage(own.db, seq, 1000).filter((e) => e.action === 'camera:upsert');
    expect(audited.map((e) => [e.outcome, e.reason])).toEqual([
      ['rejected', expect.stringMatching(/^invalid_payload: vehicle_camera_needs_vehicle: /)],
      ['rejected', expect.stringMatching(/^invalid_payload: body_camera_needs_officer: /)],
      ['rejected', expect.stringMatching(/^invalid_payload: a fixed camera rides with no unit/)],
      ['rejected', 'invalid_payload: a fixed camera needs a position'],
    ]);
  });
});

describe('camera:preview', () => {
  beforeEach(async () => {
    admin = (await consoleClient(hub.url, { username: 'admin', password: 'demo' })).socket;
  });

  it('serves a source under the session\'s preview id before anything is saved, and plays it', async () => {
    const before = listCameras(hub.db).length;
    const res = await ask(admin, 'camera:preview', { source: { kind: 'testsrc', url: 'testsrc:trial' } });
    expect(res.ok, JSON.stringify(res.error)).toBe(true);
    expect(res.result.cameraId).toMatch(/^preview-[0-9a-f]{16}$/);
    expect(listCameras(hub.db)).toHaveLength(before); // nothing stored
    // The playlist comes once the encoder runs (503 "starting" until then): progress-based, not timed.
    const url = new URL(res.result.url, hub.url).href;
    let status = 0;
    for (let i = 0; i < 600 && status !== 200; i++) {
      status = (await fetch(url)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
    // Another session's media token does not open this preview.
    const other = (await consoleClient(hub.url, { username: 'admin', password: 'demo' })).socket;
    const theirs = await ask(other, 'camera:preview', { source: { kind: 'testsrc', url: 'testsrc:other' } });
    expect(theirs.result.cameraId).not.toBe(res.result.cameraId);
    const forged = new URL(url);
    forged.searchParams.set('token', new URL(new URL(theirs.result.url, hub.url)).searchParams.get('token')!);
    expect((await fetch(forged)).status).toBe(401);
  }, 90_000);

  it('checks the source as a saved camera would be: the schema, and files inside the data folder only', async () => {
    const hls = await ask(admin, 'camera:preview', { source: { kind: 'hls', url: 'https://cams.example/gate/index.m3u8' } });
    expect(hls.result.url).toBe('https://cams.example/gate/index.m3u8');
    expect((await ask(admin, 'camera:preview', { source: { kind: 'file', url: '/etc/passwd' } })).error)
      .toMatchObject({ code: 'invalid_payload', message: expect.stringMatching(/^source\.url: .*inside the hub's data folder/) });
    expect((await ask(admin, 'camera:preview', { source: { kind: 'rtsp', url: '-i /etc/passwd' } })).error?.code).toBe('invalid_payload');
    const op = (await consoleClient(hub.url, { username: 'operator', password: 'demo' })).socket;
    expect((await ask(op, 'camera:preview', { source: { kind: 'testsrc', url: 'testsrc:x' } })).error?.code).toBe('forbidden');
  });
});
