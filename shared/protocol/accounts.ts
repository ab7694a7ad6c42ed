// What the admin console reads about accounts: people with their running sessions, and devices.
import type { UserPublic } from '../domain';

/** A running session; `id` is what `session:revoke` takes, `online` how many consoles are connected on it now. */
export type SessionInfo = { id: string; createdAt: number; expiresAt: number; online: number };
export type PersonInfo = UserPublic & { disabled: boolean; createdAt: number; sessions: SessionInfo[] };
export type PeopleList = { people: PersonInfo[] };

/** `online`: connections of this device now; `label`: what the admin called it at enrolment; `revokedAt`: null while it may connect. */
export type DeviceInfo = {
  id: string; kind: 'terminal' | 'gateway'; unitId: string | null; label: string | null; revokedAt: number | null; createdAt: number; online: number;
};
export type DevicesList = { devices: DeviceInfo[] };
