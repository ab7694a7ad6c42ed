// Attendance and fence commands: check-ins held to the post's fence, overrides granted by a person,
// late and missing shifts, roll-calls, fence alerts raised and cleared by the hub and acknowledged by
// an operator, and the roster import. Field, console and system handlers, each through runCommand.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { fixProblem, outsideCell, outsidePost, type FenceAlert, type OverrideRequest, type RollCall, type Shift } from '../../../shared/attendance';
import { Id, LngLat, type Alert, type CheckIn, type Unit } from '../../../shared/domain';
import { CommandId, consoleCommands, fieldCommands } from '../../../shared/protocol/commands';
import { centerTimeText } from '../../../shared/time';
import {
  acknowledgeFenceAlert, answerRollCall, clearFenceAlert, closeRollCall, decideOverride, findFenceAlert, findOverride, findRollCall,
  findShift, insertFenceAlert, insertOverride, insertRollCall, lastFixBefore, markShift, openFenceAlert, shiftForCheckIn, SNAPSHOT_SHIFTS_AHEAD_MS, unitsCheckedInAt,
} from '../../store/attendance';
import { findPost, listAreas, listUnits } from '../../store/city';
import type { Db } from '../../store/db';
import { gridVersion } from '../../store/grid';
import { insertCheckIn } from '../../store/operations';
import { cancelActions, scheduleAction } from '../../store/schedule';
import { CommandFailure, type CommandDef, type Emitted, type Handler, type TxContext } from '../commands';
import { effectiveMode, modeBasis } from '../modes';
import { addShift, checkRoster, ROSTER_ERRORS_LISTED, SHIFT_LATE, SHIFT_MISSING } from '../roster';
import { nextId } from './ids';
import { CHECKIN_MISSED, requireUnit, unitSpokenFor } from './shared';

const F = fieldCommands;
const C = consoleCommands;
const fieldDef = <K extends keyof typeof F, R>(name: K, handler: CommandDef<(typeof F)[K]['schema'], R>['handler']) =>
  ({ name, schema: F[name].schema, roles: ['device'], handler }) as CommandDef<(typeof F)[K]['schema'], R>;
const consoleDef = <K extends keyof typeof C, R>(name: K, handler: CommandDef<(typeof C)[K]['schema'], R>['handler']) =>
  ({ name, schema: C[name].schema, roles: C[name].roles, handler }) as CommandDef<(typeof C)[K]['schema'], R>;
const sys = <T extends z.ZodRawShape>(shape: T) =>
  z.strictObject({ commandId: CommandId, actionId: z.number().int().positive(), dueAt: z.number().int(), ...shape });
const systemDef = <S extends z.ZodType, R>(name: string, schema: S, handler: Handler<z.output<S>, R>): CommandDef<S, R> =>
  ({ name, schema, roles: ['system'], handler });

export const ROLLCALL_DEADLINE = 'rollcall:deadline';
export const FENCE_BREACH = 'fence:breach';
export const FENCE_RETURN = 'fence:return';
/** An officer may check in this long before the shift starts. */
export const EARLY_CHECKIN_MS = 30 * 60_000;
/** How far back the previous fix is looked for, for the speed rule. */
const PREVIOUS_FIX_WINDOW_MS = 10 * 60_000;
/** The previous fix is taken at least this much earlier: over a second or two, one coarse fix the pipeline took reads as a sprint. */
const PREVIOUS_FIX_MIN_GAP_MS = 10_000;

const alertEvent = (alert: Alert): Emitted => ({ data: { type: 'alert:raised', alert }, unitId: null });
const shiftEvent = (shift: Shift): Emitted => ({ data: { type: 'shift:updated', shift }, unitId: shift.unitId });

function refuseFix(db: Db, unit: Unit, position: LngLat, fix: { t: number; accuracy: number }, now: number): void {
  const previous = lastFixBefore(db, unit.id, fix.t - PREVIOUS_FIX_MIN_GAP_MS, PREVIOUS_FIX_WINDOW_MS);
  const problem = fixProblem(fix, position, now, unit.kind, previous);
  if (problem) throw new CommandFailure(problem.code, problem.message);
}

/**
 * A check-in recorded (by the fence or by an override): it settles the shift's late and missing checks,
 * puts the shift on duty, and starts the periodic clock-in at the mode's interval, within the shift.
 */
function recordCheckIn(
  { db, now, actor }: TxContext, unit: Unit, checkIn: CheckIn, via: 'fence' | 'override',
): { events: Emitted[]; nextDueBy: ReturnType<typeof modeBasis> } {
  insertCheckIn(db, checkIn);
  const events: Emitted[] = [{ data: { type: 'checkin:recorded', checkIn }, unitId: unit.id }];
  const shift = shiftForCheckIn(db, unit.id, now, EARLY_CHECKIN_MS);
  if (shift && shift.postId === checkIn.postId && shift.state !== 'on_duty') {
    markShift(db, shift.id, 'on_duty', { at: now, via });
    cancelActions(db, shift.id, [SHIFT_LATE, SHIFT_MISSING], now, 'checked in');
    events.push(shiftEvent({ ...shift, state: 'on_duty', checkedInAt: now, via }));
  }
  // The next check-in falls due one interval of the mode in force at the post (recorded with the decision).
  const inForce = effectiveMode(db, checkIn.postId, now);
  const interval = inForce.profile.checkInIntervalMin * 60_000;
  cancelActions(db, unit.id, [CHECKIN_MISSED], now, 'checked in');
  if (!shift || now + interval < shift.endsAt) {
    scheduleAction(db, {
      kind: CHECKIN_MISSED, subject: unit.id, payload: { unitId: unit.id, postId: checkIn.postId, lastAt: now }, dueAt: now + interval, cause: `${actor.id} checkin`,
    }, now);
  }
  return { events, nextDueBy: modeBasis(inForce) };
}

/** Officers a roll-call may draw: on duty (checked in on their shift; with no roster, not off duty) in the area. */
function rollCallCandidates(db: Db, areaId: string | null, now: number): Unit[] {
  const areas = listAreas(db);
  const inArea = (cellId: string | null): boolean => {
    if (areaId === null) return true;
    for (let a = areas.find((x) => x.id === cellId), hops = 0; a && hops < 8; a = areas.find((x) => x.id === a!.parentId), hops++) {
      if (a.id === areaId) return true;
    }
    return false;
  };
  const checkedIn = unitsCheckedInAt(db, now);
  return listUnits(db).filter((u) => u.kind === 'officer' && u.status !== 'off_duty' && u.status !== 'sos' && inArea(u.cellId)
    && (checkedIn.size === 0 || checkedIn.has(u.id)));
}

/** A small seeded generator (sfc32) so that a draw can be re-done from its recorded seed. */
function seeded(hex: string): () => number {
  let [a, b, c, d] = [0, 1, 2, 3].map((i) => parseInt(hex.slice(i * 8, i * 8 + 8), 16) >>> 0) as [number, number, number, number];
  return () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    const t = (a + b + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) + t;
    return (t >>> 0) / 4294967296;
  };
}

/** Draws `count` of `ids` (sorted first, so the draw depends only on the seed and the candidates). */
export function drawRollCall(ids: readonly string[], count: number, seedHex: string): string[] {
  const pool = [...ids].sort();
  const next = seeded(seedHex);
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, count).sort();
}

export const attendanceFieldHandlers = {
  'checkin:create': fieldDef('checkin:create', (ctx, p) => {
    const { db, now, timeZone } = ctx;
    const unit = unitSpokenFor(db, ctx.actor, p.unitId);
    const post = findPost(db, p.postId);
    if (!post) throw new CommandFailure('not_found', `no post ${p.postId}`);
    const shift = shiftForCheckIn(db, unit.id, now, EARLY_CHECKIN_MS);
    if (shift && shift.postId !== post.id) {
      throw new CommandFailure('conflict', `${unit.name} holds post ${findPost(db, shift.postId)?.name ?? shift.postId} on this shift, not ${post.name}`);
    }
    refuseFix(db, unit, p.position, p.fix, now);
    const outside = outsidePost(p.position, post);
    if (outside) throw new CommandFailure(outside.code, outside.message);
    const checkIn: CheckIn = { id: nextId(db, 'C', now, timeZone), unitId: unit.id, postId: post.id, position: p.position, at: now, onSite: true };
    const { events, nextDueBy } = recordCheckIn(ctx, unit, checkIn, 'fence');
    // The post's fence is the grid's: the version it was judged by is on the record with the mode's.
    return { result: { checkIn }, target: post.id, events, detail: { nextDueBy, gridVersion: gridVersion(db) } };
  }),

  'checkin:override-request': fieldDef('checkin:override-request', ({ db, now, actor, timeZone }, p) => {
    const unit = unitSpokenFor(db, actor, p.unitId);
    const post = findPost(db, p.postId);
    if (!post) throw new CommandFailure('not_found', `no post ${p.postId}`);
    const shift = shiftForCheckIn(db, unit.id, now, EARLY_CHECKIN_MS);
    const override: OverrideRequest = {
      id: nextId(db, 'O', now, timeZone), unitId: unit.id, postId: post.id, shiftId: shift?.id ?? null, position: p.position, reason: p.reason,
      refusal: p.refusal, at: now, state: 'requested', decidedBy: null, decidedAt: null, note: null,
    };
    insertOverride(db, override);
    const alert: Alert = {
      id: `alert-${override.id}`, kind: 'override_requested', subjectId: unit.id, at: now, notify: 'operator',
      message: {
        zh: `${unit.name} 请求人工确认在「${post.name}」打卡：${p.reason}`,
        en: `${unit.name} asks for a manual check-in at ${post.name}: ${p.reason}`,
      },
    };
    return { result: { override }, target: override.id, events: [{ data: { type: 'override:updated', override }, unitId: unit.id }, alertEvent(alert)] };
  }),

  'rollcall:answer': fieldDef('rollcall:answer', ({ db, now, actor }, p) => {
    const unit = unitSpokenFor(db, actor, p.unitId);
    const rc = findRollCall(db, p.rollCallId);
    const target = rc?.targets.find((x) => x.unitId === unit.id);
    if (!rc || !target) throw new CommandFailure('not_found', `no roll-call ${p.rollCallId} for ${unit.id}`);
    if (rc.closed || now > rc.deadline) throw new CommandFailure('conflict', `roll-call ${rc.id} closed at ${new Date(rc.deadline).toISOString()}`);
    if (target.state !== 'pending') throw new CommandFailure('conflict', `${unit.id} has already answered roll-call ${rc.id}`);
    refuseFix(db, unit, p.position, p.fix, now);
    const cell = unit.cellId ? listAreas(db).find((a) => a.id === unit.cellId) : undefined;
    const outside = cell && outsideCell(p.position, cell);
    if (outside) throw new CommandFailure(outside.code, outside.message);
    answerRollCall(db, rc.id, unit.id, now, p.position);
    const rollCall = findRollCall(db, rc.id)!;
    return { result: { rollCall }, target: rc.id, events: [{ data: { type: 'rollcall:updated', rollCall }, unitId: null }], detail: { gridVersion: gridVersion(db) } };
  }),
};

export const attendanceConsoleHandlers = {
  'checkin:override': consoleDef('checkin:override', (ctx, p) => {
    const { db, now, actor, timeZone } = ctx;
    const o = findOverride(db, p.requestId);
    if (!o) throw new CommandFailure('not_found', `no override request ${p.requestId}`);
    if (o.state !== 'requested') throw new CommandFailure('conflict', `override request ${o.id} was already ${o.state} by ${o.decidedBy}`);
    const state = p.grant ? 'granted' as const : 'refused' as const;
    decideOverride(db, o.id, state, actor.id, now, p.note);
    const override: OverrideRequest = { ...o, state, decidedBy: actor.id, decidedAt: now, note: p.note };
    const events: Emitted[] = [{ data: { type: 'override:updated', override }, unitId: o.unitId }];
    let checkIn: CheckIn | null = null;
    let nextDueBy: ReturnType<typeof modeBasis> | null = null;
    if (p.grant) {
      const unit = requireUnit(db, o.unitId);
      const post = findPost(db, o.postId);
      checkIn = {
        id: nextId(db, 'C', now, timeZone), unitId: unit.id, postId: o.postId, position: o.position, at: now,
        onSite: post ? outsidePost(o.position, post) === null : false, overrideBy: actor.id,
      };
      const recorded = recordCheckIn(ctx, unit, checkIn, 'override');
      events.push(...recorded.events);
      nextDueBy = recorded.nextDueBy;
    }
    return { result: { override, checkIn }, target: o.id, events, detail: { unitId: o.unitId, decision: state, ...(nextDueBy ? { nextDueBy, gridVersion: gridVersion(db) } : {}) } };
  }),

  'rollcall:start': consoleDef('rollcall:start', ({ db, now, actor, timeZone }, p) => {
    let picked: string[];
    let seed: string | null = null;
    let candidates: number | null = null;
    if (p.unitIds) {
      picked = [...new Set(p.unitIds)].sort();
      for (const id of picked) {
        const u = requireUnit(db, id);
        if (u.kind !== 'officer') throw new CommandFailure('conflict', `${id} is a vehicle; a roll-call calls officers`);
      }
    } else {
      if (p.areaId !== null && !listAreas(db).some((a) => a.id === p.areaId)) throw new CommandFailure('not_found', `no area ${p.areaId}`);
      const pool = rollCallCandidates(db, p.areaId, now).map((u) => u.id);
      if (pool.length === 0) throw new CommandFailure('conflict', 'no officer on duty there to call');
      seed = randomBytes(16).toString('hex');
      candidates = pool.length;
      picked = drawRollCall(pool, p.count!, seed);
    }
    const rollCall: RollCall = {
      id: nextId(db, 'R', now, timeZone), by: actor.id, at: now, deadline: now + p.answerWithinMin * 60_000, areaId: p.areaId,
      pick: p.unitIds ? 'hand' : 'random', seed, targets: picked.map((unitId) => ({ unitId, state: 'pending', answeredAt: null })), closed: false,
    };
    insertRollCall(db, rollCall);
    scheduleAction(db, { kind: ROLLCALL_DEADLINE, subject: rollCall.id, payload: { rollCallId: rollCall.id }, dueAt: rollCall.deadline, cause: `${actor.id} rollcall:start` }, now);
    return {
      result: { rollCall }, target: rollCall.id, events: [{ data: { type: 'rollcall:updated', rollCall }, unitId: null }],
      detail: { picked, seed, candidates },
    };
  }),

  'fence:acknowledge': consoleDef('fence:acknowledge', ({ db, now, actor }, p) => {
    const f = findFenceAlert(db, p.alertId);
    if (!f) throw new CommandFailure('not_found', `no fence alert ${p.alertId}`);
    if (f.acknowledgedAt !== null) throw new CommandFailure('conflict', `fence alert ${f.id} was already acknowledged by ${f.acknowledgedBy}`);
    acknowledgeFenceAlert(db, f.id, actor.id, now);
    const fence: FenceAlert = { ...f, acknowledgedBy: actor.id, acknowledgedAt: now };
    return { result: { fence }, target: f.unitId, events: [{ data: { type: 'fence:updated', fence }, unitId: f.unitId }] };
  }),

  'roster:import': consoleDef('roster:import', ({ db, now, actor, timeZone }, p) => {
    const { shifts, errors, issues } = checkRoster(db, p.csv, now, timeZone);
    if (issues.length > 0) {
      const more = errors.length > ROSTER_ERRORS_LISTED ? `\n… and ${errors.length - ROSTER_ERRORS_LISTED} more` : '';
      throw new CommandFailure('invalid_payload', `${errors.length} row(s) refused, nothing imported:\n${errors.slice(0, ROSTER_ERRORS_LISTED).join('\n')}${more}`, issues);
    }
    for (const s of shifts) addShift(db, s, now, `${actor.id} roster:import`);
    // The consoles hold the shifts around now (the snapshot's window): those of the import in it reach them at once.
    const events = shifts.filter((s) => s.startsAt < now + SNAPSHOT_SHIFTS_AHEAD_MS && s.endsAt > now).map(shiftEvent);
    return {
      result: { imported: shifts.length }, target: 'roster', events,
      detail: { imported: shifts.length, from: Math.min(...shifts.map((s) => s.startsAt)), to: Math.max(...shifts.map((s) => s.endsAt)) },
    };
  }),
};

function lateAlert(db: Db, shift: Shift, kind: 'attendance_late' | 'attendance_missing', now: number, timeZone: string, actionId: number): Alert {
  const unit = requireUnit(db, shift.unitId);
  const post = findPost(db, shift.postId)?.name ?? shift.postId;
  const start = centerTimeText(shift.startsAt, timeZone, false);
  const min = Math.round((now - shift.startsAt) / 60_000);
  const text = kind === 'attendance_late'
    ? { zh: `${unit.name} 迟到：${start} 在「${post}」上岗，${min} 分钟后仍未打卡`, en: `${unit.name} is late: on at ${post} from ${start}, not checked in ${min} min later` }
    : { zh: `${unit.name} 缺岗：${start} 起「${post}」的班次 ${min} 分钟未到岗`, en: `${unit.name} is missing: the ${start} shift at ${post} has had no check-in for ${min} min` };
  return { id: `alert-${actionId}`, kind, subjectId: unit.id, at: now, notify: effectiveMode(db, shift.postId, now).profile.escalation[0]!.role, message: text };
}

// `gridVersion`: the grid the fence watch drew the fence from (absent in actions queued before version 170).
const FencePayload = { unitId: Id, kind: z.enum(['cell', 'route']), areaId: Id, gridVersion: z.number().int().min(1).optional() };

export const attendanceSystemHandlers = {
  /** A shift's grace passed with no check-in: late, alerted; the missing check follows at the mode's limit. */
  [SHIFT_LATE]: systemDef(SHIFT_LATE, sys({ shiftId: Id }), ({ db, now, actor, timeZone }, p) => {
    const shift = findShift(db, p.shiftId);
    if (!shift) throw new CommandFailure('not_found', `no shift ${p.shiftId}`);
    if (shift.state !== 'scheduled') throw new CommandFailure('conflict', `shift ${shift.id} is ${shift.state}`);
    markShift(db, shift.id, 'late');
    const alert = lateAlert(db, shift, 'attendance_late', now, timeZone, p.actionId);
    const missingAt = shift.startsAt + effectiveMode(db, shift.postId, now).profile.attendance.missingAfterMin * 60_000;
    if (missingAt < shift.endsAt) {
      scheduleAction(db, { kind: SHIFT_MISSING, subject: shift.id, payload: { shiftId: shift.id }, dueAt: Math.max(now, missingAt), cause: `${actor.id} ${SHIFT_LATE}` }, now);
    }
    return { result: { alert }, target: shift.unitId, events: [shiftEvent({ ...shift, state: 'late' }), alertEvent(alert)] };
  }),

  [SHIFT_MISSING]: systemDef(SHIFT_MISSING, sys({ shiftId: Id }), ({ db, now, timeZone }, p) => {
    const shift = findShift(db, p.shiftId);
    if (!shift) throw new CommandFailure('not_found', `no shift ${p.shiftId}`);
    if (shift.state !== 'late') throw new CommandFailure('conflict', `shift ${shift.id} is ${shift.state}`);
    markShift(db, shift.id, 'missing');
    const alert = lateAlert(db, shift, 'attendance_missing', now, timeZone, p.actionId);
    return { result: { alert }, target: shift.unitId, events: [shiftEvent({ ...shift, state: 'missing' }), alertEvent(alert)] };
  }),

  /** A roll-call's time is up: whoever has not answered is missed, and one alert names them. */
  [ROLLCALL_DEADLINE]: systemDef(ROLLCALL_DEADLINE, sys({ rollCallId: Id }), ({ db, now }, p) => {
    const rc = findRollCall(db, p.rollCallId);
    if (!rc) throw new CommandFailure('not_found', `no roll-call ${p.rollCallId}`);
    if (rc.closed) throw new CommandFailure('conflict', `roll-call ${rc.id} is closed`);
    const missed = closeRollCall(db, rc.id);
    const rollCall = findRollCall(db, rc.id)!;
    const events: Emitted[] = [{ data: { type: 'rollcall:updated', rollCall }, unitId: null }];
    if (missed.length > 0) {
      const names = new Map(listUnits(db).map((u) => [u.id, u.name]));
      const who = missed.map((id) => names.get(id) ?? id).join('、');
      events.push(alertEvent({
        id: `alert-${p.actionId}`, kind: 'rollcall_missed', subjectId: rc.id, at: now,
        message: { zh: `点名 ${rc.id}：${missed.length} 人未按时应答（${who}）`, en: `Roll-call ${rc.id}: ${missed.length} did not answer in time (${who})` },
      }));
    }
    return { result: { rollCall }, target: rc.id, events, detail: { answered: rc.targets.length - missed.length, missed } };
  }),

  /** The fence watch saw a unit outside its cell or corridor for longer than the mode allows. */
  [FENCE_BREACH]: systemDef(FENCE_BREACH, sys({ ...FencePayload, since: z.number().int(), position: LngLat }), ({ db, now }, p) => {
    if (openFenceAlert(db, p.unitId, p.kind)) throw new CommandFailure('conflict', `${p.unitId} already has an open ${p.kind} fence alert`);
    const unit = requireUnit(db, p.unitId);
    const fence: FenceAlert = {
      id: `fence-${p.actionId}`, unitId: unit.id, kind: p.kind, areaId: p.areaId, raisedAt: now, position: p.position, since: p.since,
      clearedAt: null, acknowledgedBy: null, acknowledgedAt: null,
    };
    insertFenceAlert(db, fence);
    const min = Math.max(1, Math.round((now - p.since) / 60_000));
    const where = p.kind === 'cell' ? listAreas(db).find((a) => a.id === p.areaId)?.name ?? p.areaId : p.areaId;
    const alert: Alert = {
      id: fence.id, kind: 'geofence', subjectId: unit.id, at: now,
      message: p.kind === 'cell'
        ? { zh: `${unit.name} 离开责任网格「${where}」已 ${min} 分钟`, en: `${unit.name} has been outside cell ${where} for ${min} min` }
        : { zh: `${unit.name} 偏离巡逻路线 ${where} 已 ${min} 分钟`, en: `${unit.name} has been off route ${where} for ${min} min` },
    };
    return { result: { fence }, target: unit.id, events: [{ data: { type: 'fence:updated', fence }, unitId: unit.id }, alertEvent(alert)], detail: { gridVersion: p.gridVersion ?? null } };
  }),

  /** The unit is back inside (by the margin): its open fence alert clears itself; an operator still acknowledges it. */
  [FENCE_RETURN]: systemDef(FENCE_RETURN, sys({ ...FencePayload }), ({ db, now }, p) => {
    const open = openFenceAlert(db, p.unitId, p.kind);
    if (!open) throw new CommandFailure('conflict', `${p.unitId} has no open ${p.kind} fence alert`);
    clearFenceAlert(db, open.id, now);
    const fence: FenceAlert = { ...open, clearedAt: now };
    return { result: { fence }, target: p.unitId, events: [{ data: { type: 'fence:updated', fence }, unitId: p.unitId }], detail: { gridVersion: p.gridVersion ?? null } };
  }),
};
