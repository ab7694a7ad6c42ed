// The hub's plain-HTTP side: /hub.json, the media gateway under /media/, the console at / and the field
// page at /field, and the console's static assets — on find-my-way, with a catch around every handler.
// Whatever a request looks like, it is answered (400/404/405/500) and logged; it never ends the process.
// socket.io takes /socket.io/ before any of this sees it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import FindMyWay from 'find-my-way';
import { answer } from './answer';
import { serveRendererFile } from './static';

export type HttpRoutesDeps = {
  /** the body of /hub.json: what a login screen may know before anyone logs in */
  about: string;
  rendererDir: string;
  /** the media gateway's entry point: true when it answered the request */
  media: (req: IncomingMessage, res: ServerResponse) => boolean;
  log: (line: string) => void;
  /** POST /api/enrol: a phone exchanges a one-time code for its credential (enrol.ts) */
  enrol?: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
};

export type HttpRoutes = {
  /** the `request` listener of the hub's HTTP server */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** the `clientError` listener: malformed requests, overlong headers, timeouts */
  clientError(err: NodeJS.ErrnoException, socket: Duplex): void;
  /** the `connect` listener: the hub is no proxy (without a listener Node would close silently) */
  connect(req: IncomingMessage, socket: Duplex): void;
};

type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** Lines about requests a client got wrong: at most one a second, with a count of the rest, so a flood cannot fill the log. */
function throttled(log: (line: string) => void): (line: string) => void {
  let last = 0;
  let dropped = 0;
  return (line) => {
    const now = Date.now();
    if (now - last < 1000) { dropped += 1; return; }
    last = now;
    log(dropped > 0 ? `${line} (and ${dropped} more since the last such line)` : line);
    dropped = 0;
  };
}

/** The raw path, still percent-encoded (decoding is the file server's job, and a bad escape its 400). */
const rawPath = (req: IncomingMessage) => (req.url ?? '/').split('?')[0] ?? '/';

export function createHttpRoutes(deps: HttpRoutesDeps): HttpRoutes {
  const { log } = deps;
  const noteClient = throttled(log);

  function failed(req: IncomingMessage, res: ServerResponse, err: unknown): void {
    log(`http: ${req.method ?? '?'} ${String(req.url).slice(0, 200)} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    answer(res, 500, 'the hub failed to handle this request');
  }

  /** Every handler runs inside this: a throw or a rejected promise becomes a logged 500, never an exit. */
  const guarded = (fn: Handler) => (req: IncomingMessage, res: ServerResponse) => {
    try {
      const p = fn(req, res);
      if (p) p.catch((err: unknown) => failed(req, res, err));
    } catch (err) {
      failed(req, res, err);
    }
  };

  const file = (fixed?: string): Handler => (req, res) => serveRendererFile(deps.rendererDir, fixed ?? rawPath(req), req, res, log);

  const router = FindMyWay({
    // Anything with no route: 405 for a method we never serve, 404 otherwise.
    defaultRoute: (req, res) => {
      if (req.method === 'GET' || req.method === 'HEAD') answer(res, 404, 'not found');
      else answer(res, 405, 'method not allowed', { Allow: 'GET, HEAD' });
    },
    onBadUrl: (_path, _req, res) => answer(res, 400, 'bad path'),
  });
  const GET = ['GET', 'HEAD'] as const;
  router.on([...GET], '/hub.json', guarded((_req, res) => {
    answer(res, 200, deps.about, { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' });
  }));
  // The gateway parses its own paths strictly (and answers 405 itself), so it gets every method.
  const media = guarded((req, res) => { if (!deps.media(req, res)) answer(res, 404, 'not found'); });
  router.all('/media', media);
  router.all('/media/*', media);
  const enrol = deps.enrol;
  if (enrol) router.on('POST', '/api/enrol', guarded((req, res) => enrol(req, res)));
  router.on([...GET], '/', guarded(file('/index.html')));
  router.on([...GET], '/field', guarded(file('/field.html')));
  router.on([...GET], '/*', guarded(file()));

  return {
    handle(req, res) {
      try {
        router.lookup(req, res);
      } catch (err) {
        failed(req, res, err);
      }
    },
    clientError(err, socket) {
      noteClient(`http: malformed request (${err.code ?? err.message})`);
      if (err.code === 'ECONNRESET' || !socket.writable) { socket.destroy(); return; }
      // Garbage after a good request (pipelined, or a body without a length): that request's answer is
      // still being made. Let it finish, then close, rather than write a 400 into the middle of it.
      const pending = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
      if (pending && !pending.writableFinished) {
        pending.shouldKeepAlive = false;
        pending.once('close', () => socket.destroy());
        return;
      }
      const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large'
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
    },
    connect(_req, socket) {
      socket.on('error', () => socket.destroy());
      socket.end('HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD\r\nConnection: close\r\nContent-Length: 0\r\n\r\n', () => socket.destroy());
    },
  };
}
