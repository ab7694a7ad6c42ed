// Which unit an evaluator means by what they typed into "one unit's track": its id, or its name, badge or
// plate (people know their officers by name; the hub's read wants the id, and refused a name as a bad id).
import type { Unit } from '../../../shared/domain';

export type UnitPick = { unitId: string } | { problem: 'none' | 'several'; count: number };

export function unitFromInput(units: ReadonlyMap<string, Unit>, typed: string): UnitPick {
  const text = typed.trim();
  if (units.has(text)) return { unitId: text };
  const named = [...units.values()].filter((u) => u.name === text || u.badge === text || u.plate === text);
  if (named.length === 1) return { unitId: named[0]!.id };
  return { problem: named.length === 0 ? 'none' : 'several', count: named.length };
}
