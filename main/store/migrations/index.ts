// One file per schema version, numbered in steps of 10; each runs in one transaction and is
// recorded in PRAGMA user_version.
import { sql as v10 } from './0010-domain';
import { sql as v20 } from './0020-positions-by-time';

export const MIGRATIONS: ReadonlyArray<{ version: number; sql: string }> = [
  { version: 10, sql: v10 },
  { version: 20, sql: v20 },
];
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
