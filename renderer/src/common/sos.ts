// What every screen says about an open SOS, from the hub state: who, where (district, then the street the
// hub resolved or else the grid cell), since when, how far it has gone; and which cameras show it.
import type { Camera, LngLat, Sos } from '../../../shared/domain';
import { distanceM, pointInPolygon } from '../../../shared/geo';
import type { HubState } from '../hub';
import { pick } from '../i18n';

/** Fixed cameras brought onto the wall beside the officer's body camera. */
export const SOS_NEAR_CAMERAS = 5;

/** Not yet resolved, oldest first. */
export function openSos(s: Pick<HubState, 'sos'>): Sos[] {
  return [...s.sos.values()].filter((x) => x.state !== 'resolved').sort((a, b) => a.raisedAt - b.raisedAt || (a.id < b.id ? -1 : 1));
}

type Named = { id: string; name: string };
export type SosPlace = { district: Named | null; cell: Named | null; street: string | null };

export function sosPlace(s: Pick<HubState, 'areas'>, sos: Sos, lang: string): SosPlace {
  let district: Named | null = null;
  let cell: Named | null = null;
  for (const a of s.areas.values()) {
    if (!a.polygon || (a.kind !== 'district' && a.kind !== 'cell')) continue;
    if (a.kind === 'district' ? district !== null : cell !== null) continue;
    if (!pointInPolygon(sos.position, a.polygon)) continue;
    if (a.kind === 'district') district = { id: a.id, name: a.name };
    else cell = { id: a.id, name: a.name };
  }
  return { district, cell, street: sos.street ? pick(sos.street, lang) : null };
}

/** "新街口 · 中山东路": the district and the street, or the cell where no street is known. */
export function placeText(p: SosPlace): string {
  return [p.district?.name, p.street ?? p.cell?.name].filter(Boolean).join(' · ');
}

export function officerName(s: Pick<HubState, 'units'>, sos: Sos): string {
  return s.units.get(sos.unitId)?.name ?? sos.unitId;
}

/**
 * The cameras that show an SOS: the officer's body camera first, then the nearest fixed cameras to where
 * it was pressed.
 */
export function sosCameras(s: Pick<HubState, 'units' | 'cameras'>, sos: Sos, near = SOS_NEAR_CAMERAS): string[] {
  const unit = s.units.get(sos.unitId);
  const body = unit?.cameraId && s.cameras.has(unit.cameraId) ? [unit.cameraId] : [];
  const fixed = [...s.cameras.values()]
    .filter((c): c is Camera & { position: LngLat } => c.kind === 'fixed' && c.position !== null)
    .map((c) => ({ id: c.id, d: distanceM(c.position, sos.position) }))
    .sort((a, b) => a.d - b.d || (a.id < b.id ? -1 : 1))
    .slice(0, near)
    .map((c) => c.id);
  return [...body, ...fixed];
}
