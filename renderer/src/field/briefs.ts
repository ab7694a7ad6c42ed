// What the officer needs of each task's incident (task:brief), kept on the phone per device so a task
// still says what and where with no connection. Forgetting the phone forgets them: the next officer to
// enrol on it must not read the last one's incidents.
import type { TaskBrief } from '../../../shared/protocol/enrol';

type Store = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

const MAX_BRIEFS = 50;
const keyOf = (deviceId: string) => `xiuhua.field.briefs.${deviceId}`;

export function loadBriefs(deviceId: string, storage: Store = localStorage): Map<string, TaskBrief> {
  try {
    const list = JSON.parse(storage.getItem(keyOf(deviceId)) ?? '[]') as TaskBrief[];
    return new Map(list.map((b) => [b.taskId, b]));
  } catch {
    return new Map();
  }
}

/** Keeps the newest MAX_BRIEFS; returns what was kept. */
export function saveBriefs(deviceId: string, m: ReadonlyMap<string, TaskBrief>, storage: Store = localStorage): Map<string, TaskBrief> {
  const keep = [...m.values()].slice(-MAX_BRIEFS);
  try {
    storage.setItem(keyOf(deviceId), JSON.stringify(keep));
  } catch {
    // storage full: the briefs are asked for again when needed
  }
  return new Map(keep.map((b) => [b.taskId, b]));
}

export const forgetBriefs = (deviceId: string, storage: Store = localStorage) => storage.removeItem(keyOf(deviceId));
