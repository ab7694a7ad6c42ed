// `npm run users -- add <name> --role <role> --data <dir>`: creates a person's account (password prompted or from stdin).
import { randomUUID } from 'node:crypto';
import { Role } from '../../shared/domain';
import { appendAudit } from '../store/audit';
import { openStore, StoreError } from '../store/db';
import { findUserByName, insertUser } from '../store/people';
import { hashSecret } from '../hub/auth';
import { cliArgs, fail, readSecretLine } from './args';

const USAGE = 'npm run users -- add <username> --role <operator|duty_manager|evaluator|admin> --data <dir>';
const { values, positionals } = cliArgs(USAGE, { role: { type: 'string' }, data: { type: 'string' } });
const [verb, username] = positionals;
if (verb !== 'add' || !username) fail(`usage: ${USAGE}`, 2);
if (!/^[a-z][a-z0-9_.-]{1,31}$/.test(username)) fail('a username is 2–32 lowercase letters, digits, _ . - and starts with a letter', 2);
const role = Role.safeParse(values.role);
if (!role.success) fail(`--role must be one of ${Role.options.join(', ')}`, 2);
if (!values.data) fail('--data <dir> is required', 2);

const password = await readSecretLine('password');
if (password.length < 8) fail('the password must be at least 8 characters', 2);
try {
  const db = openStore(values.data);
  if (findUserByName(db, username)) fail(`user ${username} already exists`);
  const passwordHash = await hashSecret(password);
  const now = Date.now();
  const id = `u-${randomUUID()}`;
  db.transaction(() => {
    insertUser(db, { id, username, role: role.data, passwordHash, at: now });
    appendAudit(db, { actor: 'cli', role: 'admin', action: 'user:create', target: id, payload: { username, role: role.data }, outcome: 'accepted', reason: null, at: now });
  })();
  db.close();
  console.log(`user ${username} (${role.data}) created`);
} catch (e) {
  if (e instanceof StoreError) fail(e.message);
  throw e;
}
