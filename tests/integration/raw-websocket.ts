// A WebSocket client written from RFC 6455 over a bare TCP socket, so a test can send what no WebSocket
// library would: unmasked frames, reserved opcodes and bits, lengths that lie, control frames too long or
// in pieces, text that is not UTF-8. It reads the hub's frames back far enough to tell answers from a close.
import crypto from 'node:crypto';
import net from 'node:net';

export type ServerFrame = { opcode: number; payload: Buffer };

export type RawWebSocket = {
  /** bytes as they go on the wire (frames are the caller's to build: `frame`, `text`) */
  write(bytes: Buffer): void;
  /** every frame the hub sent so far, in order */
  frames: ServerFrame[];
  /** resolves true once the hub has closed the TCP connection, false if it has not within `ms` */
  closed(ms: number): Promise<boolean>;
  end(): void;
};

/** Opens a WebSocket to `path` (the upgrade answered 101), or rejects with the hub's status line. */
export function rawWebSocket(url: string, path: string): Promise<RawWebSocket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(port), hostname);
    const frames: ServerFrame[] = [];
    let buf = Buffer.alloc(0);
    let upgraded = false;
    let ended = false;
    const waiters: Array<() => void> = [];
    sock.on('error', () => undefined); // a reset is one way the hub may close
    sock.on('close', () => {
      ended = true;
      waiters.splice(0).forEach((w) => w());
      if (!upgraded) reject(new Error('closed before the upgrade'));
    });
    const api: RawWebSocket = {
      write: (bytes) => {
        if (!ended) sock.write(bytes);
      },
      frames,
      closed: (ms) => (ended ? Promise.resolve(true) : new Promise((done) => {
        const timer = setTimeout(() => done(false), ms);
        waiters.push(() => {
          clearTimeout(timer);
          done(true);
        });
      })),
      end: () => sock.destroy(),
    };
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        buf = buf.subarray(end + 4);
        if (!/^HTTP\/1\.1 101 /.test(head)) {
          sock.destroy();
          reject(new Error(head.split('\r\n')[0]));
          return;
        }
        upgraded = true;
        resolve(api);
      }
      for (let f = readFrame(buf); f; f = readFrame(buf)) {
        frames.push(f.frame);
        buf = buf.subarray(f.size);
      }
    });
    sock.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`
      + `Sec-WebSocket-Key: ${crypto.randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  });
}

/** A server frame from the start of `buf`, if it is all there (a server never masks). */
function readFrame(buf: Buffer): { frame: ServerFrame; size: number } | null {
  if (buf.length < 2) return null;
  let len = buf[1]! & 0x7f;
  let at = 2;
  if (len === 126) {
    if (buf.length < 4) return null;
    len = buf.readUInt16BE(2);
    at = 4;
  } else if (len === 127) {
    if (buf.length < 10) return null;
    len = Number(buf.readBigUInt64BE(2));
    at = 10;
  }
  if (buf.length < at + len) return null;
  return { frame: { opcode: buf[0]! & 0x0f, payload: Buffer.from(buf.subarray(at, at + len)) }, size: at + len };
}

export type FrameSpec = {
  opcode: number;
  payload: Buffer;
  fin?: boolean;
  /** a client must mask; false sends the frame bare (a protocol error) */
  mask?: boolean;
  /** the three reserved bits (no extension is negotiated, so any set is an error) */
  rsv?: number;
  /** the length the header claims, when it is to lie */
  claimedLength?: number;
};

/** One frame as bytes, honest or not. */
export function frame({ opcode, payload, fin = true, mask = true, rsv = 0, claimedLength }: FrameSpec): Buffer {
  const len = claimedLength ?? payload.length;
  const head = [(fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0f)];
  const m = mask ? 0x80 : 0;
  let ext = Buffer.alloc(0);
  if (len < 126) head.push(m | len);
  else if (len < 65536) {
    head.push(m | 126);
    ext = Buffer.alloc(2);
    ext.writeUInt16BE(len);
  } else {
    head.push(m | 127);
    ext = Buffer.alloc(8);
    ext.writeBigUInt64BE(BigInt(len));
  }
  if (!mask) return Buffer.concat([Buffer.from(head), ext, payload]);
  const key = crypto.randomBytes(4);
  return Buffer.concat([Buffer.from(head), ext, key, Buffer.from(payload.map((b, i) => b ^ key[i % 4]!))]);
}

/** A text frame (an engine.io packet over WebSocket is one). */
export const text = (s: string | Buffer, more: Partial<FrameSpec> = {}): Buffer => frame({ opcode: 1, payload: Buffer.isBuffer(s) ? s : Buffer.from(s), ...more });
