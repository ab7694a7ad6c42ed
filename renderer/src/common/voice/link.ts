// What the intercom needs of a hub connection, whichever namespace it is on: ask a voice event and wait
// for its ack, hear the hub's voice events, and know when a (new) session is ready, since each
// connection is its own voice peer and must join again after a reconnect.
import type { Socket } from 'socket.io-client';
import type { Ack } from '../../../../shared/protocol/commands';
import type { VoiceServerEvents } from '../../../../shared/protocol/voice';

export type VoiceEventName = 'voice:join' | 'voice:talk' | 'voice:release' | 'voice:signal' | 'voice:record';

export type VoiceLink = {
  /** rejects when the hub does not answer in time or the connection is gone */
  ask<R>(name: VoiceEventName, payload: unknown, timeoutMs?: number): Promise<Ack<R>>;
  on<E extends keyof VoiceServerEvents>(event: E, fn: VoiceServerEvents[E]): () => void;
  /** called on every session:ready of the connection (the first and after each reconnect) */
  onReady(fn: () => void): () => void;
  connected(): boolean;
};

/** A link over one socket.io socket that does not change (the field page's). */
export function socketLink(socket: Socket): VoiceLink {
  return {
    ask: (name, payload, timeoutMs = 10_000) => socket.timeout(timeoutMs).emitWithAck(name, payload),
    on: (event, fn) => {
      socket.on(event, fn as never);
      return () => void socket.off(event, fn as never);
    },
    onReady: (fn) => {
      socket.on('session:ready', fn);
      if (socket.connected) queueMicrotask(fn); // already ready: join now
      return () => void socket.off('session:ready', fn);
    },
    connected: () => socket.connected,
  };
}
