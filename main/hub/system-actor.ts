// The hub's `system` actor, assembled: the scheduler over the system commands, the key-camera watch
// and the alerts of other components that feed it, and the mode schedule. The composition root starts it after the store is open and
// calls `afterCommand` after each accepted command (a command may have queued or cancelled actions).
import type { z } from 'zod';
import type { Alert, Camera } from '../../shared/domain';
import type { ModeSchedule } from '../../shared/modes';
import type { StreamHealth } from '../../shared/protocol/events';
import type { Db } from '../store/db';
import { keyCameraWatch } from './alerts';
import type { CommandDef, ScopedEvent } from './commands';
import { ALERT_RAISE, planModeSchedule, systemHandlers } from './handlers/system';
import { planRetention, retentionHandlers } from './handlers/retention';
import { Scheduler, realClock, type Clock } from './scheduler';
import type { RetentionPolicy } from '../store/retention';
import { holidayDates } from '../store/calendar';

export type SystemActorOptions = {
  db: Db;
  timeZone: string;
  broadcast: (events: ScopedEvent[]) => void;
  cameras: () => Camera[];
  /** a key camera down this long raises an alert; back sooner, nothing (default 10 s) */
  cameraStaleMs?: number;
  /** automatic mode switches; absent: modes change only by hand */
  modeSchedule?: ModeSchedule;
  /** positions retention, run daily by the schedule (absent: never run) */
  retention?: RetentionPolicy;
  clock?: Clock;
  log?: (line: string) => void;
};

export type SystemActor = {
  scheduler: Scheduler;
  onStreamHealth: (changed: StreamHealth[]) => void;
  /** raise an alert a component observed, as a system command due now (throws if the store cannot take it: retry) */
  raise: (alert: Alert) => void;
  afterCommand: () => void;
  stop: () => void;
};

export function startSystemActor(opts: SystemActorOptions): SystemActor {
  const clock = opts.clock ?? realClock;
  const scheduler = new Scheduler({
    db: opts.db, commands: { ...systemHandlers, ...retentionHandlers } as unknown as Record<string, CommandDef<z.ZodType, unknown>>,
    broadcast: opts.broadcast, timeZone: opts.timeZone, clock, log: opts.log,
  });
  scheduler.start(); // what fell due while the hub was down, first
  if (opts.modeSchedule) {
    // The holidays are the store's calendar (seeded from the configuration once, edited since).
    planModeSchedule(opts.db, clock.now(), opts.timeZone, { ...opts.modeSchedule, holidays: holidayDates(opts.db) });
    scheduler.wake();
  }
  if (opts.retention) {
    planRetention(opts.db, clock.now(), opts.timeZone, opts.retention);
    scheduler.wake();
  }
  const onStreamHealth = keyCameraWatch({
    db: opts.db, cameras: opts.cameras, scheduler, staleAfterMs: opts.cameraStaleMs ?? 10_000, now: clock.now,
  });
  const raise = (alert: Alert) => {
    scheduler.schedule({ kind: ALERT_RAISE, subject: alert.subjectId, payload: { alert }, dueAt: clock.now(), cause: `hub: ${alert.kind}` });
  };
  return { scheduler, onStreamHealth, raise, afterCommand: () => scheduler.wake(), stop: () => scheduler.stop() };
}
