// Hostile text in every free-text field of every command (issue 16): SQL injection, markup, format and
// template strings, NUL and bidi characters. Each is accepted as text and stored verbatim — in its
// table, in the audit entry, in what the hub reads back — and nothing it names happens: the tables are
// all there, no unit changed status, the chain verifies. A password made of SQL logs in, and only it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { askPatiently, closeClients, consoleClient, fieldClient, NANJING, startTestHub, type ConsoleClient, type FieldClient } from './hub-fixture';
import { checkStore } from './store-check';
import type { Hub } from '../../main/hub/server';

const HOSTILE_TEXT = [
  "'); DROP TABLE incidents; --",
  "' OR '1'='1",
  '"; DELETE FROM audit_log WHERE "1"="1',
  "1; UPDATE units SET status='sos' WHERE 1=1; --",
  "x' UNION SELECT password_hash FROM users --",
  "\\'; ATTACH DATABASE '/tmp/pwn.db' AS pwn; --",
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '%s%n%x {{7*7}} ${7*7} $t(alarm.sos) __proto__',
  'a\u0000b \u202egnp.exe \u200b',
];

let hub: Hub & { dataDir: string };
let op: ConsoleClient;
let manager: ConsoleClient;
let admin: ConsoleClient;
let gateway: FieldClient;
beforeAll(async () => {
  hub = await startTestHub();
  const as = async (username: string) => (await consoleClient(hub.url, { username, password: 'demo' })).socket;
  [op, manager, admin] = [await as('operator'), await as('manager'), await as('admin')];
  gateway = await fieldClient(hub.url);
}, 120_000);
afterAll(async () => {
  closeClients();
  await hub?.close();
});

let n = 0;
const commandId = () => `hostile-${process.pid}-${n++}xx`;
/** Sends, expects ok, and remembers which text field of which commandId must come back verbatim. */
const sentText: Array<{ commandId: string; field: string; value: string }> = [];
async function must(socket: ConsoleClient | FieldClient, event: string, payload: Record<string, unknown>, field?: string) {
  const res = await askPatiently(socket, event, payload);
  expect(res, `${event} ${JSON.stringify(payload)}`).toMatchObject({ ok: true });
  if (field) sentText.push({ commandId: payload.commandId as string, field, value: payload[field] as string });
  return res.result;
}

describe('hostile text in every text field', () => {
  it('is stored and read back verbatim, and nothing it says is executed', async () => {
    const db = hub.db;
    const units = db.prepare("SELECT id FROM units WHERE status IN ('on_post','patrolling') ORDER BY id LIMIT ?").pluck().all(HOSTILE_TEXT.length * 3) as string[];
    const statusesBefore = db.prepare("SELECT id, status FROM units WHERE id NOT IN (SELECT value FROM json_each(?))").all(JSON.stringify(units));
    const tablesBefore = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all();
    const camera = db.prepare("SELECT * FROM cameras WHERE kind = 'fixed' LIMIT 1").get() as { id: string; lng: number; lat: number; sources: string };
    const stored: Array<{ sql: string; id: string; value: string }> = [];

    for (const [i, text] of HOSTILE_TEXT.entries()) {
      const [u1, u2, u3] = units.slice(i * 3, i * 3 + 3) as [string, string, string];
      const inc = (await must(op, 'incident:create', { commandId: commandId(), category: 'parking', priority: 2, position: NANJING, description: text }, 'description')).incident.id;
      stored.push({ sql: 'SELECT description FROM incidents WHERE id = ?', id: inc, value: text });
      const reported = (await must(gateway, 'incident:report', { commandId: commandId(), unitId: u1, category: 'muck', priority: 3, position: NANJING, description: text }, 'description')).incident.id;
      stored.push({ sql: 'SELECT description FROM incidents WHERE id = ?', id: reported, value: text });

      const t1 = (await must(op, 'task:assign', { commandId: commandId(), incidentId: inc, unitId: u1, note: text }, 'note')).task.id;
      stored.push({ sql: 'SELECT note FROM tasks WHERE id = ?', id: t1, value: text });
      await must(gateway, 'task:accept', { commandId: commandId(), unitId: u1, taskId: t1 });
      await must(gateway, 'task:finish', { commandId: commandId(), unitId: u1, taskId: t1, note: text }, 'note');
      stored.push({ sql: "SELECT note FROM task_steps WHERE task_id = ? AND state = 'finished'", id: t1, value: text });
      const t2 = (await must(op, 'task:assign', { commandId: commandId(), incidentId: reported, unitId: u2 })).task.id;
      await must(gateway, 'task:refuse', { commandId: commandId(), unitId: u2, taskId: t2, reason: text }, 'reason');
      stored.push({ sql: "SELECT note FROM task_steps WHERE task_id = ? AND state = 'refused'", id: t2, value: text });
      const t3 = (await must(manager, 'task:assign', { commandId: commandId(), incidentId: reported, unitId: u3 })).task.id;
      await must(manager, 'task:cancel', { commandId: commandId(), taskId: t3, reason: text }, 'reason');
      stored.push({ sql: "SELECT note FROM task_steps WHERE task_id = ? AND state = 'cancelled'", id: t3, value: text });
      await must(op, 'incident:close', { commandId: commandId(), incidentId: inc, resolution: text }, 'resolution');
      stored.push({ sql: 'SELECT resolution FROM incidents WHERE id = ?', id: inc, value: text });

      const sos = (await must(gateway, 'sos:raise', { commandId: commandId(), unitId: u3, position: NANJING, note: text }, 'note')).sos.id;
      stored.push({ sql: 'SELECT note FROM sos WHERE id = ?', id: sos, value: text });
      await must(op, 'sos:resolve', { commandId: commandId(), sosId: sos, note: text }, 'note');

      await must(manager, 'mode:switch', { commandId: commandId(), mode: 'emergency', reason: text }, 'reason');
      await must(manager, 'mode:end', { commandId: commandId(), reason: text }, 'reason');

      const camId = `cam-hostile-${i}`;
      await must(admin, 'camera:upsert', {
        commandId: commandId(),
        camera: { id: camId, kind: 'fixed', name: text, position: [camera.lng, camera.lat], facing: null, unitId: null, sources: JSON.parse(camera.sources), key: false },
      });
      stored.push({ sql: 'SELECT name FROM cameras WHERE id = ?', id: camId, value: text });
    }

    // Every text as it was sent, in its table and in its audit entry.
    for (const s of stored) expect(db.prepare(s.sql).pluck().get(s.id), s.sql).toBe(s.value);
    const audited = db.prepare("SELECT json_extract(entry, '$.payload.' || ?) FROM audit_log WHERE json_extract(entry, '$.payload.commandId') = ? AND json_extract(entry, '$.outcome') = 'accepted'").pluck();
    for (const s of sentText) expect(audited.get(s.field, s.commandId), `${s.commandId}.${s.field}`).toBe(s.value);
    const reasons = db.prepare('SELECT reason FROM mode_changes ORDER BY id DESC LIMIT ?').pluck().all(HOSTILE_TEXT.length * 2) as string[];
    expect(new Set(reasons)).toEqual(new Set(HOSTILE_TEXT));

    // Read back over the wire: the cameras' names in a snapshot, exactly.
    // Many commands came before it from this identity: wait for its budget rather than count as refused.
    const snap = await askPatiently(op, 'state:snapshot', {});
    expect(snap.ok, snap.error?.message).toBe(true);
    const names = (snap.result.cameras as Array<{ id: string; name: string }>).filter((c) => c.id.startsWith('cam-hostile-')).map((c) => c.name);
    expect(names.sort()).toEqual([...HOSTILE_TEXT].sort());

    // Nothing the text said was done.
    expect(db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all()).toEqual(tablesBefore);
    expect(db.prepare("SELECT id, status FROM units WHERE id NOT IN (SELECT value FROM json_each(?))").all(JSON.stringify(units))).toEqual(statusesBefore);
    expect((db.pragma('database_list') as Array<{ name: string }>).map((d) => d.name)).not.toContain('pwn');
    expect(checkStore(hub.dataDir, sentText.map((s) => s.commandId))).toMatchObject({ integrity: 'ok', auditOk: true, missing: [], twice: [] });
  }, 120_000);

  it('ids with SQL in them are refused as invalid, not looked up', async () => {
    for (const id of ["x' OR '1'='1", 'I-1; DROP TABLE incidents', 'a"b']) {
      const res = await askPatiently(op, 'incident:close', { commandId: commandId(), incidentId: id, resolution: 'x' });
      expect(res).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
      expect(res.error!.message).toMatch(/^incidentId: /);
    }
  });

  it('a password made of SQL is a password: it logs in, and the SQL that would match anything does not', async () => {
    const password = "' OR '1'='1'; --";
    await must(admin, 'user:create', { commandId: commandId(), username: 'sqlpass', role: 'evaluator', password });
    const { ready } = await consoleClient(hub.url, { username: 'sqlpass', password });
    expect(ready).toMatchObject({ user: { username: 'sqlpass', role: 'evaluator' } });
    const refused = await new Promise<string>((resolve) => {
      const s = io(`${hub.url}/console`, { auth: { username: 'sqlpass', password: "' OR 1=1 --" }, transports: ['websocket'], reconnection: false, forceNew: true });
      s.once('session:ready', () => { s.disconnect(); resolve('logged in'); });
      s.once('connect_error', (e) => { s.disconnect(); resolve(e.message); });
    });
    expect(refused).toMatch(/^auth_failed:/);
  });
});
