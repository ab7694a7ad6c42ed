// Durability order, proved on the system calls (issue 16): a hub child runs under strace, and for every
// command and every audited refusal the test finds, in the trace, the WAL write that holds it, then an
// fsync of the WAL, and only after that the first byte about it on a socket (its ack). This is what
// `synchronous = FULL` in WAL mode is for; the test fails if a pragma, a driver or an async ack path
// ever lets an answer out before the disk has it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask, cid, closeClients, consoleClient, NANJING, tempDir } from './hub-fixture';
import { hubArgv, startHubChild } from './hub-child';

// Installed and allowed to trace here (some containers forbid ptrace).
const hasStrace = spawnSync('strace', ['-f', '-qq', '-o', '/dev/null', 'true']).status === 0;
const COMMANDS = 20;
// Refusals are audited row by row up to an allowance per actor and action per window (10, refusals.ts);
// past it they are counted into a summary written at the window's end, and their acks do not wait for it.
const REFUSALS = 5;

type Call = { line: number; pid: string; name: string; fd: string; text: string };

/** The trace's calls, each at the line where it completed (an `<unfinished ...>` call where it resumed). */
function parseTrace(file: string): Call[] {
  const calls: Call[] = [];
  const open = new Map<string, { name: string; head: string }>();
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  lines.forEach((raw, line) => {
    const m = /^(\d+)\s+(.*)$/.exec(raw);
    if (!m) return;
    const [, pid, rest] = m as unknown as [string, string, string];
    let name: string;
    let body: string;
    const resumed = /^<\.\.\. (\w+) resumed>(.*)$/.exec(rest);
    if (resumed) {
      const started = open.get(pid);
      open.delete(pid);
      if (!started) return;
      name = started.name;
      body = started.head + resumed[2];
    } else {
      const call = /^(\w+)\((.*)$/.exec(rest);
      if (!call) return;
      name = call[1]!;
      body = call[2]!;
      if (body.endsWith('<unfinished ...>')) {
        open.set(pid, { name, head: body.slice(0, -'<unfinished ...>'.length) });
        return;
      }
    }
    const fd = /^\d+<([^>]*)>/.exec(body)?.[1] ?? '';
    calls.push({ line, pid, name, fd, text: body });
  });
  return calls;
}

let dataDir = '';
beforeAll(async () => {
  if (!hasStrace) return;
  // Seeded untraced (the seed is megabytes of writes), closed cleanly; the traced hub opens it.
  dataDir = tempDir('xiuhua-durable-');
  const seeder = await startHubChild(hubArgv(dataDir));
  expect(await seeder.stop(), seeder.output()).toBe(0);
}, 180_000);
afterAll(() => closeClients());

describe('ack after fsync', () => {
  it.skipIf(!hasStrace)('every command and audited refusal: WAL write, then WAL fsync, then its ack on the socket', async () => {
    const trace = path.join(tempDir('xiuhua-trace-'), 'hub.trace');
    const hub = await startHubChild([
      'strace', '-f', '--seccomp-bpf', '-qq', '-y', '-s', '65536', '-o', trace,
      '-e', 'trace=write,writev,pwrite64,pwritev,pwritev2,sendto,sendmsg,fsync,fdatasync', ...hubArgv(dataDir),
    ]);
    const tag = `fsyncproof${process.pid}x${Date.now().toString(36)}`;
    const commandMarks: string[] = [];
    const refusalMarks: string[] = [];
    try {
      const { socket } = await consoleClient(hub.url, { username: 'operator', password: 'demo' });
      // One at a time, each answered before the next: each mark's writes are its own.
      for (let i = 0; i < COMMANDS; i++) {
        const mark = `${tag}c${i}`;
        const res = await ask(socket, 'incident:create', { commandId: cid(), category: 'parking', priority: 2, position: NANJING, description: mark }, 30_000);
        expect(res.ok).toBe(true);
        commandMarks.push(mark);
      }
      for (let i = 0; i < REFUSALS; i++) {
        const mark = `${tag}r${i}`;
        const res = await ask(socket, 'incident:close', { commandId: cid(), incidentId: mark, resolution: 'none' }, 30_000);
        expect(res).toMatchObject({ ok: false, error: { code: 'not_found', message: `no incident ${mark}` } });
        refusalMarks.push(mark);
      }
      socket.disconnect();
    } finally {
      expect(await hub.stop(), hub.output()).toBe(0);
    }

    const calls = parseTrace(trace);
    const isWal = (c: Call) => c.fd.endsWith('xiuhua.sqlite-wal');
    const isSocket = (c: Call) => c.fd.startsWith('socket:') || c.fd.startsWith('TCP');
    const walWrites = calls.filter((c) => isWal(c) && /^(pwrite|write)/.test(c.name));
    const walSyncs = calls.filter((c) => isWal(c) && (c.name === 'fsync' || c.name === 'fdatasync'));
    const socketWrites = calls.filter((c) => isSocket(c) && /^(write|writev|sendto|sendmsg)$/.test(c.name));
    expect(walSyncs.length).toBeGreaterThanOrEqual(COMMANDS + REFUSALS);

    const order = [...commandMarks, ...refusalMarks].map((mark) => {
      const answered = socketWrites.find((c) => c.text.includes(mark))?.line ?? Infinity;
      // Later commits write the same pages again (the incidents table holds every mark): only the writes
      // before the first word on a socket are this command's own.
      const written = walWrites.filter((c) => c.line < answered && c.text.includes(mark)).map((c) => c.line);
      const lastWrite = written.length ? Math.max(...written) : undefined;
      const synced = lastWrite !== undefined && walSyncs.some((s) => s.line > lastWrite && s.line < answered);
      return { mark, walWrites: written.length, answered: answered !== Infinity, synced };
    });
    expect(order.filter((o) => !(o.walWrites > 0 && o.answered && o.synced))).toEqual([]);
  }, 180_000);
});
