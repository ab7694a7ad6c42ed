// The city's standing data: areas (districts, grid cells, posts), routes, units and cameras.
import type { Area, Camera, Route, Unit, UnitStatus } from '../../shared/domain';
import type { Db, ReadDb } from './db';

export function insertArea(db: Db, a: Area): void {
  db.prepare(
    `INSERT INTO areas (id, kind, name, parent_id, polygon, center_lng, center_lat, radius_m)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(a.id, a.kind, a.name, a.parentId, a.polygon ? JSON.stringify(a.polygon) : null, a.center[0], a.center[1], a.radiusM);
}

export function listAreas(db: ReadDb): Area[] {
  return listAreasWhere(db, '1 = 1 ORDER BY rowid');
}

export function findPost(db: ReadDb, id: string): Area | undefined {
  return listAreasWhere(db, "kind = 'post' AND id = ?", id)[0];
}

function listAreasWhere(db: ReadDb, where: string, ...args: unknown[]): Area[] {
  const rows = db.prepare(`SELECT * FROM areas WHERE ${where}`).all(...args) as Array<{
    id: string; kind: Area['kind']; name: string; parent_id: string | null; polygon: string | null;
    center_lng: number; center_lat: number; radius_m: number | null;
  }>;
  return rows.map((r) => ({
    id: r.id, kind: r.kind, name: r.name, parentId: r.parent_id,
    polygon: r.polygon ? JSON.parse(r.polygon) : null, center: [r.center_lng, r.center_lat], radiusM: r.radius_m,
  }));
}

export function insertRoute(db: Db, r: Route): void {
  db.prepare('INSERT INTO routes (id, name, roads, line, modes) VALUES (?, ?, ?, ?, ?)')
    .run(r.id, r.name, JSON.stringify(r.roads), JSON.stringify(r.line), JSON.stringify(r.modes));
}

export function listRoutes(db: ReadDb): Route[] {
  const rows = db.prepare('SELECT * FROM routes ORDER BY rowid').all() as Array<{ id: string; name: string; roads: string; line: string; modes: string }>;
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
  db.prepare(
    `INSERT INTO units (id, kind, name, badge, plate, squad, cell_id, post_id, route_id, camera_id, status)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(u.id, u.kind, u.name, u.badge, u.plate, u.squad, u.cellId, u.postId, u.routeId, u.cameraId, u.status);
}

export function listUnits(db: ReadDb): Unit[] {
  return (db.prepare('SELECT * FROM units ORDER BY rowid').all() as UnitRow[]).map(unitFromRow);
}

export function findUnit(db: ReadDb, id: string): Unit | undefined {
  const r = db.prepare('SELECT * FROM units WHERE id = ?').get(id) as UnitRow | undefined;
  return r && unitFromRow(r);
}

export function setUnitStatus(db: Db, id: string, status: UnitStatus): void {
  db.prepare('UPDATE units SET status = ? WHERE id = ?').run(status, id);
}

type CameraRow = {
  id: string; kind: Camera['kind']; name: string; lng: number | null; lat: number | null; facing: number | null;
  unit_id: string | null; sources: string; key: number;
};

export function upsertCamera(db: Db, c: Camera): void {
  db.prepare(
    `INSERT INTO cameras (id, kind, name, lng, lat, facing, unit_id, sources, key)
     VALUES (@id, @kind, @name, @lng, @lat, @facing, @unitId, @sources, @key)
     ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, name = excluded.name, lng = excluded.lng, lat = excluded.lat,
       facing = excluded.facing, unit_id = excluded.unit_id, sources = excluded.sources, key = excluded.key`,
  ).run({
    id: c.id, kind: c.kind, name: c.name, lng: c.position?.[0] ?? null, lat: c.position?.[1] ?? null,
    facing: c.facing, unitId: c.unitId, sources: JSON.stringify(c.sources), key: c.key ? 1 : 0,
  });
}

export function listCameras(db: ReadDb): Camera[] {
  return (db.prepare('SELECT * FROM cameras ORDER BY rowid').all() as CameraRow[]).map((r) => ({
    id: r.id, kind: r.kind, name: r.name,
    position: r.lng === null || r.lat === null ? null : [r.lng, r.lat],
    facing: r.facing, unitId: r.unit_id, sources: JSON.parse(r.sources), key: r.key === 1,
  }));
}
