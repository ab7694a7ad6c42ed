// Times a person reads are in the center's time zone, whatever zone the machine showing them is set to.
import { describe, expect, it } from 'vitest';
import { formatTime } from '../../renderer/src/common/format';
import { DEFAULT_TIME_ZONE } from '../../shared/time';

describe('formatTime', () => {
  const t = Date.UTC(2026, 11, 1, 16, 30, 5); // 2026-12-01 16:30:05 UTC = 2026-12-02 00:30:05 in Nanjing

  it('shows the center’s clock and date, not the machine’s', () => {
    expect(DEFAULT_TIME_ZONE).toBe('Asia/Shanghai');
    expect(formatTime(t, 'Asia/Shanghai')).toBe('00:30:05');
    expect(formatTime(t, 'Asia/Shanghai', true)).toBe('2026-12-02 00:30:05');
    expect(formatTime(t, 'UTC', true)).toBe('2026-12-01 16:30:05');
    expect(formatTime(t, 'America/New_York')).toBe('11:30:05');
  });

  it('writes midnight as 00, never 24', () => {
    expect(formatTime(Date.UTC(2026, 0, 1, 16, 0, 0), 'Asia/Shanghai')).toBe('00:00:00');
  });
});
