// What an audit entry concerns, so the evaluator's console can open it: derived from the action and
// its target (accepted entries), or from the ids in the payload (refused entries have no target).
// Pure data; the hub attaches it to each timeline entry and the console may compute it the same way.
import { z } from 'zod';
import { ModeName } from './domain';

export const ConcernKind = z.enum(['incident', 'task', 'sos', 'unit', 'camera', 'mode', 'area', 'user']);
export type ConcernKind = z.infer<typeof ConcernKind>;
export type Concern = { kind: ConcernKind; id: string };

const MODES: ReadonlySet<string> = new Set(ModeName.options);
/** The payload keys that name a thing, most specific first (what a refused command was about). */
const PAYLOAD_IDS: ReadonlyArray<[string, ConcernKind]> = [
  ['taskId', 'task'], ['sosId', 'sos'], ['incidentId', 'incident'], ['cameraId', 'camera'], ['postId', 'area'], ['areaId', 'area'], ['unitId', 'unit'],
];

function byAction(action: string, target: string, payload: unknown): Concern | null {
  const family = action.slice(0, action.indexOf(':') + 1);
  switch (family) {
    case 'incident:': return { kind: 'incident', id: target };
    case 'task:': return { kind: 'task', id: target };
    case 'sos:': return { kind: 'sos', id: target };
    case 'camera:': return { kind: 'camera', id: target };
    case 'checkin:': return { kind: 'area', id: target }; // the post checked in at
    case 'user:': return { kind: 'user', id: target };
    case 'mode:': return { kind: MODES.has(target) ? 'mode' : 'area', id: target }; // an area emergency targets its area
    case 'alert:': {
      const kind = (payload as { kind?: unknown } | null)?.kind;
      if (typeof kind === 'string' && kind.startsWith('camera_')) return { kind: 'camera', id: target };
      if (kind === 'device_clock' && target !== 'positions') return { kind: 'unit', id: target };
      return null;
    }
    default: return null;
  }
}

export function auditConcerns(action: string, target: string | null, payload: unknown): Concern | null {
  if (target !== null) return byAction(action, target, payload);
  if (payload === null || typeof payload !== 'object') return null;
  const p = payload as Record<string, unknown>;
  for (const [key, kind] of PAYLOAD_IDS) {
    const v = p[key];
    if (typeof v === 'string' && v.length > 0) return { kind, id: v };
  }
  if (action.startsWith('mode:') && typeof p.mode === 'string' && MODES.has(p.mode)) return { kind: 'mode', id: p.mode };
  return null;
}
