// The one way the hub's HTTP side answers with a short text (errors, refusals, the not-built notice).
import type { ServerResponse } from 'node:http';

export function answer(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) { res.destroy(); return; }
  const body = Buffer.from(text, 'utf8');
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(body.length),
    'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
