// The hub's storage as the consoles see it: the alarm of issue 16's storage faults. A write that fails
// with a storage fault (a full disk, failed I/O, a read-only, busy or damaged file) opens a fault for
// its path (commands, positions); the next write on that path that succeeds closes it. The consoles hear
// every change at once (`hub:storage`, live state: it cannot be an event in the store, which is what
// fails), and when the last path is healthy again the fault goes into the record as an alert, with how
// long it lasted and how many commands were refused meanwhile.
import type { Alert } from '../../shared/domain';
import { HEALTHY_STORAGE, type StorageHealth } from '../../shared/protocol/events';
import { storageFault, type StorageFault } from '../store/faults';

export type StoragePath = 'commands' | 'positions';

export type StorageWatchOptions = {
  /** the new state, to every console */
  emit: (health: StorageHealth) => void;
  /** the fault that just ended, for the record (a system alert; the store takes writes again) */
  recovered: (alert: Alert) => void;
  log?: (line: string) => void;
  now?: () => number;
  /** refusal counts go out at most this often while a fault lasts (default 1 s); changes of state at once */
  countEveryMs?: number;
};

type Open = { fault: StorageFault; since: number; code: string };

export class StorageWatch {
  private readonly open = new Map<StoragePath, Open>();
  private since: number | null = null;
  private refused = 0;
  private code: string | null = null;
  private fault: StorageFault | null = null;
  private countTimer: NodeJS.Timeout | null = null;
  private readonly now: () => number;

  constructor(private readonly opts: StorageWatchOptions) {
    this.now = opts.now ?? Date.now;
  }

  health(): StorageHealth {
    if (this.since === null) return HEALTHY_STORAGE;
    return { fault: this.fault, since: this.since, code: this.code, paths: [...this.open.keys()].sort(), refused: this.refused };
  }

  /**
   * A write on `path` failed. Only storage faults count (a bug is not the operator's to fix); returns
   * whether it was one. `refusedCommands`: commands answered with the error because of it.
   */
  failed(path: StoragePath, e: unknown, refusedCommands = 0): boolean {
    const fault = storageFault(e);
    if (!fault) return false;
    const code = String((e as { code?: unknown }).code);
    const at = this.now();
    const before = this.open.get(path);
    this.open.set(path, { fault, since: before?.since ?? at, code });
    this.refused += refusedCommands;
    const changed = this.since === null || this.fault !== fault || this.code !== code || !before;
    this.since ??= at;
    this.fault = fault;
    this.code = code;
    if (changed) {
      this.opts.log?.(`storage fault (${path}): ${fault} (${code})`);
      this.send();
    } else if (refusedCommands > 0) this.sendCountSoon();
    return true;
  }

  /** A write on `path` succeeded: that path's fault, if any, is over. */
  wrote(path: StoragePath): void {
    if (!this.open.delete(path)) return;
    if (this.open.size > 0) {
      // Another path still fails: the state names what is left.
      const rest = [...this.open.values()].at(-1)!;
      this.fault = rest.fault;
      this.code = rest.code;
      this.send();
      return;
    }
    const ended = { fault: this.fault!, since: this.since!, until: this.now(), refused: this.refused, code: this.code! };
    this.since = null;
    this.fault = null;
    this.code = null;
    this.refused = 0;
    this.opts.log?.(`storage fault over: ${ended.fault} for ${Math.round((ended.until - ended.since) / 1000)} s, ${ended.refused} command(s) refused`);
    this.send();
    try {
      this.opts.recovered(storageRecoveredAlert(ended));
    } catch (e) {
      // The record of it could not be written after all: the log line above keeps it.
      this.opts.log?.(`recording the end of the storage fault failed: ${(e as Error).message}`);
    }
  }

  stop(): void {
    if (this.countTimer) clearTimeout(this.countTimer);
    this.countTimer = null;
  }

  private send(): void {
    if (this.countTimer) clearTimeout(this.countTimer);
    this.countTimer = null;
    this.opts.emit(this.health());
  }

  private sendCountSoon(): void {
    if (this.countTimer) return;
    this.countTimer = setTimeout(() => {
      this.countTimer = null;
      if (this.since !== null) this.opts.emit(this.health());
    }, this.opts.countEveryMs ?? 1000);
    this.countTimer.unref();
  }
}

const WHAT: Record<StorageFault, { zh: string; en: string }> = {
  full: { zh: '存储空间已满', en: 'storage full' },
  io: { zh: '存储写入失败', en: 'storage failing to write' },
  readonly: { zh: '存储只读', en: 'storage read-only' },
  busy: { zh: '存储被占用', en: 'storage busy' },
  corrupt: { zh: '存储损坏', en: 'storage damaged' },
};

function storageRecoveredAlert(f: { fault: StorageFault; since: number; until: number; refused: number; code: string }): Alert {
  const s = Math.max(1, Math.round((f.until - f.since) / 1000));
  const what = WHAT[f.fault];
  return {
    id: `alert-storage-recovered-${f.until}`, kind: 'storage_recovered', subjectId: 'storage', at: f.until,
    message: {
      zh: `数据存储故障（${what.zh}，${f.code}）已恢复，持续 ${s} 秒：期间被拒绝的 ${f.refused} 条指令未作任何更改，可重新发送；期间收到的位置数据已保留待写入`,
      en: `The hub's storage fault (${what.en}, ${f.code}) is over after ${s} s: ${f.refused} command(s) refused meanwhile changed nothing and can be sent again; fixes received meanwhile were kept for writing`,
    },
  };
}
