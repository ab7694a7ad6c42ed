// Who is where they should be, from the hub's shifts, fence alerts and positions: each officer's standing
// now, and counts per squad and per cell. Pure functions of the hub state, so the list, the map and the
// tests read one rule.
import type { FenceAlert, Shift } from '../../../shared/attendance';
import type { Unit } from '../../../shared/domain';

/** An officer's standing now: on duty (checked in), late or missing (no check-in past the limits), due (shift not begun or in its grace), or off shift. */
export type Standing = 'on_duty' | 'late' | 'missing' | 'due' | 'off_shift';

/** The shift each unit is on at t (started, not ended), or about to start within `aheadMs`. */
export function currentShifts(shifts: ReadonlyMap<string, Shift>, t: number, aheadMs = 30 * 60_000): Map<string, Shift> {
  const out = new Map<string, Shift>();
  for (const s of shifts.values()) {
    if (s.startsAt > t + aheadMs || s.endsAt <= t) continue;
    const have = out.get(s.unitId);
    if (!have || s.startsAt < have.startsAt) out.set(s.unitId, s);
  }
  return out;
}

export function standingOf(shift: Shift | undefined): Standing {
  if (!shift) return 'off_shift';
  if (shift.state === 'on_duty') return 'on_duty';
  if (shift.state === 'late' || shift.state === 'missing') return shift.state;
  return 'due';
}

/** Units with an open fence alert (outside their cell or off their route now). */
export function offPost(fences: ReadonlyMap<string, FenceAlert>): Set<string> {
  const out = new Set<string>();
  for (const f of fences.values()) if (f.clearedAt === null) out.add(f.unitId);
  return out;
}

/**
 * Officers who count for staffing: checked in on their shift now. Null when the hub has no roster
 * (no shifts at all): then the map counts officers by their status, as before attendance existed.
 */
export function checkedIn(shifts: ReadonlyMap<string, Shift>, t: number): Set<string> | null {
  if (shifts.size === 0) return null;
  const out = new Set<string>();
  for (const [unitId, s] of currentShifts(shifts, t, 0)) if (s.state === 'on_duty') out.add(unitId);
  return out;
}

/** The squad or the cell an officer on a shift is counted in. */
export function groupOf(u: Unit, s: Shift, by: 'squad' | 'cell'): string {
  return (by === 'squad' ? u.squad : s.cellId ?? u.cellId) ?? '—';
}

export type Tally = { key: string; onDuty: number; late: number; missing: number; offPost: number; due: number };

/** Counts per squad or per cell of the officers on a shift now (or about to start). */
export function tally(units: ReadonlyMap<string, Unit>, shifts: ReadonlyMap<string, Shift>, fences: ReadonlyMap<string, FenceAlert>, t: number, by: 'squad' | 'cell'): Tally[] {
  const now = currentShifts(shifts, t);
  const out = offPost(fences);
  const rows = new Map<string, Tally>();
  for (const [unitId, s] of now) {
    const u = units.get(unitId);
    if (!u) continue;
    const key = groupOf(u, s, by);
    const row = rows.get(key) ?? { key, onDuty: 0, late: 0, missing: 0, offPost: 0, due: 0 };
    const st = standingOf(s);
    if (st === 'on_duty') row.onDuty++;
    else if (st === 'late') row.late++;
    else if (st === 'missing') row.missing++;
    else if (st === 'due') row.due++;
    if (out.has(unitId)) row.offPost++;
    rows.set(key, row);
  }
  return [...rows.values()].sort((a, b) => b.missing - a.missing || b.late - a.late || b.offPost - a.offPost || a.key.localeCompare(b.key));
}

/** What the map marks on an officer's symbol: late or missing for the check-in, off post (an open fence alert), or on post. */
export type AttendanceMark = 'late' | 'missing' | 'off' | 'on';

/**
 * Each officer on a shift now, by the mark the map and the list show. Missing and late say no check-in
 * came (whatever the position); off post beats on post (checked in, but outside the cell now).
 */
export function attendanceMarks(shifts: ReadonlyMap<string, Shift>, fences: ReadonlyMap<string, FenceAlert>, t: number): Map<string, AttendanceMark> {
  const out = offPost(fences);
  const marks = new Map<string, AttendanceMark>();
  for (const [unitId, s] of currentShifts(shifts, t, 0)) {
    const st = standingOf(s);
    if (st === 'late' || st === 'missing') marks.set(unitId, st);
    else if (st === 'on_duty') marks.set(unitId, out.has(unitId) ? 'off' : 'on');
  }
  // An open fence alert outside a shift in force (a vehicle off its route, a shift just ended) still shows.
  for (const unitId of out) if (!marks.has(unitId)) marks.set(unitId, 'off');
  return marks;
}

const URGENCY: Record<AttendanceMark, number> = { missing: 0, late: 1, off: 2, on: 3 };

/**
 * The exceptions the map marks (missing, late, off post), for the list: most urgent mark first, and
 * within a mark the newest first (the latest shift start, the latest to leave the cell), so what just
 * happened is at the top however many older exceptions stand.
 */
export function exceptions(marks: ReadonlyMap<string, AttendanceMark>, shifts: ReadonlyMap<string, Shift>, fences: ReadonlyMap<string, FenceAlert>, t: number): { unitId: string; mark: AttendanceMark; since: number }[] {
  const current = currentShifts(shifts, t, 0);
  const left = new Map<string, number>();
  for (const f of fences.values()) if (f.clearedAt === null) left.set(f.unitId, Math.max(left.get(f.unitId) ?? -Infinity, f.since));
  const out: { unitId: string; mark: AttendanceMark; since: number }[] = [];
  for (const [unitId, mark] of marks) {
    if (mark === 'on') continue;
    const since = mark === 'off' ? left.get(unitId) ?? 0 : current.get(unitId)?.startsAt ?? 0;
    out.push({ unitId, mark, since });
  }
  return out.sort((a, b) => URGENCY[a.mark] - URGENCY[b.mark] || b.since - a.since || a.unitId.localeCompare(b.unitId));
}
