// The evaluator's own trusted key (renderer/src/evaluator/trusted-key.ts): every form a person may paste
// reads as the same key, anything else is refused with its reason, it is remembered per hub — and the
// console's checkpoint check (checkpoint-check.ts, Node's Web Crypto here) passes only under that key.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkCheckpoint } from '../../renderer/src/evaluator/checkpoint-check';
import { keyToCheck, loadTrustedKey, parseTrustedKey, saveTrustedKey, usableKey } from '../../renderer/src/evaluator/trusted-key';
import { publicKeyText, signCheckpoint } from '../../main/store/checkpoint';

const hubKey = generateKeyPairSync('ed25519');
const text = publicKeyText(hubKey.privateKey);
const raw = Buffer.from(text.slice('ed25519:'.length), 'base64url');

function memoryStorage(): Storage {
  const m = new Map<string, string>();
  return {
    get length() { return m.size; }, clear: () => m.clear(), key: (i) => [...m.keys()][i] ?? null,
    getItem: (k) => m.get(k) ?? null, setItem: (k, v) => void m.set(k, v), removeItem: (k) => void m.delete(k),
  };
}

describe('parseTrustedKey', () => {
  it('reads the hub\'s own form, a PEM block, hex and base64 of the same 32 bytes as one key', () => {
    const pem = hubKey.publicKey.export({ format: 'pem', type: 'spki' }) as string;
    for (const pasted of [text, `  ${text}\n`, pem, `\n${pem}\n`, raw.toString('hex'), raw.toString('hex').toUpperCase(), raw.toString('base64'), raw.toString('base64url'), `ED25519:${raw.toString('base64url')}`]) {
      expect(parseTrustedKey(pasted), pasted).toEqual({ ok: true, key: text });
    }
  });

  it('refuses what is not an Ed25519 public key, saying why', () => {
    expect(parseTrustedKey('  ')).toEqual({ ok: false, why: 'empty' });
    expect(parseTrustedKey('not a key!')).toEqual({ ok: false, why: 'unreadable' });
    expect(parseTrustedKey(raw.subarray(0, 31).toString('hex'))).toEqual({ ok: false, why: 'length' });
    expect(parseTrustedKey(Buffer.concat([raw, Buffer.from([1])]).toString('base64'))).toEqual({ ok: false, why: 'length' });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'pem', type: 'spki' }) as string;
    expect(parseTrustedKey(rsa)).toEqual({ ok: false, why: 'not_ed25519' });
    expect(parseTrustedKey(hubKey.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string)).toEqual({ ok: false, why: 'not_ed25519' });
  });

  it('a parsed key is one Web Crypto takes', async () => {
    expect(await usableKey(text as `ed25519:${string}`)).toBe(true);
  });
});

describe('remembered per hub', () => {
  it('kept for the hub it was entered for, forgotten on request, a damaged entry not trusted', () => {
    const s = memoryStorage();
    expect(loadTrustedKey(s, 'http://hub-a:8420')).toBeNull();
    saveTrustedKey(s, 'http://hub-a:8420/', text as `ed25519:${string}`);
    expect(loadTrustedKey(s, 'http://hub-a:8420')).toBe(text);
    expect(loadTrustedKey(s, 'http://hub-b:8420')).toBeNull();
    s.setItem('xiuhua.evaluator.trustedKey.http://hub-b:8420', 'ed25519:tampered');
    expect(loadTrustedKey(s, 'http://hub-b:8420')).toBeNull();
    saveTrustedKey(s, 'http://hub-a:8420', null);
    expect(loadTrustedKey(s, 'http://hub-a:8420')).toBeNull();
  });

  it('checkpoints are checked against the own key when there is one, else the hub\'s', () => {
    expect(keyToCheck('ed25519:own', 'ed25519:served')).toEqual({ key: 'ed25519:own', source: 'own' });
    expect(keyToCheck(null, 'ed25519:served')).toEqual({ key: 'ed25519:served', source: 'hub' });
    expect(keyToCheck(null, null)).toEqual({ key: null, source: 'hub' });
  });
});

describe('a checkpoint under the evaluator\'s key', () => {
  const head = 'ab'.repeat(32);
  const hashAt = (n: number) => (n === 7 ? head : undefined);
  const line = signCheckpoint({ count: 7, head }, hubKey.privateKey);

  it('verifies under the key entered (in any form) when the hub signed with it', async () => {
    const own = parseTrustedKey(hubKey.publicKey.export({ format: 'pem', type: 'spki' }) as string);
    expect(own.ok).toBe(true);
    expect(await checkCheckpoint(line, own.ok ? own.key : '', hashAt, 7, false)).toMatchObject({ ok: true, count: 7, key: text });
  });

  it('fails under a wrong key: a line from another key, and a forger naming the trusted key', async () => {
    const mine = publicKeyText(generateKeyPairSync('ed25519').privateKey);
    // the hub (or whoever replaced its key file) signed with a key the evaluator does not trust
    expect(await checkCheckpoint(line, mine, hashAt, 7, false)).toMatchObject({ ok: false, why: 'other_key', key: text });
    // a line that names the evaluator's key but was signed with another: the signature gives it away
    const forged = signCheckpoint({ count: 7, head }, hubKey.privateKey).replace(`key=${text}`, `key=${mine}`);
    expect(await checkCheckpoint(forged, mine, hashAt, 7, false)).toMatchObject({ ok: false, why: 'bad_signature' });
  });
});
