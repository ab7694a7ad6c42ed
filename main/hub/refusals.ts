// Floods of refusals are audited as summaries, not one row each: otherwise anyone who can reach the port
// (wrong passwords) or any logged-in client (invalid or rate-limited messages) could grow the append-only
// log forever, and pay for each row with a durable write of the hub's. The first refusals of a kind by
// one actor from one address (its allowance, one unless said otherwise) are audited at once, as they
// always were; the ones after them in the same window are counted, and written as one summary entry when
// the window ends (or the hub closes). A flood that goes on writes one summary per window and nothing
// else. Every refusal is still accounted for: the counts add up.
import type { CommandError } from '../../shared/protocol/commands';
import { appendAudit } from '../store/audit';
import type { Db } from '../store/db';
import { refuse, type Actor, type RefusalWriter } from './commands';

export type RefusalKey = {
  /** what is being refused, as a class: 'session:login', 'session:device', 'rate_limited' */
  kind: string;
  actor: Actor;
  /** the network address, for refusals before login (after login the actor says who it is) */
  address?: string;
  /** refusals of this key audited one by one per window before the rest are counted (default 1) */
  allowance?: number;
};

export type Refusal = { action: string; error: CommandError; payload: unknown };

export type RefusalAuditor = {
  /** Audit one refusal: at once while its key's allowance in this window lasts, else counted into the summary. */
  note(key: RefusalKey, refusal: Refusal, now?: number): void;
  /** Write every pending summary now and stop the timers (the hub is closing). */
  close(): void;
};

export type RefusalAuditOptions = {
  /** length of a summary window, ms (default one minute) */
  windowMs?: number;
  /** keys tracked at once; refusals beyond that are summarised together under one overflow key */
  maxKeys?: number;
  log?: (line: string) => void;
};

/** Distinct action names listed in one summary; the rest are counted as "other". */
const MAX_ACTIONS_LISTED = 20;
const OVERFLOW: RefusalKey = { kind: 'refusals', actor: { id: '(many)', role: 'system' }, address: '(many)' };

type Window = {
  key: RefusalKey;
  from: number;
  to: number;
  count: number;
  /** rows written one by one in this window */
  written: number;
  byCode: Record<string, number>;
  byAction: Record<string, number>;
  timer: NodeJS.Timeout;
};

export function createRefusalAuditor(db: Db, opts: RefusalAuditOptions = {}): RefusalAuditor {
  const windowMs = opts.windowMs ?? 60_000;
  const maxKeys = opts.maxKeys ?? 200;
  const log = opts.log ?? (() => {});
  const windows = new Map<string, Window>();
  let closed = false;

  const idOf = (k: RefusalKey) => JSON.stringify([k.kind, k.actor.id, k.actor.role, k.address ?? null]);
  const allowanceOf = (k: RefusalKey) => Math.max(1, k.allowance ?? 1);

  function writeSummary(w: Window): void {
    if (w.count === 0) return;
    const codes = Object.entries(w.byCode).sort((a, b) => b[1] - a[1]);
    const reason = `${codes[0]![0]}: ${w.count} more refused in this burst (${codes.map(([c, n]) => `${c} ${n}`).join(', ')})`;
    try {
      db.transaction(() => appendAudit(db, {
        actor: w.key.actor.id, role: w.key.actor.role, action: w.key.kind, target: null,
        payload: { summary: true, count: w.count, from: w.from, to: w.to, address: w.key.address ?? null, byCode: w.byCode, byAction: w.byAction },
        outcome: 'rejected', reason, at: w.to,
      }))();
    } catch (e) {
      log(`could not audit a refusal summary: ${(e as Error).message}`);
    }
  }

  function open(id: string, key: RefusalKey, now: number, written = 0): Window {
    const w: Window = { key, from: now, to: now, count: 0, written, byCode: {}, byAction: {}, timer: setTimeout(() => roll(id), windowMs) };
    w.timer.unref();
    windows.set(id, w);
    return w;
  }

  /** The window ended: write its summary; a flood still going on gets a fresh window with its allowance spent. */
  function roll(id: string): void {
    const w = windows.get(id);
    if (!w) return;
    windows.delete(id);
    writeSummary(w);
    if (w.count > 0 && !closed) open(id, w.key, w.to, allowanceOf(w.key));
  }

  function count(w: Window, refusal: Refusal, now: number): void {
    w.count++;
    w.to = Math.max(w.to, now);
    w.byCode[refusal.error.code] = (w.byCode[refusal.error.code] ?? 0) + 1;
    const listed = refusal.action in w.byAction || Object.keys(w.byAction).length < MAX_ACTIONS_LISTED;
    const action = listed ? refusal.action : 'other';
    w.byAction[action] = (w.byAction[action] ?? 0) + 1;
  }

  return {
    note(key, refusal, now = Date.now()) {
      if (closed) return;
      let id = idOf(key);
      let w = windows.get(id);
      if (!w && windows.size >= maxKeys) {
        id = idOf(OVERFLOW);
        w = windows.get(id) ?? open(id, OVERFLOW, now, allowanceOf(OVERFLOW)); // counted only, never row by row
      }
      if (w && w.written >= allowanceOf(w.key)) {
        count(w, refusal, now);
        return;
      }
      (w ?? open(id, key, now)).written++;
      const payload = key.address === undefined ? refusal.payload : { ...asObject(refusal.payload), address: key.address };
      try {
        refuse(db, key.actor, refusal.action, payload, refusal.error, now);
      } catch (e) {
        log(`could not audit a refusal: ${(e as Error).message}`);
      }
    },
    close() {
      if (closed) return;
      closed = true;
      for (const [id, w] of windows) {
        clearTimeout(w.timer);
        windows.delete(id);
        writeSummary(w);
      }
    },
  };
}

/** Refusals of logged-in clients (invalid, forbidden, not_found …) as they are audited: by actor and action, row by row up to the allowance per window. */
export function refusalWriter(auditor: RefusalAuditor, allowance = 10): RefusalWriter {
  return (actor, action, raw, error, now) => {
    auditor.note({ kind: action, actor, allowance }, { action, error, payload: raw }, now);
    return { ok: false, error };
  };
}

function asObject(payload: unknown): Record<string, unknown> {
  return payload && typeof payload === 'object' && !Array.isArray(payload) ? (payload as Record<string, unknown>) : { payload };
}
