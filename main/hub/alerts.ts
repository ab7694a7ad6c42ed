// Alerts the hub raises by itself from what it observes (stream health). The alert itself is a system
// command run by the scheduler: a sequenced event and an audit entry by `system` in one transaction.
import type { Camera } from '../../shared/domain';
import type { StreamHealth } from '../../shared/protocol/events';
import type { Db } from '../store/db';
import { cancelActions, lastActionAbout } from '../store/schedule';
import { CAMERA_RECOVERED, CAMERA_STALE } from './handlers/system';
import type { Scheduler } from './scheduler';

/**
 * Key-camera alerts as scheduled system commands: a key camera reported down queues a
 * `camera:stale` action due `staleAfterMs` after it went down; coming back before then cancels it
 * (a flicker is not an alarm), coming back after it fired queues `camera:recovered`. Whether a camera
 * stands alerted is read from the schedule, not kept in memory, so a restarted hub neither repeats
 * the alert of a camera still down nor forgets to announce its recovery.
 */
export function keyCameraWatch(opts: { db: Db; cameras: () => Camera[]; scheduler: Scheduler; staleAfterMs: number; now?: () => number }) {
  const { db, scheduler } = opts;
  const now = opts.now ?? Date.now;
  return (changed: StreamHealth[]) => {
    const byId = new Map(opts.cameras().map((c) => [c.id, c]));
    for (const h of changed) {
      const cam = byId.get(h.cameraId);
      if (!cam?.key || (h.state !== 'down' && h.state !== 'up')) continue;
      const last = lastActionAbout(db, cam.id, [CAMERA_STALE, CAMERA_RECOVERED]);
      const alerted = last?.kind === CAMERA_STALE && (last.state === 'pending' || last.outcome === 'accepted');
      if (h.state === 'down' && !alerted) {
        scheduler.schedule({
          kind: CAMERA_STALE, subject: cam.id, payload: { cameraId: cam.id, reason: h.reason ?? 'no video', since: h.since },
          dueAt: h.since + opts.staleAfterMs, cause: 'media: key camera down',
        });
      } else if (h.state === 'up' && alerted) {
        const cancelled = db.transaction(() => cancelActions(db, cam.id, [CAMERA_STALE], now(), 'camera back within the grace period'))();
        if (cancelled === 0) {
          scheduler.schedule({ kind: CAMERA_RECOVERED, subject: cam.id, payload: { cameraId: cam.id }, dueAt: now(), cause: 'media: key camera back' });
        } else scheduler.wake();
      }
    }
  };
}
