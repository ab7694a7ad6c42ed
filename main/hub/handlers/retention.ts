// Position retention on the hub's schedule: once a day (at RETENTION_CLOCK, the center's time) the
// `system` actor thins and expires old positions (store/retention.ts) as a recorded command — the audit
// entry says how many fixes went and through when history is downsampled. One command thins at most
// RETENTION_SLICE_MINUTES of history inside its transaction, so the write lock is never held for long;
// when more is left the next slice is queued at once (the scheduler yields between turns), and the last
// slice queues the next day's run. The policy travels in the row, so a changed policy is seen at start.
import { z } from 'zod';
import { CommandId } from '../../../shared/protocol/commands';
import { addDays, atCenterTime, centerDay } from '../../../shared/time';
import { canonicalJson } from '../../store/canonical';
import type { Db } from '../../store/db';
import { applyRetention, type RetentionPolicy, type RetentionRun } from '../../store/retention';
import { cancelAction, pendingActionsOfKind, scheduleAction } from '../../store/schedule';
import type { CommandDef } from '../commands';

export const RETENTION_RUN = 'positions:retain';
export const RETENTION_CLOCK = '03:30';
export const RETENTION_SLICE_MINUTES = 60;
const SUBJECT = 'positions';

const Policy = z.strictObject({ fullRateDays: z.number().min(0), downsampleMs: z.number().int().positive(), keepDays: z.number().min(0).nullable() });

/** The next daily run after `now`, at RETENTION_CLOCK in the center's zone. */
export function nextRetentionAt(now: number, timeZone: string): number {
  const today = atCenterTime(centerDay(now, timeZone), RETENTION_CLOCK, timeZone);
  return today > now ? today : atCenterTime(addDays(centerDay(now, timeZone), 1), RETENTION_CLOCK, timeZone);
}

const RetainRequest = z.strictObject({ commandId: CommandId, actionId: z.number().int().positive(), dueAt: z.number().int(), policy: Policy });

const retain: CommandDef<typeof RetainRequest, { run: RetentionRun }> = {
  name: RETENTION_RUN, roles: ['system'], schema: RetainRequest,
  handler: ({ db, now, timeZone, actor }, p) => {
    const run = applyRetention(db, now, p.policy, RETENTION_SLICE_MINUTES);
    const dueAt = run.more ? now : nextRetentionAt(now, timeZone);
    scheduleAction(db, { kind: RETENTION_RUN, subject: SUBJECT, payload: { policy: p.policy }, dueAt, cause: `${actor.id} ${RETENTION_RUN}${run.more ? ' (next slice)' : ''}` }, now);
    return { result: { run }, target: SUBJECT, events: [], detail: { ...run, policy: p.policy } };
  },
};

export const retentionHandlers = { [RETENTION_RUN]: retain };

/**
 * On hub start: make sure a run is queued under the policy configured now. A pending run under another
 * policy is cancelled and replaced; one already due (the hub was down at its time) runs at once.
 */
export function planRetention(db: Db, now: number, timeZone: string, policy: RetentionPolicy): void {
  db.transaction(() => {
    const pending = pendingActionsOfKind(db, RETENTION_RUN);
    const keep = pending.find((a) => canonicalJson(a.payload.policy) === canonicalJson(policy));
    for (const a of pending) if (a !== keep) cancelAction(db, a.id, now, 'the retention policy changed');
    if (!keep) scheduleAction(db, { kind: RETENTION_RUN, subject: SUBJECT, payload: { policy }, dueAt: nextRetentionAt(now, timeZone), cause: 'hub start: retention schedule' }, now);
  })();
}
