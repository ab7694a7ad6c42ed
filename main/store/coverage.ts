// Coverage kept as data (migration 0150): the pieces of its route a patrol vehicle drove in a shift
// period, and the time an officer dwelt in each grid cell. The coverage watch (main/hub/coverage.ts)
// accumulates in memory and writes here in bounded batches; the evaluator reads it by period.
import type { Db, ReadDb } from './db';
import { prepared } from './statements';

/** A period is at most a day long; reads look this far back from a period's start for periods overlapping it. */
export const COVERAGE_PERIOD_MAX_MS = 24 * 3_600_000;

export const COVERAGE_SQL = {
  routeVisited: 'SELECT visited FROM coverage_routes WHERE unit_id = ? AND period_from = ?',
  upsertRoute: `INSERT INTO coverage_routes (unit_id, period_from, period_to, route_id, pieces, visited, driven, updated_at)
    VALUES (@unitId, @from, @to, @routeId, @pieces, @visited, @driven, @at)
    ON CONFLICT (unit_id, period_from) DO UPDATE SET visited = excluded.visited, driven = excluded.driven, updated_at = excluded.updated_at`,
  // Dwell is written as what was added since the last write, so a restarted hub adds to what was kept.
  addDwell: `INSERT INTO coverage_dwell (unit_id, period_from, cell_id, period_to, shift_id, assigned, dwell_ms, updated_at)
    VALUES (@unitId, @from, @cellId, @to, @shiftId, @assigned, @ms, @at)
    ON CONFLICT (unit_id, period_from, cell_id) DO UPDATE SET dwell_ms = dwell_ms + excluded.dwell_ms,
      shift_id = coalesce(shift_id, excluded.shift_id), updated_at = excluded.updated_at`,
  routesIn: `SELECT unit_id AS unitId, route_id AS routeId, period_from AS "from", period_to AS "to", pieces, visited, driven
    FROM coverage_routes WHERE period_from > @from - ${COVERAGE_PERIOD_MAX_MS} AND period_from < @to AND period_to > @from
      AND (@unitId IS NULL OR unit_id = @unitId)
    ORDER BY period_from, unit_id LIMIT @limit`,
  dwellIn: `SELECT unit_id AS unitId, cell_id AS cellId, period_from AS "from", period_to AS "to", shift_id AS shiftId, assigned, dwell_ms AS dwellMs
    FROM coverage_dwell WHERE period_from > @from - ${COVERAGE_PERIOD_MAX_MS} AND period_from < @to AND period_to > @from
      AND (@unitId IS NULL OR unit_id = @unitId)
    ORDER BY period_from, unit_id, cell_id LIMIT @limit`,
  // The scorecard: periods that began in [from, to) and had ended by @now (one still running is pending).
  routeTotals: `SELECT coalesce(sum(period_to <= @now), 0) AS periods, coalesce(sum(CASE WHEN period_to <= @now THEN pieces END), 0) AS pieces,
      coalesce(sum(CASE WHEN period_to <= @now THEN driven END), 0) AS driven, coalesce(sum(period_to > @now), 0) AS running
    FROM coverage_routes WHERE period_from >= @from AND period_from < @to`,
  dwellTotals: `SELECT coalesce(sum(CASE WHEN period_to <= @now THEN dwell_ms END), 0) AS seenMs,
      coalesce(sum(CASE WHEN period_to <= @now AND assigned = 1 THEN dwell_ms END), 0) AS assignedMs,
      count(DISTINCT CASE WHEN period_to > @now THEN unit_id END) AS running
    FROM coverage_dwell WHERE period_from >= @from AND period_from < @to AND shift_id IS NOT NULL`,
} as const;

export type RouteCoverageRow = { unitId: string; routeId: string; from: number; to: number; pieces: number; visited: Buffer; driven: number };
export type DwellRow = { unitId: string; cellId: string; from: number; to: number; shiftId: string | null; assigned: 0 | 1; dwellMs: number };

export type RouteWrite = { unitId: string; from: number; to: number; routeId: string; pieces: number; visited: Uint8Array };
export type DwellWrite = { unitId: string; from: number; to: number; cellId: string; shiftId: string | null; assigned: boolean; ms: number };

export function popcount(bits: Uint8Array): number {
  let n = 0;
  for (const b of bits) {
    let x = b;
    while (x) {
      x &= x - 1;
      n++;
    }
  }
  return n;
}

/** Writes one batch in one transaction. A route's bits are OR-ed with what is kept (a restarted hub keeps what was driven). */
export function writeCoverage(db: Db, routes: readonly RouteWrite[], dwell: readonly DwellWrite[], at: number): void {
  db.transaction(() => {
    for (const r of routes) {
      const kept = prepared(db, COVERAGE_SQL.routeVisited).get(r.unitId, r.from) as { visited: Buffer } | undefined;
      const visited = Buffer.from(r.visited);
      if (kept) for (let i = 0; i < Math.min(kept.visited.length, visited.length); i++) visited[i]! |= kept.visited[i]!;
      prepared(db, COVERAGE_SQL.upsertRoute).run({ unitId: r.unitId, from: r.from, to: r.to, routeId: r.routeId, pieces: r.pieces, visited, driven: popcount(visited), at });
    }
    for (const d of dwell) {
      prepared(db, COVERAGE_SQL.addDwell).run({ unitId: d.unitId, from: d.from, to: d.to, cellId: d.cellId, shiftId: d.shiftId, assigned: d.assigned ? 1 : 0, ms: Math.round(d.ms), at });
    }
  })();
}

export function routeCoverageIn(db: ReadDb, q: { from: number; to: number; unitId: string | null; limit: number }): RouteCoverageRow[] {
  return prepared(db, COVERAGE_SQL.routesIn).all(q) as RouteCoverageRow[];
}

export function dwellIn(db: ReadDb, q: { from: number; to: number; unitId: string | null; limit: number }): DwellRow[] {
  return prepared(db, COVERAGE_SQL.dwellIn).all(q) as DwellRow[];
}

export type CoverageTotals = {
  routes: { periods: number; pieces: number; driven: number; running: number };
  dwell: { seenMs: number; assignedMs: number; running: number };
};

export function coverageTotals(db: ReadDb, p: { from: number; to: number; now: number }): CoverageTotals {
  return {
    routes: prepared(db, COVERAGE_SQL.routeTotals).get(p) as CoverageTotals['routes'],
    dwell: prepared(db, COVERAGE_SQL.dwellTotals).get(p) as CoverageTotals['dwell'],
  };
}
