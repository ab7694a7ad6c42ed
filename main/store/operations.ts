// Incidents, tasks (and their steps), check-ins and mode changes (SOS calls: sos.ts).
import type { CheckIn, Incident, ModeChange, Task, UnitStatus } from '../../shared/domain';
import type { Db, ReadDb } from './db';
import { prepared } from './statements';

type IncidentRow = {
  id: string; category: Incident['category']; priority: Incident['priority']; state: Incident['state'];
  lng: number; lat: number; description: string; source: Incident['source']; created_at: number; updated_at: number;
};
const incidentFromRow = (r: IncidentRow): Incident => ({
  id: r.id, category: r.category, priority: r.priority, state: r.state, position: [r.lng, r.lat],
  description: r.description, source: r.source, createdAt: r.created_at, updatedAt: r.updated_at,
});

export function insertIncident(db: Db, i: Incident): void {
  db.prepare(
    `INSERT INTO incidents (id, category, priority, state, lng, lat, description, source, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(i.id, i.category, i.priority, i.state, i.position[0], i.position[1], i.description, i.source, i.createdAt, i.updatedAt);
}

export function findIncident(db: ReadDb, id: string): Incident | undefined {
  const r = db.prepare('SELECT * FROM incidents WHERE id = ?').get(id) as IncidentRow | undefined;
  return r && incidentFromRow(r);
}

export function updateIncidentState(db: Db, id: string, state: Incident['state'], at: number, resolution?: string): void {
  db.prepare('UPDATE incidents SET state = ?, updated_at = ?, resolution = coalesce(?, resolution) WHERE id = ?')
    .run(state, at, resolution ?? null, id);
}

/** Incidents a console shows: everything not closed. */
export function listActiveIncidents(db: ReadDb): Incident[] {
  return (db.prepare("SELECT * FROM incidents WHERE state != 'closed' ORDER BY created_at").all() as IncidentRow[]).map(incidentFromRow);
}

type TaskRow = {
  id: string; incident_id: string; unit_id: string; state: Task['state']; note: string;
  assigned_at: number; ack_deadline: number; arrive_deadline: number; updated_at: number;
};
const taskFromRow = (r: TaskRow): Task => ({
  id: r.id, incidentId: r.incident_id, unitId: r.unit_id, state: r.state, note: r.note,
  assignedAt: r.assigned_at, ackDeadline: r.ack_deadline, arriveDeadline: r.arrive_deadline, updatedAt: r.updated_at,
});

export function insertTask(db: Db, t: Task): void {
  db.prepare(
    `INSERT INTO tasks (id, incident_id, unit_id, state, note, assigned_at, ack_deadline, arrive_deadline, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(t.id, t.incidentId, t.unitId, t.state, t.note, t.assignedAt, t.ackDeadline, t.arriveDeadline, t.updatedAt);
}

export function findTask(db: ReadDb, id: string): Task | undefined {
  const r = db.prepare('SELECT * FROM tasks WHERE id = ?').get(id) as TaskRow | undefined;
  return r && taskFromRow(r);
}

export function updateTaskState(db: Db, id: string, state: Task['state'], at: number): void {
  db.prepare('UPDATE tasks SET state = ?, updated_at = ? WHERE id = ?').run(state, at, id);
}

export function insertTaskStep(
  db: Db,
  s: { taskId: string; state: Task['state']; actor: string; at: number; position?: [number, number] | null; note?: string | null },
): void {
  db.prepare('INSERT INTO task_steps (task_id, state, actor, at, lng, lat, note) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(s.taskId, s.state, s.actor, s.at, s.position?.[0] ?? null, s.position?.[1] ?? null, s.note ?? null);
}

export function countOpenTasksOfUnit(db: ReadDb, unitId: string): number {
  return (db.prepare("SELECT count(*) AS n FROM tasks WHERE unit_id = ? AND state IN ('assigned','accepted','arrived')")
    .get(unitId) as { n: number }).n;
}

/** The unit's open task on this incident, if it has one (at most one: the guardrail in task:assign). */
export function findOpenTaskOf(db: ReadDb, unitId: string, incidentId: string): Task | undefined {
  const r = db.prepare("SELECT * FROM tasks WHERE unit_id = ? AND incident_id = ? AND state IN ('assigned','accepted','arrived') LIMIT 1")
    .get(unitId, incidentId) as TaskRow | undefined;
  return r && taskFromRow(r);
}

export function listActiveTasks(db: ReadDb): Task[] {
  return (db.prepare("SELECT * FROM tasks WHERE state IN ('assigned','accepted','arrived') ORDER BY assigned_at").all() as TaskRow[])
    .map(taskFromRow);
}

export function insertCheckIn(db: Db, c: CheckIn): void {
  db.prepare('INSERT INTO check_ins (id, unit_id, post_id, lng, lat, at, on_site) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(c.id, c.unitId, c.postId, c.position[0], c.position[1], c.at, c.onSite ? 1 : 0);
}

export function insertModeChange(db: Db, m: ModeChange): void {
  db.prepare('INSERT INTO mode_changes (mode, reason, area_id, by, at, kind, from_mode, ends_at, profile_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
    .run(m.mode, m.reason, m.areaId, m.by, m.at, m.kind, m.from, m.endsAt, m.profileVersion);
}

type ModeRow = {
  mode: ModeChange['mode']; reason: string; area_id: string | null; by: string; at: number;
  kind: ModeChange['kind']; from_mode: ModeChange['mode'] | null; ends_at: number | null; profile_version: number;
};
const MODE_COLUMNS = 'mode, reason, area_id, by, at, kind, from_mode, ends_at, profile_version';
const modeChange = (r: ModeRow): ModeChange => ({
  mode: r.mode, reason: r.reason, areaId: r.area_id, by: r.by, at: r.at, kind: r.kind, from: r.from_mode, endsAt: r.ends_at, profileVersion: r.profile_version,
});

/** SQL of the mode record's hot reads, exported so query-plan tests read these very strings. */
export const MODE_SQL = {
  lastCity: `SELECT ${MODE_COLUMNS} FROM mode_changes WHERE area_id IS NULL ORDER BY id DESC LIMIT 1`,
  /** the newest change of each area that has had one */
  lastPerArea: `SELECT ${MODE_COLUMNS} FROM mode_changes WHERE id IN (SELECT max(id) FROM mode_changes WHERE area_id IS NOT NULL GROUP BY area_id)`,
} as const;

/** The newest city-wide change: the city's mode as the record has it. */
export function currentMode(db: ReadDb): ModeChange | undefined {
  const r = db.prepare(MODE_SQL.lastCity).get() as ModeRow | undefined;
  return r && modeChange(r);
}

/** The newest change of every area that ever had one (ended ones included: kind 'end'). */
export function lastAreaModes(db: ReadDb): ModeChange[] {
  return (db.prepare(MODE_SQL.lastPerArea).all() as ModeRow[]).map(modeChange);
}

export const DISPATCH_SQL = {
  /** status, open tasks, and whether one of them is on `incident`, for a list of units (JSON array of ids) */
  unitStates: `SELECT u.id AS id, u.status AS status,
      (SELECT count(*) FROM tasks t WHERE t.unit_id = u.id AND t.state IN ('assigned','accepted','arrived')) AS open_tasks,
      EXISTS (SELECT 1 FROM tasks t WHERE t.unit_id = u.id AND t.incident_id = @incident AND t.state IN ('assigned','accepted','arrived')) AS on_incident
    FROM units u WHERE u.id IN (SELECT value FROM json_each(@ids))`,
} as const;

export type DispatchState = { status: UnitStatus; openTasks: number; onIncident: boolean };

/** What dispatch needs to know now of each listed unit; units the store does not know are absent. */
export function dispatchStates(db: ReadDb, unitIds: readonly string[], incidentId: string | null): Map<string, DispatchState> {
  const rows = prepared(db, DISPATCH_SQL.unitStates).all({ ids: JSON.stringify(unitIds), incident: incidentId }) as
    Array<{ id: string; status: UnitStatus; open_tasks: number; on_incident: number }>;
  return new Map(rows.map((r) => [r.id, { status: r.status, openTasks: r.open_tasks, onIncident: r.on_incident === 1 }]));
}
