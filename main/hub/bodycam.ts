// Body-worn camera telemetry (shared/bodycam.ts): each unit's latest reading in memory, fanned out to
// consoles merged by unit at a bounded rate and written to the store in one transaction per interval
// (not one commit per reading: with synchronous=FULL that is an fsync each). A restart loses at most
// one interval of readings, and the next reading replaces them anyway.
//
// The alert (a camera not recording while its unit has a task in hand) and its clearing are system
// commands queued on the scheduler, so they are on the record like every other change; whether a unit
// stands alerted is kept here once queued and read back from the store at start.
import { BODYCAM_RULES, bodycamAlertStep, type BodycamAck, type BodycamReport, type BodycamStatus } from '../../shared/bodycam';
import { listBodycamStatuses, saveBodycamStatuses, taskInHand, unsettledBodycamAlerts } from '../store/bodycam';
import type { Db } from '../store/db';
import type { NewAction } from '../store/schedule';

export const BODYCAM_STOPPED = 'bodycam:stopped';
export const BODYCAM_CLEARED = 'bodycam:cleared';

export type BodycamDeskOptions = {
  db: Db;
  /** every unit the hub knows */
  units: Iterable<string>;
  /** queue a system command now (the scheduler's schedule) */
  schedule: (action: NewAction) => void;
  /** changed statuses, merged by unit, at most once per fanoutEveryMs */
  fanout: (statuses: BodycamStatus[]) => void;
  now?: () => number;
  fanoutEveryMs?: number;
  writeEveryMs?: number;
  log?: (line: string) => void;
};

export class BodycamDesk {
  readonly latest = new Map<string, BodycamStatus>();
  private readonly known: Set<string>;
  /** units whose alert is open (or queued to be raised) */
  private readonly alerted = new Set<string>();
  /** unit → reading time of the first reading of its current run of not recording */
  private readonly stoppedSince = new Map<string, number>();
  private readonly toFan = new Map<string, BodycamStatus>();
  private readonly toWrite = new Map<string, BodycamStatus>();
  private readonly timers: NodeJS.Timeout[];
  private readonly now: () => number;

  constructor(private readonly opts: BodycamDeskOptions) {
    this.now = opts.now ?? Date.now;
    this.known = new Set(opts.units);
    for (const s of listBodycamStatuses(opts.db)) {
      this.latest.set(s.unitId, s);
      if (!s.recording) this.stoppedSince.set(s.unitId, s.t);
    }
    for (const a of unsettledBodycamAlerts(opts.db)) if (a.clearedAt === null) this.alerted.add(a.unitId);
    const fan = setInterval(() => this.flushFanout(), opts.fanoutEveryMs ?? 1000);
    const write = setInterval(() => this.flushWrites(), opts.writeEveryMs ?? 5000);
    fan.unref();
    write.unref();
    this.timers = [fan, write];
  }

  /** A message's readings, checked one by one; each refused one with its reason. */
  accept(reports: readonly BodycamReport[]): BodycamAck {
    const now = this.now();
    const refused: NonNullable<BodycamAck['refused']> = [];
    let accepted = 0;
    for (const r of reports) {
      const prev = this.latest.get(r.unitId);
      const reason = !this.known.has(r.unitId) ? 'unknown_unit' as const
        : r.t < now - BODYCAM_RULES.maxAgeMs ? 'too_old' as const
          : r.t > now + BODYCAM_RULES.maxAheadMs ? 'in_future' as const
            : prev && r.t <= prev.t ? 'out_of_order' as const
              : prev && r.t - prev.t < BODYCAM_RULES.minGapMs ? 'too_frequent' as const
                : null;
      if (reason) {
        refused.push({ unitId: r.unitId, t: r.t, reason });
        continue;
      }
      const status: BodycamStatus = { ...r, receivedAt: now };
      this.latest.set(r.unitId, status);
      this.toFan.set(r.unitId, status);
      this.toWrite.set(r.unitId, status);
      accepted++;
      this.judge(status);
    }
    return refused.length > 0 ? { accepted, refused: refused.slice(0, 20) } : { accepted };
  }

  private judge(s: BodycamStatus): void {
    if (s.recording) this.stoppedSince.delete(s.unitId);
    else if (!this.stoppedSince.has(s.unitId)) this.stoppedSince.set(s.unitId, s.t);
    const alertOpen = this.alerted.has(s.unitId);
    if (s.recording && !alertOpen) return; // the usual reading: nothing to look up
    const taskId = s.recording ? null : taskInHand(this.opts.db, s.unitId);
    const step = bodycamAlertStep({ recording: s.recording, taskId, alertOpen });
    if (step === 'raise') {
      this.opts.schedule({
        kind: BODYCAM_STOPPED, subject: `bodycam:${s.unitId}`, dueAt: this.now(), cause: 'bodycam: not recording during a task',
        payload: { unitId: s.unitId, taskId: taskId!, since: this.stoppedSince.get(s.unitId) ?? s.t },
      });
      this.alerted.add(s.unitId); // only once queued: a store that failed is asked again at the next reading
    } else if (step === 'clear_recording' || step === 'clear_task_over') {
      this.opts.schedule({
        kind: BODYCAM_CLEARED, subject: `bodycam:${s.unitId}`, dueAt: this.now(), cause: `bodycam: ${step === 'clear_recording' ? 'recording again' : 'no task in hand'}`,
        payload: { unitId: s.unitId, by: step === 'clear_recording' ? 'recording' : 'task_over' },
      });
      this.alerted.delete(s.unitId);
    }
  }

  private flushFanout(): void {
    if (this.toFan.size === 0) return;
    const out = [...this.toFan.values()];
    this.toFan.clear();
    this.opts.fanout(out);
  }

  private flushWrites(): void {
    if (this.toWrite.size === 0) return;
    const out = [...this.toWrite.values()];
    try {
      saveBodycamStatuses(this.opts.db, out);
      for (const s of out) if (this.toWrite.get(s.unitId) === s) this.toWrite.delete(s.unitId);
    } catch (e) {
      this.opts.log?.(`writing body camera readings failed, will retry: ${(e as Error).message}`); // kept for the next write
    }
  }

  /** What is not yet written is written (call before the store closes). */
  close(): void {
    for (const t of this.timers) clearInterval(t);
    this.flushFanout();
    this.flushWrites();
  }
}
