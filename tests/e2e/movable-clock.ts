// The hub's schedule clock for end-to-end tests: real time plus an offset the test moves forward.
// Consoles and phones keep real time; only the hub's timed work (late check-ins, deadlines, a mode's
// end time) sees the jump, and whatever fell due by the moved time fires at once, in due order.
import type { Clock } from '../../main/hub/scheduler';

export class MovableClock implements Clock {
  private offset = 0;
  private timers = new Set<{ at: number; fn: () => void; handle: NodeJS.Timeout }>();
  now = () => Date.now() + this.offset;
  setTimer = (fn: () => void, ms: number) => {
    const entry = { at: this.now() + ms, fn, handle: setTimeout(() => this.fire(entry), ms) };
    entry.handle.unref();
    this.timers.add(entry);
    return () => {
      clearTimeout(entry.handle);
      this.timers.delete(entry);
    };
  };
  private fire(entry: { fn: () => void; handle: NodeJS.Timeout }): void {
    if (!this.timers.delete(entry as never)) return;
    clearTimeout(entry.handle);
    entry.fn();
  }
  advanceBy(ms: number): void {
    this.offset += ms;
    for (const t of [...this.timers].filter((x) => x.at <= this.now()).sort((a, b) => a.at - b.at)) this.fire(t);
  }
}
