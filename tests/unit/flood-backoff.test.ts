// The back-off after a flood cut (transport/backoff.ts), on a clock the test sets: it grows with each cut
// that comes after the last back-off ended, is not lengthened by the identity's other sockets being cut
// meanwhile, is forgotten after a quiet spell, and never touches another identity.
import { describe, expect, it, vi } from 'vitest';
import { backoffMessage, floodBackoff } from '../../main/hub/transport/backoff';

describe('flood back-off', () => {
  it('grows 1 s, 2 s, 4 s … up to the maximum, per identity', () => {
    const b = floodBackoff({ firstMs: 1000, maxMs: 8000, forgetMs: 60_000 });
    expect(b.remaining('manager', 0)).toBe(0);
    b.cut('manager', 0);
    expect(b.remaining('manager', 0)).toBe(1000);
    expect(b.remaining('operator', 0)).toBe(0);
    // Its other sockets cut in the same episode do not lengthen it.
    b.cut('manager', 500);
    expect(b.remaining('manager', 500)).toBe(500);
    expect(b.remaining('manager', 1000)).toBe(0);
    const lengths: number[] = [];
    let t = 1000;
    for (let i = 0; i < 5; i++) {
      t += 10; // back on, cut again at once
      b.cut('manager', t);
      lengths.push(b.remaining('manager', t));
      t += lengths.at(-1)!;
    }
    expect(lengths).toEqual([2000, 4000, 8000, 8000, 8000]);
  });

  it('starts again from the first after a quiet spell', () => {
    const b = floodBackoff({ firstMs: 1000, maxMs: 8000, forgetMs: 60_000 });
    b.cut('dev-1', 0);
    b.cut('dev-1', 1000);
    expect(b.remaining('dev-1', 1000)).toBe(2000);
    b.cut('dev-1', 3000 + 60_001);
    expect(b.remaining('dev-1', 3000 + 60_001)).toBe(1000);
  });

  it('watches an identity from its cut until its back-off is forgotten', () => {
    const b = floodBackoff({ firstMs: 1000, maxMs: 8000, forgetMs: 60_000 });
    expect(b.watched('manager', 0)).toBe(false);
    b.cut('manager', 0);
    expect([b.watched('manager', 0), b.watched('manager', 1000 + 60_000)]).toEqual([true, true]);
    expect(b.watched('manager', 1000 + 60_001)).toBe(false);
    expect(b.watched('operator', 0)).toBe(false);
  });

  it('says how long in whole seconds', () => {
    expect(backoffMessage(1)).toBe('rate_limited: connections on these credentials were cut for flooding; try again in 1 s');
    expect(backoffMessage(2500)).toMatch(/try again in 3 s$/);
  });

  it('answers a refused handshake after the rest of the back-off, at most holdMs late; past maxHeld at once', () => {
    vi.useFakeTimers();
    try {
      const b = floodBackoff({ holdMs: 5000, maxHeld: 2 });
      const answered: string[] = [];
      b.answerLater('manager', 3000, () => answered.push('a'));
      b.answerLater('manager', 60_000, () => answered.push('b'));
      b.answerLater('manager', 60_000, () => answered.push('c')); // a third held: at once
      b.answerLater('operator', 1000, () => answered.push('d')); // another identity's own count
      expect(answered).toEqual(['c']);
      vi.advanceTimersByTime(999);
      expect(answered).toEqual(['c']);
      vi.advanceTimersByTime(1);
      expect(answered).toEqual(['c', 'd']);
      vi.advanceTimersByTime(2000);
      expect(answered).toEqual(['c', 'd', 'a']);
      vi.advanceTimersByTime(2000);
      expect(answered).toEqual(['c', 'd', 'a', 'b']);
      b.answerLater('manager', 60_000, () => answered.push('e')); // the held ones were answered: room again
      expect(answered).toHaveLength(4);
      vi.advanceTimersByTime(5000);
      expect(answered.at(-1)).toBe('e');
    } finally {
      vi.useRealTimers();
    }
  });
});
