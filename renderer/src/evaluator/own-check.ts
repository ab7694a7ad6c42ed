// The chain checked in this console, from the stored entries (`audit:raw`) with Web Crypto — so the
// evaluator does not only take the hub's word: every entry written since store v30 must hash, as stored,
// to what the next one links to (hash = SHA-256(prevHash ‖ "\n" ‖ entry)). Entries from before v30 use the
// earlier rule (a canonical re-encoding); this check links them but does not re-hash them, and says how many.
// A bad entry is named by what it records (its action and target, read from the stored text as it now is).
// The hashes at the counts of the hub's signed checkpoints are kept, so each can be checked against them.
import type { AuditRawResult } from '../../../shared/protocol/scorecard';
import { hub } from '../hub';

export type BadEntry = { seq: number; why: string; name: string | null };
export type OwnCheck = { ok: boolean; count: number; headHash: string; legacy: number; firstBad: BadEntry | null; hashes: ReadonlyMap<number, string> };

const GENESIS = '0'.repeat(64);
const hex = (b: ArrayBuffer) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');

/** "task:accept T-20261202-0001" from an entry's stored text; null when it does not read as one. */
export function entryName(text: string): string | null {
  try {
    const e = JSON.parse(text) as { action?: unknown; target?: unknown };
    if (typeof e.action !== 'string') return null;
    return typeof e.target === 'string' && e.target ? `${e.action} ${e.target}` : e.action;
  } catch {
    return null;
  }
}

/** `wanted`: entry counts whose hash to keep (the checkpoints' counts). */
export async function checkChainHere(onProgress?: (count: number) => void, wanted: ReadonlySet<number> = new Set()): Promise<OwnCheck> {
  if (!globalThis.crypto?.subtle) throw new Error('Web Crypto is not available on this connection (it needs https or localhost)');
  const enc = new TextEncoder();
  let prev = GENESIS;
  let count = 0;
  let legacy = 0;
  const hashes = new Map<number, string>();
  const bad = (seq: number, why: string, text: string | null): OwnCheck => ({ ok: false, count, headHash: prev, legacy, firstBad: { seq, why, name: text === null ? null : entryName(text) }, hashes });
  for (;;) {
    const { entries }: AuditRawResult = await hub.request('audit:raw', { afterSeq: count }, 60_000);
    for (const e of entries) {
      if (e.seq !== count + 1) return bad(count + 1, `entry ${count + 1} is missing (next is ${e.seq})`, null);
      if (e.prevHash !== prev) return bad(e.seq, `entry ${e.seq} does not link to entry ${e.seq - 1}`, e.entry);
      if (e.rule === 2) {
        const digest = hex(await crypto.subtle.digest('SHA-256', enc.encode(`${prev}\n${e.entry}`)));
        if (digest !== e.hash) return bad(e.seq, `entry ${e.seq} was altered (hash mismatch)`, e.entry);
      } else {
        if (legacy !== count) return bad(e.seq, `entry ${e.seq} claims the pre-v30 rule after later entries`, e.entry);
        legacy++;
      }
      prev = e.hash;
      count = e.seq;
      if (wanted.has(count)) hashes.set(count, prev);
    }
    onProgress?.(count);
    if (entries.length === 0) return { ok: true, count, headHash: prev, legacy, firstBad: null, hashes };
  }
}
