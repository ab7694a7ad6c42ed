// The /console namespace: people. Handshake auth (password or session token), then the console's
// commands and read requests through the guard.
import type { Namespace } from 'socket.io';
import type { ConsoleClientEvents, ConsoleServerEvents } from '../../../shared/protocol/sockets';
import { NAMESPACES } from '../../../shared/protocol/sockets';
import { headSeq } from '../../store/log';
import { AuthError, login, resumeSession, sessionUser } from '../auth';
import { refuse, type Actor } from '../commands';
import { consoleHandlers } from '../handlers/console';
import { consoleReads } from '../handlers/reads';
import { bindTables, type DispatchDeps } from './dispatch';

export type ConsoleData = { actor: Actor; token: string };
export type ConsoleNamespace = Namespace<ConsoleClientEvents, ConsoleServerEvents, Record<string, never>, ConsoleData>;

export function attachConsole(consoles: ConsoleNamespace, deps: DispatchDeps & { demo: boolean; dataDir: string; onDisconnect: (socketId: string) => void }): void {
  const { db } = deps;
  const commands = consoleHandlers({ dataDir: deps.dataDir });

  consoles.use((socket, next) => {
    const auth = socket.handshake.auth as Record<string, unknown>;
    const t = Date.now();
    const fail = (e: unknown) => next(new Error(e instanceof AuthError ? e.message : 'auth_failed: login could not be checked'));
    if (typeof auth.token === 'string') {
      try {
        const user = resumeSession(db, auth.token, t);
        socket.data = { actor: { id: user.username, role: user.role }, token: auth.token };
        next();
      } catch (e) {
        fail(e);
      }
    } else if (typeof auth.username === 'string' && typeof auth.password === 'string') {
      login(db, auth.username, auth.password, t).then(({ user, token }) => {
        socket.data = { actor: { id: user.username, role: user.role }, token };
        next();
      }, (e) => {
        refuse(db, { id: String(auth.username).slice(0, 64), role: 'operator' }, 'session:login', { username: auth.username }, { code: 'forbidden', message: (e as Error).message }, t);
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
    socket.on('disconnect', () => deps.onDisconnect(socket.id));
    const user = sessionUser(db, socket.data.token, Date.now());
    socket.emit('session:ready', {
      token: socket.data.token, user: user ?? { id: actor().id, username: actor().id, role: actor().role as never },
      headSeq: headSeq(db), hubTime: Date.now(), demo: deps.demo,
    });
    bindTables(deps, socket, actor, commands, consoleReads({ token: socket.data.token }), NAMESPACES.console);
  });
}
