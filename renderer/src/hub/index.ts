// The hub client: the renderer's ONE socket.io connection to the hub (namespace /console).
//
//   import { hub, useHub, useStreamHealth, usePositionFlush } from '../hub';
//
//   await hub.login(url, username, password)   // rejects with a ConnectionProblem {kind, detail}
//   hub.resume()                                // reuse the session token kept in sessionStorage (null if none)
//   hub.logout()
//
//   useHub((s) => s.cameras)                    // read the store (HubState in ./state.ts) with a selector
//   useHub((s) => s.connection)                 // {status: live|reconnecting|offline|connecting|signed_out, since, problem}
//   useStreamHealth(cameraId)                   // latest `stream:health` for one camera, or null
//   hub.streamUrl(cameraId)                     // Promise<absolute HLS URL> via `stream:token`
//   hub.request('audit:verify', {})             // read requests: state:snapshot, events:since, audit:*, stream:token
//   hub.command('task:assign', {incidentId, unitId, note})
//                                               // commandId made once, same id on every retry; resolves to the
//                                               // hub's Ack or {ok:false, error:{code:'timeout'}}
//   hub.onEvent((e) => …)                       // each sequenced event once, in order (alarms)
//   usePositionFlush((f) => …)                  // merged live positions, at most every ~300 ms (map layers)
//   hub.hubNow()                                // hub clock, for position ages
//
// Guarantees: sequenced events are applied exactly once and in order; after a reconnect the client replays
// `events:since` its last seq before trusting live events, then refreshes positions and stream health.
export { hub } from './instance';
export { HubClient, newCommandId, type CommandOutcome, type CommandName, type CommandArgs, type CommandReturn } from './client';
export { PositionStore, FLUSH_INTERVAL_MS, type Track, type PositionFlush, type FlushListener } from './positions';
export { Sequencer } from './sequencer';
export type { HubState, Connection, ConnectionStatus, ConnectionProblem, ConsoleAlert, QueuedCommand } from './state';
export { useHub, useStreamHealth, usePositionFlush } from './react';
