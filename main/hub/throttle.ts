// Throttling of password and device-secret checks, decided BEFORE any scrypt work is spent.
// Failures are counted the way rate-limiter-flexible's login-protection recipe does it: consecutive
// failures of one account from one address (cleared by a success), and all failures of one address per
// day; past either limit the key is blocked for a while. Separately, a small gate bounds how many scrypt
// checks run at once (each costs ~16 MB and tens of ms of a core) and how many may wait: a check that
// would wait beyond that is refused at once instead of piling up.
import { RateLimiterMemory, type RateLimiterRes } from 'rate-limiter-flexible';
import { AuthError } from './auth';

export type ThrottleLimits = {
  /** failures in a row of one account from one address, after which that pair is blocked */
  accountAddressFails: number;
  /** how long a blocked account+address pair stays blocked, seconds */
  accountAddressBlockSec: number;
  /** how long failures in a row are remembered without a success, seconds */
  accountAddressMemorySec: number;
  /** failures of one address per day (any accounts), after which the address is blocked */
  addressFailsPerDay: number;
  /** how long a blocked address stays blocked, seconds */
  addressBlockSec: number;
  /** scrypt checks running at once */
  checksInFlight: number;
  /** checks that may wait for a slot, in all */
  checksWaiting: number;
  /** checks one address may have running or waiting */
  checksPerAddress: number;
};

export const DEFAULT_THROTTLE: ThrottleLimits = {
  accountAddressFails: 10,
  accountAddressBlockSec: 15 * 60,
  accountAddressMemorySec: 24 * 60 * 60,
  addressFailsPerDay: 100,
  addressBlockSec: 24 * 60 * 60,
  checksInFlight: 2,
  checksWaiting: 32,
  // The bench opens 10 consoles and 4 gateways from one address at once; 16 lets that through.
  checksPerAddress: 16,
};

/** A refusal before any secret was checked: the caller is blocked, or the hub is busy checking others. */
export class ThrottledError extends AuthError {
  constructor(readonly why: 'blocked' | 'busy', readonly retryAfterMs: number, message: string) {
    super(message);
  }
}

/** Who is trying: the account (`user:<name>` or `device:<id>`) and the network address it comes from. */
export type AttemptKey = { account: string; address: string };

export type LoginThrottle = {
  /**
   * Runs `check` (the scrypt verification) unless the key is blocked or the gate is full, in which case it
   * rejects with ThrottledError without running it. An AuthError from `check` counts as a failure; a
   * success clears the account+address failures. Other errors pass through uncounted.
   */
  attempt<T>(key: AttemptKey, check: () => Promise<T>): Promise<T>;
  /** checks running and waiting now, for tests and diagnostics */
  load(): { running: number; waiting: number };
};

// The library blocks when consumed points exceed `points`: `points = n - 1` blocks at the n-th failure.
const blockedAfter = (failures: number) => Math.max(0, failures - 1);
const isBlocked = (res: RateLimiterRes | null, limiter: RateLimiterMemory) => res !== null && res.consumedPoints > limiter.points;
const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

export function createLoginThrottle(overrides: Partial<ThrottleLimits> = {}): LoginThrottle {
  const limits = { ...DEFAULT_THROTTLE, ...overrides };
  const byAccountAddress = new RateLimiterMemory({
    keyPrefix: 'fail_account_address', points: blockedAfter(limits.accountAddressFails),
    duration: limits.accountAddressMemorySec, blockDuration: limits.accountAddressBlockSec,
  });
  const byAddress = new RateLimiterMemory({
    keyPrefix: 'fail_address_day', points: blockedAfter(limits.addressFailsPerDay),
    duration: 24 * 60 * 60, blockDuration: limits.addressBlockSec,
  });
  const gate = createGate(limits.checksInFlight, limits.checksWaiting, limits.checksPerAddress);
  const pairKey = (k: AttemptKey) => `${k.account}\u0000${k.address}`;

  async function refuseIfBlocked(key: AttemptKey): Promise<void> {
    const [pair, address] = await Promise.all([byAccountAddress.get(pairKey(key)), byAddress.get(key.address)]);
    if (isBlocked(address, byAddress)) {
      throw new ThrottledError('blocked', address!.msBeforeNext,
        `rate_limited: too many failed attempts from this address; try again in ${seconds(address!.msBeforeNext)} s`);
    }
    if (isBlocked(pair, byAccountAddress)) {
      throw new ThrottledError('blocked', pair!.msBeforeNext,
        `rate_limited: too many failed attempts for this account; try again in ${seconds(pair!.msBeforeNext)} s`);
    }
  }

  /** Counts a failure; the library's consume rejects (with a result, not an Error) once a key is over its limit. */
  const count = (limiter: RateLimiterMemory, key: string) => limiter.consume(key).then(() => {}, (e: unknown) => {
    if (e instanceof Error) throw e;
  });

  return {
    async attempt(key, check) {
      await refuseIfBlocked(key);
      return gate.run(key.address, async () => {
        // Checks that waited while the key got blocked are not worth their scrypt.
        await refuseIfBlocked(key);
        try {
          const value = await check();
          await byAccountAddress.delete(pairKey(key));
          return value;
        } catch (e) {
          if (e instanceof AuthError) await Promise.all([count(byAccountAddress, pairKey(key)), count(byAddress, key.address)]);
          throw e;
        }
      });
    },
    load: () => gate.load(),
  };
}

type Gate = {
  run<T>(address: string, fn: () => Promise<T>): Promise<T>;
  load(): { running: number; waiting: number };
};

/** A semaphore with a bounded wait list, and a bound per address so one address cannot fill it. */
function createGate(inFlight: number, waiting: number, perAddress: number): Gate {
  let running = 0;
  const queue: Array<() => void> = [];
  const held = new Map<string, number>(); // running + waiting, by address

  const release = (address: string) => {
    const n = (held.get(address) ?? 1) - 1;
    if (n > 0) held.set(address, n);
    else held.delete(address);
    running--;
    const next = queue.shift();
    if (next) next();
  };

  return {
    run<T>(address: string, fn: () => Promise<T>): Promise<T> {
      const mine = held.get(address) ?? 0;
      const mustWait = running >= inFlight;
      if (mine >= perAddress || (mustWait && queue.length >= waiting)) {
        return Promise.reject(new ThrottledError('busy', 1000, 'rate_limited: the hub is busy checking other logins; try again in a moment'));
      }
      held.set(address, mine + 1);
      const start = () => {
        running++;
        return fn().finally(() => release(address));
      };
      if (!mustWait) return start();
      return new Promise<T>((resolve, reject) => queue.push(() => { start().then(resolve, reject); }));
    },
    load: () => ({ running, waiting: queue.length }),
  };
}
