// POST /api/enrol {code}: a phone exchanges an admin's one-time code for its own device id and secret.
// Throttled like a login (throttle.ts: failures per address, and of all codes from one address), so a
// code cannot be guessed by trying; a code the hub knows is spent by `device:claim`, a command of the
// system actor through the one command path (one transaction with its audit entry), acked after commit.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EnrolRequest, normalizeEnrolCode, type EnrolResult } from '../../../shared/protocol/enrol';
import type { Db } from '../../store/db';
import { findEnrolmentByHash } from '../../store/people';
import { AuthError } from '../auth';
import type { Actor } from '../commands';
import type { CommandRunner } from '../group-commit';
import { claimDevice, enrolCodeHash } from '../handlers/devices';
import type { RefusalAuditor } from '../refusals';
import { ThrottledError, type LoginThrottle } from '../throttle';

const MAX_BODY = 1024;
const SYSTEM: Actor = { id: 'system', role: 'system' };
/** Refusals before any device exists are audited under this name, with the address (summarised in floods). */
const ANONYMOUS: Actor = { id: '(enrol)', role: 'device' };

export type EnrolDeps = {
  db: Db;
  commands: CommandRunner;
  throttle: LoginThrottle;
  refusals: RefusalAuditor;
  /** the hub's clock for code expiry (tests pass one they move) */
  now: () => number;
};

class EnrolRefused extends AuthError {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const text = Buffer.from(JSON.stringify(body), 'utf8');
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(text.length), 'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff', ...headers,
  });
  res.end(text);
};

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      // Too big: stop reading; the answer closes the connection (a phone's code is a few dozen bytes).
      if (size > MAX_BODY) { req.pause(); resolve(null); return; }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const addressOf = (req: IncomingMessage) => {
  const a = req.socket.remoteAddress ?? 'unknown';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
};

export function enrolHandler(deps: EnrolDeps) {
  const { db, commands, throttle, refusals } = deps;

  /** Runs device:claim through the group commit; resolves after its transaction committed (or was refused and audited). */
  const claim = (enrolmentId: string, address: string) => new Promise<EnrolResult>((resolve, reject) => {
    const call = { def: claimDevice, actor: SYSTEM, raw: { commandId: `enrol-${randomUUID()}`, enrolmentId, address }, now: deps.now() };
    commands.submit(call, ({ ack }) => {
      if (ack.ok) resolve(ack.result);
      else if (ack.error.code === 'conflict') reject(new EnrolRefused(410, `enrol_failed: ${ack.error.message.includes('expired') ? 'this code has expired' : 'this code was already used'}; ask for a new one`));
      else reject(new Error(ack.error.message));
    });
  });

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const address = addressOf(req);
    const text = await readBody(req);
    if (text === null) {
      json(res, 413, { error: 'invalid_payload: the body is larger than 1 KB' }, { Connection: 'close' });
      return;
    }
    let parsed: ReturnType<typeof EnrolRequest.safeParse> | null;
    try {
      parsed = EnrolRequest.safeParse(JSON.parse(text));
    } catch {
      parsed = null;
    }
    if (!parsed?.success) {
      json(res, 400, { error: 'invalid_payload: send {"code": "XXXX-XXXX-XXXX"} as JSON' });
      return;
    }
    const code = normalizeEnrolCode(parsed.data.code);
    try {
      const result = await throttle.attempt({ account: 'enrol', address }, async () => {
        const enrolment = code ? findEnrolmentByHash(db, enrolCodeHash(code)) : undefined;
        if (!enrolment) throw new EnrolRefused(403, 'enrol_failed: no such code; check it, or ask for a new one');
        return claim(enrolment.id, address);
      });
      json(res, 200, result);
    } catch (e) {
      if (e instanceof ThrottledError) {
        refusals.note({ kind: 'device:enrol-http', actor: ANONYMOUS, address }, { action: 'device:claim', error: { code: 'rate_limited', message: e.message }, payload: {} });
        json(res, 429, { error: e.message }, { 'Retry-After': String(Math.ceil(e.retryAfterMs / 1000)) });
      } else if (e instanceof EnrolRefused) {
        // An unknown code is audited here (a spent or expired one was audited by the command path).
        if (e.status === 403) refusals.note({ kind: 'device:enrol-http', actor: ANONYMOUS, address }, { action: 'device:claim', error: { code: 'not_found', message: e.message }, payload: {} });
        json(res, e.status, { error: e.message });
      } else {
        throw e;
      }
    }
  };
}
