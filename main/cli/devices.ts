// `npm run devices -- add <device-id> (--unit <unit-id> | --gateway) --data <dir>`: registers a field
// device (phone, vehicle terminal) that speaks for one unit, or a gateway that speaks for any unit, with
// a secret chosen by its installer (prompted, or read from stdin). `list` shows them. Both through the
// hub's own command and store (as-admin.ts).
import { Id } from '../../shared/domain';
import { accountHandlers } from '../hub/handlers/accounts';
import { openStore, StoreError } from '../store/db';
import { listDevices } from '../store/people';
import { cliArgs, fail, readSecretLine } from './args';
import { asAdmin } from './as-admin';

const USAGE = 'npm run devices -- add <device-id> (--unit <unit-id> | --gateway) --data <dir>\n       npm run devices -- list --data <dir>';
const { values, positionals } = cliArgs(USAGE, { unit: { type: 'string' }, gateway: { type: 'boolean', default: false }, data: { type: 'string' } });
const [verb, deviceId] = positionals;
if (!((verb === 'add' && deviceId) || verb === 'list')) fail(`usage: ${USAGE}`, 2);
if (!values.data) fail('--data <dir> is required', 2);
if (verb === 'add') {
  if (!Id.safeParse(deviceId).success) fail('a device id uses letters, digits and _ . : - (at most 64)', 2);
  if (!!values.unit === values.gateway) fail('give either --unit <unit-id> (a terminal) or --gateway (speaks for any unit)', 2);
}

try {
  if (verb === 'add') {
    const secret = await readSecretLine('device secret');
    if (secret.length < 12) fail('the device secret must be at least 12 characters', 2);
    const db = openStore(values.data);
    const kind = values.gateway ? 'gateway' : 'terminal';
    const { device } = asAdmin(db, accountHandlers['device:register'], { deviceId: deviceId!, kind, unitId: values.unit ?? null, secret });
    db.close();
    console.log(`device ${device.id} (${kind}${device.unitId ? ` for unit ${device.unitId}` : ''}) registered`);
  } else {
    const db = openStore(values.data);
    for (const d of listDevices(db)) console.log(`${d.id}\t${d.kind}\t${d.unitId ?? '(any unit)'}\t${new Date(d.createdAt).toISOString()}`);
    db.close();
  }
} catch (e) {
  if (e instanceof StoreError) fail(e.message);
  throw e;
}
