// Device enrolment and revocation. An admin's `device:enrol` makes a one-time code (kept only as its
// hash); the phone's `POST /api/enrol` runs `device:claim` as the system actor, which spends the code
// and registers the device with a secret the hub generated (auth.generateSecret). `device:revoke`
// marks the device revoked; the transport then closes its connections (server.ts, afterCommit).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { Id } from '../../../shared/domain';
import { CommandId, consoleCommands } from '../../../shared/protocol/commands';
import { ENROL_CODE_ALPHABET, ENROL_CODE_LENGTH, ENROL_CODE_TTL_MS, type EnrolResult } from '../../../shared/protocol/enrol';
import { findDevice, findEnrolment, insertDevice, insertEnrolmentCode, revokeDevice, spendEnrolmentCode } from '../../store/people';
import { generateSecret } from '../auth';
import { CommandFailure, type CommandDef, type Handler } from '../commands';
import { requireUnit } from './shared';

const C = consoleCommands;
const def = <K extends keyof typeof C, R>(name: K, handler: CommandDef<(typeof C)[K]['schema'], R>['handler'], extra: Partial<CommandDef<(typeof C)[K]['schema'], R>> = {}) =>
  ({ name, schema: C[name].schema, roles: C[name].roles, handler, ...extra }) as CommandDef<(typeof C)[K]['schema'], R>;

/** A fresh code: ENROL_CODE_LENGTH symbols of ENROL_CODE_ALPHABET (32 symbols, so each byte's low 5 bits, unbiased). */
export function newEnrolCode(): string {
  return [...randomBytes(ENROL_CODE_LENGTH)].map((b) => ENROL_CODE_ALPHABET[b & 31]).join('');
}

/** How the store keeps a code (its canonical form, shared/protocol/enrol.ts normalizeEnrolCode). */
export const enrolCodeHash = (code: string): string => createHash('sha256').update(code).digest('hex');

export type DeviceEnv = { hubUrl: () => string; codeTtlMs?: number };

export const deviceHandlers = (env: DeviceEnv) => ({
  'device:enrol': def('device:enrol', ({ db, now, actor }, p) => {
    const unit = requireUnit(db, p.unitId);
    const code = newEnrolCode();
    const enrolmentId = `enrol-${randomUUID()}`;
    const expiresAt = now + (env.codeTtlMs ?? ENROL_CODE_TTL_MS);
    insertEnrolmentCode(db, { id: enrolmentId, codeHash: enrolCodeHash(code), unitId: unit.id, label: p.label, createdBy: actor.id, createdAt: now, expiresAt });
    return {
      result: { enrolmentId, unitId: unit.id, code: code as string | null, expiresAt, hubUrl: env.hubUrl() },
      target: unit.id, events: [], detail: { enrolmentId, expiresAt },
    };
  }, {
    // The ledger never holds the code: a retry is told the enrolment happened, and a lost code is made again.
    ledgerResult: (r) => ({ ...r, code: null }),
  }),

  'device:revoke': def('device:revoke', ({ db, now }, p) => {
    const device = findDevice(db, p.deviceId);
    if (!device) throw new CommandFailure('not_found', `no device ${p.deviceId}`);
    if (device.kind === 'gateway') throw new CommandFailure('conflict', `device ${device.id} is a gateway; gateways are managed with the CLI`);
    if (!revokeDevice(db, device.id, now)) throw new CommandFailure('conflict', `device ${device.id} is already revoked`);
    return { result: { deviceId: device.id, revokedAt: now }, target: device.id, events: [], detail: { unitId: device.unitId } };
  }),
});

export const DEVICE_CLAIM = 'device:claim';
const ClaimPayload = z.strictObject({ commandId: CommandId, enrolmentId: Id, address: z.string().max(100).nullable() });

/**
 * A phone presented a code the hub knows (server side of POST /api/enrol): spend it, register the
 * device. Only the system actor runs this; the code's state is checked inside the transaction, so two
 * phones racing with one code get one device between them.
 */
export const claimDevice: CommandDef<typeof ClaimPayload, EnrolResult> = {
  name: DEVICE_CLAIM, schema: ClaimPayload, roles: ['system'],
  handler: (({ db, now }, p) => {
    const enrolment = findEnrolment(db, p.enrolmentId);
    if (!enrolment) throw new CommandFailure('not_found', `no enrolment ${p.enrolmentId}`);
    if (enrolment.usedAt !== null) throw new CommandFailure('conflict', `enrolment code ${enrolment.id} was already used (device ${enrolment.deviceId})`);
    if (now >= enrolment.expiresAt) throw new CommandFailure('conflict', `enrolment code ${enrolment.id} expired`);
    requireUnit(db, enrolment.unitId);
    const deviceId = `dev-${randomBytes(6).toString('hex')}`;
    const { secret, hash } = generateSecret();
    insertDevice(db, { id: deviceId, secretHash: hash, kind: 'terminal', unitId: enrolment.unitId, label: enrolment.label || null, at: now });
    spendEnrolmentCode(db, enrolment.id, deviceId, now);
    return {
      result: { deviceId, secret, unitId: enrolment.unitId }, target: deviceId, events: [],
      detail: { enrolmentId: enrolment.id, unitId: enrolment.unitId, enrolledBy: enrolment.createdBy },
    };
  }) satisfies Handler<z.output<typeof ClaimPayload>, EnrolResult>,
  // The secret leaves the hub once, in the HTTP answer; the store keeps only its hash.
  ledgerResult: (r) => ({ ...r, secret: '' }),
};
