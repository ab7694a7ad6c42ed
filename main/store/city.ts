// The city's standing data: areas (districts, grid cells, posts), routes, units and cameras.
import type { Area, Camera, Route, Unit, UnitStatus } from '../../shared/domain';
import type { Db, ReadDb } from './db';
import { prepared } from './statements';

export function insertArea(db: Db, a: Area): void {
  prepared(db, CITY_SQL.insertArea)
    .run(a.id, a.kind, a.name, a.parentId, a.polygon ? JSON.stringify(a.polygon) : null, a.center[0], a.center[1], a.radiusM);
  areaCache.delete(db);
}

const CITY_SQL = {
  insertArea: `INSERT INTO areas (id, kind, name, parent_id, polygon, center_lng, center_lat, radius_m)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  // Retired areas (deleted by an admin, migration 0170) stay for the record but are no longer the grid.
  allAreas: 'SELECT * FROM areas WHERE retired_at IS NULL ORDER BY rowid',
  areasStamp: 'SELECT count(*) AS n, coalesce(max(rowid), 0) AS last FROM areas',
  dataVersion: 'PRAGMA data_version',
  postById: "SELECT * FROM areas WHERE kind = 'post' AND id = ? AND retired_at IS NULL",
} as const;

type AreaRow = {
  id: string; kind: Area['kind']; name: string; parent_id: string | null; polygon: string | null;
  center_lng: number; center_lat: number; radius_m: number | null;
};
function areaFromRow(r: AreaRow): Area {
  const area: Area = {
    id: r.id, kind: r.kind, name: r.name, parentId: r.parent_id,
    polygon: r.polygon ? JSON.parse(r.polygon) : null, center: [r.center_lng, r.center_lat], radiusM: r.radius_m,
  };
  return Object.freeze(area);
}

/**
 * The city's areas, parsed once per handle: every incident (its place), SOS and attendance check reads
 * them all, and parsing each polygon's JSON per command was the largest cost of incident:create
 * (2 ms of CPU per command on the demo city, issue 17). Areas change when the city is seeded and by an
 * admin's grid edits, so the parsed list is kept until the stamp moves: another connection committed
 * (PRAGMA data_version), or a row was added or removed on this one (count, last rowid); every write on
 * this one (insertArea, store/grid.ts) also drops it, since an edit in place moves neither. The areas
 * are frozen: they are shared by every caller.
 */
const areaCache = new WeakMap<ReadDb, { stamp: string; areas: readonly Area[] }>();

/** Drops the parsed areas of this handle: the next read parses them again (after a write in place). */
export function forgetAreas(db: ReadDb): void {
  areaCache.delete(db);
}

export function listAreas(db: ReadDb): Area[] {
  const version = prepared(db, CITY_SQL.dataVersion).pluck(true).get() as number;
  const { n, last } = prepared(db, CITY_SQL.areasStamp).get() as { n: number; last: number };
  const stamp = `${version}:${n}:${last}`;
  let cached = areaCache.get(db);
  if (cached?.stamp !== stamp) {
    cached = { stamp, areas: (prepared(db, CITY_SQL.allAreas).all() as AreaRow[]).map(areaFromRow) };
    areaCache.set(db, cached);
  }
  return cached.areas.slice(); // callers may sort or splice their copy
}

export function findPost(db: ReadDb, id: string): Area | undefined {
  const r = prepared(db, CITY_SQL.postById).get(id) as AreaRow | undefined;
  return r && areaFromRow(r);
}

export function insertRoute(db: Db, r: Route): void {
  prepared(db, 'INSERT INTO routes (id, name, roads, line, modes) VALUES (?, ?, ?, ?, ?)')
    .run(r.id, r.name, JSON.stringify(r.roads), JSON.stringify(r.line), JSON.stringify(r.modes));
}

export function listRoutes(db: ReadDb): Route[] {
  const rows = prepared(db, 'SELECT * FROM routes WHERE retired_at IS NULL ORDER BY rowid').all() as Array<{ id: string; name: string; roads: string; line: string; modes: string }>;
  return rows.map((r) => ({ id: r.id, name: r.name, roads: JSON.parse(r.roads), line: JSON.parse(r.line), modes: JSON.parse(r.modes) }));
}

type UnitRow = {
  id: string; kind: Unit['kind']; name: string; badge: string | null; plate: string | null; squad: string | null;
  cell_id: string | null; post_id: string | null; route_id: string | null; camera_id: string | null; status: UnitStatus;
};
const unitFromRow = (r: UnitRow): Unit => ({
  id: r.id, kind: r.kind, name: r.name, badge: r.badge, plate: r.plate, squad: r.squad,
  cellId: r.cell_id, postId: r.post_id, routeId: r.route_id, cameraId: r.camera_id, status: r.status,
});

export function insertUnit(db: Db, u: Unit): void {
  prepared(db, `INSERT INTO units (id, kind, name, badge, plate, squad, cell_id, post_id, route_id, camera_id, status)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(u.id, u.kind, u.name, u.badge, u.plate, u.squad, u.cellId, u.postId, u.routeId, u.cameraId, u.status);
}

export function listUnits(db: ReadDb): Unit[] {
  return (prepared(db, 'SELECT * FROM units ORDER BY rowid').all() as UnitRow[]).map(unitFromRow);
}

export function findUnit(db: ReadDb, id: string): Unit | undefined {
  const r = prepared(db, 'SELECT * FROM units WHERE id = ?').get(id) as UnitRow | undefined;
  return r && unitFromRow(r);
}

/** The units that carry `cameraId` now or are to carry it (`unitId`): what unitCameraLinks needs to see. */
export function unitsLinkedToCamera(db: ReadDb, cameraId: string, unitId: string | null): Unit[] {
  return (prepared(db, 'SELECT * FROM units WHERE camera_id = ? OR id = ? ORDER BY rowid').all(cameraId, unitId) as UnitRow[]).map(unitFromRow);
}

export function setUnitCamera(db: Db, id: string, cameraId: string | null): void {
  prepared(db, 'UPDATE units SET camera_id = ? WHERE id = ?').run(cameraId, id);
}

export function setUnitStatus(db: Db, id: string, status: UnitStatus): void {
  prepared(db, 'UPDATE units SET status = ? WHERE id = ?').run(status, id);
}

type CameraRow = {
  id: string; kind: Camera['kind']; name: string; lng: number | null; lat: number | null; facing: number | null;
  unit_id: string | null; sources: string; key: number;
};

export function upsertCamera(db: Db, c: Camera): void {
  prepared(db, `INSERT INTO cameras (id, kind, name, lng, lat, facing, unit_id, sources, key)
     VALUES (@id, @kind, @name, @lng, @lat, @facing, @unitId, @sources, @key)
     ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, name = excluded.name, lng = excluded.lng, lat = excluded.lat,
       facing = excluded.facing, unit_id = excluded.unit_id, sources = excluded.sources, key = excluded.key`).run({
    id: c.id, kind: c.kind, name: c.name, lng: c.position?.[0] ?? null, lat: c.position?.[1] ?? null,
    facing: c.facing, unitId: c.unitId, sources: JSON.stringify(c.sources), key: c.key ? 1 : 0,
  });
}

export function listCameras(db: ReadDb): Camera[] {
  return (prepared(db, 'SELECT * FROM cameras ORDER BY rowid').all() as CameraRow[]).map((r) => ({
    id: r.id, kind: r.kind, name: r.name,
    position: r.lng === null || r.lat === null ? null : [r.lng, r.lat],
    facing: r.facing, unitId: r.unit_id, sources: JSON.parse(r.sources), key: r.key === 1,
  }));
}
