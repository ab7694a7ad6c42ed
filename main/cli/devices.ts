// `npm run devices -- add <device-id> (--unit <unit-id> | --gateway) --data <dir>`: registers a field
// device (phone, vehicle terminal) that speaks for one unit, or a gateway that speaks for any unit.
// The secret is prompted, or read from stdin.
import { Id } from '../../shared/domain';
import { appendAudit } from '../store/audit';
import { findUnit } from '../store/city';
import { openStore, StoreError } from '../store/db';
import { findDevice, insertDevice } from '../store/people';
import { hashSecret } from '../hub/auth';
import { cliArgs, fail, readSecretLine } from './args';

const USAGE = 'npm run devices -- add <device-id> (--unit <unit-id> | --gateway) --data <dir>';
const { values, positionals } = cliArgs(USAGE, { unit: { type: 'string' }, gateway: { type: 'boolean', default: false }, data: { type: 'string' } });
const [verb, deviceId] = positionals;
if (verb !== 'add' || !deviceId) fail(`usage: ${USAGE}`, 2);
if (!Id.safeParse(deviceId).success) fail('a device id uses letters, digits and _ . : - (at most 64)', 2);
if (!!values.unit === values.gateway) fail('give either --unit <unit-id> (a terminal) or --gateway (speaks for any unit)', 2);
if (!values.data) fail('--data <dir> is required', 2);

const secret = await readSecretLine('device secret');
if (secret.length < 12) fail('the device secret must be at least 12 characters', 2);
try {
  const db = openStore(values.data);
  if (findDevice(db, deviceId)) fail(`device ${deviceId} already exists`);
  if (values.unit && !findUnit(db, values.unit)) fail(`no unit ${values.unit} in this hub`);
  const secretHash = await hashSecret(secret);
  const now = Date.now();
  const kind = values.gateway ? 'gateway' : 'terminal';
  db.transaction(() => {
    insertDevice(db, { id: deviceId, secretHash, kind, unitId: values.unit ?? null, at: now });
    appendAudit(db, { actor: 'cli', role: 'admin', action: 'device:create', target: deviceId, payload: { deviceId, kind, unitId: values.unit ?? null }, outcome: 'accepted', reason: null, at: now });
  })();
  db.close();
  console.log(`device ${deviceId} (${kind}${values.unit ? ` for unit ${values.unit}` : ''}) registered`);
} catch (e) {
  if (e instanceof StoreError) fail(e.message);
  throw e;
}
