// `npm run audit -- verify --data <dir> [--checkpoint "<line>" [--pubkey <key>]] [--threads <n>]`,
// `npm run audit -- checkpoint --data <dir>` and `npm run audit -- pubkey --data <dir>`.
import os from 'node:os';
import type { VerifyResult } from '../store/audit';
import { verifyAuditParallel } from '../store/audit-parallel';
import { CheckpointError, checkCheckpointSignature, dataDirPublicKey, ensureSigningKey, parseCheckpoint, parsePublicKey, signCheckpoint, type ParsedCheckpoint } from '../store/checkpoint';
import { openStoreReadOnly, StoreError } from '../store/db';
import { cliArgs, fail } from './args';

const USAGE = 'npm run audit -- verify|checkpoint|pubkey --data <dir> [--checkpoint "<checkpoint line>" [--pubkey ed25519:<key>]] [--threads <n>]';
const { values, positionals } = cliArgs(USAGE, { data: { type: 'string' }, checkpoint: { type: 'string' }, pubkey: { type: 'string' }, threads: { type: 'string' } });
const [verb] = positionals;
const data = values.data;
if ((verb !== 'verify' && verb !== 'checkpoint' && verb !== 'pubkey') || !data) fail(`usage: ${USAGE}`, 2);
if ((values.checkpoint || values.pubkey) && verb !== 'verify') fail(`--checkpoint and --pubkey go with verify\nusage: ${USAGE}`, 2);
if (values.pubkey && !values.checkpoint) fail(`--pubkey checks the signature of a --checkpoint line\nusage: ${USAGE}`, 2);
// The walk uses every core by default (a verify beside a busy hub competes with it: --threads 1 walks on one).
const threads = values.threads === undefined ? os.availableParallelism() : Number(values.threads);
if (!Number.isInteger(threads) || threads < 1) fail(`--threads is a whole number of threads, 1 or more, not ${values.threads}\nusage: ${USAGE}`, 2);

let checkpoint: ParsedCheckpoint | undefined;
try {
  checkpoint = values.checkpoint ? parseCheckpoint(values.checkpoint) : undefined;
  if (values.pubkey) parsePublicKey(values.pubkey);
} catch (e) {
  fail((e as Error).message, 2);
}

async function chain(): Promise<VerifyResult> {
  const db = openStoreReadOnly(data!);
  try {
    return await verifyAuditParallel(db, checkpoint, threads);
  } finally {
    db.close();
  }
}

/** Signature first: a line that does not verify says nothing about the log. */
function checkSignature(cp: ParsedCheckpoint): string {
  if (cp.version === 1) {
    if (values.pubkey) fail('this checkpoint is unsigned (v1, made before checkpoints were signed): there is no signature for --pubkey to check');
    return `unsigned v1 checkpoint at entry ${cp.count} holds; who made it is not proven`;
  }
  const trusted = values.pubkey ?? dataDirPublicKey(data!);
  if (!trusted) fail(`${data} holds no audit signing key to check the checkpoint against; pass the hub's key with --pubkey`);
  checkCheckpointSignature(cp, trusted, values.pubkey ? 'the key given with --pubkey' : `the key in ${data}`);
  return `checkpoint of ${cp.count} entries made ${cp.at}, signed by ${cp.key}, holds`;
}

try {
  if (verb === 'pubkey') {
    openStoreReadOnly(data).close(); // a typo'd --data must not quietly grow a key somewhere else
    console.log(ensureSigningKey(data).publicKey);
  } else {
    const checkpointNote = checkpoint && checkSignature(checkpoint);
    const result = await chain();
    if (!result.ok) fail(`audit log broken at entry ${result.firstBad!.seq}: ${result.firstBad!.why} (${result.count} entries verified before it)`);
    if (verb === 'checkpoint') {
      // Keep this line somewhere the hub cannot write (printed report, another machine): verify --checkpoint
      // then proves the log still holds these entries, which catches truncation and rollback.
      console.log(signCheckpoint({ count: result.count, head: result.headHash }, ensureSigningKey(data).privateKey));
    } else {
      const legacy = result.legacyCount > 0 ? `; entries 1–${result.legacyCount} by the pre-schema-30 rule` : '';
      console.log(`${result.count} entries verified, head ${result.headHash}${checkpointNote ? ` (${checkpointNote})` : ''}${legacy}`);
    }
  }
} catch (e) {
  if (e instanceof StoreError || e instanceof CheckpointError) fail(e.message);
  throw e;
}
