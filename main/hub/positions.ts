// The position pipeline: fixes are checked against known units, kept as the latest per unit in memory,
// written to SQLite in batches (one transaction per flush, not per fix), and fanned out to consoles as
// merged batches at a bounded rate — one emit per interval however many fixes arrived.
import type { PositionFix } from '../../shared/domain';
import type { Db } from '../store/db';
import { positionWriter } from '../store/positions';

export type PipelineOptions = {
  /** how often buffered fixes are written (ms) */
  writeEveryMs?: number;
  /** minimum gap between two fan-out batches (ms); the bound on update rate per console */
  fanoutEveryMs?: number;
  fanout: (fixes: PositionFix[]) => void;
  onWriteError?: (e: unknown) => void;
};

export type PipelineStats = { accepted: number; persisted: number; unknownUnit: number; fanoutBatches: number };

export class PositionPipeline {
  readonly latest = new Map<string, PositionFix>();
  private readonly knownUnits = new Set<string>();
  private buffer: PositionFix[] = [];
  private pendingFanout = new Map<string, PositionFix>();
  private fanoutTimer: NodeJS.Timeout | undefined;
  private lastFanout = 0;
  private readonly writeTimer: NodeJS.Timeout;
  private readonly write: (fixes: PositionFix[], receivedAt: number) => number;
  readonly stats: PipelineStats = { accepted: 0, persisted: 0, unknownUnit: 0, fanoutBatches: 0 };

  constructor(db: Db, private readonly opts: PipelineOptions) {
    this.write = positionWriter(db);
    this.writeTimer = setInterval(() => this.flush(), opts.writeEveryMs ?? 100);
  }

  setKnownUnits(ids: Iterable<string>): void {
    this.knownUnits.clear();
    for (const id of ids) this.knownUnits.add(id);
  }

  /** Takes fixes that passed validation and the speaker check; returns how many were accepted. */
  accept(fixes: PositionFix[]): number {
    let n = 0;
    for (const f of fixes) {
      if (!this.knownUnits.has(f.unitId)) {
        this.stats.unknownUnit++;
        continue;
      }
      n++;
      this.buffer.push(f);
      const prev = this.latest.get(f.unitId);
      if (!prev || prev.t < f.t) {
        // An out-of-order fix is history, not the unit's current position.
        this.latest.set(f.unitId, f);
        this.pendingFanout.set(f.unitId, f);
      }
    }
    this.stats.accepted += n;
    if (this.pendingFanout.size > 0) this.scheduleFanout();
    return n;
  }

  private scheduleFanout(): void {
    if (this.fanoutTimer) return;
    const gap = this.opts.fanoutEveryMs ?? 10;
    const wait = Math.max(0, this.lastFanout + gap - Date.now());
    this.fanoutTimer = setTimeout(() => {
      this.fanoutTimer = undefined;
      this.lastFanout = Date.now();
      const batch = [...this.pendingFanout.values()];
      this.pendingFanout.clear();
      this.stats.fanoutBatches++;
      this.opts.fanout(batch);
    }, wait);
  }

  /** Write everything buffered in one transaction. Also called on shutdown. */
  flush(): void {
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    try {
      this.write(batch, Date.now());
      this.stats.persisted += batch.length;
    } catch (e) {
      // Keep the fixes for the next flush rather than lose them (e.g. SQLITE_BUSY from a reader).
      this.buffer = batch.concat(this.buffer);
      this.opts.onWriteError?.(e);
    }
  }

  close(): void {
    clearInterval(this.writeTimer);
    clearTimeout(this.fanoutTimer);
    this.flush();
  }
}
