// The grid's edits (migration 0170): cells and posts (rows of `areas`), routes, and the version every
// change bumps with what it replaced. SQL only; the checks are the hub's (handlers/grid.ts).
import type { Area, Route } from '../../shared/domain';
import type { Db, ReadDb } from './db';
import { forgetAreas } from './city';
import { prepared } from './statements';

export const GRID_SQL = {
  version: 'SELECT coalesce(max(version), 1) FROM grid_versions',
  addVersion: 'INSERT INTO grid_versions (version, at, by, action, changes) VALUES (?, ?, ?, ?, ?)',
  versionRow: 'SELECT version, at, by, action, changes FROM grid_versions WHERE version = ?',
  areaAny: 'SELECT id, kind, retired_at AS retiredAt FROM areas WHERE id = ?',
  routeAny: 'SELECT id, retired_at AS retiredAt FROM routes WHERE id = ?',
  updateArea: 'UPDATE areas SET name = ?, parent_id = ?, polygon = ?, center_lng = ?, center_lat = ?, radius_m = ? WHERE id = ? AND retired_at IS NULL',
  retireArea: 'UPDATE areas SET retired_at = ? WHERE id = ? AND retired_at IS NULL',
  upsertRoute: `INSERT INTO routes (id, name, roads, line, modes) VALUES (@id, @name, @roads, @line, @modes)
    ON CONFLICT (id) DO UPDATE SET name = excluded.name, roads = excluded.roads, line = excluded.line, modes = excluded.modes`,
  retireRoute: 'UPDATE routes SET retired_at = ? WHERE id = ? AND retired_at IS NULL',
  postsOfCell: "SELECT id, name FROM areas WHERE kind = 'post' AND parent_id = ? AND retired_at IS NULL ORDER BY rowid",
  unitsOn: 'SELECT id, name FROM units WHERE cell_id = @id OR post_id = @id OR route_id = @id ORDER BY rowid LIMIT 5',
  shiftsAhead: 'SELECT count(*) FROM shifts WHERE post_id = ? AND ends_at > ?',
} as const;

/** The grid version in force: 1 for the grid as seeded, one more for each edit since. */
export function gridVersion(db: ReadDb): number {
  return prepared(db, GRID_SQL.version).pluck(true).get() as number;
}

export type GridChange = { kind: 'cell' | 'post' | 'route'; id: string; before: Area | Route | null; after: Area | Route | null };

/** Records one edit (or one import's edits) as the next version; returns it. */
export function addGridVersion(db: Db, by: string, action: string, changes: readonly GridChange[], at: number): number {
  const version = gridVersion(db) + 1;
  prepared(db, GRID_SQL.addVersion).run(version, at, by, action, JSON.stringify(changes));
  return version;
}

export function gridVersionRecord(db: ReadDb, version: number): { version: number; at: number; by: string; action: string; changes: GridChange[] } | undefined {
  const r = prepared(db, GRID_SQL.versionRow).get(version) as { version: number; at: number; by: string; action: string; changes: string } | undefined;
  return r && { ...r, changes: JSON.parse(r.changes) as GridChange[] };
}

/** Whether an id is taken by an area or route, live or retired (a retired id is not given out again: the record points at it). */
export function gridIdTaken(db: ReadDb, id: string): { table: 'areas' | 'routes'; kind?: Area['kind']; retired: boolean } | null {
  const a = prepared(db, GRID_SQL.areaAny).get(id) as { kind: Area['kind']; retiredAt: number | null } | undefined;
  if (a) return { table: 'areas', kind: a.kind, retired: a.retiredAt !== null };
  const r = prepared(db, GRID_SQL.routeAny).get(id) as { retiredAt: number | null } | undefined;
  return r ? { table: 'routes', retired: r.retiredAt !== null } : null;
}

export function updateArea(db: Db, a: Area): void {
  prepared(db, GRID_SQL.updateArea).run(a.name, a.parentId, a.polygon ? JSON.stringify(a.polygon) : null, a.center[0], a.center[1], a.radiusM, a.id);
  forgetAreas(db);
}

export function retireArea(db: Db, id: string, at: number): void {
  prepared(db, GRID_SQL.retireArea).run(at, id);
  forgetAreas(db);
}

export function saveRoute(db: Db, r: Route): void {
  prepared(db, GRID_SQL.upsertRoute).run({ id: r.id, name: r.name, roads: JSON.stringify(r.roads), line: JSON.stringify(r.line), modes: JSON.stringify(r.modes) });
}

export function retireRoute(db: Db, id: string, at: number): void {
  prepared(db, GRID_SQL.retireRoute).run(at, id);
}

export function livePostsOfCell(db: ReadDb, cellId: string): Array<{ id: string; name: string }> {
  return prepared(db, GRID_SQL.postsOfCell).all(cellId) as Array<{ id: string; name: string }>;
}

/** Units assigned to a cell, post or route (a few, for the refusal's words). */
export function unitsAssignedTo(db: ReadDb, id: string): Array<{ id: string; name: string }> {
  return prepared(db, GRID_SQL.unitsOn).all({ id }) as Array<{ id: string; name: string }>;
}

/** Shifts at a post that have not ended by `now`. */
export function shiftsAheadAt(db: ReadDb, postId: string, now: number): number {
  return prepared(db, GRID_SQL.shiftsAhead).pluck(true).get(postId, now) as number;
}
