// The high-volume position write path: many fixes per transaction, duplicates (same unit, same fix time) ignored.
import type { PositionFix } from '../../shared/domain';
import type { Db, ReadDb } from './db';
import { prepared } from './statements';

export const INSERT_POSITION_SQL = `INSERT OR IGNORE INTO positions (unit_id, t, lng, lat, speed, heading, accuracy, received_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;

/** Writes fixes on this connection (tools, tests); the hub's pipeline writes through its writer thread (position-writer.ts). */
export function positionWriter(db: Db): (fixes: PositionFix[], receivedAt: number) => number {
  const insert = db.prepare(INSERT_POSITION_SQL);
  return db.transaction((fixes: PositionFix[], receivedAt: number) => {
    let written = 0;
    for (const f of fixes) {
      written += insert.run(f.unitId, f.t, f.lng, f.lat, f.speed ?? null, f.heading ?? null, f.accuracy ?? null, receivedAt).changes;
    }
    return written;
  });
}

/** A unit's track between two times (map replay, evaluation). */
export function track(db: ReadDb, unitId: string, from: number, to: number): PositionFix[] {
  const rows = prepared(db, 'SELECT unit_id, t, lng, lat, speed, heading, accuracy FROM positions WHERE t BETWEEN ? AND ? AND unit_id = ? ORDER BY t')
    .all(from, to, unitId) as Array<{ unit_id: string; t: number; lng: number; lat: number; speed: number | null; heading: number | null; accuracy: number | null }>;
  return rows.map((r) => ({
    unitId: r.unit_id, t: r.t, lng: r.lng, lat: r.lat,
    ...(r.speed === null ? {} : { speed: r.speed }),
    ...(r.heading === null ? {} : { heading: r.heading }),
    ...(r.accuracy === null ? {} : { accuracy: r.accuracy }),
  }));
}

export function countPositions(db: ReadDb): number {
  return (prepared(db, 'SELECT count(*) AS n FROM positions').get() as { n: number }).n;
}
