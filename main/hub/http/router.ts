// The hub's HTTP side: what a login screen may know (/hub.json), the media gateway's HLS, and the
// built console. Every request is answered; an error inside a handler is logged and answered 500,
// and never ends the process.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MediaGateway } from '../../media/gateway';
import { serveStatic } from '../static';

export type HttpDeps = {
  about: string;
  media: MediaGateway;
  authorizeMedia: (token: string) => boolean;
  rendererDir: string;
  log: (line: string) => void;
};

export function createHttpHandler(deps: HttpDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const route = (req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/hub.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', 'access-control-allow-origin': '*' }).end(deps.about);
    } else if (!deps.media.handleHttp(req, res, deps.authorizeMedia)) serveStatic(deps.rendererDir, req, res);
  };
  return (req, res) => {
    try {
      route(req, res);
    } catch (e) {
      deps.log(`http ${req.method} ${String(req.url).slice(0, 200)} failed: ${(e as Error)?.stack ?? String(e)}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('the hub failed to answer this request');
      else res.destroy();
    }
  };
}
