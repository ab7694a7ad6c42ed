// The field page's outbox: every field command (SOS, task moves, check-in, roll-call answer) is put here
// first, with its commandId, and kept in localStorage until the hub has answered it — so a phone with no
// signal, or one reloaded meanwhile, sends it when it is back, with the same commandId, and the hub
// applies it once (docs/protocol.md, "Commands and idempotency"). Shown as "waiting to send".
import type { Ack } from '../../../shared/protocol';

export type OutboxEntry = { commandId: string; name: string; payload: Record<string, unknown>; queuedAt: number };
/** Sends one command and resolves to the hub's ack; rejects when no answer came (no connection, timeout). */
export type OutboxSender = (name: string, payload: Record<string, unknown>) => Promise<Ack<unknown>>;
type KeyValue = Pick<Storage, 'getItem' | 'setItem'>;

/** Answers after which sending again can still help: nothing was applied, and the same commandId may be tried later. */
const RETRYABLE = new Set(['rate_limited', 'internal']);

export class Outbox {
  private entries: OutboxEntry[];
  private listeners = new Set<() => void>();
  private waiters = new Map<string, (ack: Ack<unknown>) => void>();
  private flushing: Promise<void> | null = null;

  constructor(private storage: KeyValue, private key: string, private newId: () => string) {
    this.entries = Outbox.read(storage, key);
  }

  private static read(storage: KeyValue, key: string): OutboxEntry[] {
    try {
      const raw = JSON.parse(storage.getItem(key) ?? '[]') as unknown;
      return Array.isArray(raw) ? raw.filter((e): e is OutboxEntry => typeof e?.commandId === 'string' && typeof e?.name === 'string') : [];
    } catch {
      return [];
    }
  }

  private save(): void {
    this.storage.setItem(this.key, JSON.stringify(this.entries));
    for (const fn of this.listeners) fn();
  }

  list(): readonly OutboxEntry[] {
    return this.entries;
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Queues a command (stored before anything is sent); resolves to its ack whenever that comes — after a reconnect, if need be. */
  add(name: string, payload: Record<string, unknown>, now = Date.now()): { entry: OutboxEntry; answered: Promise<Ack<unknown>> } {
    const entry: OutboxEntry = { commandId: this.newId(), name, payload: { ...payload }, queuedAt: now };
    this.entries = [...this.entries, entry];
    this.save();
    return { entry, answered: this.answerOf(entry.commandId) };
  }

  /** The ack of a queued command, once it comes (for entries queued before a reload, too). */
  answerOf(commandId: string): Promise<Ack<unknown>> {
    return new Promise((resolve) => this.waiters.set(commandId, resolve));
  }

  /**
   * Sends what is queued, oldest first, each with its own commandId; stops at the first that got no
   * answer (the connection is gone: the rest wait for the next flush). One flush runs at a time.
   */
  flush(send: OutboxSender): Promise<void> {
    this.flushing ??= this.drain(send).finally(() => { this.flushing = null; });
    return this.flushing;
  }

  private async drain(send: OutboxSender): Promise<void> {
    for (;;) {
      const next = this.entries[0];
      if (!next) return;
      let ack: Ack<unknown>;
      try {
        ack = await send(next.name, { ...next.payload, commandId: next.commandId });
      } catch {
        return; // no answer: keep it, and everything after it, for the next flush
      }
      if (!ack.ok && RETRYABLE.has(ack.error.code)) return;
      // Answered (applied, or refused for good): the hub has decided; it is no longer ours to send.
      this.entries = this.entries.filter((e) => e.commandId !== next.commandId);
      this.save();
      this.waiters.get(next.commandId)?.(ack);
      this.waiters.delete(next.commandId);
    }
  }
}
