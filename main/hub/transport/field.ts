// The /field namespace: devices (a terminal speaks for one unit, a gateway for any). Handshake auth by
// device id and secret, then field commands, the position stream and resume through the guard.
import type { Namespace } from 'socket.io';
import type { FieldClientEvents, FieldServerEvents } from '../../../shared/protocol/sockets';
import { NAMESPACES } from '../../../shared/protocol/sockets';
import { headSeq } from '../../store/log';
import { currentMode } from '../../store/operations';
import { AuthError, authenticateDevice } from '../auth';
import { refuse, type Actor } from '../commands';
import { fieldHandlers, fieldRequests } from '../handlers/field';
import { bindTables, type DispatchDeps } from './dispatch';

export type FieldData = { actor: Actor };
export type FieldNamespace = Namespace<FieldClientEvents, FieldServerEvents, Record<string, never>, FieldData>;

export function attachField(field: FieldNamespace, deps: DispatchDeps & { onDisconnect: (socketId: string) => void }): void {
  const { db } = deps;

  field.use((socket, next) => {
    const auth = socket.handshake.auth as Record<string, unknown>;
    if (typeof auth.deviceId !== 'string' || typeof auth.secret !== 'string') {
      next(new Error(typeof auth.username === 'string'
        ? 'wrong_namespace: people log in on /console, not /field'
        : 'auth_required: give deviceId and secret'));
      return;
    }
    authenticateDevice(db, auth.deviceId, auth.secret).then((device) => {
      socket.data = { actor: { id: device.id, role: 'device', unitIds: device.kind === 'gateway' ? 'any' : [device.unitId!] } };
      next();
    }, (e) => {
      refuse(db, { id: String(auth.deviceId).slice(0, 64), role: 'device' }, 'session:device', { deviceId: auth.deviceId }, { code: 'forbidden', message: (e as Error).message }, Date.now());
      next(new Error(e instanceof AuthError ? e.message : 'auth_failed: device could not be checked'));
    });
  });

  field.on('connection', (socket) => {
    const actor = () => socket.data.actor;
    const units = actor().unitIds ?? [];
    socket.on('disconnect', () => deps.onDisconnect(socket.id));
    if (units === 'any') socket.join('gateways');
    else socket.join(['terminals', ...units.map((u) => `unit:${u}`)]);
    socket.emit('session:ready', { deviceId: actor().id, unitIds: units, headSeq: headSeq(db), hubTime: Date.now(), mode: currentMode(db)! });
    bindTables(deps, socket, actor, fieldHandlers, fieldRequests, NAMESPACES.field);
  });
}
