// Recordings waiting to be stored by the hub. Each keeps one commandId for all its attempts (the hub
// stores it once however often it is sent), is retried until the hub acks it, and is kept in
// localStorage meanwhile, so a recording is never silently lost: a reload sends it again, and one the
// hub refuses stays listed with the reason until the officer or operator dismisses it.
import type { Ack } from '../../../../shared/protocol/commands';

export type PendingRecording = {
  commandId: string;
  payload: { commandId: string; talkId: string; channel: string; startedAt: number; endedAt: number; audio: { mime: string; base64: string } };
  attempts: number;
  /** the hub refused it for good (the code), or null while it is still being tried */
  refused: string | null;
};

/** Codes after which sending the same thing again cannot succeed. */
const FINAL = new Set(['invalid_payload', 'forbidden', 'not_found', 'conflict']);
const RETRY_MS = [1000, 2000, 5000, 10_000, 30_000];

export class UploadQueue {
  private items: PendingRecording[];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private sending = false;
  private stopped = false;
  private readonly listeners = new Set<() => void>();
  private snapshot: readonly PendingRecording[] = [];

  constructor(
    private readonly key: string,
    private readonly send: (payload: PendingRecording['payload']) => Promise<Ack<unknown>>,
    private readonly storage: Storage | null = typeof localStorage === 'undefined' ? null : localStorage,
  ) {
    this.items = this.load();
    this.publish();
    if (this.items.some((i) => i.refused === null)) this.kick(1000); // left over from before a reload
  }

  add(payload: PendingRecording['payload']): void {
    this.items.push({ commandId: payload.commandId, payload, attempts: 0, refused: null });
    this.save();
    this.kick(0);
  }

  /** Try now (the connection is back). */
  retry(): void {
    this.kick(0);
  }

  dismiss(commandId: string): void {
    this.items = this.items.filter((i) => i.commandId !== commandId || i.refused === null);
    this.save();
  }

  /** Stops retrying here (signed out, page gone); what is waiting stays in storage for the next queue. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.stopped = true;
  }

  pending = (): readonly PendingRecording[] => this.snapshot;

  subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  private kick(delay: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), delay);
  }

  private async flush(): Promise<void> {
    this.timer = null;
    if (this.sending) return;
    this.sending = true;
    let backoff: number | null = null;
    try {
      for (const item of this.items.filter((i) => i.refused === null)) {
        item.attempts += 1;
        let res: Ack<unknown> | null = null;
        try {
          res = await this.send(item.payload);
        } catch {
          res = null; // no answer: not sent, or the ack lost; the same commandId makes sending again safe
        }
        if (res?.ok) this.items = this.items.filter((i) => i !== item);
        else if (res && FINAL.has(res.error.code)) item.refused = res.error.code;
        else backoff = RETRY_MS[Math.min(item.attempts - 1, RETRY_MS.length - 1)]!;
        this.save();
        if (backoff !== null) break;
      }
    } finally {
      this.sending = false;
    }
    if (backoff !== null) this.kick(backoff);
  }

  private load(): PendingRecording[] {
    try {
      const raw = JSON.parse(this.storage?.getItem(this.key) ?? '[]') as PendingRecording[];
      return Array.isArray(raw) ? raw.filter((i) => typeof i?.commandId === 'string' && i.payload) : [];
    } catch {
      return [];
    }
  }

  private save(): void {
    try {
      this.storage?.setItem(this.key, JSON.stringify(this.items));
    } catch {
      // Storage full: the recording stays in memory and is still listed (and retried) while the page is open.
    }
    this.publish();
  }

  private publish(): void {
    this.snapshot = this.items.map((i) => ({ ...i }));
    for (const l of this.listeners) l();
  }
}
