// The account CLIs run the hub's own commands (handlers/accounts.ts) on the store, as an administrator
// at the command line (actor `cli`): one write path, audited like a console's, with the same refusals.
// A hub running on the same data folder sees the change at its next read; consoles signed in on it are
// signed out by the hub only when the change comes through it (the admin console).
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { runCommand, type CommandDef } from '../hub/commands';
import type { Db } from '../store/db';
import { fail } from './args';

export function asAdmin<S extends z.ZodType, R>(db: Db, def: CommandDef<S, R>, payload: Omit<z.input<S>, 'commandId'>): R {
  const { ack } = runCommand(db, def, { id: 'cli', role: 'admin' }, { commandId: `cli-${randomUUID()}`, ...payload });
  if (ack.ok) return ack.result;
  db.close();
  // A payload the rules refuse is a usage error (exit 2), as the CLIs' own argument checks are.
  fail(ack.error.message, ack.error.code === 'invalid_payload' || ack.error.code === 'weak_password' ? 2 : 1);
}
