// The video lab page: the real VideoWall fed either by the lab server or by a real hub (see video-harness.ts).
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { io, type Socket } from 'socket.io-client';
import '../../../renderer/src/i18n';
import { VideoWall, type WallLayout } from '../../../renderer/src/video';
import type { Camera } from '../../../shared/domain';
import type { StreamHealth } from '../../../shared/protocol/events';
import type { ConsoleClientEvents, ConsoleServerEvents } from '../../../shared/protocol/sockets';

/** mediaHosts: the wall's host spreading (undefined = its default) */
type Wall = { layout: WallLayout; cameraIds: (string | null)[]; displayKey: string; mediaHosts?: string[]; renewUrlEveryMs?: number };
/** Lab mode: cameras and token from the lab server. Hub mode (#hub=<json>): a real hub's console namespace. */
type LabConfig = Wall & { token: string; cameras: Camera[] };
type HubConfig = Wall & { token: string };
type Sources = {
  cameras: Camera[];
  getStreamUrl: (id: string) => Promise<string>;
  subscribe: (onHealth: (list: StreamHealth[]) => void) => () => void;
};
type Lab = { firstFrames: { cameraId: string; ms: number }[]; focus(cameraId: string): void };
const lab: Lab = { firstFrames: [], focus: () => undefined };
(window as unknown as { lab: Lab }).lab = lab;

async function fromLab(): Promise<[Wall, Sources]> {
  const config: LabConfig = await fetch('/lab/config.json').then((r) => r.json());
  return [config, {
    cameras: config.cameras,
    getStreamUrl: async (id) => '/media/' + id + '/index.m3u8?token=' + config.token,
    // Stands in for the hub's stream:health pushes.
    subscribe: (onHealth) => {
      const timer = setInterval(() => { fetch('/lab/health').then((r) => r.json()).then(onHealth, () => undefined); }, 1000);
      return () => clearInterval(timer);
    },
  }];
}

/** Wired the way the console wires it: stream:token for URLs, the snapshot and stream:health for health. */
async function fromHub(config: HubConfig): Promise<[Wall, Sources]> {
  const socket: Socket<ConsoleServerEvents, ConsoleClientEvents> = io('/console', { auth: { token: config.token }, transports: ['websocket'] });
  await new Promise((resolve) => socket.once('session:ready', resolve));
  const snap = await socket.emitWithAck('state:snapshot', {});
  if (!snap.ok) throw new Error(snap.error.message);
  const healthListeners = new Set<(list: StreamHealth[]) => void>();
  socket.on('stream:health', (list) => { for (const l of healthListeners) l(list); });
  return [config, {
    cameras: snap.result.cameras,
    getStreamUrl: async (id) => {
      const res = await socket.emitWithAck('stream:token', { cameraId: id });
      if (!res.ok) throw new Error(res.error.message);
      return res.result.url;
    },
    subscribe: (onHealth) => {
      onHealth(snap.result.streams);
      healthListeners.add(onHealth);
      return () => { healthListeners.delete(onHealth); };
    },
  }];
}

function Page({ wall, sources }: { wall: Wall; sources: Sources }) {
  const [health, setHealth] = useState<Record<string, StreamHealth>>({});
  const [focus, setFocus] = useState<{ cameraId: string; at: number } | null>(null);
  lab.focus = (cameraId) => setFocus({ cameraId, at: performance.now() });
  useEffect(() => sources.subscribe((list) => {
    setHealth((h) => ({ ...h, ...Object.fromEntries(list.map((x) => [x.cameraId, x])) }));
  }), [sources]);
  return (
    <VideoWall
      displayKey={wall.displayKey}
      cameras={sources.cameras}
      health={health}
      getStreamUrl={sources.getStreamUrl}
      preset={{ layout: wall.layout, cameraIds: wall.cameraIds }}
      focus={focus}
      mediaHosts={wall.mediaHosts}
      renewUrlEveryMs={wall.renewUrlEveryMs}
      onFirstFrame={(cameraId, ms) => lab.firstFrames.push({ cameraId, ms })}
      details
    />
  );
}

const hubConfig = new URLSearchParams(location.hash.slice(1)).get('hub');
const [wall, sources] = hubConfig ? await fromHub(JSON.parse(hubConfig)) : await fromLab();
createRoot(document.getElementById('root')!).render(<StrictMode><Page wall={wall} sources={sources} /></StrictMode>);
