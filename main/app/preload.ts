// The preload bridge (bundled to dist/main/app/preload.cjs, runs sandboxed): a short, fixed list of
// named functions. No ipcRenderer, no Node, no generic "send any channel" escape hatch reaches the page.
import { contextBridge, ipcRenderer } from 'electron';
import type { HubStatusView, IpcChannel, IpcContract, XiuhuaBridge } from './ipc-contract';
import { HUB_STATUS_EVENT } from './ipc-contract';

function invoke<C extends IpcChannel>(channel: C, ...args: IpcContract[C]['args']): Promise<IpcContract[C]['result']> {
  return ipcRenderer.invoke(channel, ...args) as Promise<IpcContract[C]['result']>;
}

const bridge = {
  hubStatus: () => invoke('hub:status'),
  onHubStatus: (listener) => {
    const forward = (_e: unknown, s: HubStatusView) => listener(s);
    ipcRenderer.on(HUB_STATUS_EVENT, forward);
    return () => {
      ipcRenderer.removeListener(HUB_STATUS_EVENT, forward);
    };
  },
  getHubSetting: () => invoke('hub:get-setting'),
  setHubSetting: (hub) => invoke('hub:set-setting', hub),
  setWallLayout: (layout) => invoke('wall:set-layout', layout),
} satisfies XiuhuaBridge;

contextBridge.exposeInMainWorld('xiuhua', bridge);
