// One write per connection per burst. A committed batch of commands answers each of its commands and
// broadcasts each of their events; while a connection's previous write is outstanding engine.io queues
// the packets, then sends the queue frame by frame, and ws hands each frame to the kernel as a write of
// its own (one syscall each: ~1,400 for a batch of 128 commands with 10 consoles). Corking the TCP socket
// when engine.io starts a flush ('flush' is emitted just before it) lets Node send the queue as one
// writev. Nothing waits for it: the flush is synchronous, and the socket is uncorked in a microtask,
// i.e. as soon as the code that is running now returns, in the same turn of the event loop.
import type { Server } from 'socket.io';
import { tcpOf, type EngineConn } from './tcp';

/** Each of the server's connections sends each flush of its queue as one write. */
export function coalesceWrites(io: Server): void {
  io.engine.on('connection', (conn: EngineConn & { on(event: 'flush', listener: () => void): void }) => {
    conn.on('flush', () => {
      const tcp = tcpOf(conn);
      if (!tcp) return;
      tcp.cork();
      queueMicrotask(() => tcp.uncork());
    });
  });
}
