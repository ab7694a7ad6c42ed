// Floods against a real hub: wrong passwords and device secrets are refused before scrypt and audited as
// summaries (the log grows by a fixed number of rows, and the counts add up to every attempt); one
// credential's many sockets share one budget; logout ends a session everywhere.
import { afterEach, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { hashSecretSync } from '../../main/hub/auth';
import type { HubLimits } from '../../main/hub/server';
import { auditPage } from '../../main/store/audit';
import { listUnits } from '../../main/store/city';
import { openStore } from '../../main/store/db';
import { insertDevice } from '../../main/store/people';
import type { AuditEntry } from '../../shared/domain';
import { ask, cid, closeClients, NANJING, startTestHub } from './hub-fixture';

const opened: Socket[] = [];
afterEach(() => {
  for (const s of opened.splice(0)) s.disconnect();
  closeClients();
});

/** One handshake from a chosen local address (the loopback net is 127/8): resolves ready, or the refusal's message. */
function connect(url: string, nsp: '/console' | '/field', auth: Record<string, unknown>, localAddress = '127.0.0.1'): Promise<{ socket: Socket; refused: string | null; ready?: { token: string } }> {
  const socket = io(`${url}${nsp}`, { auth, transports: ['websocket'], reconnection: false, forceNew: true, localAddress } as Parameters<typeof io>[1]);
  opened.push(socket);
  return new Promise((resolve) => {
    socket.once('session:ready', (ready: { token: string }) => resolve({ socket, refused: null, ready }));
    socket.once('connect_error', (e) => { socket.disconnect(); resolve({ socket, refused: e.message }); });
  });
}

/** Refusals an audit row stands for: one, or a summary's count. */
const stands = (e: AuditEntry) => ((e.payload as { summary?: boolean } | null)?.summary ? (e.payload as { count: number }).count : 1);
const LONG_WINDOW = 10 * 60_000; // no summary window ends during a test: rows are counted exactly

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('wrong passwords in a burst', () => {
  it('are refused before scrypt, audited as one row plus a summary, and do not lock out other addresses', async () => {
    // A block that outlasts the burst on a loaded machine; its expiry is the next test's.
    const limits: HubLimits = { refusalWindowMs: LONG_WINDOW, login: { accountAddressFails: 5, accountAddressBlockSec: 600 } };
    const hub = await startTestHub({ limits });
    let refusedFromAttacker = 0;
    try {
      const before = auditPage(hub.db, 0, 1_000_000).length;
      const burst = await Promise.all(Array.from({ length: 300 }, () => connect(hub.url, '/console', { username: 'operator', password: 'guess' })));
      const messages = burst.map((b) => b.refused);
      refusedFromAttacker += 300;
      expect(messages.every((m) => m !== null)).toBe(true);
      const checked = messages.filter((m) => m!.startsWith('auth_failed:')).length;
      // Only the failures that block the pair, and what was already in flight (2 at once), were checked;
      // the rest were turned away unchecked (by the block, or by the full scrypt gate).
      expect(checked).toBeGreaterThanOrEqual(5);
      expect(checked).toBeLessThanOrEqual(5 + 2);
      expect(messages.filter((m) => m!.startsWith('rate_limited:'))).toHaveLength(300 - checked);

      const added = auditPage(hub.db, before, 1_000_000);
      expect(added.filter((e) => e.outcome === 'rejected')).toHaveLength(1);
      expect(added[0]).toMatchObject({ action: 'session:login', actor: 'operator', payload: { username: 'operator', address: '127.0.0.1' } });

      // The same account from another address still logs in; from the flooding address it is blocked.
      expect((await connect(hub.url, '/console', { username: 'operator', password: 'demo' }, '127.0.0.2')).refused).toBeNull();
      const blocked = await connect(hub.url, '/console', { username: 'operator', password: 'demo' });
      refusedFromAttacker++;
      expect(blocked.refused).toMatch(/^rate_limited: too many failed attempts for this account; try again in \d+ s/);

      const logins = auditPage(hub.db, before, 1_000_000).filter((e) => e.action === 'session:login' && e.outcome === 'accepted');
      expect(logins.map((e) => (e.payload as { address: string }).address)).toEqual(['127.0.0.2']);
      expect(auditPage(hub.db, before, 1_000_000).filter((e) => e.outcome === 'rejected')).toHaveLength(1);
    } finally {
      await hub.close();
    }
    // Closing wrote the summary: two rows in all for the whole flood, accounting for every refusal.
    const db = openStore(hub.dataDir);
    try {
      const rows = auditPage(db, 0, 1_000_000).filter((e) => e.action === 'session:login' && e.outcome === 'rejected');
      expect(rows).toHaveLength(2);
      expect(rows[1]!.payload).toMatchObject({ summary: true, address: '127.0.0.1' });
      expect(rows.reduce((n, e) => n + stands(e), 0)).toBe(refusedFromAttacker);
    } finally {
      db.close();
    }
  });

  it('after the block expires the account works again from that address', async () => {
    const hub = await startTestHub({ limits: { login: { accountAddressFails: 2, accountAddressBlockSec: 3 } } });
    try {
      for (let i = 0; i < 2; i++) expect((await connect(hub.url, '/console', { username: 'operator', password: 'guess' })).refused).toMatch(/^auth_failed:/);
      expect((await connect(hub.url, '/console', { username: 'operator', password: 'demo' })).refused).toMatch(/^rate_limited: .* try again in [1-3] s/);
      await until('the block to expire', async () => {
        const r = await connect(hub.url, '/console', { username: 'operator', password: 'demo' });
        if (r.refused === null) return true;
        expect(r.refused).toMatch(/^rate_limited:/);
        return undefined;
      });
      const logins = auditPage(hub.db, 0, 1_000_000).filter((e) => e.action === 'session:login' && e.outcome === 'accepted');
      expect(logins.map((e) => (e.payload as { address: string }).address)).toEqual(['127.0.0.1']);
    } finally {
      await hub.close();
    }
  });

  it('wrong device secrets likewise; the right secret from another address connects', async () => {
    const hub = await startTestHub({ limits: { refusalWindowMs: LONG_WINDOW } });
    try {
      const before = auditPage(hub.db, 0, 1_000_000).length;
      const burst = await Promise.all(Array.from({ length: 100 }, () => connect(hub.url, '/field', { deviceId: 'sim-gateway', secret: 'guess' })));
      expect(burst.every((b) => b.refused !== null && /^(auth_failed|rate_limited):/.test(b.refused))).toBe(true);
      expect(burst.filter((b) => b.refused!.startsWith('auth_failed:')).length).toBeLessThanOrEqual(16);
      expect((await connect(hub.url, '/field', { deviceId: 'sim-gateway', secret: 'demo' }, '127.0.0.2')).refused).toBeNull();
      const added = auditPage(hub.db, before, 1_000_000);
      expect(added.filter((e) => e.outcome === 'rejected').map((e) => e.action)).toEqual(['session:device']);
      expect(added.filter((e) => e.outcome === 'accepted')).toMatchObject([{ action: 'session:device', actor: 'sim-gateway', payload: { address: '127.0.0.2' } }]);
    } finally {
      await hub.close();
    }
  });
});

describe('one identity, many sockets', () => {
  it('share one budget: the flood is refused collectively while another device and a console are answered', async () => {
    const limits: HubLimits = { refusalWindowMs: LONG_WINDOW, field: { perSocket: 50, perIdentity: 100, windowSec: 600 }, console: { windowSec: 600 } };
    const hub = await startTestHub({ limits });
    try {
      const unit = listUnits(hub.db)[0]!;
      insertDevice(hub.db, { id: 'term-test', secretHash: hashSecretSync('terminal-secret'), kind: 'terminal', unitId: unit.id, at: Date.now() });
      const flooders = await Promise.all(Array.from({ length: 12 }, () => connect(hub.url, '/field', { deviceId: 'sim-gateway', secret: 'demo' })));
      expect(flooders.map((f) => f.refused)).toEqual(Array(12).fill(null));
      const terminal = await connect(hub.url, '/field', { deviceId: 'term-test', secret: 'terminal-secret' });
      const operator = await connect(hub.url, '/console', { username: 'operator', password: 'demo' });
      const before = auditPage(hub.db, 0, 1_000_000).length;

      // 12 × 40 invalid commands: every socket is under its own budget of 50, together far over 100.
      const flood = Promise.all(flooders.flatMap((f) => Array.from({ length: 40 }, () => ask(f.socket, 'checkin:create', {}, 30_000))));
      const others = Promise.all([
        ...Array.from({ length: 20 }, () => ask(terminal.socket, 'events:since', { afterSeq: 0, limit: 1 }, 30_000)),
        ...Array.from({ length: 20 }, () => ask(operator.socket, 'events:since', { afterSeq: 0, limit: 1 }, 30_000)),
      ]);
      const answers = await flood;
      expect(answers.filter((a) => a.error?.code === 'invalid_payload')).toHaveLength(100);
      expect(answers.filter((a) => a.error?.code === 'rate_limited')).toHaveLength(380);
      expect((await others).filter((a) => a.ok)).toHaveLength(40);

      // The flood's refusals: the first of the rate_limited ones and the first ten invalid ones row by row,
      // the rest counted for summaries that the end of the window (here: closing) writes.
      const added = auditPage(hub.db, before, 1_000_000).filter((e) => e.actor === 'sim-gateway');
      expect(added.filter((e) => e.reason?.startsWith('rate_limited'))).toMatchObject([{ action: 'checkin:create' }]);
      expect(added.filter((e) => e.reason?.startsWith('invalid_payload'))).toHaveLength(10);
      expect(added).toHaveLength(11);
    } finally {
      await hub.close();
    }
    const db = openStore(hub.dataDir);
    try {
      const flood = auditPage(db, 0, 1_000_000).filter((e) => e.actor === 'sim-gateway' && e.outcome === 'rejected');
      expect(flood).toHaveLength(13);
      expect(flood.reduce((n, e) => n + stands(e), 0)).toBe(480);
    } finally {
      db.close();
    }
  });
  it('a socket that goes on sending after "slow down" is cut; the others carry on', async () => {
    const limits: HubLimits = { refusalWindowMs: LONG_WINDOW, console: { perSocket: 20, perIdentity: 1000, windowSec: 600, cutAfterRefusals: 30 } };
    const hub = await startTestHub({ limits });
    try {
      const flooder = await connect(hub.url, '/console', { username: 'manager', password: 'demo' });
      const sameUser = await connect(hub.url, '/console', { username: 'manager', password: 'demo' });
      const operator = await connect(hub.url, '/console', { username: 'operator', password: 'demo' });
      const cut = new Promise<string>((resolve) => flooder.socket.once('disconnect', resolve));
      // 20 within its budget, then 30 refusals it ignores: the 31st refusal cuts it.
      const answers = await Promise.all(Array.from({ length: 60 }, () => ask(flooder.socket, 'events:since', { afterSeq: 0, limit: 1 }, 30_000).catch(() => null)));
      expect(await cut).toBe('io server disconnect');
      expect(answers.filter((a) => a?.ok)).toHaveLength(20);
      // Answers still queued when the connection is cut are lost with it; the ones that came say why.
      expect(answers.filter((a) => a?.error?.code === 'rate_limited').length).toBeGreaterThan(0);
      expect((await ask(sameUser.socket, 'events:since', { afterSeq: 0, limit: 1 }, 30_000)).ok).toBe(true);
      expect((await ask(operator.socket, 'events:since', { afterSeq: 0, limit: 1 }, 30_000)).ok).toBe(true);
    } finally {
      await hub.close();
    }
  });
});

describe('a cut', () => {
  it('waits for the answers the hub owes: commands in their commit batch are acked before the socket closes', async () => {
    const limits: HubLimits = { refusalWindowMs: LONG_WINDOW, console: { perSocket: 20, perIdentity: 1000, windowSec: 600, cutAfterRefusals: 30 } };
    const hub = await startTestHub({ limits });
    try {
      const flooder = await connect(hub.url, '/console', { username: 'manager', password: 'demo' });
      const cut = new Promise<string>((resolve) => flooder.socket.once('disconnect', resolve));
      // All in one burst: the 20 commands wait for their commit (an fsync) while the refusals behind them are
      // answered at once, so the 31st refusal comes long before the commands' acks are due.
      const marks = Array.from({ length: 20 }, (_, i) => `cut-${process.pid}-${i}`);
      const commands = marks.map((description) => ask(flooder.socket, 'incident:create', { commandId: cid(), category: 'parking', priority: 2, position: NANJING, description }, 30_000).catch(() => null));
      const flood = Array.from({ length: 40 }, () => ask(flooder.socket, 'events:since', { afterSeq: 0, limit: 1 }, 30_000).catch(() => null));
      const acks = await Promise.all(commands);
      expect(await cut).toBe('io server disconnect');
      expect(acks.map((a) => a?.ok)).toEqual(Array(20).fill(true));
      // Every answer that came says why; none of the flood was handled.
      const floodAnswers = (await Promise.all(flood)).filter((a) => a !== null);
      expect(floodAnswers.every((a) => a.error?.code === 'rate_limited')).toBe(true);
      const stored = hub.db.prepare(`SELECT COUNT(*) AS n FROM incidents WHERE description LIKE ?`).get(`cut-${process.pid}-%`) as { n: number };
      expect(stored.n).toBe(20);
    } finally {
      await hub.close();
    }
  });
});

describe('after a cut', () => {
  const CUT_SOON = { perSocket: 20, perIdentity: 1000, windowSec: 600, cutAfterRefusals: 30 };
  const BACKED_OFF = /^rate_limited: connections on these credentials were cut for flooding; try again in \d+ s$/;
  /** Floods `socket` until the hub cuts it. */
  const floodUntilCut = async (socket: Socket) => {
    const cut = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    await Promise.all(Array.from({ length: 60 }, () => ask(socket, 'events:since', { afterSeq: 0, limit: 1 }, 30_000).catch(() => null)));
    expect(await cut).toBe('io server disconnect');
  };

  it("the session's or device's reconnects are refused for a while, before any work, audited as a summary; others connect", async () => {
    const limits: HubLimits = { refusalWindowMs: LONG_WINDOW, console: CUT_SOON, field: CUT_SOON, floodBackoff: { firstMs: LONG_WINDOW, holdMs: 0 } };
    const hub = await startTestHub({ limits });
    try {
      const flooder = await connect(hub.url, '/console', { username: 'manager', password: 'demo' });
      const before = auditPage(hub.db, 0, 1_000_000).length;
      await floodUntilCut(flooder.socket);
      // On its token: refused. A password login is a new session (behind the login throttle): let in, as is another user.
      for (let i = 0; i < 5; i++) expect((await connect(hub.url, '/console', { token: flooder.ready!.token })).refused).toMatch(BACKED_OFF);
      expect((await connect(hub.url, '/console', { username: 'manager', password: 'demo' })).refused).toBeNull();
      expect((await connect(hub.url, '/console', { username: 'operator', password: 'demo' })).refused).toBeNull();

      // A device likewise, refused before its secret is checked: no session of it is audited as begun.
      const gateway = await connect(hub.url, '/field', { deviceId: 'sim-gateway', secret: 'demo' });
      await floodUntilCut(gateway.socket);
      const begun = () => auditPage(hub.db, 0, 1_000_000).filter((e) => e.action === 'session:device' && e.actor === 'sim-gateway' && e.outcome === 'accepted').length;
      const begunBefore = begun();
      for (let i = 0; i < 3; i++) expect((await connect(hub.url, '/field', { deviceId: 'sim-gateway', secret: 'demo' })).refused).toMatch(BACKED_OFF);
      expect(begun()).toBe(begunBefore);

      // Row by row: the first refusal of each kind; the rest wait for their summary.
      const added = auditPage(hub.db, before, 1_000_000).filter((e) => e.outcome === 'rejected' && e.action.startsWith('session:'));
      expect(added.map((e) => [e.action, e.actor])).toEqual([['session:resume', '(token)'], ['session:device', 'sim-gateway']]);
      expect(added.map((e) => e.reason)).toEqual(Array(2).fill(expect.stringMatching(BACKED_OFF)));
    } finally {
      await hub.close();
    }
    const db = openStore(hub.dataDir);
    try {
      const rows = auditPage(db, 0, 1_000_000).filter((e) => e.outcome === 'rejected' && ['session:resume', 'session:login', 'session:device'].includes(e.action));
      const count = (action: string) => rows.filter((e) => e.action === action).reduce((n, e) => n + stands(e), 0);
      expect([count('session:resume'), count('session:login'), count('session:device')]).toEqual([5, 0, 3]);
    } finally {
      db.close();
    }
  });

  /** Sends one message at a time until the hub cuts the socket: how many were answered ok, told to slow down, cut. */
  const floodInTurn = async (socket: Socket) => {
    const told = { ok: 0, slowDown: 0, cut: 0 };
    while (socket.connected) {
      const a = await ask(socket, 'events:since', { afterSeq: 0, limit: 1 }, 30_000).catch(() => null);
      if (a?.ok) told.ok++;
      else if (a?.error?.message.startsWith('too many')) told.slowDown++;
      else if (a?.error?.message.startsWith('connection cut')) told.cut++;
    }
    return told;
  };

  /** The manager floods until cut, then connects again on that session's token once its back-off has ended. */
  const backOnCutSession = async (url: string) => {
    const flooder = await connect(url, '/console', { username: 'manager', password: 'demo' });
    await floodUntilCut(flooder.socket);
    return until('the back-off to end', async () => {
      const r = await connect(url, '/console', { token: flooder.ready!.token });
      return r.refused === null ? r : undefined;
    });
  };

  it('a connection back on the cut session is watched: cut at its few refusals; a new login is not', async () => {
    const hub = await startTestHub({ limits: { refusalWindowMs: LONG_WINDOW, console: { ...CUT_SOON, cutAfterRefusalsWatched: 3 }, floodBackoff: { firstMs: 300, holdMs: 0 } } });
    try {
      const back = await backOnCutSession(hub.url);
      // Same budget (20), but the 4th refusal cuts it, not the 31st.
      expect(await floodInTurn(back.socket)).toEqual({ ok: 20, slowDown: 3, cut: 1 });
      // The same user's password login is a new session, never cut for flooding: the usual bound.
      const login = await connect(hub.url, '/console', { username: 'manager', password: 'demo' });
      expect(await floodInTurn(login.socket)).toEqual({ ok: 20, slowDown: 30, cut: 1 });
    } finally {
      await hub.close();
    }
  });

  it('a connection back on the cut session is cut at its first malformed command; its valid ones are applied, and a new login is not cut', async () => {
    const hub = await startTestHub({ limits: { refusalWindowMs: LONG_WINDOW, console: CUT_SOON, floodBackoff: { firstMs: 300, holdMs: 0 } } });
    try {
      const back = await backOnCutSession(hub.url);
      const cut = new Promise<string>((resolve) => back.socket.once('disconnect', resolve));
      const valid = { commandId: cid(), category: 'parking', priority: 2, position: NANJING, description: `watched-${process.pid}` };
      expect((await ask(back.socket, 'incident:create', valid, 30_000)).ok).toBe(true);
      // The malformed one is answered as malformed, and what comes with it is answered as the cut, not applied.
      const [malformed, ...after] = await Promise.all([
        ask(back.socket, 'incident:create', { commandId: 42, position: 'nowhere' }, 30_000),
        ...Array.from({ length: 5 }, () => ask(back.socket, 'incident:create', { ...valid, commandId: cid(), description: `after-${process.pid}` }, 30_000).catch(() => null)),
      ]);
      expect(malformed.error?.code).toBe('invalid_payload');
      expect(await cut).toBe('io server disconnect');
      expect(after.filter((a) => a !== null).every((a) => a.error?.message.startsWith('connection cut'))).toBe(true);
      const stored = (d: string) => (hub.db.prepare(`SELECT COUNT(*) AS n FROM incidents WHERE description = ?`).get(d) as { n: number }).n;
      expect([stored(`watched-${process.pid}`), stored(`after-${process.pid}`)]).toEqual([1, 0]);
      // A password login is a new session, not watched: malformed commands are refused, never cut.
      const login = await connect(hub.url, '/console', { username: 'manager', password: 'demo' });
      const refused = await Promise.all(Array.from({ length: 5 }, () => ask(login.socket, 'incident:create', { commandId: 42 }, 30_000)));
      expect(refused.map((a) => a.error?.code)).toEqual(Array(5).fill('invalid_payload'));
      expect(login.socket.connected).toBe(true);
    } finally {
      await hub.close();
    }
  });

  it('lets the identity back in once the back-off has ended', async () => {
    const hub = await startTestHub({ limits: { console: CUT_SOON, floodBackoff: { firstMs: 300 } } });
    try {
      const flooder = await connect(hub.url, '/console', { username: 'manager', password: 'demo' });
      await floodUntilCut(flooder.socket);
      let refused = 0;
      await until('the back-off to end', async () => {
        const r = await connect(hub.url, '/console', { token: flooder.ready!.token });
        if (r.refused === null) return true;
        expect(r.refused).toMatch(BACKED_OFF);
        refused++;
        return undefined;
      });
      expect(refused).toBeGreaterThan(0);
    } finally {
      await hub.close();
    }
  });
});

describe("a real console's bursts", () => {
  it('are never told to slow down on the default budget: a resync, a full video wall, quick dispatches, a mode switch, all at once', async () => {
    // What the console sends at its busiest (renderer/src/hub/client.ts, video/VideoWall.tsx), squeezed
    // into one turn, harder than a person can: after a reconnect it resyncs (a snapshot and the events
    // since) while its wall asks a stream token for each of its 16 tiles (MAX_TILES), a duty manager
    // switches the mode and an operator files 20 incidents. A console so busy is answered, not cut: it is
    // never "slow down"ed, so no bound on refusals (watched or not, limits.ts) can cut it.
    const hub = await startTestHub({ limits: { refusalWindowMs: LONG_WINDOW } });
    try {
      const manager = await connect(hub.url, '/console', { username: 'manager', password: 'demo' });
      const snapshot = await ask(manager.socket, 'state:snapshot', {});
      const cameras = (snapshot.result.cameras as Array<{ id: string }>).map((c) => c.id);
      expect(cameras.length).toBeGreaterThan(0);
      manager.socket.disconnect();
      for (let round = 0; round < 3; round++) {
        const busy = await connect(hub.url, '/console', { token: manager.ready!.token });
        expect(busy.refused).toBeNull();
        const answers = await Promise.all([
          ask(busy.socket, 'state:snapshot', {}, 30_000),
          ask(busy.socket, 'events:since', { afterSeq: 0, limit: 500 }, 30_000),
          ...Array.from({ length: 16 }, (_, i) => ask(busy.socket, 'stream:token', { cameraId: cameras[i % cameras.length] }, 30_000)),
          ask(busy.socket, 'mode:switch', { commandId: cid(), mode: round % 2 ? 'daily' : 'night', reason: 'busy console' }, 30_000),
          ...Array.from({ length: 20 }, () => ask(busy.socket, 'incident:create', { commandId: cid(), category: 'parking', priority: 2, position: NANJING, description: 'busy' }, 30_000)),
        ]);
        expect(answers.filter((a) => a.error?.code === 'rate_limited')).toEqual([]);
        expect(answers.slice(0, 18).every((a) => a.ok)).toBe(true);
        expect(answers.slice(19).every((a) => a.ok)).toBe(true);
        expect(busy.socket.connected).toBe(true);
        busy.socket.disconnect();
      }
      const limited = auditPage(hub.db, 0, 1_000_000).filter((e) => e.actor === 'manager' && e.reason?.startsWith('rate_limited'));
      expect(limited).toEqual([]);
    } finally {
      await hub.close();
    }
  });
});

describe('logout', () => {
  it('ends the session: every socket on it closes, the token and its stream URLs stop working, and it is audited', async () => {
    const hub = await startTestHub();
    try {
      const other = await connect(hub.url, '/console', { username: 'operator', password: 'demo' });
      const login = await connect(hub.url, '/console', { username: 'manager', password: 'demo' });
      const token = login.ready!.token;
      const second = await connect(hub.url, '/console', { token });
      expect(second.refused).toBeNull();
      const camera = (await ask(second.socket, 'state:snapshot', {})).result.cameras[0].id as string;
      const { url } = (await ask(second.socket, 'stream:token', { cameraId: camera })).result as { url: string };
      expect((await fetch(url)).status).not.toBe(401);

      const bothClosed = Promise.all([login.socket, second.socket].map((s) => new Promise((r) => s.once('disconnect', r))));
      expect(await ask(login.socket, 'session:logout', {})).toEqual({ ok: true, result: { ended: true } });
      await bothClosed;
      expect(other.socket.connected).toBe(true); // another session is untouched

      expect((await connect(hub.url, '/console', { token })).refused).toMatch(/^session_expired:/);
      expect((await fetch(url)).status).toBe(401);
      const audited = auditPage(hub.db, 0, 1_000_000).filter((e) => e.action === 'session:logout');
      expect(audited).toMatchObject([{ actor: 'manager', role: 'duty_manager', outcome: 'accepted', payload: { address: '127.0.0.1' } }]);
    } finally {
      await hub.close();
    }
  });

});
