// The console's attendance picture without a browser: standings, tallies per squad and cell, who counts
// for staffing, and fence alerts that clear themselves from the notices when the unit is back.
import { describe, expect, it } from 'vitest';
import type { FenceAlert, Shift } from '../../shared/attendance';
import type { Alert, Unit } from '../../shared/domain';
import { applyEvent, emptyState, type HubState } from '../../renderer/src/hub/state';
import { attendanceMarks, checkedIn, currentShifts, exceptions, tally } from '../../renderer/src/state/attendance';
import { UnitFeed } from '../../renderer/src/map/unit-feed';
import type { Track } from '../../renderer/src/hub/positions';

const H = 3600_000;
const T = 1_800_000_000_000;
const unit = (id: string, squad: string, cellId: string): Unit => ({
  id, kind: 'officer', name: id, badge: null, plate: null, squad, cellId, postId: `post-${cellId}`, routeId: null, cameraId: null, status: 'on_post',
});
const shift = (unitId: string, cellId: string, state: Shift['state'], startsAt = T - H): Shift => ({
  id: `sh-${unitId}-${startsAt}`, unitId, postId: `post-${cellId}`, cellId, startsAt, endsAt: startsAt + 8 * H, state,
  checkedInAt: state === 'on_duty' ? startsAt : null, via: state === 'on_duty' ? 'fence' : null, source: 'demo',
});
const byId = <V extends { id: string }>(xs: V[]) => new Map(xs.map((x) => [x.id, x]));

describe('attendance in the console', () => {
  const units = new Map([unit('a', '一中队', 'c1'), unit('b', '一中队', 'c1'), unit('c', '二中队', 'c2'), unit('d', '二中队', 'c2')].map((u) => [u.id, u]));
  const shifts = byId([shift('a', 'c1', 'on_duty'), shift('b', 'c1', 'late'), shift('c', 'c2', 'missing'), shift('d', 'c2', 'on_duty', T - 10 * H)]);
  const fence: FenceAlert = { id: 'fence-1', unitId: 'a', kind: 'cell', areaId: 'c1', raisedAt: T, position: [0, 0], since: T - 1000, clearedAt: null, acknowledgedBy: null, acknowledgedAt: null };

  it('tallies on duty, late, missing and off post per squad and per cell, over shifts in force now only', () => {
    expect([...currentShifts(shifts, T).keys()].sort()).toEqual(['a', 'b', 'c']); // d's shift ended at T − 2 h
    expect(tally(units, shifts, byId([fence]), T, 'squad')).toEqual([
      { key: '二中队', onDuty: 0, late: 0, missing: 1, offPost: 0, due: 0 },
      { key: '一中队', onDuty: 1, late: 1, missing: 0, offPost: 1, due: 0 },
    ]);
    expect(tally(units, shifts, new Map(), T, 'cell').map((r) => [r.key, r.onDuty, r.late, r.missing])).toEqual([['c2', 0, 0, 1], ['c1', 1, 1, 0]]);
  });

  it('counts for staffing only officers checked in on a shift in force; with no roster at all, nobody is filtered', () => {
    expect([...checkedIn(shifts, T)!]).toEqual(['a']);
    expect(checkedIn(new Map(), T)).toBeNull();
  });

  it('a fence alert raised shows as a notice; back inside it leaves the notices; acknowledged too, it leaves the list', () => {
    let s: HubState = emptyState('http://hub');
    let seq = 0;
    const apply = (data: Parameters<typeof applyEvent>[1]['data']) => (s = applyEvent(s, { seq: ++seq, at: T, data }));
    const alert: Alert = { id: fence.id, kind: 'geofence', subjectId: 'a', at: T, message: { zh: '离开网格', en: 'left the cell' } };
    apply({ type: 'fence:updated', fence });
    apply({ type: 'alert:raised', alert });
    expect(s.alerts.map((a) => a.id)).toEqual(['fence-1']);
    apply({ type: 'fence:updated', fence: { ...fence, clearedAt: T + 1000 } });
    expect(s.alerts).toEqual([]);
    expect(s.fences.get('fence-1')?.clearedAt).toBe(T + 1000); // still to be acknowledged
    apply({ type: 'fence:updated', fence: { ...fence, clearedAt: T + 1000, acknowledgedBy: 'operator', acknowledgedAt: T + 2000 } });
    expect(s.fences.size).toBe(0);
  });

  it('marks each officer on a shift late, missing, off post (an open fence alert beats on post) or on post; a cleared alert is on post again', () => {
    expect(attendanceMarks(shifts, byId([fence]), T)).toEqual(new Map([['a', 'off'], ['b', 'late'], ['c', 'missing']]));
    expect(attendanceMarks(shifts, byId([{ ...fence, clearedAt: T }]), T).get('a')).toBe('on');
    expect(attendanceMarks(shifts, new Map(), T).has('d')).toBe(false); // shift over: no mark
  });

  it('the map feed carries the mark and sends it again only when it changes', () => {
    const feed = new UnitFeed('officer');
    const track = (t: number) => ({ fix: { unitId: 'a', t, lng: 118.78, lat: 32.04 }, trail: [] }) as unknown as Track;
    const tracks = new Map([['a', track(T)]]);
    const first = feed.diff(['a'], units, tracks, T, new Map([['a', 'late']]));
    expect(first?.add?.[0]?.properties).toMatchObject({ att: 'late', cls: 'on_post' });
    expect(feed.diff(['a'], units, tracks, T, new Map([['a', 'late']]))).toBeNull();
    // A changed unit goes again whole (unit-feed.ts: never as an update), with its new mark.
    expect(feed.diff(['a'], units, tracks, T, new Map([['a', 'on']]))?.add?.[0]?.properties).toMatchObject({ att: 'on', cls: 'on_post' });
    // The fix goes stale: the class changes (the layer greys the mark and adds "?"), the mark stays.
    expect(feed.diff(['a'], units, tracks, T + 60_000, new Map([['a', 'on']]))?.add?.[0]?.properties).toMatchObject({ att: 'on', cls: 'stale' });
  });

  it('lists every exception, most urgent mark first and the newest first within a mark, so one just raised is on top of many older ones', () => {
    // 30 officers late since a shift that began an hour ago, one late since a shift begun two minutes ago,
    // one missing, two off post (one left before the other).
    const many = [...Array.from({ length: 30 }, (_, i) => shift(`old-${String(i).padStart(2, '0')}`, 'c1', 'late')), shift('new', 'c1', 'late', T - 120_000),
      shift('gone', 'c2', 'missing'), shift('a', 'c1', 'on_duty'), shift('e', 'c2', 'on_duty')];
    const all = byId(many);
    const fences = byId([fence, { ...fence, id: 'fence-2', unitId: 'e', areaId: 'c2', since: T - 500 }]);
    const list = exceptions(attendanceMarks(all, fences, T), all, fences, T);
    expect(list).toHaveLength(34); // none left out
    expect(list.slice(0, 3).map((x) => [x.unitId, x.mark])).toEqual([['gone', 'missing'], ['new', 'late'], ['old-00', 'late']]);
    expect(list.slice(-2).map((x) => [x.unitId, x.mark])).toEqual([['e', 'off'], ['a', 'off']]); // e left after a
    expect(exceptions(attendanceMarks(all, new Map(), T), all, new Map(), T).some((x) => x.mark === 'off' || x.unitId === 'a')).toBe(false); // on post is no exception
  });
});
