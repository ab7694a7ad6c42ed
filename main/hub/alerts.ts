// Alerts the hub raises by itself. Each is a sequenced event (consoles that were away still get it)
// and an audit entry by `system`, written in one transaction like any other change.
import type { Alert, Camera } from '../../shared/domain';
import type { StreamHealth } from '../../shared/protocol/events';
import { appendAudit } from '../store/audit';
import type { Db } from '../store/db';
import { appendEvent } from '../store/log';
import type { ScopedEvent } from './commands';

export function raiseAlert(db: Db, alert: Alert): ScopedEvent {
  return db.transaction(() => {
    const event = appendEvent(db, alert.at, { type: 'alert:raised', alert }, null);
    appendAudit(db, { actor: 'system', role: 'system', action: 'alert:raise', target: alert.subjectId, payload: alert, outcome: 'accepted', reason: null, at: alert.at });
    return { event, unitId: null };
  })();
}

/**
 * Watches stream health for key cameras (the wall's preset): one alert when one goes down, one when
 * it comes back — not one per health report.
 */
export function keyCameraWatch(db: Db, cameras: () => Camera[], emit: (e: ScopedEvent) => void) {
  const down = new Set<string>();
  return (changed: StreamHealth[]) => {
    const byId = new Map(cameras().map((c) => [c.id, c]));
    for (const h of changed) {
      const cam = byId.get(h.cameraId);
      if (!cam?.key) continue;
      if (h.state === 'down' && !down.has(cam.id)) {
        down.add(cam.id);
        const reason = h.reason ?? 'no video';
        emit(raiseAlert(db, {
          id: `alert-${cam.id}-${h.since}`, kind: 'camera_down', subjectId: cam.id, at: Date.now(),
          message: { zh: `重点摄像机「${cam.name}」离线：${reason}`, en: `Key camera "${cam.name}" is down: ${reason}` },
        }));
      } else if (h.state === 'up' && down.delete(cam.id)) {
        emit(raiseAlert(db, {
          id: `alert-${cam.id}-${h.since}`, kind: 'camera_recovered', subjectId: cam.id, at: Date.now(),
          message: { zh: `重点摄像机「${cam.name}」已恢复`, en: `Key camera "${cam.name}" is back` },
        }));
      }
    }
  };
}
