// Rules several handlers share: who may speak for a unit, what status a unit returns to.
import type { Unit, UnitStatus } from '../../../shared/domain';
import type { Db } from '../../store/db';
import { findUnit, setUnitStatus } from '../../store/city';
import { countOpenTasksOfUnit } from '../../store/operations';
import { CommandFailure, type Actor, type Emitted } from '../commands';

export function unitSpokenFor(db: Db, actor: Actor, unitId: string): Unit {
  if (actor.unitIds !== 'any' && !actor.unitIds?.includes(unitId)) {
    throw new CommandFailure('forbidden', `device ${actor.id} does not speak for unit ${unitId}`);
  }
  return requireUnit(db, unitId);
}

export function requireUnit(db: Db, unitId: string): Unit {
  const unit = findUnit(db, unitId);
  if (!unit) throw new CommandFailure('not_found', `no unit ${unitId}`);
  return unit;
}

/** Where a unit stands when nothing special holds it: at its post, or patrolling. */
export function restingStatus(db: Db, unit: Unit): UnitStatus {
  if (countOpenTasksOfUnit(db, unit.id) > 0) return 'on_task';
  return unit.postId ? 'on_post' : 'patrolling';
}

export function changeStatus(db: Db, unit: Unit, status: UnitStatus): Emitted[] {
  if (unit.status === status) return [];
  setUnitStatus(db, unit.id, status);
  return [{ data: { type: 'unit:status', unitId: unit.id, status }, unitId: null }];
}
