// A signed checkpoint checked in this console with Web Crypto (Ed25519), not on the hub's word: the line's
// signature against the key the evaluator trusts, and its head against the hash this console computed
// itself for that entry while re-hashing the chain (own-check.ts). The line format is the hub's
// (main/store/checkpoint.ts): "xiuhua-audit-checkpoint/v2 count=… head=… at=… key=ed25519:… sig=…".
// No hub or DOM here, so Node's Web Crypto runs the same code in the tests.

const V2_LINE = /^(xiuhua-audit-checkpoint\/v2 count=(\d+) head=([0-9a-f]{64}) at=(\S+) key=(ed25519:[A-Za-z0-9_-]{43})) sig=([A-Za-z0-9_-]{86})$/;

export type CheckpointLine = { signed: string; count: number; head: string; at: string; key: string; sig: string };

export function parseCheckpointLine(line: string): CheckpointLine | null {
  const m = V2_LINE.exec(line.trim());
  return m ? { signed: m[1]!, count: Number(m[2]), head: m[3]!, at: m[4]!, key: m[5]!, sig: m[6]! } : null;
}

function fromBase64url(s: string): Uint8Array<ArrayBuffer> {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export type CheckpointVerdict =
  | { ok: true; count: number; head: string; at: string; key: string }
  | { ok: false; why: 'unreadable' | 'other_key' | 'bad_signature' | 'beyond_chain' | 'head_differs' | 'chain_broken'; count: number | null; at: string | null; key: string | null };

/**
 * `trustedKey`: "ed25519:<base64url>" of the hub's signing key as this evaluator trusts it.
 * `hashAt(count)`: the hash this console computed for entry `count` (undefined when its walk did not reach it),
 * `walked`: how many entries the walk checked, `broken`: whether it stopped at a bad entry.
 */
export async function checkCheckpoint(line: string, trustedKey: string, hashAt: (count: number) => string | undefined, walked: number, broken: boolean): Promise<CheckpointVerdict> {
  const cp = parseCheckpointLine(line);
  if (!cp) return { ok: false, why: 'unreadable', count: null, at: null, key: null };
  const base = { count: cp.count, at: cp.at, key: cp.key };
  // the key named in the line is only compared, never trusted: a forger can name any key
  if (cp.key !== trustedKey) return { ok: false, why: 'other_key', ...base };
  const key = await crypto.subtle.importKey('raw', fromBase64url(trustedKey.slice('ed25519:'.length)), { name: 'Ed25519' }, false, ['verify']);
  const good = await crypto.subtle.verify({ name: 'Ed25519' }, key, fromBase64url(cp.sig), new TextEncoder().encode(cp.signed));
  if (!good) return { ok: false, why: 'bad_signature', ...base };
  if (cp.count > walked) return { ok: false, why: broken ? 'chain_broken' : 'beyond_chain', ...base };
  const hash = cp.count === 0 ? '0'.repeat(64) : hashAt(cp.count);
  if (hash !== cp.head) return { ok: false, why: 'head_differs', ...base };
  return { ok: true, head: cp.head, ...base };
}
