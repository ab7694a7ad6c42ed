// Storage faults by name: SQLite's error codes for a full disk, failed I/O, a read-only or busy or corrupt
// file, turned into what an operator can act on. Nothing of a failed transaction was stored (SQLite rolled
// it back), so whoever sent the command may retry it as it was once the fault clears.
import type { StorageFault } from '../../shared/protocol/events';

export type { StorageFault };

const BY_PREFIX: Array<[string, StorageFault]> = [
  ['SQLITE_FULL', 'full'],
  ['SQLITE_IOERR', 'io'],
  ['SQLITE_CANTOPEN', 'io'],
  ['SQLITE_READONLY', 'readonly'],
  ['SQLITE_BUSY', 'busy'],
  ['SQLITE_LOCKED', 'busy'],
  ['SQLITE_CORRUPT', 'corrupt'],
  ['SQLITE_NOTADB', 'corrupt'],
];

/** The storage fault behind an error thrown by better-sqlite3 (its `code`, e.g. SQLITE_IOERR_WRITE), or null. */
export function storageFault(e: unknown): StorageFault | null {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  return BY_PREFIX.find(([prefix]) => code === prefix || code.startsWith(`${prefix}_`))?.[1] ?? null;
}

const WHAT: Record<StorageFault, string> = {
  full: "the hub's storage is full",
  io: "the hub's storage failed to write",
  readonly: "the hub's storage is read-only",
  busy: "the hub's storage is busy",
  corrupt: "the hub's storage is damaged",
};

/** The sentence an error ack and the hub's log carry for a fault. */
export function describeStorageFault(fault: StorageFault): string {
  return `${WHAT[fault]}; nothing was changed — send the command again with the same commandId once it is fixed`;
}
