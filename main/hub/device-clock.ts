// Terminals whose clock is wrong. A fix's time is the device's; the hub compares it with its own
// clock when the fix arrives. One late or early fix is no news (a buffered backlog, a slow uplink);
// a run of fixes all off to the same side by about the same amount, over a stretch of time, is a
// clock that is off — reported once per unit and device until its fixes are back on time.

export type ClockWatchOptions = {
  /** fixes ahead of or behind the hub by more than this are off (ms) */
  thresholdMs?: number;
  /** this many fixes in a row, all off to one side, and… */
  samples?: number;
  /** …received over at least this long (ms), make a clock that is off */
  spanMs?: number;
};

export type ClockReport = { deviceId: string; unitId: string; offsetMs: number; at: number };

type Run = { deviceId: string; side: -1 | 0 | 1; since: number; count: number; min: number; max: number; flagged: boolean };

export class ClockWatch {
  private readonly runs = new Map<string, Run>();
  private readonly threshold: number;
  private readonly samples: number;
  private readonly span: number;

  constructor(opts: ClockWatchOptions = {}) {
    this.threshold = opts.thresholdMs ?? 60_000;
    this.samples = opts.samples ?? 10;
    this.span = opts.spanMs ?? 30_000;
  }

  /** One fix of `unitId` from `deviceId` dated `t`, received at hub time `now`. Returns a report when this fix starts an episode. */
  see(deviceId: string, unitId: string, t: number, now: number): ClockReport | null {
    const offset = t - now;
    const side = offset > this.threshold ? 1 : offset < -this.threshold ? -1 : 0;
    let run = this.runs.get(unitId);
    if (!run || run.deviceId !== deviceId) {
      run = { deviceId, side, since: now, count: 0, min: offset, max: offset, flagged: false };
      this.runs.set(unitId, run);
    }
    const min = Math.min(run.min, offset);
    const max = Math.max(run.max, offset);
    // A backlog being drained has offsets that spread; a wrong clock's stay together.
    if (side !== run.side || (side !== 0 && max - min > this.threshold)) {
      run.side = side;
      run.since = now;
      run.count = 1;
      run.min = run.max = offset;
    } else {
      run.count++;
      run.min = min;
      run.max = max;
    }
    if (run.count < this.samples) return null;
    if (side === 0) {
      run.flagged = false; // back on time: the episode is over
      return null;
    }
    if (run.flagged || now - run.since < this.span) return null;
    run.flagged = true;
    return { deviceId, unitId, offsetMs: Math.round((run.min + run.max) / 2), at: now };
  }
}
