// The peer address of a connection, as the login throttle keys it and the audit log records it. The TCP
// peer, never X-Forwarded-For: behind a proxy every client has the proxy's address (docs/protocol.md).
import type { Socket } from 'socket.io';

export function peerAddress(socket: Socket): string {
  const a = socket.handshake.address;
  return a.startsWith('::ffff:') ? a.slice(7) : a; // IPv4 without the IPv6-mapped prefix
}
