// The TCP socket under an engine.io connection, for the few things only it can do: send a flush as one
// write (cork.ts) and stop reading from a client the hub has cut (guard.ts).
export type TcpSocket = { cork(): void; uncork(): void; pause(): void; resume(): void };
export type EngineConn = { transport?: { name?: string; socket?: { _socket?: TcpSocket } } };

/** The TCP socket on the websocket transport; null on long-polling (no socket of its own to hold). */
export function tcpOf(conn: EngineConn | undefined): TcpSocket | null {
  const transport = conn?.transport;
  return transport?.name === 'websocket' ? transport.socket?._socket ?? null : null;
}
