// Signed checkpoints of the audit log: one line holding the entry count and head hash, signed with the
// hub's Ed25519 key, to keep somewhere the hub cannot write. Verifying the log against it later catches
// truncation and rollback (audit.ts); the signature proves which key vouched for the line.
//
// The key pair lives in the data dir: the private key (PKCS#8 PEM, mode 0600) and its public half
// (`ed25519:<base64url of the raw 32 bytes>`), created on first need. Whoever can rewrite the database
// can usually read that private key too, so a checkpoint proves most when it is checked against a
// public key noted elsewhere (`verify --pubkey`), not the one sitting beside the database.
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Checkpoint } from './audit';

export const SIGNING_KEY_FILE = 'audit-signing-key.pem';
export const PUBLIC_KEY_FILE = 'audit-signing-key.pub';

const V1 = 'xiuhua-audit-checkpoint/v1';
const V2 = 'xiuhua-audit-checkpoint/v2';
const PUBKEY = /^ed25519:[A-Za-z0-9_-]{43}$/;
const V1_LINE = new RegExp(`^${V1} count=(\\d+) head=([0-9a-f]{64})$`);
const V2_LINE = new RegExp(
  `^(${V2} count=(\\d+) head=([0-9a-f]{64}) at=(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z) key=(ed25519:[A-Za-z0-9_-]{43})) sig=([A-Za-z0-9_-]{86})$`,
);

export type ParsedCheckpoint = Checkpoint & (
  | { version: 1 }
  /** `signed` is the exact text the signature covers: the line up to " sig=". */
  | { version: 2; at: string; key: string; sig: string; signed: string }
);

export class CheckpointError extends Error {}

export function parseCheckpoint(text: string): ParsedCheckpoint {
  const line = text.trim();
  const v2 = V2_LINE.exec(line);
  if (v2) return { version: 2, signed: v2[1]!, count: Number(v2[2]), head: v2[3]!, at: v2[4]!, key: v2[5]!, sig: v2[6]! };
  const v1 = V1_LINE.exec(line);
  if (v1) return { version: 1, count: Number(v1[1]), head: v1[2]! };
  throw new CheckpointError(`not a checkpoint: expected "${V2} count=<n> head=<sha256> at=<time> key=ed25519:<key> sig=<signature>"`);
}

export function publicKeyText(key: KeyObject): string {
  return `ed25519:${createPublicKey(key).export({ format: 'jwk' }).x!}`;
}

export function parsePublicKey(text: string): KeyObject {
  const t = text.trim();
  if (!PUBKEY.test(t)) throw new CheckpointError(`not a public key: expected "ed25519:<43 base64url characters>" (as \`audit pubkey\` prints it)`);
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: t.slice('ed25519:'.length) }, format: 'jwk' });
}

/** A signed checkpoint line for a verified chain head. */
export function signCheckpoint(c: Checkpoint, privateKey: KeyObject, at = new Date()): string {
  const signed = `${V2} count=${c.count} head=${c.head} at=${at.toISOString()} key=${publicKeyText(privateKey)}`;
  return `${signed} sig=${sign(null, Buffer.from(signed, 'utf8'), privateKey).toString('base64url')}`;
}

/**
 * Checks a signed checkpoint against the key the verifier trusts; throws a CheckpointError that says
 * what is wrong. The key named in the line is only compared, never trusted: a forger can name any key.
 */
export function checkCheckpointSignature(cp: ParsedCheckpoint & { version: 2 }, trusted: string, trustedFrom: string): void {
  if (cp.key !== trusted) {
    throw new CheckpointError(`checkpoint is signed by ${cp.key}, not by ${trusted} (${trustedFrom}): re-signed with another key, or from another hub`);
  }
  if (!verify(null, Buffer.from(cp.signed, 'utf8'), parsePublicKey(trusted), Buffer.from(cp.sig, 'base64url'))) {
    throw new CheckpointError('checkpoint signature does not match its content: the line was altered or forged');
  }
}

/** The public key kept beside the database, or null when this data dir has never signed a checkpoint. */
export function dataDirPublicKey(dataDir: string): string | null {
  try {
    return fs.readFileSync(path.join(dataDir, PUBLIC_KEY_FILE), 'utf8').trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** The data dir's signing key, created on first need (private file 0600, made complete before it appears). */
export function ensureSigningKey(dataDir: string): { privateKey: KeyObject; publicKey: string } {
  const file = path.join(dataDir, SIGNING_KEY_FILE);
  try {
    if (!fs.existsSync(file)) createKeyFile(file);
  } catch (e) {
    throw new CheckpointError(`cannot create the signing key ${file}: ${(e as Error).message}`);
  }
  if (process.platform !== 'win32') {
    const mode = fs.statSync(file).mode & 0o777;
    if (mode & 0o077) throw new CheckpointError(`signing key ${file} is open to other users (mode ${mode.toString(8)}); run: chmod 600 ${file}`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(fs.readFileSync(file));
  } catch (e) {
    throw new CheckpointError(`signing key ${file} cannot be read: ${(e as Error).message}`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new CheckpointError(`signing key ${file} is not an Ed25519 key`);
  const publicKey = publicKeyText(privateKey);
  const kept = dataDirPublicKey(dataDir);
  if (kept === null) {
    try {
      writeAtomically(path.join(dataDir, PUBLIC_KEY_FILE), `${publicKey}\n`, 0o644);
    } catch (e) {
      throw new CheckpointError(`cannot write ${PUBLIC_KEY_FILE} in ${dataDir}: ${(e as Error).message}`);
    }
  } else if (kept !== publicKey) {
    throw new CheckpointError(`${PUBLIC_KEY_FILE} (${kept}) is not the public half of ${SIGNING_KEY_FILE} (${publicKey}) in ${dataDir}`);
  }
  return { privateKey, publicKey };
}

function createKeyFile(file: string): void {
  const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  const tmp = `${file}.${process.pid}.tmp`;
  writeFile(tmp, pem, 0o600);
  try {
    fs.linkSync(tmp, file); // fails if another process made the key meanwhile: theirs wins
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

function writeAtomically(file: string, text: string, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFile(tmp, text, mode);
  fs.renameSync(tmp, file);
}

function writeFile(file: string, text: string, mode: number): void {
  fs.rmSync(file, { force: true }); // a leftover of a crashed run
  const fd = fs.openSync(file, 'wx', mode);
  try {
    fs.fchmodSync(fd, mode); // exactly this mode, whatever the umask
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
