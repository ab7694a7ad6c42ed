// The position pipeline: fixes are checked against known units and the hub's clock, kept as the latest
// per unit in memory (and in a spatial index over those), written to SQLite in batches (one transaction
// per flush, not per fix, committed by a thread of its own: store/position-writer.ts), and fanned out to consoles as merged batches at a bounded rate — one emit
// per interval however many fixes arrived. Rules (fences, attendance, coverage) observe accepted fixes
// once per flush, off the fan-out path; an observer that throws is logged and never stops ingestion.
import type { Alert, PositionFix } from '../../shared/domain';
import type { FixRefusal, PositionAck, RefusedFix } from '../../shared/protocol/sockets';
import type { Db } from '../store/db';
import { PositionWriterThread } from '../store/position-writer';
import { ClockWatch, type ClockReport, type ClockWatchOptions } from './device-clock';
import { UnitIndex, type UnitIndexOptions } from './spatial';
import { distanceM, EARTH_RADIUS_M } from '../../shared/geo';

export type PipelineOptions = {
  /** how often buffered fixes are written and observers called (ms) */
  writeEveryMs?: number;
  /** minimum gap between two fan-out batches (ms); the bound on update rate per console */
  fanoutEveryMs?: number;
  fanout: (fixes: PositionFix[]) => void;
  onWriteError?: (e: unknown) => void;
  /** alerts the pipeline raises (store backlog, wrong device clocks); one that throws is offered again next flush */
  onAlert?: (alert: Alert) => void;
  log?: (line: string) => void;
  /** fixes kept for writing while SQLite fails or lags; past this, new fixes are refused (`store_backlog`): the hard bound */
  maxBuffered?: number;
  /**
   * Backpressure: while this many fixes or more are accepted and not yet committed (and writes succeed),
   * the ack of a batch is held until that batch is committed, so a sender that waits for its acks slows
   * to the store's pace instead of running into the hard bound. Default 2 × maxWritePerFlush (the thread
   * always has a full write waiting), at most half of maxBuffered.
   */
  highWater?: number;
  /** below this many waiting the store has caught up: the "store behind" alert clears (default highWater / 4) */
  lowWater?: number;
  /** the longest an ack is held (ms), whatever the store does: a held ack never waits for ever (default 5 s) */
  maxHoldMs?: number;
  /** how long the backlog stays above highWater before the "store behind" alert is raised (ms; default 5 s) */
  behindAlertAfterMs?: number;
  /** most fixes written in one transaction: a drained backlog must not stall the event loop */
  maxWritePerFlush?: number;
  /** fixes dated before hub now − maxAgeMs are refused (`too_old`) */
  maxAgeMs?: number;
  /** fixes dated after hub now + maxAheadMs are refused (`in_future`) */
  maxAheadMs?: number;
  clock?: ClockWatchOptions;
  index?: Omit<UnitIndexOptions, 'now'>;
  /** the hub's clock (tests inject one) */
  now?: () => number;
  /** after each committed write: the durable mark now, and the devices that had fixes in it */
  onDurable?: (through: number, deviceIds: ReadonlySet<string>) => void;
  /** a write committed (whoever sent its fixes): the storage takes writes again after a fault */
  onWritten?: () => void;
};

export type PipelineStats = {
  accepted: number; persisted: number; unknownUnit: number; fanoutBatches: number;
  refused: Record<FixRefusal, number>;
};

/** Called with each flush's accepted fixes, in arrival order (older out-of-order fixes included). Not awaited. */
export type FixObserver = (fixes: readonly PositionFix[]) => void | Promise<void>;

/** The ack lists this many refused fixes at most; `refusedCount` counts them all. */
export const MAX_REFUSALS_LISTED = 20;
const ALERTS_PER_FLUSH = 100;
/** Alerts waiting for a store that keeps failing are kept up to this many (then the oldest are logged and dropped). */
const ALERTS_WAITING_MAX = 1000;
/**
 * Many devices off at once points at the hub (its own clock, or a hub so loaded that fixes wait a
 * minute): after this many device_clock alerts in a minute, one alert says so and the rest are logged.
 */
const CLOCK_ALERTS_PER_MINUTE = 10;
const OBSERVER_LOG_EVERY_MS = 10_000;
/** Writes failing this long (or a fix refused meanwhile) raise the "store failing" alert: one failed write is not an outage. */
const FAILING_ALERT_AFTER_MS = 1_000;
/** Outliers refused in a row before the unit is taken to be where they say. */
const OUTLIER_REANCHOR = 3;
/** metres per degree of arc on the earth's mean sphere */
const M_PER_DEG = (EARTH_RADIUS_M * Math.PI) / 180;

type Observer = { fn: FixObserver; name: string; loggedAt: number; suppressed: number };
/** An ack held while the store is behind: answered once durableThrough reaches its durableAt (or sooner, see release). */
type HeldAck = { ack: PositionAck; since: number; answer: (ack: PositionAck) => void };

export class PositionPipeline {
  readonly latest = new Map<string, PositionFix>();
  /** nearest(point, n, filter) and within(polygon) over `latest` */
  readonly index: UnitIndex;
  readonly stats: PipelineStats = {
    accepted: 0, persisted: 0, unknownUnit: 0, fanoutBatches: 0,
    refused: { unknown_unit: 0, too_old: 0, in_future: 0, store_backlog: 0, duplicate: 0, implausible_speed: 0 },
  };
  private readonly knownUnits = new Set<string>();
  /** fastest plausible speed per unit (m/s); a fix implying more is an outlier */
  private readonly maxSpeed = new Map<string, number>();
  /** outliers refused in a row per unit: after OUTLIER_REANCHOR of them the unit really is elsewhere (or the last fix was the bad one) */
  private readonly outlierRun = new Map<string, number>();
  private buffer: PositionFix[] = [];
  /** the device that sent each buffered fix (same order as buffer), for the durable notice */
  private bufferFrom: (string | undefined)[] = [];
  /**
   * The durable mark: accepted fixes are numbered 1, 2, … in arrival order (which is write order, the
   * buffer being FIFO); every fix numbered ≤ durableThrough is committed. Devices compare it with the
   * `durableAt` of their acks, so it only ever grows within this process.
   */
  private durableThrough = 0;
  private pendingFanout = new Map<string, PositionFix>();
  private fanoutTimer: NodeJS.Timeout | undefined;
  private lastFanout = 0;
  private readonly writeTimer: NodeJS.Timeout;
  private observeTimer: NodeJS.Immediate | undefined;
  private readonly writer: PositionWriterThread;
  /** the write in the writer thread, until its answer (one at a time: the buffer's head is what it holds) */
  private writing: Promise<boolean> | undefined;
  private readonly observers = new Set<Observer>();
  private observed: PositionFix[] = [];
  private readonly alerts: Alert[] = [];
  /** acks held for backpressure, in accept order (so in durableAt order) */
  private held: HeldAck[] = [];
  /** acks answered at maxHoldMs since the last log line about them */
  private overdue = { loggedAt: -Infinity, count: 0 };
  /** since when (hub time) writes fail; undefined while the last write succeeded */
  private failingSince: number | undefined;
  /** since when (hub time) the store is behind: the backlog passed highWater with writes succeeding; ends below lowWater */
  private behindSince: number | undefined;
  /** when (hub time) the backlog was last seen at or above highWater */
  private lastAbove = -Infinity;
  /** a fix was refused (store_backlog) since the last write answered: the alert for the cause goes at once */
  private refusedSinceAnswer = false;
  /** which store alert stands: at most one ("failing" supersedes "behind") */
  private storeAlert: 'failing' | 'behind' | undefined;
  private closed = false;
  private clockAlerts = { minute: 0, count: 0 };
  private readonly clock: ClockWatch;
  private readonly now: () => number;
  private readonly log: (line: string) => void;
  private readonly maxBuffered: number;
  private readonly highWater: number;
  private readonly lowWater: number;
  private readonly maxHoldMs: number;
  private readonly behindAlertAfterMs: number;
  private readonly maxWrite: number;
  private readonly maxAgeMs: number;
  private readonly maxAheadMs: number;

  constructor(db: Db, private readonly opts: PipelineOptions) {
    this.now = opts.now ?? Date.now;
    this.log = opts.log ?? ((line) => console.log(line));
    this.maxBuffered = opts.maxBuffered ?? 200_000;
    this.maxWrite = opts.maxWritePerFlush ?? 20_000;
    this.highWater = opts.highWater ?? Math.min(2 * this.maxWrite, this.maxBuffered / 2);
    this.lowWater = opts.lowWater ?? this.highWater / 4;
    this.maxHoldMs = opts.maxHoldMs ?? 5_000;
    this.behindAlertAfterMs = opts.behindAlertAfterMs ?? 5_000;
    this.maxAgeMs = opts.maxAgeMs ?? 24 * 3600_000;
    this.maxAheadMs = opts.maxAheadMs ?? 2 * 60_000;
    this.clock = new ClockWatch(opts.clock);
    this.index = new UnitIndex(() => this.latest.values(), { ...opts.index, now: this.now });
    this.writer = new PositionWriterThread(db.name);
    this.writeTimer = setInterval(() => this.tick(), opts.writeEveryMs ?? 100);
  }

  /** The units whose fixes are taken, each with the fastest it can plausibly move (m/s; absent: no speed rule). */
  setKnownUnits(ids: Iterable<string>, maxSpeedMps?: (id: string) => number | undefined): void {
    this.knownUnits.clear();
    this.maxSpeed.clear();
    for (const id of ids) {
      this.knownUnits.add(id);
      const max = maxSpeedMps?.(id);
      if (max !== undefined) this.maxSpeed.set(id, max);
    }
  }

  /**
   * A fix that repeats the unit's latest fix time is a duplicate; one that implies a jump faster than
   * the unit can move from its latest fix is an outlier (kept out of the map, the store and the rules).
   * Several outliers in a row that agree with each other re-anchor the unit: it is really there.
   */
  private implausible(f: PositionFix, prev: PositionFix | undefined): FixRefusal | null {
    if (!prev) return null;
    if (f.t === prev.t) return 'duplicate';
    const max = this.maxSpeed.get(f.unitId);
    if (max === undefined || f.t < prev.t) return null;
    // Both fixes' accuracy radii are slack the unit need not have covered.
    const allowed = max * ((f.t - prev.t) / 1000) + (prev.accuracy ?? 0) + (f.accuracy ?? 0);
    // Most fixes are plainly plausible: R·(|Δlat| + |Δlng|) is the length of a path between the two
    // (along the meridian, then a parallel no longer than the equator's), so the great circle is no
    // longer; within the allowance, the haversine (trigonometry, per fix) cannot say otherwise.
    const bound = M_PER_DEG * (Math.abs(f.lat - prev.lat) + Math.abs(f.lng - prev.lng));
    if (bound <= allowed || distanceM([prev.lng, prev.lat], [f.lng, f.lat]) <= allowed) {
      if (this.outlierRun.size > 0 && this.outlierRun.has(f.unitId)) this.outlierRun.delete(f.unitId);
      return null;
    }
    const run = (this.outlierRun.get(f.unitId) ?? 0) + 1;
    if (run > OUTLIER_REANCHOR) {
      this.outlierRun.delete(f.unitId);
      return null;
    }
    this.outlierRun.set(f.unitId, run);
    return 'implausible_speed';
  }

  /** Rules watch accepted fixes through this; returns the way to stop watching. */
  observe(fn: FixObserver, name = fn.name || 'observer'): () => void {
    const o: Observer = { fn, name, loggedAt: -Infinity, suppressed: 0 };
    this.observers.add(o);
    return () => this.observers.delete(o);
  }

  /**
   * Takes fixes that passed validation and the speaker check (from `deviceId`, for the clock watch).
   * Fixes of unknown units, dated outside the hub's window, repeating the unit's latest fix time,
   * implying an impossible jump from it, or arriving while the write backlog is full are refused,
   * each with its reason; the rest are accepted.
   */
  accept(fixes: PositionFix[], deviceId?: string): PositionAck {
    const now = this.now();
    const oldest = now - this.maxAgeMs;
    const newest = now + this.maxAheadMs;
    const observing = this.observers.size > 0;
    let n = 0;
    let moved = false;
    let refusedCount = 0;
    let refused: RefusedFix[] | undefined;
    let backlogFull = false;
    for (const f of fixes) {
      let reason: FixRefusal | null;
      // the unit's latest fix before this one (read once: the checks and the merge below both need it)
      let prev: PositionFix | undefined;
      if (!this.knownUnits.has(f.unitId)) {
        this.stats.unknownUnit++;
        reason = 'unknown_unit';
      } else {
        if (deviceId !== undefined) {
          const report = this.clock.see(deviceId, f.unitId, f.t, now);
          if (report) this.clockReport(report);
        }
        prev = this.latest.get(f.unitId);
        if (f.t < oldest) reason = 'too_old';
        else if (f.t > newest) reason = 'in_future';
        else reason = this.implausible(f, prev);
        if (reason === null && this.buffer.length >= this.maxBuffered) {
          reason = 'store_backlog';
          backlogFull = true;
        }
      }
      if (reason) {
        this.stats.refused[reason]++;
        if (refusedCount++ < MAX_REFUSALS_LISTED) (refused ??= []).push({ unitId: f.unitId, t: f.t, reason });
        continue;
      }
      n++;
      this.buffer.push(f);
      this.bufferFrom.push(deviceId);
      if (observing) this.observed.push(f);
      if (!prev || prev.t < f.t) {
        // An out-of-order fix is history, not the unit's current position.
        this.latest.set(f.unitId, f);
        this.pendingFanout.set(f.unitId, f);
        moved = true;
      }
    }
    this.stats.accepted += n;
    if (moved) {
      this.index.markStale();
      this.scheduleFanout();
    }
    // Which alert a refusal calls for (store failing, or behind) is told by the next write's answer.
    if (backlogFull) this.refusedSinceAnswer = true;
    // Numbering follows the buffer: fixes accepted so far = durable + still buffered.
    const durable = { durableAt: this.durableThrough + this.buffer.length, durableThrough: this.durableThrough };
    return refused ? { accepted: n, refused, refusedCount, ...durable } : { accepted: n, ...durable };
  }

  /**
   * accept(), and backpressure: while the store is behind (more than highWater fixes waiting, writes
   * succeeding) the ack of a batch that had fixes taken is held until that batch is committed. A sender
   * that keeps a few batches unacked (the gateways, the field page) then sends at the pace of the
   * store, and its fixes wait on its side instead of in the hub's memory. Held until *its* commit, not
   * until the backlog falls below a mark: acks then leave a few at a time, in order, with each commit
   * (no herd of senders let go at once), and a held ack says its fixes are durable already.
   * A sender that does not wait meets the hard bound (maxBuffered) as before.
   */
  acceptPaced(fixes: PositionFix[], deviceId?: string): PositionAck | Promise<PositionAck> {
    const ack = this.accept(fixes, deviceId);
    if (ack.accepted === 0 || this.closed || this.failingSince !== undefined || this.buffer.length < this.highWater) return ack;
    return new Promise((answer) => this.held.push({ ack, since: Date.now(), answer }));
  }

  /** Answers the held acks whose fixes are committed, and (all: true) the rest too. */
  private release(all: boolean): void {
    let k = 0;
    while (k < this.held.length && (all || this.held[k]!.ack.durableAt <= this.durableThrough)) k++;
    if (k === 0) return;
    for (const h of this.held.splice(0, k)) h.answer({ ...h.ack, durableThrough: this.durableThrough });
  }

  /**
   * Held acks older than maxHoldMs (real time: a client's timeout is) are answered as they are
   * (accepted, not yet durable): a thread that answers nothing must not hold senders for ever.
   * Logged at most once per OBSERVER_LOG_EVERY_MS, with a count.
   */
  private releaseOverdue(): void {
    const t = Date.now();
    let k = 0;
    while (k < this.held.length && this.held[k]!.since <= t - this.maxHoldMs) k++;
    if (k === 0) return;
    this.overdue.count += k;
    for (const h of this.held.splice(0, k)) h.answer({ ...h.ack, durableThrough: this.durableThrough });
    if (t - this.overdue.loggedAt < OBSERVER_LOG_EVERY_MS) return;
    this.log(`${this.overdue.count} position acks answered after being held ${this.maxHoldMs} ms: the store committed nothing of theirs meanwhile`);
    this.overdue = { loggedAt: t, count: 0 };
  }

  private clockReport(r: ClockReport): void {
    const minute = Math.floor(r.at / 60_000);
    if (this.clockAlerts.minute !== minute) this.clockAlerts = { minute, count: 0 };
    const n = ++this.clockAlerts.count;
    if (n <= CLOCK_ALERTS_PER_MINUTE) this.raise(clockAlert(r));
    else if (n === CLOCK_ALERTS_PER_MINUTE + 1) this.raise(manyClocksAlert(r));
    if (n > CLOCK_ALERTS_PER_MINUTE) this.log(`device ${r.deviceId} (${r.unitId}) clock off by ${Math.round(r.offsetMs / 1000)} s (not raised: too many this minute)`);
  }

  private scheduleFanout(): void {
    if (this.fanoutTimer) return;
    const wait = Math.max(0, this.lastFanout + this.fanoutGap - Date.now());
    this.fanoutTimer = setTimeout(() => this.fanoutNow(), wait);
  }

  private get fanoutGap(): number {
    return this.opts.fanoutEveryMs ?? 10;
  }

  private fanoutNow(): void {
    clearTimeout(this.fanoutTimer);
    this.fanoutTimer = undefined;
    this.lastFanout = Date.now();
    const batch = [...this.pendingFanout.values()];
    this.pendingFanout.clear();
    this.stats.fanoutBatches++;
    this.opts.fanout(batch);
  }

  /**
   * Write what is buffered (after the write in the thread, if one is), raise pending alerts, call the
   * observers: what the write timer does, at once, in order (tests, benches).
   */
  async flush(): Promise<void> {
    await this.writing;
    await this.writeBatch();
    this.watchBacklog();
    this.deliverAlerts();
    this.notifyObservers();
  }

  /**
   * The write timer's turn. The batch goes to the writer thread (unless the last is still there: the
   * buffer waits for the next turn); a fan-out that is due leaves first, and the observers run in the
   * next turn of the event loop, after the fixes that arrived meanwhile are taken in — they see those
   * too, in arrival order.
   */
  private tick(): void {
    if (this.fanoutTimer && Date.now() >= this.lastFanout + this.fanoutGap) this.fanoutNow();
    if (!this.writing) void this.writeBatch();
    if (this.held.length > 0) this.releaseOverdue();
    this.watchBacklog();
    this.deliverAlerts();
    this.observeTimer ??= setImmediate(() => {
      this.observeTimer = undefined;
      this.notifyObservers();
    });
  }

  /** The buffer's head written (one write at a time); resolves false when it failed. */
  private writeBatch(): Promise<boolean> {
    return (this.writing ??= this.writeHead().finally(() => (this.writing = undefined)));
  }

  /**
   * Writes buffered fixes in one transaction (at most maxWritePerFlush of them). On failure they stay
   * buffered for the next flush (e.g. a full disk, a read-only file). Only a committed batch moves the
   * durable mark. Meanwhile accept() only appends: the buffer's first n are still the ones written.
   */
  private async writeHead(): Promise<boolean> {
    const n = Math.min(this.buffer.length, this.maxWrite);
    if (n === 0) return true;
    try {
      await this.writer.write(this.buffer, n, this.now());
    } catch (e) {
      this.opts.onWriteError?.(e);
      this.writeFailed(e);
      return false;
    }
    const from = new Set<string>();
    for (let i = 0; i < n; i++) if (this.bufferFrom[i] !== undefined) from.add(this.bufferFrom[i]!);
    if (n === this.buffer.length) {
      this.buffer = [];
      this.bufferFrom = [];
    } else {
      this.buffer.splice(0, n);
      this.bufferFrom.splice(0, n);
    }
    this.stats.persisted += n;
    this.durableThrough += n;
    this.opts.onWritten?.();
    if (from.size > 0 && this.opts.onDurable) {
      try {
        this.opts.onDurable(this.durableThrough, from);
      } catch (e) {
        this.log(`durable notice failed: ${(e as Error).message}`);
      }
    }
    this.release(false);
    this.writeCommitted();
    // Behind (a quarter of a full write or more came in meanwhile): the next write goes now, not at the
    // next tick, or the thread would idle while the buffer grows towards store_backlog. Below that the
    // tick's pace is kept: a commit (and its fsync) per 100 ms, not one per answer.
    if (!this.closed && this.buffer.length >= this.maxWrite / 4) setImmediate(() => {
      if (!this.writing && !this.closed) void this.writeBatch();
    });
    return true;
  }

  /**
   * A write failed: the store is failing, not slow. Held acks are answered now (their fixes stay
   * buffered, the mark stands still: the failure path as it was, up to the hard bound), and none is
   * held until a write succeeds again. Failing for FAILING_ALERT_AFTER_MS, or refusing meanwhile,
   * raises the "failing" alert; it replaces a "behind" one.
   */
  private writeFailed(e: unknown): void {
    const now = this.now();
    this.failingSince ??= now;
    this.behindSince = undefined;
    this.release(true);
    if (this.storeAlert !== 'failing' && (this.refusedSinceAnswer || now - this.failingSince >= FAILING_ALERT_AFTER_MS)) {
      this.storeAlert = 'failing';
      this.raise(failingAlert(now, (e as { code?: string }).code, this.buffer.length, this.maxBuffered));
    }
    this.refusedSinceAnswer = false;
  }

  /** A write committed: "failing" ends (recovered), and the backlog is looked at. */
  private writeCommitted(): void {
    this.failingSince = undefined;
    if (this.storeAlert === 'failing') {
      this.storeAlert = undefined;
      this.raise(recoveredAlert(this.now(), this.buffer.length));
    }
    this.watchBacklog();
    this.refusedSinceAnswer = false;
  }

  /**
   * Behind: the backlog passed highWater while writes succeed, until it falls below lowWater. Behind for
   * behindAlertAfterMs (at once when a fix was refused) raises the "behind" alert; it clears once the
   * backlog is below lowWater and has not reached highWater for behindAlertAfterMs — a backlog that
   * swings around the marks at full load is one episode, not an alert a second. Looked at after each
   * commit and each tick (a backlog drained leaves no write to answer).
   */
  private watchBacklog(): void {
    if (this.failingSince !== undefined) return;
    const now = this.now();
    const waiting = this.buffer.length;
    if (waiting >= this.highWater) {
      this.behindSince ??= now;
      this.lastAbove = now;
    } else if (waiting < this.lowWater) {
      this.behindSince = undefined;
    }
    if (this.storeAlert === undefined && this.behindSince !== undefined && (this.refusedSinceAnswer || now - this.behindSince >= this.behindAlertAfterMs)) {
      this.storeAlert = 'behind';
      this.raise(behindAlert(now, waiting, this.maxBuffered));
    } else if (this.storeAlert === 'behind' && this.behindSince === undefined && now - this.lastAbove >= this.behindAlertAfterMs) {
      this.storeAlert = undefined;
      this.raise(caughtUpAlert(now));
    }
  }

  /** Fixes not yet committed (those in the writer thread included). */
  get buffered(): number {
    return this.buffer.length;
  }

  /** Queues an alert for the next flush (alerts are written off the accept path). */
  private raise(alert: Alert): void {
    if (this.alerts.length >= ALERTS_WAITING_MAX) this.log(`position alert dropped, too many waiting: ${this.alerts.shift()!.message.en}`);
    this.alerts.push(alert);
  }

  private deliverAlerts(): void {
    for (let i = 0; i < ALERTS_PER_FLUSH && this.alerts.length > 0; i++) {
      const alert = this.alerts[0]!;
      if (this.opts.onAlert) {
        try {
          this.opts.onAlert(alert);
        } catch (e) {
          // Most likely the store is failing too: the alert waits for the next flush, in order.
          this.log(`position alert ${alert.id} not raised yet, will retry: ${(e as Error).message}`);
          return;
        }
      } else {
        this.log(`alert: ${alert.message.en}`);
      }
      this.alerts.shift();
    }
  }

  private notifyObservers(): void {
    if (this.observed.length === 0) return;
    const batch = this.observed;
    this.observed = [];
    for (const o of this.observers) {
      try {
        const r = o.fn(batch);
        if (r && typeof r.then === 'function') r.then(undefined, (e: unknown) => this.observerFailed(o, e));
      } catch (e) {
        this.observerFailed(o, e);
      }
    }
  }

  /** A failing rule is logged (at most once per 10 s per observer, with a count), never rethrown. */
  private observerFailed(o: Observer, e: unknown): void {
    const t = Date.now();
    if (t - o.loggedAt < OBSERVER_LOG_EVERY_MS) {
      o.suppressed++;
      return;
    }
    const more = o.suppressed > 0 ? ` (and ${o.suppressed} more failures since the last report)` : '';
    o.loggedAt = t;
    o.suppressed = 0;
    this.log(`position observer ${o.name} failed${more}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  }

  /** Writes what is buffered (until a write fails), then ends the writer thread. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.writeTimer);
    clearTimeout(this.fanoutTimer);
    clearImmediate(this.observeTimer);
    await this.writing;
    while (this.buffer.length > 0 && (await this.writeBatch()));
    this.release(true);
    this.deliverAlerts();
    this.notifyObservers();
    await this.writer.close();
  }
}

// The store's alerts tell its two troubles apart: failing (writes error; fixes kept, refused past the
// bound) and behind (writes succeed, slower than fixes come; senders slowed by held acks). Each clears.
function failingAlert(at: number, code: string | undefined, waiting: number, bound: number): Alert {
  const why = code ? `（${code}）` : '';
  return {
    id: `alert-positions-backlog-${at}`, kind: 'positions_backlog', subjectId: 'positions', at,
    message: {
      zh: `位置数据写入数据库失败${why}，${waiting} 条待写入，暂存于内存并重试；超过 ${bound} 条时拒收新位置`,
      en: `Position writes to the database fail${code ? ` (${code})` : ''}: ${waiting} waiting, kept in memory and retried; past ${bound} new fixes are refused`,
    },
  };
}

function recoveredAlert(at: number, waiting: number): Alert {
  return {
    id: `alert-positions-recovered-${at}`, kind: 'positions_recovered', subjectId: 'positions', at,
    message: {
      zh: `位置数据恢复写入（尚有 ${waiting} 条待写入）`,
      en: `Position writes have recovered (${waiting} still waiting)`,
    },
  };
}

function behindAlert(at: number, waiting: number, bound: number): Alert {
  return {
    id: `alert-positions-slow-${at}`, kind: 'positions_slow', subjectId: 'positions', at,
    message: {
      zh: `位置数据写入跟不上接收（写入正常但较慢），${waiting} 条待写入：终端的确认被延后，使其放慢发送；超过 ${bound} 条时拒收新位置`,
      en: `Position writes are behind (succeeding, but slower than fixes arrive): ${waiting} waiting. Devices' acks are held so that they slow down; past ${bound} new fixes are refused`,
    },
  };
}

function caughtUpAlert(at: number): Alert {
  return {
    id: `alert-positions-caught-up-${at}`, kind: 'positions_caught_up', subjectId: 'positions', at,
    message: { zh: '位置数据写入已跟上，终端确认恢复即时', en: 'Position writes have caught up; devices are acked at once again' },
  };
}

function clockAlert(r: ClockReport): Alert {
  const ahead = r.offsetMs > 0;
  const size = duration(Math.abs(r.offsetMs));
  return {
    id: `alert-clock-${r.deviceId}-${r.unitId}-${r.at}`, kind: 'device_clock', subjectId: r.unitId, at: r.at,
    message: {
      zh: `终端 ${r.deviceId}（${r.unitId}）时钟${ahead ? '快' : '慢'}了约 ${size.zh}，其位置时间不可信`,
      en: `Device ${r.deviceId} (${r.unitId}) clock is about ${size.en} ${ahead ? 'ahead of' : 'behind'} the hub; its fix times cannot be trusted`,
    },
  };
}

function manyClocksAlert(r: ClockReport): Alert {
  return {
    id: `alert-clock-many-${r.at}`, kind: 'device_clock', subjectId: 'positions', at: r.at,
    message: {
      zh: `一分钟内超过 ${CLOCK_ALERTS_PER_MINUTE} 台终端时钟偏差：请检查指挥中心服务器的时钟与负载（其余终端见日志）`,
      en: `More than ${CLOCK_ALERTS_PER_MINUTE} devices' clocks are off within a minute: check the hub's own clock and load (the rest are in the hub log)`,
    },
  };
}

function duration(ms: number): { zh: string; en: string } {
  const s = Math.round(ms / 1000);
  if (s < 120) return { zh: `${s} 秒`, en: `${s} s` };
  const min = Math.round(s / 60);
  if (min < 120) return { zh: `${min} 分钟`, en: `${min} min` };
  const h = Math.round(min / 60);
  if (h < 48) return { zh: `${h} 小时`, en: `${h} h` };
  const d = Math.round(h / 24);
  return { zh: `${d} 天`, en: `${d} days` };
}
