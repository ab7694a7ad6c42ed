// Prepared statements cached per database handle, keyed by their SQL text (Signal Desktop's habit):
// preparing parses and plans the SQL, which on hot paths (one audit entry per command) costs more than
// running it. The cache dies with the handle; the SQL strings stay exported from each store module so
// query-plan tests read the same text the store runs.
import type Database from 'better-sqlite3';

const caches = new WeakMap<Database.Database, Map<string, Database.Statement>>();

export function prepared(db: Database.Database, sql: string): Database.Statement {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  let statement = cache.get(sql);
  if (!statement) cache.set(sql, (statement = db.prepare(sql)));
  return statement;
}
