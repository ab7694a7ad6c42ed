// A foot officer's body-worn camera (执法记录仪) as the simulation reads it every ten seconds or so:
// it records while its officer works a task or waits for help after an SOS (and for a little while
// after, as people stop the recording once they have left the scene), drains its battery faster while
// recording, fills its storage with footage until an upload at the post frees it, and now and then stops
// recording in the middle of a task for a minute or two (a knock on the button, a loose battery), which
// is what the hub's bodycam_stopped alert is for. All drawn from the camera's own seeded Rng, so adding
// cameras never reshuffles the units' moves.
import type { BodycamReport } from '../../shared/bodycam';
import type { Rng } from './city/rng';

/** Battery drain, % per hour: a recorder lasts about 8 h recording and 20 h or more on standby. */
const DRAIN_PER_H = { recording: 12, standby: 4.5 } as const;
/** 1080p footage at about 2.7 Mbit/s: some 1.2 GB an hour, in MB per ms. */
const FOOTAGE_MB_PER_MS = 1200 / 3_600_000;
const CAPACITY_MB = 64 * 1024;
/** Below this the officer swaps in the charged spare battery (on duty, not in the middle of a task). */
const SWAP_BELOW_PCT = 15;

export type CameraActivity = 'duty' | 'task' | 'sos' | 'returning';

/** When a stop begins after its task does, and how long it lasts (ms, uniform in each range). */
export type BodycamStopTiming = { afterMs: readonly [number, number]; lastsMs: readonly [number, number] };
/** A knock on the button some way into the task, off for a minute or two. */
export const BODYCAM_STOP_TIMING: BodycamStopTiming = { afterMs: [10_000, 40_000], lastsMs: [30_000, 120_000] };

export class BodyCam {
  nextReadAt: number;
  private battery: number;
  private freeMb: number;
  private lastUploadAt: number;
  private nextUploadAt: number;
  /** simulated time of the last reading (the battery and storage are brought up to each reading) */
  private at: number;
  /** whether the last reading saw the officer busy (task or SOS), and when the recording may stop after */
  private busy = false;
  private recordUntil = -Infinity;
  /** a stop in the middle of the current task, [from, to) */
  private stop: { from: number; to: number } | null = null;
  private recording = false;

  constructor(
    readonly unitId: string,
    private readonly rng: Rng,
    startAt: number,
    /** the share of tasks during which the camera stops recording for a while */
    private readonly stopPerTask: number,
    private readonly stopTiming: BodycamStopTiming = BODYCAM_STOP_TIMING,
  ) {
    this.battery = rng.range(62, 100);
    this.freeMb = Math.round(rng.range(0.3, 0.85) * CAPACITY_MB);
    this.lastUploadAt = startAt - Math.round(rng.range(5, 90) * 60_000);
    this.nextUploadAt = startAt + rng.range(10, 60) * 60_000;
    this.at = startAt;
    this.nextReadAt = startAt + Math.round(rng.range(0, 10_000));
  }

  /** The reading at `now` (a reading is due), given what its officer is doing. */
  read(now: number, activity: CameraActivity, tickMs: number): BodycamReport {
    const r = this.rng;
    const dt = Math.max(0, now - this.at);
    this.at = now;
    // What the time since the last reading cost, at the state it was in.
    this.battery = Math.max(0, this.battery - (dt / 3_600_000) * (this.recording ? DRAIN_PER_H.recording : DRAIN_PER_H.standby));
    if (this.recording) this.freeMb = Math.max(0, this.freeMb - dt * FOOTAGE_MB_PER_MS);

    const busy = activity === 'task' || activity === 'sos';
    if (busy && !this.busy && activity === 'task' && r.chance(this.stopPerTask)) {
      const from = now + r.range(...this.stopTiming.afterMs);
      this.stop = { from, to: from + r.range(...this.stopTiming.lastsMs) };
    }
    if (busy) this.recordUntil = now + r.range(20_000, 90_000);
    else if (this.busy) {
      // The task is over: a camera that had stopped stays off (nobody restarts it to film the walk back).
      if (!this.recording) this.recordUntil = now;
      this.stop = null;
    }
    this.busy = busy;

    if (!busy && !this.recording) {
      if (this.battery < SWAP_BELOW_PCT) this.battery = r.range(96, 100);
      if (now >= this.nextUploadAt) {
        // Footage offloaded over the post's uplink: the camera keeps only what is not uploaded yet.
        this.lastUploadAt = now - Math.round(r.range(0, 5_000));
        this.freeMb = CAPACITY_MB - Math.round(r.range(300, 1500));
        this.nextUploadAt = now + r.range(30, 90) * 60_000;
      }
    }
    const stopped = this.stop !== null && now >= this.stop.from && now < this.stop.to;
    this.recording = now < this.recordUntil && !stopped && this.battery > 0 && this.freeMb > 0;
    this.nextReadAt = now + Math.max(5_000, Math.round(r.range(9_000, 11_000) / tickMs) * tickMs);
    return {
      unitId: this.unitId, t: now, recording: this.recording,
      batteryPct: Math.round(this.battery), storageFreeMb: Math.round(this.freeMb), lastUploadAt: Math.min(this.lastUploadAt, now),
    };
  }
}
