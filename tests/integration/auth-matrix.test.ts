// Who may do what (issue 16, "Auth"): every event the hub serves × every role, against the policy written
// out below from DESIGN.md — not read from the hub's own tables, so that a role slipped into a table by
// mistake shows here. And every kind of credential a client might present (none, wrong, expired, revoked,
// another device's, a media token): only a live session or a device's own secret gets in.
//
// A role check comes before the payload is parsed (commands.ts), so an empty payload is enough: an event
// the role may not use answers `forbidden`, one it may use answers anything else (usually invalid_payload).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import type { Role } from '../../shared/domain';
import { generateSecret, sessionId } from '../../main/hub/auth';
import { insertDevice, revokeDevice } from '../../main/store/people';
import type { Hub } from '../../main/hub/server';
import { askPatiently, closeClients, consoleClient, CONSOLE_EVENTS, FIELD_EVENTS, fieldClient, startTestHub, type ConsoleClient } from './hub-fixture';

type Person = Exclude<Role, 'device' | 'system'>;
const PEOPLE: Person[] = ['operator', 'duty_manager', 'evaluator', 'admin'];
const LOGIN: Record<Person, string> = { operator: 'operator', duty_manager: 'manager', evaluator: 'evaluator', admin: 'admin' };

// The policy. Operators and duty managers dispatch; duty managers also switch modes and read the record;
// evaluators only read, the record included; admins set the center up and may read the record, but do not
// dispatch. A new console event must be added here, with who may use it, before this test passes.
const DISPATCHERS: Person[] = ['operator', 'duty_manager'];
const MODE_SWITCHERS: Person[] = ['duty_manager', 'admin'];
const SETUP: Person[] = ['admin'];
const EVERYONE: Person[] = PEOPLE;
const RECORD: Person[] = ['evaluator', 'duty_manager', 'admin'];
const CONSOLE_POLICY: Record<string, Person[]> = {
  'incident:create': DISPATCHERS, 'incident:amend': DISPATCHERS, 'incident:close': DISPATCHERS,
  'task:assign': DISPATCHERS, 'task:reassign': DISPATCHERS, 'task:cancel': DISPATCHERS,
  'checkin:override': DISPATCHERS, 'rollcall:start': DISPATCHERS, 'fence:acknowledge': DISPATCHERS, 'bodycam:acknowledge': DISPATCHERS,
  'sos:acknowledge': DISPATCHERS, 'sos:assist': DISPATCHERS, 'sos:resolve': DISPATCHERS,
  'mode:switch': MODE_SWITCHERS, 'mode:end': MODE_SWITCHERS,
  // the holiday calendar decides when holiday mode holds: edited by those who switch modes, read by all
  'calendar:add': MODE_SWITCHERS, 'calendar:remove': MODE_SWITCHERS, 'calendar:list': EVERYONE,
  // what a mode decides (its profile) is set up by the admin; switching between modes is the duty manager's
  'profile:save': SETUP,
  // the roster is imported by the admin; the shifts ahead are read by all (each console's snapshot holds the next 24 h)
  'roster:import': SETUP, 'roster:upcoming': EVERYONE, 'user:create': SETUP, 'camera:upsert': SETUP,
  'cell:save': SETUP, 'cell:delete': SETUP, 'post:save': SETUP, 'post:delete': SETUP, 'route:save': SETUP, 'route:delete': SETUP, 'grid:import': SETUP, 'grid:get': EVERYONE,
  'user:set-role': SETUP, 'user:disable': SETUP, 'user:enable': SETUP, 'user:reset-password': SETUP,
  'session:revoke': SETUP, 'session:revoke-all': SETUP, 'device:register': SETUP,
  'device:enrol': SETUP, 'device:revoke': SETUP,
  // reads
  'state:snapshot': EVERYONE, 'events:since': EVERYONE, 'stream:token': EVERYONE, 'positions:retention': EVERYONE,
  'incident:trace': EVERYONE, 'photo:get': EVERYONE,
  // which units to send is a dispatch question; the evaluator may ask it to judge a dispatch
  'units:recommend': ['operator', 'duty_manager', 'evaluator'],
  'audit:verify': RECORD, 'audit:page': RECORD, 'audit:timeline': RECORD, 'audit:raw': RECORD, 'audit:export': RECORD, 'audit:checkpoints': RECORD,
  'unit:track': RECORD, 'replay:window': RECORD, 'score:card': RECORD, 'score:coverage': RECORD,
  // who has an account and which devices may connect is the admin's alone
  'people:list': SETUP, 'devices:list': SETUP, 'camera:preview': SETUP,
  // push-to-talk is the center's (and the field's, on /field); its record is read like photos
  'voice:join': DISPATCHERS, 'voice:talk': DISPATCHERS, 'voice:release': DISPATCHERS, 'voice:signal': DISPATCHERS, 'voice:record': DISPATCHERS,
  'voice:talks': EVERYONE, 'voice:audio': EVERYONE,
};
// Field devices (phones, terminals, gateways) use only the field namespace's events (FIELD_EVENTS), and all of them.

let hub: Hub & { dataDir: string };
// phone-a has a hub-generated secret (kept as SHA-256), the gateway a chosen one (kept with scrypt): both kinds are checked.
const phoneA = generateSecret();
beforeAll(async () => {
  hub = await startTestHub();
  insertDevice(hub.db, { id: 'phone-a', secretHash: phoneA.hash, kind: 'terminal', unitId: hub.db.prepare('SELECT id FROM units LIMIT 1').pluck().get() as string, at: Date.now() });
});
afterAll(async () => {
  closeClients();
  await hub.close();
});

describe('the policy covers the hub', () => {
  it('every console event has a stated policy, and every stated event exists', () => {
    expect(CONSOLE_EVENTS.filter((e) => !(e in CONSOLE_POLICY)), 'console events with no stated policy').toEqual([]);
    expect(Object.keys(CONSOLE_POLICY).filter((e) => !CONSOLE_EVENTS.includes(e)), 'stated events the hub does not serve').toEqual([]);
  });
});

describe('every console event × every role', () => {
  for (const role of PEOPLE) {
    it(`${role}: exactly the events the policy gives it pass the role check`, async () => {
      const { socket, ready } = await consoleClient(hub.url, { username: LOGIN[role], password: 'demo' });
      expect(ready.user.role).toBe(role);
      const wrong: string[] = [];
      for (const event of CONSOLE_EVENTS) {
        const res = await askPatiently(socket, event, {});
        const refused = res.error?.code === 'forbidden';
        if (refused === CONSOLE_POLICY[event]!.includes(role)) wrong.push(`${event}: ${refused ? 'refused' : `passed (${res.ok ? 'ok' : res.error?.code})`}`);
      }
      expect(wrong).toEqual([]);
    });
  }

  it('a field device: every field event passes the role check; no console event is served on /field', async () => {
    const device = await fieldClient(hub.url);
    const wrong: string[] = [];
    for (const event of FIELD_EVENTS) {
      const res = await askPatiently(device, event, {});
      if (res.error?.code === 'forbidden') wrong.push(`${event}: refused`);
    }
    for (const event of CONSOLE_EVENTS.filter((e) => !FIELD_EVENTS.includes(e))) {
      const res = await askPatiently(device, event, {});
      if (res.ok || res.error?.code !== 'forbidden') wrong.push(`${event} on /field: ${res.ok ? 'ok' : res.error?.code}`);
    }
    expect(wrong).toEqual([]);
  });
});

/** The connect_error a handshake ends in, or 'connected'. */
function handshake(nsp: 'console' | 'field', auth: Record<string, unknown>, extra: { origin?: string } = {}): Promise<string> {
  const socket = io(`${hub.url}/${nsp}`, {
    auth, transports: ['websocket'], reconnection: false, forceNew: true,
    ...(extra.origin ? { extraHeaders: { Origin: extra.origin } } : {}),
  });
  return new Promise((resolve) => {
    socket.once('session:ready', () => {
      socket.disconnect();
      resolve('connected');
    });
    socket.once('connect_error', (e) => {
      socket.disconnect();
      resolve(e.message.split(':')[0]!);
    });
  });
}

describe('credentials', () => {
  let live: { socket: ConsoleClient; token: string };
  beforeAll(async () => {
    const { socket, ready } = await consoleClient(hub.url, { username: 'operator', password: 'demo' });
    live = { socket, token: ready.token };
  });

  it('a live session token and a device with its own secret get in', async () => {
    expect(await handshake('console', { token: live.token })).toBe('connected');
    expect(await handshake('field', { deviceId: 'phone-a', secret: phoneA.secret })).toBe('connected');
  });

  it('a revoked device is refused, even with its own secret', async () => {
    const own = generateSecret();
    insertDevice(hub.db, { id: 'phone-revoked', secretHash: own.hash, kind: 'terminal', unitId: hub.db.prepare('SELECT id FROM units LIMIT 1').pluck().get() as string, at: Date.now() });
    expect(await handshake('field', { deviceId: 'phone-revoked', secret: own.secret })).toBe('connected');
    revokeDevice(hub.db, 'phone-revoked', Date.now());
    expect(await handshake('field', { deviceId: 'phone-revoked', secret: own.secret })).toBe('auth_failed');
  });

  it('no credentials, or a made-up token, are refused', async () => {
    expect(await handshake('console', {})).toBe('auth_required');
    expect(await handshake('console', { token: randomBytes(32).toString('base64url') })).toBe('session_expired');
    expect(await handshake('field', {})).not.toBe('connected');
  });

  it('an expired session is refused', async () => {
    const { ready } = await consoleClient(hub.url, { username: 'evaluator', password: 'demo' });
    expect(await handshake('console', { token: ready.token })).toBe('connected');
    // Its twelve hours pass (the store keeps only the token's hash).
    hub.db.prepare('UPDATE sessions SET expires_at = ? WHERE token_hash = ?').run(Date.now() - 1, sessionId(ready.token));
    expect(await handshake('console', { token: ready.token })).toBe('session_expired');
    expect(await handshake('console', { token: live.token })).toBe('connected');
  });

  it('a session that logged out is refused', async () => {
    const { socket, ready } = await consoleClient(hub.url, { username: 'manager', password: 'demo' });
    const res = await askPatiently(socket, 'session:logout', {});
    expect(res.ok).toBe(true);
    expect(await handshake('console', { token: ready.token })).toBe('session_expired');
  });

  it("another device's secret, a person on /field and a device on /console are refused", async () => {
    expect(await handshake('field', { deviceId: 'phone-a', secret: 'demo' })).toBe('auth_failed'); // the gateway's secret
    expect(await handshake('field', { deviceId: 'sim-gateway', secret: phoneA.secret })).toBe('auth_failed');
    expect(await handshake('field', { username: 'operator', password: 'demo' })).not.toBe('connected');
    expect(await handshake('console', { deviceId: 'sim-gateway', secret: 'demo' })).toBe('wrong_namespace');
  });

  it('a media token opens no socket', async () => {
    const camera = hub.db.prepare('SELECT id FROM cameras LIMIT 1').pluck().get() as string;
    const res = await askPatiently(live.socket, 'stream:token', { cameraId: camera });
    expect(res.ok, JSON.stringify(res.error)).toBe(true);
    const mediaToken = new URL(String(res.result.url), hub.url).searchParams.get('token') ?? '';
    expect(mediaToken.length).toBeGreaterThan(10);
    expect(await handshake('console', { token: mediaToken })).toBe('session_expired');
    expect(await handshake('field', { deviceId: 'sim-gateway', secret: mediaToken })).toBe('auth_failed');
  });

  it('a page from a foreign origin is refused; our own origin is let in', async () => {
    expect(await handshake('console', { token: live.token }, { origin: 'https://evil.example' })).not.toBe('connected');
    expect(await handshake('console', { token: live.token }, { origin: 'xiuhua://app' })).toBe('connected');
  });
});
