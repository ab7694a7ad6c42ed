// The evaluator's typed period: read in the center's zone, refused when it names no real day and time.
import { describe, expect, it } from 'vitest';
import { fromInput, readPeriod, toInput } from '../../renderer/src/evaluator/period';

const ZONE = 'Asia/Shanghai';
const at = (iso: string) => Date.parse(iso);

describe('the evaluator period fields', () => {
  it('show an instant as 24-hour center time and read it back', () => {
    const t = at('2026-12-03T16:05:00Z'); // 00:05 on 4 Dec in Nanjing
    expect(toInput(t, ZONE)).toBe('2026-12-04 00:05');
    expect(fromInput(toInput(t, ZONE), ZONE)).toBe(t);
    expect(toInput(at('2026-12-04T10:30:00Z'), ZONE)).toBe('2026-12-04 18:30');
  });

  it('take a T for the space, one-digit parts and a day alone (its midnight)', () => {
    expect(fromInput('2026-12-04T08:00', ZONE)).toBe(at('2026-12-04T00:00:00Z'));
    expect(fromInput(' 2026-12-4 8:00 ', ZONE)).toBe(at('2026-12-04T00:00:00Z'));
    expect(fromInput('2026-12-04', ZONE)).toBe(at('2026-12-03T16:00:00Z'));
  });

  it('refuse what is not a real day and time instead of rolling it over', () => {
    for (const bad of ['2026-02-30 08:00', '2026-13-01 00:00', '2026-12-04 25:00', '2026-12-04 08:60', '12/04/2026, 12:00 AM', '', 'now']) {
      expect(fromInput(bad, ZONE), bad).toBeNull();
    }
    expect(fromInput('2028-02-29 12:00', ZONE)).toBe(at('2028-02-29T04:00:00Z')); // a leap day is real
  });

  it('say which field is wrong, or that the end is not after the start', () => {
    expect(readPeriod('2026-12-04 08:00', '2026-12-04 18:00', ZONE)).toEqual({ from: at('2026-12-04T00:00:00Z'), to: at('2026-12-04T10:00:00Z') });
    expect(readPeriod('x', 'y', ZONE)).toBe('from');
    expect(readPeriod('2026-12-04 08:00', '2026-02-30 00:00', ZONE)).toBe('to');
    expect(readPeriod('2026-12-04 08:00', '2026-12-04 08:00', ZONE)).toBe('order');
    expect(readPeriod('2026-12-04 18:00', '2026-12-04 08:00', ZONE)).toBe('order');
  });
});
