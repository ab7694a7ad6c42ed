// The chain checked in this console, from the stored entries (`audit:raw`) with Web Crypto — so the
// evaluator does not only take the hub's word: every entry written since store v30 must hash, as stored,
// to what the next one links to (hash = SHA-256(prevHash ‖ "\n" ‖ entry)). Entries from before v30 use the
// earlier rule (a canonical re-encoding); this check links them but does not re-hash them, and says how many.
import type { AuditRawResult } from '../../../shared/protocol/scorecard';
import { hub } from '../hub';

export type OwnCheck = { ok: boolean; count: number; headHash: string; legacy: number; firstBad: { seq: number; why: string } | null };

const GENESIS = '0'.repeat(64);
const hex = (b: ArrayBuffer) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');

export async function checkChainHere(onProgress?: (count: number) => void): Promise<OwnCheck> {
  if (!globalThis.crypto?.subtle) throw new Error('Web Crypto is not available on this connection (it needs https or localhost)');
  const enc = new TextEncoder();
  let prev = GENESIS;
  let count = 0;
  let legacy = 0;
  const bad = (seq: number, why: string): OwnCheck => ({ ok: false, count, headHash: prev, legacy, firstBad: { seq, why } });
  for (;;) {
    const { entries }: AuditRawResult = await hub.request('audit:raw', { afterSeq: count }, 60_000);
    for (const e of entries) {
      if (e.seq !== count + 1) return bad(count + 1, `entry ${count + 1} is missing (next is ${e.seq})`);
      if (e.prevHash !== prev) return bad(e.seq, `entry ${e.seq} does not link to entry ${e.seq - 1}`);
      if (e.rule === 2) {
        const digest = hex(await crypto.subtle.digest('SHA-256', enc.encode(`${prev}\n${e.entry}`)));
        if (digest !== e.hash) return bad(e.seq, `entry ${e.seq} was altered (hash mismatch)`);
      } else {
        if (legacy !== count) return bad(e.seq, `entry ${e.seq} claims the pre-v30 rule after later entries`);
        legacy++;
      }
      prev = e.hash;
      count = e.seq;
    }
    onProgress?.(count);
    if (entries.length === 0) return { ok: true, count, headHash: prev, legacy, firstBad: null };
  }
}
