// The console's hub client while the hub is away (renderer/src/hub/client.ts): a command made then is queued
// with its commandId, sent once the hub is back and the console has caught up, and applied exactly once;
// one the operator drops is never sent. Real hub on port 0, real SQLite, the real client under Node.
import { afterEach, describe, expect, it } from 'vitest';
import { HubClient } from '../../renderer/src/hub/client';
import type { Hub } from '../../main/hub/server';
import { hubSnapshot, startTestHub, tempDir } from './hub-fixture';

const hubs: Hub[] = [];
const clients: HubClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.logout();
  for (const h of hubs.splice(0)) await h.close();
});

function until(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      if (check()) return resolve();
      if (Date.now() - started > ms) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 20);
    };
    tick();
  });
}

describe('commands made while the hub is away', () => {
  it('are queued with their commandId, sent on return and applied once; a dropped one is never sent', async () => {
    const dataDir = tempDir();
    const first = await startTestHub({ dataDir });
    const port = first.port;
    const client = new HubClient(null);
    clients.push(client);
    await client.login(first.url, 'operator', 'demo');
    await until(() => client.getState().ready, 'the snapshot');
    await first.close();
    await until(() => client.getState().connection.status !== 'live', 'the client to notice');

    const queued: string[] = [];
    const kept = client.command('incident:create', { category: 'parking', priority: 2, position: [118.78, 32.04], description: 'made while away' }, { onQueued: (id) => queued.push(id) });
    const dropped = client.command('incident:create', { category: 'parking', priority: 3, position: [118.78, 32.04], description: 'dropped while away' }, { onQueued: (id) => queued.push(id) });
    await until(() => queued.length === 2, 'both to be queued');
    expect(client.getState().queued.map((q) => q.commandId)).toEqual(queued);
    expect(client.getState().queued.map((q) => q.name)).toEqual(['incident:create', 'incident:create']);
    client.cancelQueued(queued[1]!);
    expect(await dropped).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    expect(client.getState().queued.map((q) => q.commandId)).toEqual([queued[0]]);

    const second = await startTestHub({ dataDir, port });
    hubs.push(second);
    const res = await kept;
    expect(res.ok).toBe(true);
    expect(client.getState().queued).toEqual([]);
    const truth = await hubSnapshot(second.url);
    expect(truth.incidents.filter((i) => i.description === 'made while away')).toHaveLength(1);
    expect(truth.incidents.filter((i) => i.description === 'dropped while away')).toHaveLength(0);
  }, 60_000);
});
