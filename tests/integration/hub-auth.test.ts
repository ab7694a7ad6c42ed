import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closeClients, consoleClient, fieldClient, startTestHub } from './hub-fixture';
import { auditPage } from '../../main/store/audit';

let hub: Awaited<ReturnType<typeof startTestHub>>;
beforeAll(async () => { hub = await startTestHub(); });
afterAll(() => hub.close());
afterEach(closeClients);

describe('login', () => {
  it('a demo operator logs in and gets a session token and their role', async () => {
    const { ready } = await consoleClient(hub.url, { username: 'operator', password: 'demo' });
    expect(ready.user).toMatchObject({ username: 'operator', role: 'operator' });
    expect(ready.token.length).toBeGreaterThan(30);
    expect(ready.demo).toBe(true);
  });

  it('the session token resumes the session without the password', async () => {
    const first = await consoleClient(hub.url, { username: 'manager', password: 'demo' });
    const again = await consoleClient(hub.url, { token: first.ready.token });
    expect(again.ready.user.role).toBe('duty_manager');
  });

  it('a wrong password is refused with a clear message, and the refusal is audited', async () => {
    await expect(consoleClient(hub.url, { username: 'operator', password: 'nope' })).rejects.toThrow(/wrong username or password/);
    await expect(consoleClient(hub.url, { username: 'nobody', password: 'demo' })).rejects.toThrow(/wrong username or password/);
    await expect(consoleClient(hub.url, { token: 'forged' })).rejects.toThrow(/session_expired/);
    const refused = auditPage(hub.db, 0, 1000).filter((e) => e.action === 'session:login' && e.outcome === 'rejected');
    expect(refused.map((e) => e.actor)).toEqual(expect.arrayContaining(['operator', 'nobody']));
  });

  it('a field device cannot join /console, and a person cannot join /field', async () => {
    await expect(consoleClient(hub.url, { deviceId: 'sim-gateway', secret: 'demo' })).rejects.toThrow(/wrong_namespace/);
    await expect(fieldClient(hub.url, { username: 'operator', password: 'demo' })).rejects.toThrow(/wrong_namespace/);
  });

  it('a device with the wrong secret is refused; the right one connects', async () => {
    await expect(fieldClient(hub.url, { deviceId: 'sim-gateway', secret: 'wrong' })).rejects.toThrow(/wrong secret/);
    await expect(fieldClient(hub.url)).resolves.toBeDefined();
  });

  it('says what it is before login: a Xiuhua hub, in demo mode, with its demo users', async () => {
    const about = await (await fetch(`${hub.url}/hub.json`)).json();
    expect(about).toEqual({ product: 'xiuhua', protocol: 1, demo: true, demoUsers: ['operator', 'manager', 'evaluator', 'admin'] });
  });

  it('a browser from a foreign origin is refused', async () => {
    const res = await fetch(`${hub.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: 'http://evil.example' } });
    expect(res.status).toBe(403);
    const ours = await fetch(`${hub.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: hub.url } });
    expect(ours.status).toBe(200);
  });
});
