// The hostile clients of bad-input-memory.test.ts, in a child process of their own, so that the test's
// process holds the hub and little else and its RSS is the hub's (issue 16: "RSS after ≤ 1.2× before,
// after a GC"). Each round, a console and a device on new sockets send PER_ROUND messages each of
// generated junk — wrong types, NaN/Infinity as JSON can carry them, huge strings, deep nesting,
// `__proto__` keys, NUL and RTL characters, coordinates and times out of range, extra arguments, no
// callback — wait for every answer, and leave.
//
// Protocol (IPC): the parent sends { op: 'round', url, seed }; the child answers { type: 'round', answered }.
// The child exits when its IPC channel closes.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import type { Socket } from 'socket.io-client';
import { closeClients, consoleClient, CONSOLE_EVENTS, FIELD_EVENTS, fieldClient } from './hub-fixture';

const SELF = fileURLToPath(import.meta.url);
export const PER_ROUND = 300;

/** Values a hostile client puts where the protocol wants ids, numbers, positions and text. */
const hostile = fc.oneof(
  fc.constantFrom(null, true, 0, -1, 1e308, Number.MAX_SAFE_INTEGER + 2, '', 'NaN', 'Infinity', '\u0000', '\u202e\u0000abc', '__proto__', '<script>'),
  fc.string({ maxLength: 40 }),
  // huge text, far beyond any field's limit (two payloads of four such keys stay under the 1 MB message bound)
  fc.constantFrom('长'.repeat(30_000), 'x'.repeat(100_000)),
  fc.tuple(fc.double(), fc.double()), // positions anywhere, NaN and ±Infinity included (JSON sends them as null)
  fc.constantFrom([181, 91], [118.78, 32.04, 7], [[1, 2]], Date.now() + 365 * 86_400_000, -1, 0),
  fc.letrec<{ deep: unknown }>((tie) => ({ deep: fc.oneof({ depthSize: 'large', maxDepth: 60 }, fc.constant(0), fc.tuple(tie('deep'))) })).deep,
);
const payloads = fc.oneof(
  fc.dictionary(fc.constantFrom('commandId', 'unitId', 'incidentId', 'taskId', 'position', 'fixes', 'description', 'areaId', 'mode', '__proto__', 'constructor', 't', 'lng', 'lat'), hostile, { maxKeys: 4 }),
  fc.object({ maxDepth: 3 }),
  hostile,
);
const argLists = fc.oneof(fc.constant([] as unknown[]), fc.tuple(payloads), fc.tuple(payloads, payloads), fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }));

/** One round, as above; how many callbacks the hub answered. */
async function round(url: string, seed: number): Promise<number> {
  const { socket: op } = await consoleClient(url, { username: 'operator', password: 'demo' });
  const gw = await fieldClient(url);
  let answered = 0;
  const send = (socket: Socket, events: string[], s: number) => {
    const pending: Promise<unknown>[] = [];
    fc.assert(fc.property(fc.constantFrom(...events), argLists, fc.boolean(), (event, args, withAck) => {
      if (withAck) pending.push(socket.timeout(120_000).emitWithAck(event, ...args).then(() => answered++, () => {}));
      else socket.emit(event, ...args);
    }), { seed: s, numRuns: PER_ROUND });
    return Promise.all(pending);
  };
  await Promise.all([send(op, CONSOLE_EVENTS, seed), send(gw, FIELD_EVENTS, seed + 1)]);
  closeClients();
  return answered;
}

/** The child, as the test sees it. */
export class HostileClients {
  private constructor(private readonly child: ChildProcess) {}

  static start(): HostileClients {
    const child = spawn(process.execPath, ['--import', 'tsx', SELF], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    process.once('exit', () => child.kill('SIGKILL'));
    return new HostileClients(child);
  }

  round(url: string, seed: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`hostile clients exited (${code})`));
      this.child.once('exit', onExit);
      this.child.once('message', (m: { type: 'round'; answered: number }) => {
        this.child.off('exit', onExit);
        resolve(m.answered);
      });
      this.child.send({ op: 'round', url, seed });
    });
  }

  close(): void {
    if (this.child.connected) this.child.disconnect();
  }
}

if (process.argv[1] === SELF && process.send) {
  process.on('message', (m: { op: 'round'; url: string; seed: number }) => {
    void round(m.url, m.seed).then((answered) => process.send!({ type: 'round', answered }));
  });
  process.on('disconnect', () => process.exit(0));
}
