// The login throttle on its own: blocks after failures in a row (per account and address) and per address
// per day, before the check runs; a success clears; blocks expire; the scrypt gate bounds work in flight.
import { describe, expect, it } from 'vitest';
import { AuthError } from '../../main/hub/auth';
import { createLoginThrottle, ThrottledError, type LoginThrottle } from '../../main/hub/throttle';

const A = { account: 'user:operator', address: '10.0.0.1' };
const wrong = () => Promise.reject(new AuthError('auth_failed: wrong username or password'));

/** Runs one attempt; says what happened and whether the (expensive) check ran. */
async function tryOnce(t: LoginThrottle, key = A, check: () => Promise<unknown> = wrong): Promise<{ outcome: string; ran: boolean }> {
  let ran = false;
  try {
    await t.attempt(key, () => { ran = true; return check(); });
    return { outcome: 'ok', ran };
  } catch (e) {
    return { outcome: e instanceof ThrottledError ? `throttled:${e.why}` : e instanceof AuthError ? 'failed' : 'error', ran };
  }
}

describe('login throttle', () => {
  it('after N failures in a row the next attempt is refused without running the check', async () => {
    const t = createLoginThrottle({ accountAddressFails: 5 });
    for (let i = 0; i < 5; i++) expect(await tryOnce(t)).toEqual({ outcome: 'failed', ran: true });
    expect(await tryOnce(t)).toEqual({ outcome: 'throttled:blocked', ran: false });
    expect(await tryOnce(t, A, () => Promise.resolve('right password'))).toEqual({ outcome: 'throttled:blocked', ran: false });
  });

  it('the same account from another address, and another account from the same address, are not blocked', async () => {
    const t = createLoginThrottle({ accountAddressFails: 3 });
    for (let i = 0; i < 3; i++) await tryOnce(t);
    expect((await tryOnce(t)).outcome).toBe('throttled:blocked');
    expect(await tryOnce(t, { ...A, address: '10.0.0.2' }, () => Promise.resolve(1))).toEqual({ outcome: 'ok', ran: true });
    expect(await tryOnce(t, { ...A, account: 'user:manager' }, () => Promise.resolve(1))).toEqual({ outcome: 'ok', ran: true });
  });

  it('a success clears the failures in a row', async () => {
    const t = createLoginThrottle({ accountAddressFails: 3 });
    for (let round = 0; round < 4; round++) {
      await tryOnce(t);
      await tryOnce(t);
      expect((await tryOnce(t, A, () => Promise.resolve(1))).outcome).toBe('ok');
    }
  });

  it('blocks an address that fails too often across accounts', async () => {
    const t = createLoginThrottle({ accountAddressFails: 100, addressFailsPerDay: 6 });
    for (let i = 0; i < 6; i++) expect((await tryOnce(t, { account: `user:u${i}`, address: A.address })).outcome).toBe('failed');
    expect(await tryOnce(t, { account: 'user:fresh', address: A.address })).toEqual({ outcome: 'throttled:blocked', ran: false });
    await expect(t.attempt({ account: 'user:fresh', address: A.address }, () => Promise.resolve(1))).rejects.toThrow(/^rate_limited: too many failed attempts from this address/);
    expect(await tryOnce(t, { account: 'user:fresh', address: '10.9.9.9' }, () => Promise.resolve(1))).toEqual({ outcome: 'ok', ran: true });
  });

  it('a block expires, and then the account works again', async () => {
    const t = createLoginThrottle({ accountAddressFails: 2, accountAddressBlockSec: 0.3 });
    await tryOnce(t);
    await tryOnce(t);
    expect((await tryOnce(t, A, () => Promise.resolve(1))).outcome).toBe('throttled:blocked');
    const until = Date.now() + 10_000;
    let last = '';
    while (Date.now() < until && (last = (await tryOnce(t, A, () => Promise.resolve(1))).outcome) !== 'ok') await new Promise((r) => setTimeout(r, 50));
    expect(last).toBe('ok');
  });

  it('errors that are not authentication failures pass through and are not counted', async () => {
    const t = createLoginThrottle({ accountAddressFails: 2 });
    for (let i = 0; i < 5; i++) expect((await tryOnce(t, A, () => Promise.reject(new Error('disk full')))).outcome).toBe('error');
    expect((await tryOnce(t, A, () => Promise.resolve(1))).outcome).toBe('ok');
  });
});

describe('scrypt gate', () => {
  /** A check that stays running until released, so the test controls exactly what is in flight. */
  function heldChecks() {
    const releases: Array<() => void> = [];
    let running = 0;
    let most = 0;
    const check = () => new Promise<number>((resolve) => {
      running++;
      most = Math.max(most, running);
      releases.push(() => { running--; resolve(1); });
    });
    return { check, releaseAll: () => releases.splice(0).forEach((r) => r()), most: () => most, started: () => releases.length };
  }

  it('runs at most N checks at once, lets a bounded number wait, and refuses the rest at once', async () => {
    const t = createLoginThrottle({ checksInFlight: 2, checksWaiting: 3, checksPerAddress: 100 });
    const held = heldChecks();
    const outcomes = Array.from({ length: 10 }, (_, i) => tryOnce(t, { account: `user:u${i}`, address: `10.0.1.${i}` }, held.check));
    // Refusals come back without waiting for any check to finish.
    const settledEarly = await Promise.race([Promise.all(outcomes.slice(5)), new Promise((r) => setTimeout(() => r('timeout'), 5000))]);
    expect(settledEarly).toEqual(Array(5).fill({ outcome: 'throttled:busy', ran: false }));
    expect(t.load()).toEqual({ running: 2, waiting: 3 });
    while (held.started() > 0 || t.load().running > 0) { held.releaseAll(); await new Promise((r) => setImmediate(r)); }
    expect((await Promise.all(outcomes.slice(0, 5))).map((o) => o.outcome)).toEqual(Array(5).fill('ok'));
    expect(held.most()).toBe(2);
    expect(t.load()).toEqual({ running: 0, waiting: 0 });
  });

  it('one address cannot take every waiting place', async () => {
    const t = createLoginThrottle({ checksInFlight: 1, checksWaiting: 10, checksPerAddress: 3 });
    const held = heldChecks();
    const flood = Array.from({ length: 8 }, (_, i) => tryOnce(t, { account: `user:u${i}`, address: '10.0.2.1' }, held.check));
    const other = tryOnce(t, { account: 'user:operator', address: '10.0.2.2' }, held.check);
    expect((await Promise.all(flood.slice(3))).map((o) => o.outcome)).toEqual(Array(5).fill('throttled:busy'));
    while (t.load().running > 0) { held.releaseAll(); await new Promise((r) => setImmediate(r)); }
    expect((await other).outcome).toBe('ok');
  });

  it('a check that waited while its key got blocked does not run', async () => {
    const t = createLoginThrottle({ checksInFlight: 1, accountAddressFails: 1 });
    const held = heldChecks();
    let release!: () => void;
    const first = tryOnce(t, A, () => new Promise((_r, reject) => { release = () => reject(new AuthError('auth_failed: wrong')); }));
    const queued = tryOnce(t, A, held.check);
    await new Promise((r) => setImmediate(r));
    release();
    expect((await first).outcome).toBe('failed');
    expect(await queued).toEqual({ outcome: 'throttled:blocked', ran: false });
  });
});
