// Time that moves only when the test says so; timers fire in due order as it passes them.
import type { Clock } from '../../main/hub/scheduler';

export class ManualClock implements Clock {
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private ids = 0;
  constructor(public t: number) {}
  now = () => this.t;
  setTimer = (fn: () => void, ms: number) => {
    const id = this.ids++;
    this.timers.push({ at: this.t + ms, fn, id });
    return () => { this.timers = this.timers.filter((x) => x.id !== id); };
  };
  /** pending timers (what the scheduler is waiting for) */
  get armed(): number[] { return this.timers.map((x) => x.at); }
  advanceTo(t: number): void {
    for (;;) {
      const next = this.timers.filter((x) => x.at <= t).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!next) break;
      this.timers = this.timers.filter((x) => x !== next);
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
    this.t = t;
  }
  advanceBy(ms: number): void {
    this.advanceTo(this.t + ms);
  }
}
