// Who is on a channel. The center (operators and duty managers) is on every channel; a field terminal is
// on its unit's channel, on the channels of the areas its unit belongs to (its cell, its post, and the
// districts above them), and on `all` while its unit is on duty. A gateway speaks for no one person, so
// it is on no channel. A device may talk only on its own unit's channel: to the center.
import type { Area, Unit } from '../../../shared/domain';
import type { Actor } from '../commands';
import { CommandFailure } from '../commands';

export const CENTER_ROLES: readonly string[] = ['operator', 'duty_manager'];

/** The area ids a unit belongs to: its cell and post and every area above them. */
export function unitAreas(unit: Unit, areas: readonly Area[]): Set<string> {
  const byId = new Map(areas.map((a) => [a.id, a]));
  const out = new Set<string>();
  for (let id of [unit.cellId, unit.postId]) {
    while (id && !out.has(id)) {
      out.add(id);
      id = byId.get(id)?.parentId ?? null;
    }
  }
  return out;
}

export type Membership = { center: true } | { center: false; unitId: string | null; areas: Set<string> };

export function onChannel(m: Membership, channel: string, unitOnDuty: (unitId: string) => boolean): boolean {
  if (m.center) return true;
  if (m.unitId === null) return false;
  if (channel === 'all') return unitOnDuty(m.unitId);
  if (channel.startsWith('unit:')) return channel.slice(5) === m.unitId;
  return m.areas.has(channel.slice(5));
}

/** Refuses a talk the actor may not start: a device beyond its own unit's channel, or a channel naming nothing. */
export function checkTalk(actor: Actor, channel: string, exists: { unit: (id: string) => boolean; area: (id: string) => boolean }): void {
  const id = channel.slice(5);
  if (actor.role === 'device') {
    const units = actor.unitIds;
    if (units === 'any' || !units || !channel.startsWith('unit:') || !units.includes(id)) {
      throw new CommandFailure('forbidden', `device ${actor.id} may talk only on its own unit's channel, not ${channel}`);
    }
    return;
  }
  if (channel.startsWith('unit:') && !exists.unit(id)) throw new CommandFailure('not_found', `no unit ${id}`);
  if (channel.startsWith('area:') && !exists.area(id)) throw new CommandFailure('not_found', `no area ${id}`);
}
