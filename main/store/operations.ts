// Incidents, tasks (and their steps), check-ins and mode changes (SOS calls: sos.ts).
import { OPEN_TASK_STATES, type CheckIn, type Incident, type IncidentAmendment, type ModeChange, type Task, type UnitStatus } from '../../shared/domain';
import type { Db, ReadDb } from './db';
import { prepared } from './statements';

type IncidentRow = {
  id: string; category: Incident['category']; subtype: string | null; priority: Incident['priority']; state: Incident['state'];
  lng: number; lat: number; description: string; origin: string; street: string | null; street_m: number | null;
  cell_id: string | null; district_id: string | null; amendments: number; created_at: number; updated_at: number;
};
const incidentFromRow = (r: IncidentRow): Incident => ({
  id: r.id, category: r.category, subtype: r.subtype, priority: r.priority, state: r.state, position: [r.lng, r.lat],
  description: r.description, source: JSON.parse(r.origin) as Incident['source'],
  place: { street: r.street, streetM: r.street_m, cellId: r.cell_id, districtId: r.district_id },
  amendments: r.amendments, createdAt: r.created_at, updatedAt: r.updated_at,
});
/** An incident with the count of its amendments. */
const INCIDENT_SELECT = 'SELECT i.*, (SELECT count(*) FROM incident_amendments a WHERE a.incident_id = i.id) AS amendments FROM incidents i';
/** The task states that are still open, as SQL. */
const OPEN_TASKS = `(${OPEN_TASK_STATES.map((s) => `'${s}'`).join(',')})`;

export function insertIncident(db: Db, i: Incident): void {
  prepared(db, `INSERT INTO incidents (id, category, subtype, priority, state, lng, lat, description, source, origin, street, street_m, cell_id, district_id, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
    i.id, i.category, i.subtype, i.priority, i.state, i.position[0], i.position[1], i.description, i.source.kind, JSON.stringify(i.source),
    i.place.street, i.place.streetM, i.place.cellId, i.place.districtId, i.createdAt, i.updatedAt,
  );
}

export function findIncident(db: ReadDb, id: string): Incident | undefined {
  const r = prepared(db, `${INCIDENT_SELECT} WHERE i.id = ?`).get(id) as IncidentRow | undefined;
  return r && incidentFromRow(r);
}

/** The resolution written when it was closed (null while open). */
export function incidentResolution(db: ReadDb, id: string): string | null {
  return (prepared(db, 'SELECT resolution FROM incidents WHERE id = ?').get(id) as { resolution: string | null } | undefined)?.resolution ?? null;
}

export function updateIncidentState(db: Db, id: string, state: Incident['state'], at: number, resolution?: string): void {
  prepared(db, 'UPDATE incidents SET state = ?, updated_at = ?, resolution = coalesce(?, resolution) WHERE id = ?')
    .run(state, at, resolution ?? null, id);
}

/** Appends an amendment (the table refuses UPDATE and DELETE) and touches the incident's updated time. */
export function insertAmendment(db: Db, a: Omit<IncidentAmendment, 'id'>): IncidentAmendment {
  const r = prepared(db, 'INSERT INTO incident_amendments (incident_id, actor, role, at, reason, text) VALUES (?, ?, ?, ?, ?, ?)')
    .run(a.incidentId, a.actor, a.role, a.at, a.reason, a.text);
  prepared(db, 'UPDATE incidents SET updated_at = ? WHERE id = ?').run(a.at, a.incidentId);
  return { id: Number(r.lastInsertRowid), ...a };
}

export function listAmendments(db: ReadDb, incidentId: string): IncidentAmendment[] {
  return (prepared(db, 'SELECT * FROM incident_amendments WHERE incident_id = ? ORDER BY id').all(incidentId) as Array<{
    id: number; incident_id: string; actor: string; role: string; at: number; reason: string; text: string;
  }>).map((r) => ({ id: r.id, incidentId: r.incident_id, actor: r.actor, role: r.role, at: r.at, reason: r.reason, text: r.text }));
}

export function insertPhoto(db: Db, p: { id: string; mime: string; bytes: Buffer; by: string; at: number }): void {
  prepared(db, 'INSERT INTO photos (id, mime, bytes, by, at) VALUES (?, ?, ?, ?, ?)').run(p.id, p.mime, p.bytes, p.by, p.at);
}

export function findPhoto(db: ReadDb, id: string): { mime: string; bytes: Buffer } | undefined {
  return prepared(db, 'SELECT mime, bytes FROM photos WHERE id = ?').get(id) as { mime: string; bytes: Buffer } | undefined;
}

/** Incidents a console shows: everything not closed. */
export function listActiveIncidents(db: ReadDb): Incident[] {
  return (prepared(db, `${INCIDENT_SELECT} WHERE i.state != 'closed' ORDER BY i.created_at`).all() as IncidentRow[]).map(incidentFromRow);
}

type TaskRow = {
  id: string; incident_id: string; unit_id: string; state: Task['state']; note: string;
  assigned_at: number; ack_deadline: number; arrive_deadline: number; finish_deadline: number | null; updated_at: number;
};
const taskFromRow = (r: TaskRow): Task => ({
  id: r.id, incidentId: r.incident_id, unitId: r.unit_id, state: r.state, note: r.note,
  assignedAt: r.assigned_at, ackDeadline: r.ack_deadline, arriveDeadline: r.arrive_deadline, finishDeadline: r.finish_deadline, updatedAt: r.updated_at,
});

export function insertTask(db: Db, t: Task): void {
  prepared(db, `INSERT INTO tasks (id, incident_id, unit_id, state, note, assigned_at, ack_deadline, arrive_deadline, finish_deadline, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(t.id, t.incidentId, t.unitId, t.state, t.note, t.assignedAt, t.ackDeadline, t.arriveDeadline, t.finishDeadline, t.updatedAt);
}

export function findTask(db: ReadDb, id: string): Task | undefined {
  const r = prepared(db, 'SELECT * FROM tasks WHERE id = ?').get(id) as TaskRow | undefined;
  return r && taskFromRow(r);
}

export function updateTaskState(db: Db, id: string, state: Task['state'], at: number): void {
  prepared(db, 'UPDATE tasks SET state = ?, updated_at = ? WHERE id = ?').run(state, at, id);
}

export function insertTaskStep(
  db: Db,
  s: { taskId: string; state: Task['state']; actor: string; at: number; position?: [number, number] | null; note?: string | null },
): void {
  prepared(db, 'INSERT INTO task_steps (task_id, state, actor, at, lng, lat, note) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(s.taskId, s.state, s.actor, s.at, s.position?.[0] ?? null, s.position?.[1] ?? null, s.note ?? null);
}

export type TaskStep = { taskId: string; unitId: string; state: Task['state']; actor: string; at: number; position: [number, number] | null; note: string | null };

/** Every step of every task of an incident, in the order they were recorded. */
export function listIncidentSteps(db: ReadDb, incidentId: string): TaskStep[] {
  return (prepared(db, `SELECT s.task_id, t.unit_id, s.state, s.actor, s.at, s.lng, s.lat, s.note FROM task_steps s JOIN tasks t ON t.id = s.task_id
     WHERE t.incident_id = ? ORDER BY s.id`).all(incidentId) as Array<{ task_id: string; unit_id: string; state: Task['state']; actor: string; at: number; lng: number | null; lat: number | null; note: string | null }>)
    .map((r) => ({
      taskId: r.task_id, unitId: r.unit_id, state: r.state, actor: r.actor, at: r.at,
      position: r.lng === null || r.lat === null ? null : [r.lng, r.lat], note: r.note,
    }));
}

export function listTasksOfIncident(db: ReadDb, incidentId: string): Task[] {
  return (prepared(db, 'SELECT * FROM tasks WHERE incident_id = ? ORDER BY assigned_at, id').all(incidentId) as TaskRow[]).map(taskFromRow);
}

export function countOpenTasksOfUnit(db: ReadDb, unitId: string): number {
  return (prepared(db, `SELECT count(*) AS n FROM tasks WHERE unit_id = ? AND state IN ${OPEN_TASKS}`)
    .get(unitId) as { n: number }).n;
}

/** The unit's open task on this incident, if it has one (at most one: the guardrail in task:assign). */
export function findOpenTaskOf(db: ReadDb, unitId: string, incidentId: string): Task | undefined {
  const r = prepared(db, `SELECT * FROM tasks WHERE unit_id = ? AND incident_id = ? AND state IN ${OPEN_TASKS} LIMIT 1`)
    .get(unitId, incidentId) as TaskRow | undefined;
  return r && taskFromRow(r);
}

export function listActiveTasks(db: ReadDb): Task[] {
  return (prepared(db, `SELECT * FROM tasks WHERE state IN ${OPEN_TASKS} ORDER BY assigned_at`).all() as TaskRow[])
    .map(taskFromRow);
}

export function insertCheckIn(db: Db, c: CheckIn): void {
  prepared(db, 'INSERT INTO check_ins (id, unit_id, post_id, lng, lat, at, on_site) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(c.id, c.unitId, c.postId, c.position[0], c.position[1], c.at, c.onSite ? 1 : 0);
}

export function insertModeChange(db: Db, m: ModeChange): void {
  prepared(db, 'INSERT INTO mode_changes (mode, reason, area_id, by, at, kind, from_mode, ends_at, profile_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
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
      (SELECT count(*) FROM tasks t WHERE t.unit_id = u.id AND t.state IN ${OPEN_TASKS}) AS open_tasks,
      EXISTS (SELECT 1 FROM tasks t WHERE t.unit_id = u.id AND t.incident_id = @incident AND t.state IN ${OPEN_TASKS}) AS on_incident
    FROM units u WHERE u.id IN (SELECT value FROM json_each(@ids))`,
} as const;

export type DispatchState = { status: UnitStatus; openTasks: number; onIncident: boolean };

/** What dispatch needs to know now of each listed unit; units the store does not know are absent. */
export function dispatchStates(db: ReadDb, unitIds: readonly string[], incidentId: string | null): Map<string, DispatchState> {
  const rows = prepared(db, DISPATCH_SQL.unitStates).all({ ids: JSON.stringify(unitIds), incident: incidentId }) as
    Array<{ id: string; status: UnitStatus; open_tasks: number; on_incident: number }>;
  return new Map(rows.map((r) => [r.id, { status: r.status, openTasks: r.open_tasks, onIncident: r.on_incident === 1 }]));
}
