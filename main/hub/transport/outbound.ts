// Slow consumers: a client that stops reading (a hung console, a frozen laptop, a link gone quiet without a
// FIN) must not make the hub keep everything it is sent. socket.io buffers without limit — engine.io queues
// packets while the transport waits for its last write to drain — so the hub bounds each connection's
// queue: past the limit the connection is cut, its queue dropped at once (no waiting for a drain that will
// not come). Nothing is lost by it: a client resumes with `events:since` and a snapshot (docs/protocol.md).
import type { Namespace, Socket } from 'socket.io';

/** Bytes queued for one connection beyond which it is cut (default; HubLimits.outboundBytes overrides). */
export const OUTBOUND_LIMIT_BYTES = 16 * 1024 * 1024;
/** Checks at most this often, from the paths that send (fan-out, broadcasts). */
const CHECK_EVERY_MS = 100;

type EnginePacket = { data?: unknown };
type EngineConn = {
  writeBuffer: EnginePacket[];
  transport: { socket?: { bufferedAmount?: number; terminate?: () => void } };
  close(discard?: boolean): void;
};

/** What the hub holds for this connection and has not yet handed to the kernel. */
export function queuedBytes(socket: Socket): number {
  const conn = socket.conn as unknown as EngineConn;
  let bytes = conn.transport?.socket?.bufferedAmount ?? 0;
  for (const p of conn.writeBuffer) {
    const d = p.data;
    bytes += typeof d === 'string' ? d.length : d instanceof ArrayBuffer || ArrayBuffer.isView(d) ? d.byteLength : 0;
  }
  return bytes;
}

export type OutboundGuard = {
  /** Call after sending: cuts the connections over the limit (throttled). */
  check(): void;
  /** Connections cut so far. */
  cut(): number;
};

export function outboundGuard(namespaces: Namespace[], opts: { limitBytes?: number; log: (line: string) => void }): OutboundGuard {
  const limit = opts.limitBytes ?? OUTBOUND_LIMIT_BYTES;
  let last = 0;
  let cut = 0;
  return {
    check() {
      const now = Date.now();
      if (now - last < CHECK_EVERY_MS) return;
      last = now;
      for (const nsp of namespaces) {
        for (const socket of nsp.sockets.values()) {
          const conn = socket.conn as unknown as EngineConn;
          // Most connections have nothing queued: skip them without adding up bytes.
          if (conn.writeBuffer.length === 0 && (conn.transport?.socket?.bufferedAmount ?? 0) < limit) continue;
          const bytes = queuedBytes(socket);
          if (bytes <= limit) continue;
          cut++;
          opts.log(`slow consumer: ${nsp.name} socket ${socket.id} (${String(socket.data?.actor?.id ?? '?')}) has ${bytes} bytes unread, over ${limit}; connection cut, it resumes with events:since`);
          const ws = conn.transport?.socket;
          conn.close(true); // discard the queue: a plain close would wait for a drain
          ws?.terminate?.(); // and do not keep the last write for the close handshake's timeout
        }
      }
    },
    cut: () => cut,
  };
}
