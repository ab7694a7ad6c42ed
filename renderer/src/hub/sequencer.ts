// Puts sequenced hub events in order: each seq is released exactly once, and only after every seq
// before it. Duplicates (a replayed page overlapping live events) are dropped; events that arrive
// ahead of a gap wait until the gap is filled by `events:since`.
import type { HubEvent } from '../../../shared/protocol';

export class Sequencer {
  private last = 0;
  private readonly waiting = new Map<number, HubEvent>();
  /** While held (before the first snapshot), events are kept but none is released. */
  private held = true;

  get lastSeq(): number {
    return this.last;
  }

  /** True when events are waiting for an earlier one that has not arrived. */
  get hasGap(): boolean {
    return !this.held && this.waiting.size > 0;
  }

  /** Jump to a snapshot's head (everything up to `seq` is in it), start releasing, and return what is now ready. */
  reset(seq: number): HubEvent[] {
    this.last = seq;
    this.held = false;
    for (const s of [...this.waiting.keys()]) if (s <= seq) this.waiting.delete(s);
    return this.drain();
  }

  /** Stop releasing until the next reset (the hub's history was replaced: a new snapshot is coming). */
  hold(): void {
    this.held = true;
  }

  /** Offer one event; returns the events that can now be applied, in order. */
  offer(e: HubEvent): HubEvent[] {
    if (e.seq <= this.last || this.waiting.has(e.seq)) return [];
    this.waiting.set(e.seq, e);
    return this.held ? [] : this.drain();
  }

  private drain(): HubEvent[] {
    const ready: HubEvent[] = [];
    for (let next = this.waiting.get(this.last + 1); next; next = this.waiting.get(this.last + 1)) {
      this.waiting.delete(next.seq);
      this.last = next.seq;
      ready.push(next);
    }
    return ready;
  }
}
