// Requests sent byte for byte over a TCP socket (node:net): fetch() and http.request would normalise or
// refuse exactly the malformed input these tests are about.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export type RawAnswer = {
  /** the status code, or null when the server closed the connection without one */
  status: number | null;
  headers: Record<string, string>;
  body: Buffer;
  /** how the connection ended: 'closed' (FIN from the server) or 'reset' (RST) */
  ended: 'closed' | 'reset';
};

/**
 * Writes `bytes`, then (with `halfClose`) ends the writing side, and reads until the server closes.
 * Fails only when the server neither answers nor closes within `timeoutMs` — a hang is a finding.
 */
export function rawRequest(port: number, bytes: Buffer | string, opts: { halfClose?: boolean; timeoutMs?: number } = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let ended: RawAnswer['ended'] = 'closed';
    const timer = setTimeout(() => { socket.destroy(); reject(new Error(`no answer and no close within ${opts.timeoutMs ?? 15_000} ms for ${JSON.stringify(String(bytes).slice(0, 120))}`)); }, opts.timeoutMs ?? 15_000);
    socket.on('data', (b) => chunks.push(b));
    socket.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNRESET' || e.code === 'EPIPE') ended = 'reset';
      else { clearTimeout(timer); reject(e); }
    });
    socket.on('close', () => { clearTimeout(timer); resolve(parse(Buffer.concat(chunks), ended)); });
    socket.write(bytes);
    if (opts.halfClose) socket.end();
  });
}

function parse(whole: Buffer, ended: RawAnswer['ended']): RawAnswer {
  // Skip interim answers (100 Continue): the final one is what counts.
  let raw = whole;
  while (/^HTTP\/1\.[01] 1\d\d /.test(raw.subarray(0, 13).toString('latin1')) && raw.indexOf('\r\n\r\n') !== -1) raw = raw.subarray(raw.indexOf('\r\n\r\n') + 4);
  const head = raw.indexOf('\r\n\r\n');
  const text = raw.subarray(0, head === -1 ? raw.length : head).toString('latin1');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  const headers: Record<string, string> = {};
  for (const line of text.split('\r\n').slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  // The body is what Content-Length frames; bytes after it belong to a later answer on the same connection.
  const rest = head === -1 ? Buffer.alloc(0) : raw.subarray(head + 4);
  const length = headers['content-length'] === undefined ? rest.length : Number(headers['content-length']);
  return { status: m ? Number(m[1]) : null, headers, body: rest.subarray(0, length), ended };
}

export const get = (port: number, rawPath: string, method = 'GET') =>
  rawRequest(port, `${method} ${rawPath} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);

/** A stand-in for dist/renderer: the two pages, a hashed asset, an unhashed file and a module worker. */
export function fakeRenderer(dir: string): Record<string, string> {
  const files: Record<string, string> = {
    'index.html': '<!doctype html><title>Xiuhua console</title>',
    'field.html': '<!doctype html><title>Xiuhua field</title>',
    'assets/index-3f9a1c.js': 'console.log("console")',
    'assets/index-77b2e0.css': 'body{margin:0}',
    'assets/maplibre-worker-a1b2c3.mjs': 'self.onmessage=()=>{}',
    'favicon.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
  };
  for (const [name, body] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), body);
  }
  return files;
}
