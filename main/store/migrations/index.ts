// One file per schema version, numbered in steps of 10; each runs in one transaction and is
// recorded in PRAGMA user_version.
import { sql as v10 } from './0010-domain';
import { sql as v20 } from './0020-positions-by-time';
import { sql as v30 } from './0030-audit-stored-bytes';
import { sql as v50 } from './0050-command-payload-hash';
import { sql as v60 } from './0060-mode-profiles';
import { sql as v70 } from './0070-scheduled-actions';
import { sql as v80 } from './0080-position-segments';
import { sql as v90 } from './0090-sos-answer';
import { sql as v100 } from './0100-incident-sources';
import { sql as v110 } from './0110-attendance';
import { sql as v120 } from './0120-evaluation-indexes';
import { sql as v130 } from './0130-device-enrolment';
import { sql as v140 } from './0140-voice-talks';
import { sql as v150 } from './0150-coverage';
import { sql as v160 } from './0160-holiday-calendar';
import { sql as v170 } from './0170-grid-edits';
import { sql as v190 } from './0190-bodycam';

export const MIGRATIONS: ReadonlyArray<{ version: number; sql: string }> = [
  { version: 10, sql: v10 },
  { version: 20, sql: v20 },
  { version: 30, sql: v30 },
  { version: 50, sql: v50 },
  { version: 60, sql: v60 },
  { version: 70, sql: v70 },
  { version: 80, sql: v80 },
  { version: 90, sql: v90 },
  { version: 100, sql: v100 },
  { version: 110, sql: v110 },
  { version: 120, sql: v120 },
  { version: 130, sql: v130 },
  { version: 140, sql: v140 },
  { version: 150, sql: v150 },
  { version: 160, sql: v160 },
  { version: 170, sql: v170 },
  { version: 190, sql: v190 },
];
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
