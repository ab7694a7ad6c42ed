// The /field namespace: devices (a terminal speaks for one unit, a gateway for any). Handshake auth by
// device id and secret (throttled before scrypt), then field commands, the position stream and resume
// through the guard. A device's session is audited from connect to disconnect.
import type { Namespace } from 'socket.io';
import type { FieldClientEvents, FieldServerEvents } from '../../../shared/protocol/sockets';
import { NAMESPACES } from '../../../shared/protocol/sockets';
import { headSeq } from '../../store/log';
import { currentMode } from '../../store/operations';
import { activeAreaModes, profilesInForce } from '../modes';
import { findDevice } from '../../store/people';
import { AuthError, checkDevice, deviceDisconnected, deviceSessionBegun } from '../auth';
import type { Actor } from '../commands';
import { fieldHandlers, fieldRequests } from '../handlers/field';
import type { RefusalAuditor } from '../refusals';
import type { LoginThrottle } from '../throttle';
import type { AuditInput } from '../../store/audit';
import type { SessionAudit } from '../session-audit';
import { peerAddress } from './address';
import { backoffError, backoffMessage, type FloodBackoff } from './backoff';
import { authRefusal } from './console';
import { bindTables, type DispatchDeps } from './dispatch';
import type { WatchedData } from './limits';
import { bindVoice } from '../voice/tables';

export type FieldData = { actor: Actor } & WatchedData;
export type FieldNamespace = Namespace<FieldClientEvents, FieldServerEvents, Record<string, never>, FieldData>;

/** Every connection of one device (a gateway may hold several) is in this room. */
export const deviceRoom = (deviceId: string) => `device:${deviceId}`;

export function attachField(field: FieldNamespace, deps: DispatchDeps & { throttle: LoginThrottle; refusals: RefusalAuditor; log: (line: string) => void; backoff: FloodBackoff; sessions: SessionAudit }): void {
  const { db, throttle, refusals, backoff, sessions } = deps;
  const audit = (entry: AuditInput) => sessions.append(entry);

  field.use((socket, next) => {
    const auth = socket.handshake.auth as Record<string, unknown>;
    if (typeof auth.deviceId !== 'string' || typeof auth.secret !== 'string') {
      next(new Error(typeof auth.username === 'string'
        ? 'wrong_namespace: people log in on /console, not /field'
        : 'auth_required: give deviceId and secret'));
      return;
    }
    const { deviceId, secret } = { deviceId: auth.deviceId, secret: auth.secret };
    const address = peerAddress(socket);
    const tried = deviceId.slice(0, 64);
    const wait = backoff.remaining(deviceId);
    if (wait > 0) {
      // Cut for flooding a moment ago: refused before the secret is checked and the session audited row by row.
      refusals.note({ kind: 'session:device', actor: { id: tried, role: 'device' }, address }, { action: 'session:device', error: backoffError(wait), payload: { deviceId: tried } });
      backoff.answerLater(deviceId, wait, () => next(new Error(backoffMessage(backoff.remaining(deviceId)))));
      return;
    }
    throttle.attempt({ account: `device:${tried}`, address }, () => checkDevice(db, deviceId, secret))
      // The session's entry outside the throttle's gate (it bounds secret checks, not writes), batched with
      // the other devices connecting in this turn; the device is let in once it is stored.
      .then(async (device) => {
        await audit(deviceSessionBegun(device, Date.now(), { address }));
        return device;
      }).then((device) => {
        // A device cut for flooding a moment ago is cut sooner if it floods again (limits.ts).
        socket.data = { actor: { id: device.id, role: 'device', unitIds: device.kind === 'gateway' ? 'any' : [device.unitId!] }, watched: backoff.watched(deviceId) };
        next();
      }, (e: unknown) => {
        refusals.note({ kind: 'session:device', actor: { id: tried, role: 'device' }, address }, { action: 'session:device', error: authRefusal(e), payload: { deviceId: tried } });
        next(new Error(e instanceof AuthError ? e.message : 'auth_failed: device could not be checked'));
      });
  });

  field.on('connection', (socket) => {
    const actor = () => socket.data.actor;
    // Revoked between its secret being checked and now: the revoke's disconnect missed this socket.
    if (findDevice(db, actor().id)?.revokedAt != null) {
      socket.disconnect(true);
      return;
    }
    const units = actor().unitIds ?? [];
    socket.on('disconnect', (reason) => {
      const id = actor().id;
      Promise.resolve(deviceDisconnected(db, id, reason, Date.now(), { address: peerAddress(socket) }, audit))
        .catch((e: unknown) => deps.log(`could not audit the end of ${id}'s session: ${(e as Error).message}`));
    });
    socket.join(deviceRoom(actor().id));
    if (units === 'any') socket.join('gateways');
    else socket.join(['terminals', ...units.map((u) => `unit:${u}`)]);
    const now = Date.now();
    socket.emit('session:ready', { deviceId: actor().id, unitIds: units, headSeq: headSeq(db), hubTime: now, mode: currentMode(db)!, areaModes: activeAreaModes(db, now), profiles: profilesInForce(db) });
    bindTables(deps, socket, actor, fieldHandlers, fieldRequests, NAMESPACES.field);
    bindVoice(deps, socket, actor, 'field');
  });
}

/** How many connections each device has now. */
export function devicePresence(field: FieldNamespace): Map<string, number> {
  const online = new Map<string, number>();
  for (const socket of field.sockets.values()) online.set(socket.data.actor.id, (online.get(socket.data.actor.id) ?? 0) + 1);
  return online;
}
