// The wall preset rule (renderer/src/wall/preset.ts): a display shows its preset in the city's mode,
// switches to the emergency preset with the area's cameras when an emergency is declared for an area it
// covers, ignores emergencies elsewhere, and comes back under the key it was left under.
import { describe, expect, it } from 'vitest';
import type { Area, Camera, ModeChange, ModeName } from '../../shared/domain';
import { MODE_PROFILES, type ModeProfile } from '../../shared/modes';
import { areaCameras, wallFor } from '../../renderer/src/wall/preset';

const square = (x0: number, y0: number, x1: number, y1: number): Area['polygon'] => ({ type: 'Polygon', coordinates: [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]] });
const AREAS = new Map<string, Area>([
  ['dist-n', { id: 'dist-n', kind: 'district', name: '北片区', parentId: null, polygon: square(118.70, 32.05, 118.80, 32.10), center: [118.75, 32.075], radiusM: null }],
  ['dist-s', { id: 'dist-s', kind: 'district', name: '南片区', parentId: null, polygon: square(118.70, 32.00, 118.80, 32.05), center: [118.75, 32.025], radiusM: null }],
  ['cell-n1', { id: 'cell-n1', kind: 'cell', name: '北-1', parentId: 'dist-n', polygon: square(118.70, 32.05, 118.75, 32.10), center: [118.725, 32.075], radiusM: null }],
  ['post-n1', { id: 'post-n1', kind: 'post', name: '北岗', parentId: 'cell-n1', polygon: null, center: [118.72, 32.07], radiusM: 50 }],
]);
const cam = (id: string, at: [number, number] | null, key: boolean, kind: Camera['kind'] = 'fixed'): Camera =>
  ({ id, kind, name: id, position: at, facing: 0, unitId: null, sources: [{ kind: 'testsrc', url: `testsrc://${id}` }], key });
const CAMERAS = [
  cam('k-n1', [118.72, 32.07], true), cam('k-s1', [118.75, 32.02], true), cam('k-n2', [118.78, 32.08], true),
  cam('f-n1', [118.71, 32.06], false), cam('f-s1', [118.71, 32.01], false), cam('body-1', null, false, 'body'),
];
const emergency = (areaId: string, at: number): ModeChange =>
  ({ mode: 'emergency', reason: 'flood', areaId, by: 'manager', at, kind: 'switch', from: 'daily', endsAt: null, profileVersion: 1 });

function input(over: Partial<Parameters<typeof wallFor>[0]> = {}) {
  return { displayId: 'left', cityMode: 'daily' as ModeName, profiles: MODE_PROFILES as Record<ModeName, ModeProfile>, overrides: new Map<string, ModeChange>(), areas: AREAS, cameras: CAMERAS, ...over };
}

describe('a video wall display follows the mode in force for what it covers', () => {
  it('in the city\'s mode: that mode\'s layout, the key cameras in order', () => {
    expect(wallFor(input())).toEqual({ key: 'left-daily', mode: 'daily', areaIds: [], layout: MODE_PROFILES.daily.wall.layout, cameraIds: ['k-n1', 'k-s1', 'k-n2'] });
    expect(wallFor(input({ cityMode: 'night' }))).toMatchObject({ key: 'left-night', layout: MODE_PROFILES.night.wall.layout });
  });

  it('an emergency for one district: the emergency layout, that district\'s key cameras then its other fixed ones; a body camera never', () => {
    const w = wallFor(input({ overrides: new Map([['dist-n', emergency('dist-n', 5)]]) }));
    expect(w).toEqual({ key: 'left-emergency@dist-n.5', mode: 'emergency', areaIds: ['dist-n'], layout: MODE_PROFILES.emergency.wall.layout, cameraIds: ['k-n1', 'k-n2', 'f-n1'] });
  });

  it('a display covering only the south ignores the north\'s emergency, and shows the south\'s key cameras meanwhile', () => {
    const profiles = { ...MODE_PROFILES, daily: { ...MODE_PROFILES.daily, wallByDisplay: { right: { layout: '4' as const, cameras: 'key' as const, covers: ['dist-s'] } } } };
    const north = new Map([['dist-n', emergency('dist-n', 5)]]);
    expect(wallFor(input({ displayId: 'right', profiles, overrides: north }))).toEqual({ key: 'right-daily', mode: 'daily', areaIds: [], layout: '4', cameraIds: ['k-s1', 'f-s1'] });
    expect(wallFor(input({ displayId: 'left', profiles, overrides: north })).mode).toBe('emergency'); // the display without covers watches the whole city
    const south = new Map([['dist-s', emergency('dist-s', 9)]]);
    expect(wallFor(input({ displayId: 'right', profiles, overrides: south }))).toMatchObject({ mode: 'emergency', areaIds: ['dist-s'], cameraIds: ['k-s1', 'f-s1'] });
  });

  it('an emergency for a cell switches a display that covers its district, and one for the district a display that covers the cell', () => {
    const covers = (ids: string[]) => ({ ...MODE_PROFILES, daily: { ...MODE_PROFILES.daily, wallByDisplay: { d: { layout: '9' as const, cameras: 'key' as const, covers: ids } } } });
    expect(wallFor(input({ displayId: 'd', profiles: covers(['dist-n']), overrides: new Map([['cell-n1', emergency('cell-n1', 1)]]) }))).toMatchObject({ mode: 'emergency', cameraIds: ['k-n1', 'f-n1'] });
    expect(wallFor(input({ displayId: 'd', profiles: covers(['cell-n1']), overrides: new Map([['dist-n', emergency('dist-n', 1)]]) }))).toMatchObject({ mode: 'emergency', cameraIds: ['k-n1', 'k-n2', 'f-n1'] });
    expect(wallFor(input({ displayId: 'd', profiles: covers(['dist-s']), overrides: new Map([['cell-n1', emergency('cell-n1', 1)]]) })).mode).toBe('daily');
  });

  it('a listed camera stays on its tile whatever the area; a display\'s own preset wins over the mode\'s', () => {
    const profiles = { ...MODE_PROFILES, emergency: { ...MODE_PROFILES.emergency, wallByDisplay: { left: { layout: '1+5' as const, cameras: ['f-s1', 'k-n1'] } } } };
    expect(wallFor(input({ profiles, overrides: new Map([['dist-n', emergency('dist-n', 5)]]) }))).toMatchObject({ layout: '1+5', cameraIds: ['f-s1', 'k-n1'] });
  });

  it('when the emergency ends the display is back under the key it was left under; a new emergency starts afresh', () => {
    const during = wallFor(input({ overrides: new Map([['dist-n', emergency('dist-n', 5)]]) }));
    const after = wallFor(input());
    const again = wallFor(input({ overrides: new Map([['dist-n', emergency('dist-n', 99)]]) }));
    expect(after.key).toBe('left-daily');
    expect(new Set([during.key, after.key, again.key]).size).toBe(3);
  });

  it('two emergencies on one display: cameras of both, in the order they were declared', () => {
    const both = new Map([['dist-s', emergency('dist-s', 7)], ['dist-n', emergency('dist-n', 3)]]);
    expect(wallFor(input({ overrides: both }))).toMatchObject({ areaIds: ['dist-n', 'dist-s'], cameraIds: ['k-n1', 'k-n2', 'k-s1', 'f-n1', 'f-s1'] });
  });

  it('a post counts by its radius', () => {
    expect(areaCameras(AREAS, CAMERAS, ['post-n1'])).toEqual(['k-n1']);
  });
});
