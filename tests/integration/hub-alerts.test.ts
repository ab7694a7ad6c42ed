import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HubEvent } from '../../shared/protocol/events';
import { auditPage } from '../../main/store/audit';
import { ask, cid, closeClients, consoleClient, startTestHub } from './hub-fixture';

let hub: Awaited<ReturnType<typeof startTestHub>>;
beforeAll(async () => { hub = await startTestHub({ cameraStaleSec: 1 }); });
afterAll(() => hub.close());
afterEach(closeClients);

describe('key camera alerts', () => {
  it('a key camera whose stream fails raises one sequenced, audited alert', async () => {
    const admin = (await consoleClient(hub.url, { username: 'admin', password: 'demo' })).socket;
    // A file source must lie in the hub's data folder: one that is there but holds no video.
    const broken = path.join(hub.dataDir, 'broken.mp4');
    fs.writeFileSync(broken, 'not a video');
    const camera = {
      id: 'cam-broken', kind: 'fixed', name: '测试断流机位', position: [118.78, 32.04], facing: 0, unitId: null,
      sources: [{ kind: 'file', url: broken }], key: true,
    };
    expect((await ask(admin, 'camera:upsert', { commandId: cid(), camera })).ok).toBe(true);
    const op = (await consoleClient(hub.url, { username: 'operator', password: 'demo' })).socket;
    const alerts: HubEvent[] = [];
    op.on('event', (e) => { if (e.data.type === 'alert:raised') alerts.push(e); });
    const { url } = (await ask(op, 'stream:token', { cameraId: 'cam-broken' })).result;
    await fetch(url); // watching starts the pull
    const end = Date.now() + 15_000;
    while (alerts.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.data).toMatchObject({ type: 'alert:raised', alert: { kind: 'camera_down', subjectId: 'cam-broken' } });
    await new Promise((r) => setTimeout(r, 3000)); // further failures and retries do not repeat it
    expect(alerts).toHaveLength(1);
    expect(auditPage(hub.db, 0, 100_000).some((e) => e.action === 'camera:stale' && e.actor === 'system' && e.target === 'cam-broken')).toBe(true);
  });

  it('stream tokens are given for known cameras only', async () => {
    const op = (await consoleClient(hub.url, { username: 'operator', password: 'demo' })).socket;
    expect((await ask(op, 'stream:token', { cameraId: 'no-such-cam' })).error?.code).toBe('not_found');
    expect((await ask(op, 'stream:token', { cameraId: '../../etc' })).error?.code).toBe('not_found');
  });
});
