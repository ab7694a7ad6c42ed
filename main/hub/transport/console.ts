// The /console namespace: people. Handshake auth (password, throttled before scrypt; or session token),
// then the console's commands, read requests and logout through the guard.
import type { Namespace } from 'socket.io';
import type { ConsoleClientEvents, ConsoleServerEvents } from '../../../shared/protocol/sockets';
import { NAMESPACES } from '../../../shared/protocol/sockets';
import type { SessionEndReason } from '../../../shared/accounts';
import { headSeq } from '../../store/log';
import { AuthError, login, logout, resumeSession, sessionId, sessionUser } from '../auth';
import { refuse, zodMessage, type Actor } from '../commands';
import { consoleHandlers } from '../handlers/console';
import { consoleReads, EmptyRequest } from '../handlers/reads';
import type { RefusalAuditor } from '../refusals';
import { ThrottledError, type LoginThrottle } from '../throttle';
import { peerAddress } from './address';
import { backoffError, backoffMessage, type FloodBackoff } from './backoff';
import { bindTables, type DispatchDeps } from './dispatch';
import type { WatchedData } from './limits';
import { bindVoice, voiceReads } from '../voice/tables';

export type ConsoleData = { actor: Actor; token: string } & WatchedData;
export type ConsoleNamespace = Namespace<ConsoleClientEvents, ConsoleServerEvents, Record<string, never>, ConsoleData>;

export type ConsoleDeps = DispatchDeps & { demo: boolean; dataDir: string; throttle: LoginThrottle; refusals: RefusalAuditor; enrolCodeTtlMs?: number; backoff: FloodBackoff };

/** An auth refusal as the audit log sees it: throttled ones as rate_limited, wrong credentials as forbidden. */
export const authRefusal = (e: unknown) =>
  ({ code: e instanceof ThrottledError ? 'rate_limited' as const : 'forbidden' as const, message: (e as Error).message });

export function attachConsole(consoles: ConsoleNamespace, deps: ConsoleDeps): void {
  const { db, throttle, refusals, backoff } = deps;
  const commands = consoleHandlers({ dataDir: deps.dataDir, hubUrl: deps.services.url, enrolCodeTtlMs: deps.enrolCodeTtlMs });

  consoles.use((socket, next) => {
    const auth = socket.handshake.auth as Record<string, unknown>;
    const address = peerAddress(socket);
    const t = Date.now();
    const fail = (e: unknown) => next(new Error(e instanceof AuthError ? e.message : 'auth_failed: login could not be checked'));
    if (typeof auth.token === 'string') {
      // Not throttled: a token costs no scrypt and cannot be guessed, and a blocked address's walls must
      // still resume. Refusals (expired or forged tokens) are audited as summaries all the same.
      const session = sessionId(auth.token);
      const wait = backoff.remaining(session, t);
      if (wait > 0) {
        // Cut for flooding a moment ago: refused before the session is looked up or any handler bound,
        // audited as a summary (by session: who it is would cost the lookup this spares).
        refusals.note({ kind: 'session:resume', actor: { id: '(token)', role: 'operator' }, address }, { action: 'session:resume', error: backoffError(wait), payload: { session: session.slice(0, 12) } });
        backoff.answerLater(session, wait, () => next(new Error(backoffMessage(backoff.remaining(session)))));
        return;
      }
      try {
        const user = resumeSession(db, auth.token, t);
        // Back on a session cut for flooding a moment ago: cut sooner if it floods again (limits.ts).
        socket.data = { actor: { id: user.username, role: user.role }, token: auth.token, watched: backoff.watched(session, t) };
        next();
      } catch (e) {
        refusals.note({ kind: 'session:resume', actor: { id: '(token)', role: 'operator' }, address }, { action: 'session:resume', error: authRefusal(e), payload: {} });
        fail(e);
      }
    } else if (typeof auth.username === 'string' && typeof auth.password === 'string') {
      const { username, password } = { username: auth.username, password: auth.password };
      const tried = username.slice(0, 64);
      throttle.attempt({ account: `user:${tried}`, address }, () => login(db, username, password, t, { address })).then(({ user, token }) => {
        socket.data = { actor: { id: user.username, role: user.role }, token };
        next();
      }, (e: unknown) => {
        refusals.note({ kind: 'session:login', actor: { id: tried, role: 'operator' }, address }, { action: 'session:login', error: authRefusal(e), payload: { username: tried } });
        fail(e);
      });
    } else if (typeof auth.deviceId === 'string') {
      next(new Error('wrong_namespace: field devices connect to /field, not /console'));
    } else {
      next(new Error('auth_required: give username and password, or a session token'));
    }
  });

  consoles.on('connection', (socket) => {
    const actor = () => socket.data.actor;
    socket.join('consoles');
    const user = sessionUser(db, socket.data.token, Date.now());
    socket.emit('session:ready', {
      token: socket.data.token, user: user ?? { id: actor().id, username: actor().id, role: actor().role as never },
      headSeq: headSeq(db), hubTime: Date.now(), demo: deps.demo, timeZone: deps.timeZone,
    });
    bindTables(deps, socket, actor, commands, { ...consoleReads({ token: socket.data.token }), ...voiceReads }, NAMESPACES.console);
    bindVoice(deps, socket, actor, 'console');
    // Logout changes the session, not the record, so it is neither a command nor a read.
    deps.guard.on(socket, actor, 'session:logout', (payload, ack) => {
      const parsed = EmptyRequest.safeParse(payload);
      if (!parsed.success) {
        ack(refuse(db, actor(), 'session:logout', payload, { code: 'invalid_payload', message: zodMessage(parsed.error) }, Date.now()));
        return;
      }
      const token = socket.data.token;
      ack({ ok: true, result: logout(db, token, Date.now(), { address: peerAddress(socket) }) });
      // Every connection on this session ends with it (the ack above is sent first).
      signOut(consoles, new Set([sessionId(token)]), 'logged_out');
    });
  });
}

/** Commands whose ack lists the sessions they ended, and why those consoles are told they ended. */
const SESSION_ENDINGS: Record<string, SessionEndReason> = {
  'user:disable': 'disabled', 'user:set-role': 'role_changed', 'user:reset-password': 'password_reset',
  'session:revoke': 'revoked', 'session:revoke-all': 'signed_out_everyone',
};

/** After a command committed: if it ended sessions, the consoles on them are signed out now, not at their next reconnect. */
export function signOutEnded(consoles: ConsoleNamespace, command: string, result: unknown): void {
  const reason = SESSION_ENDINGS[command];
  const ended = (result as { endedSessions?: string[] } | null)?.endedSessions;
  if (reason && ended?.length) signOut(consoles, new Set(ended), reason);
}

/** Tells each console on these sessions why, then disconnects it (the reason is sent before the close). */
function signOut(consoles: ConsoleNamespace, sessions: Set<string>, reason: SessionEndReason): void {
  for (const socket of consoles.sockets.values()) {
    if (!sessions.has(sessionId(socket.data.token))) continue;
    socket.emit('session:ended', { reason });
    socket.disconnect(true);
  }
}

/** How many consoles are connected on each session now. */
export function consolePresence(consoles: ConsoleNamespace): Map<string, number> {
  const online = new Map<string, number>();
  for (const socket of consoles.sockets.values()) {
    const id = sessionId(socket.data.token);
    online.set(id, (online.get(id) ?? 0) + 1);
  }
  return online;
}
