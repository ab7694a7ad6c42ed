// The evaluator's own trusted key: an Ed25519 public key obtained outside the hub (noted when the center
// was certified, read off `npm run audit -- pubkey` on the hub machine, sent by the vendor), entered here
// and remembered by this console for that hub. Checkpoints are then checked against it, not against the
// key the hub serves — a hub whose database and key file were both replaced serves a matching forger's
// key, but cannot sign with the one the evaluator brought. No DOM here: the tests run it on Node.

/** How it is shown and compared everywhere: "ed25519:" and the raw 32 bytes in base64url, as `audit pubkey` prints it. */
export type KeyText = `ed25519:${string}`;

export type ParsedKey = { ok: true; key: KeyText } | { ok: false; why: 'empty' | 'unreadable' | 'length' | 'not_ed25519' };

/** DER of an Ed25519 SubjectPublicKeyInfo, before its 32 key bytes (RFC 8410). */
const SPKI_PREFIX = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];

function fromBase64(s: string): Uint8Array | null {
  const clean = s.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/]*$/.test(clean) || clean.length % 4 === 1) return null;
  const bin = atob(clean + '='.repeat((4 - (clean.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

function toBase64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * A public key as a person pastes it: `ed25519:<base64url>` (the hub's own form), a PEM
 * "PUBLIC KEY" block (openssl, Node), or the 32 raw bytes as hex or base64. Anything else is refused
 * with the reason, never guessed at.
 */
export function parseTrustedKey(input: string): ParsedKey {
  const text = input.trim();
  if (!text) return { ok: false, why: 'empty' };
  let bytes: Uint8Array | null;
  const pem = /^-----BEGIN PUBLIC KEY-----([\s\S]*?)-----END PUBLIC KEY-----$/.exec(text);
  if (pem) {
    const der = fromBase64(pem[1]!.replace(/\s+/g, ''));
    if (!der) return { ok: false, why: 'unreadable' };
    if (der.length !== SPKI_PREFIX.length + 32 || SPKI_PREFIX.some((b, i) => der[i] !== b)) return { ok: false, why: 'not_ed25519' };
    bytes = der.slice(SPKI_PREFIX.length);
  } else if (/^-----BEGIN/.test(text)) {
    return { ok: false, why: 'not_ed25519' }; // a private key, a certificate: not what is asked for
  } else {
    const body = text.replace(/^ed25519:/i, '').replace(/\s+/g, '');
    bytes = /^[0-9a-fA-F]{64}$/.test(body) ? Uint8Array.from(body.match(/../g)!, (h) => parseInt(h, 16)) : fromBase64(body);
    if (!bytes) return { ok: false, why: 'unreadable' };
  }
  if (bytes.length !== 32) return { ok: false, why: 'length' };
  return { ok: true, key: `ed25519:${toBase64url(bytes)}` };
}

/** Whether Web Crypto takes it as an Ed25519 key (32 bytes that are not a curve point are refused by some engines). */
export async function usableKey(key: KeyText): Promise<boolean> {
  try {
    const raw = fromBase64(key.slice('ed25519:'.length))!;
    await crypto.subtle.importKey('raw', Uint8Array.from(raw), { name: 'Ed25519' }, false, ['verify']);
    return true;
  } catch {
    return false;
  }
}

type KeyStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
/** Per hub: a console that serves two centers keeps a key for each. */
const storageKey = (hubUrl: string) => `xiuhua.evaluator.trustedKey.${hubUrl.replace(/\/+$/, '')}`;

export function loadTrustedKey(storage: KeyStore, hubUrl: string): KeyText | null {
  const stored = storage.getItem(storageKey(hubUrl));
  const parsed = stored ? parseTrustedKey(stored) : null;
  return parsed?.ok ? parsed.key : null;
}

export function saveTrustedKey(storage: KeyStore, hubUrl: string, key: KeyText | null): void {
  if (key) storage.setItem(storageKey(hubUrl), key);
  else storage.removeItem(storageKey(hubUrl));
}

/** Which key the checkpoints are checked against: the evaluator's own when entered, else the hub's. */
export function keyToCheck(own: KeyText | null, served: string | null): { key: string | null; source: 'own' | 'hub' } {
  return own ? { key: own, source: 'own' } : { key: served, source: 'hub' };
}
