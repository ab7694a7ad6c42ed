// The one contract between the preload bridge and the main process: channel names, argument and
// result types. Both sides compile against it; the main process still validates every argument.
import type { HubStatus } from './hub-lifecycle';
import type { HubSetting, WallLayout } from './settings';

export type HubStatusView = { status: HubStatus; text: { en: string; zh: string } };
export type Result = { ok: true } | { ok: false; reason: string };

export type IpcContract = {
  'hub:status': { args: []; result: HubStatusView };
  'hub:get-setting': { args: []; result: HubSetting };
  'hub:set-setting': { args: [hub: HubSetting]; result: Result };
  'wall:set-layout': { args: [layout: WallLayout]; result: Result };
};
export type IpcChannel = keyof IpcContract;

/** Main → windows. */
export const HUB_STATUS_EVENT = 'hub:status-changed';

/** What `window.xiuhua` offers a page (renderer code declares the same shape for itself). */
export type XiuhuaBridge = {
  hubStatus(): Promise<HubStatusView>;
  onHubStatus(listener: (s: HubStatusView) => void): () => void;
  getHubSetting(): Promise<HubSetting>;
  /** Switches hub (demo / data folder / remote address); windows reload against the new hub. */
  setHubSetting(hub: HubSetting): Promise<Result>;
  /** From a wall window: change this wall's layout (remembered for its display). */
  setWallLayout(layout: WallLayout): Promise<Result>;
};
