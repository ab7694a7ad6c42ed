// The admin console's reads of accounts: people with their running sessions, and devices, each with
// how many connections it has now (from the live sockets, services.presence).
import type { DevicesList, PeopleList } from '../../../shared/protocol/accounts';
import { listDevices, listLiveSessions, listUsers } from '../../store/people';
import type { RequestDef, RequestTable } from '../requests';
import type { HubServices } from '../services';
import { EmptyRequest } from './reads';

const peopleRequest = (): RequestDef<typeof EmptyRequest, PeopleList, HubServices> => ({
  name: 'people:list', schema: EmptyRequest, roles: ['admin'],
  handle: ({ db, services, now }) => {
    const online = services.presence().sessions;
    const byUser = new Map<string, ReturnType<typeof listLiveSessions>>();
    for (const s of listLiveSessions(db, now)) byUser.set(s.userId, [...(byUser.get(s.userId) ?? []), s]);
    const people = listUsers(db).map((u) => ({
      ...u, sessions: (byUser.get(u.id) ?? []).map((s) => ({ id: s.id, createdAt: s.createdAt, expiresAt: s.expiresAt, online: online.get(s.id) ?? 0 })),
    }));
    return { ok: true, result: { people } };
  },
});

const devicesRequest = (): RequestDef<typeof EmptyRequest, DevicesList, HubServices> => ({
  name: 'devices:list', schema: EmptyRequest, roles: ['admin'],
  handle: ({ db, services }) => {
    const online = services.presence().devices;
    return { ok: true, result: { devices: listDevices(db).map((d) => ({ ...d, label: d.label ?? null, revokedAt: d.revokedAt ?? null, online: online.get(d.id) ?? 0 })) } };
  },
});

/** Built when the table is (a function, as reads.ts and this file import each other). */
export function accountReads(): RequestTable<HubServices> {
  return { 'people:list': peopleRequest(), 'devices:list': devicesRequest() };
}
