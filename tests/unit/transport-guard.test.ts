// The guard's cut: a socket that floods after "slow down" is closed, but only once the answers the hub
// already owes it have gone out (a command waiting for its commit, a read under way), so that a client
// never loses the ack of work that was done. A fake socket stands in for socket.io's: what is under test
// is the order of acks and the close, which a real connection makes depend on timing.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io';
import type { Ack } from '../../shared/protocol/commands';
import { createGuard } from '../../main/hub/transport/guard';
import { messageLimiter, type MessageBudget } from '../../main/hub/transport/limits';
import type { RefusalAuditor } from '../../main/hub/refusals';

type Log = string[];

function fakeSocket(log: Log, watched: boolean) {
  const emitter = new EventEmitter();
  const socket = Object.assign(emitter, {
    id: 's1',
    connected: true,
    data: { watched },
    onAny: () => {},
    disconnect(close: boolean) {
      log.push(`disconnect(${close})`);
      socket.connected = false;
      return socket;
    },
  });
  return socket;
}

function setup(opts: { cutGraceMs?: number; watched?: boolean; budget?: Partial<MessageBudget> } = {}) {
  const log: Log = [];
  const notes: string[] = [];
  const refusals: RefusalAuditor = { note: (key) => { notes.push(key.kind); }, close: () => {} };
  const limit = messageLimiter({ perSocket: 2, perIdentity: 100, windowSec: 600, cutAfterRefusals: 3, cutAfterRefusalsWatched: 1, cutAfterMalformedWatched: 1, ...opts.budget }, refusals);
  const guard = createGuard({ limit, refuse: () => ({ ok: false, error: { code: 'invalid_payload', message: 'x' } }), log: () => {}, cutGraceMs: opts.cutGraceMs });
  const socket = fakeSocket(log, opts.watched ?? false);
  const send = (name: string) => new Promise<Ack<unknown>>((resolve) => socket.emit(name, {}, (res: Ack<unknown>) => {
    log.push(res.ok ? `${name}: ok` : `${name}: ${res.error.message}`);
    resolve(res);
  }));
  return { log, notes, guard, socket: socket as unknown as Socket & { connected: boolean }, send };
}

const actor = () => ({ id: 'manager', role: 'duty_manager' as const });
const later = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the guard cuts a flooding socket', () => {
  it('after the answers it owes: two slow commands are acked, then the socket closes', async () => {
    const { log, notes, guard, socket, send } = setup();
    let handled = 0;
    guard.on(socket, actor, 'slow', async (_p, ack) => {
      handled += 1;
      await later(80); // a commit batch's fsync
      ack({ ok: true, result: null });
    });
    const answers = Array.from({ length: 10 }, () => send('slow'));
    // The 2 within budget are handled; of the 8 refused, the 4th cuts (the others were already past the
    // limiter and are told to slow down).
    await Promise.all(answers.slice(2));
    expect(socket.connected).toBe(true);
    await Promise.all(answers.slice(0, 2));
    expect(log.slice(-3)).toEqual(['slow: ok', 'slow: ok', 'disconnect(true)']);
    expect(log.filter((l) => l === 'slow: too many messages; slow down')).toHaveLength(7);
    expect(log.filter((l) => l.startsWith('slow: connection cut'))).toHaveLength(1);
    expect(notes.filter((k) => k === 'flood_cut')).toHaveLength(1);
    expect(socket.connected).toBe(false);
    // What comes while it waits to close is not handled, and is told why.
    expect(handled).toBe(2);
  });

  it('takes nothing new while it waits to close', async () => {
    const { log, guard, socket, send } = setup();
    let handled = 0;
    guard.on(socket, actor, 'slow', async (_p, ack) => {
      handled += 1;
      await later(80);
      ack({ ok: true, result: null });
    });
    const first = Array.from({ length: 6 }, () => send('slow'));
    await Promise.all(first.slice(2));
    const late = await send('slow');
    expect(late.ok).toBe(false);
    expect(log.at(-1)).toBe('slow: connection cut: it went on sending after being told to slow down');
    await Promise.all(first);
    expect(log.at(-1)).toBe('disconnect(true)');
    expect(socket.connected).toBe(false);
    expect(handled).toBe(2);
  });

  it('at once when it owes nothing', async () => {
    const { log, guard, socket, send } = setup();
    guard.on(socket, actor, 'read', (_p, ack) => ack({ ok: true, result: null }));
    await Promise.all(Array.from({ length: 6 }, () => send('read')));
    expect(log).toEqual(['read: ok', 'read: ok', 'read: too many messages; slow down', 'read: too many messages; slow down', 'read: too many messages; slow down',
      'read: connection cut: it went on sending after being told to slow down', 'disconnect(true)']);
  });

  it('sooner on a connection watched after a flood cut (backoff.ts): at its second refusal, not its fourth', async () => {
    const { log, guard, socket, send } = setup({ watched: true });
    guard.on(socket, actor, 'read', (_p, ack) => ack({ ok: true, result: null }));
    await Promise.all(Array.from({ length: 6 }, () => send('read')));
    // The budget is the same (2 answered); the bound on refusals is the watched one.
    expect(log).toEqual(['read: ok', 'read: ok', 'read: too many messages; slow down',
      'read: connection cut: it went on sending after being told to slow down', 'read: too many messages; slow down', 'read: too many messages; slow down', 'disconnect(true)']);
  });

  it('a watched connection at its malformed messages past the bound: the rest of the same read answered as the cut, not handled', async () => {
    const { log, notes, guard, socket, send } = setup({ watched: true });
    let handled = 0;
    guard.on(socket, actor, 'cmd', (_p, ack) => {
      handled += 1;
      ack({ ok: false, error: { code: 'invalid_payload', message: 'malformed' } });
    });
    // The budget lets 2 through; both are malformed, and the bound (1) is passed at the second.
    await Promise.all(Array.from({ length: 2 }, () => send('cmd')));
    expect(log).toEqual(['cmd: malformed', 'cmd: malformed', 'disconnect(true)']);
    expect(notes.filter((k) => k === 'flood_cut')).toHaveLength(1);
    expect(handled).toBe(2);
  });

  it('a watched connection cut at a malformed message: what came in the same read is answered as the cut, not handled', async () => {
    const { log, guard, socket, send } = setup({ watched: true, budget: { perSocket: 5, cutAfterMalformedWatched: 0 } });
    let handled = 0;
    guard.on(socket, actor, 'cmd', (_p, ack) => {
      handled += 1;
      ack({ ok: false, error: { code: 'invalid_payload', message: 'malformed' } });
    });
    // All five within the budget and past the limiter together; the first is malformed and cuts.
    await Promise.all(Array.from({ length: 5 }, () => send('cmd')));
    expect(handled).toBe(1);
    // The four were owed answers when it cut, so the close waits for them.
    expect(log).toEqual(['cmd: malformed', ...Array.from({ length: 4 }, () => 'cmd: connection cut: it went on sending after being told to slow down'), 'disconnect(true)']);
  });

  it('a connection that is not watched is never cut for malformed messages', async () => {
    const { log, notes, guard, socket, send } = setup();
    guard.on(socket, actor, 'cmd', (_p, ack) => ack({ ok: false, error: { code: 'invalid_payload', message: 'malformed' } }));
    await Promise.all(Array.from({ length: 2 }, () => send('cmd')));
    expect(log).toEqual(['cmd: malformed', 'cmd: malformed']);
    expect(notes).not.toContain('flood_cut');
    expect(socket.connected).toBe(true);
  });

  it('after a grace period when a handler never answers', async () => {
    const { log, guard, socket, send } = setup({ cutGraceMs: 50 });
    guard.on(socket, actor, 'stuck', () => new Promise(() => {}));
    const answers = Array.from({ length: 6 }, () => send('stuck'));
    await Promise.all(answers.slice(2));
    expect(socket.connected).toBe(true);
    await later(120);
    expect(log.at(-1)).toBe('disconnect(true)');
    expect(socket.connected).toBe(false);
  });
});
