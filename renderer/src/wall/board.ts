// The dashboard's figures, counted from the hub state (pure, so the counting is plain to read and test).
import { INCIDENT_CATEGORY_LABELS, type IncidentCategory, type UnitStatus } from '../../../shared/domain';
import type { HubState } from '../hub';

export const ON_DUTY: readonly UnitStatus[] = ['on_post', 'patrolling', 'on_task', 'sos'];
export const CATEGORIES = Object.keys(INCIDENT_CATEGORY_LABELS) as IncidentCategory[];

export type Board = {
  onDuty: Record<UnitStatus, number>;
  onDutyTotal: number;
  openByCategory: Record<IncidentCategory, number>;
  openTotal: number;
  /** SOS not yet resolved, oldest first */
  sos: { id: string; unitName: string; raisedAt: number; acknowledged: boolean }[];
  streams: { up: number; starting: number; down: number; idle: number };
};

type BoardInput = Pick<HubState, 'units' | 'incidents' | 'sos' | 'streams'>;

export function countBoard(s: BoardInput): Board {
  const onDuty: Record<UnitStatus, number> = { on_post: 0, patrolling: 0, on_task: 0, sos: 0, off_duty: 0 };
  for (const u of s.units.values()) onDuty[u.status] += 1;
  const openByCategory = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<IncidentCategory, number>;
  let openTotal = 0;
  for (const i of s.incidents.values()) {
    // "open" for the wall: not yet finished, whether or not someone is on the way
    if (i.state === 'open' || i.state === 'dispatched') {
      openByCategory[i.category] += 1;
      openTotal += 1;
    }
  }
  const sos = [...s.sos.values()]
    .filter((x) => x.state !== 'resolved')
    .sort((a, b) => a.raisedAt - b.raisedAt)
    .map((x) => ({ id: x.id, unitName: s.units.get(x.unitId)?.name ?? x.unitId, raisedAt: x.raisedAt, acknowledged: x.state === 'acknowledged' }));
  const streams = { up: 0, starting: 0, down: 0, idle: 0 };
  for (const h of s.streams.values()) streams[h.state] += 1;
  return {
    onDuty,
    onDutyTotal: ON_DUTY.reduce((n, st) => n + onDuty[st], 0),
    openByCategory,
    openTotal,
    sos,
    streams,
  };
}
