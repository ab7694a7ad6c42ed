// Electron main process entry (bundled to dist/main/app/main.cjs). Wiring only: the decisions live in
// security.ts, windows.ts, hub-lifecycle.ts and settings.ts, which are handed the Electron APIs.
import path from 'node:path';
import {
  app, BrowserWindow, dialog, ipcMain, Menu, protocol, screen, session, utilityProcess,
} from 'electron';
import type { MenuItemConstructorOptions } from 'electron';
import { registerAppScheme, serveAppProtocol } from './app-protocol';
import { describeHubStatus, HubSupervisor, utilityHubSpawner } from './hub-lifecycle';
import type { HubStatus } from './hub-lifecycle';
import { registerIpcHandlers } from './ipc';
import type { HubStatusView } from './ipc-contract';
import { HUB_STATUS_EVENT } from './ipc-contract';
import { insecureOriginsToTrust, installSecurity } from './security';
import { applyCommandLine, loadSettings, parseHubSetting, saveSettings, WALL_LAYOUTS } from './settings';
import type { HubSetting, Settings, WallLayout } from './settings';
import { WindowManager } from './windows';

const log = (line: string) => process.stdout.write(`[xiuhua] ${line}\n`);

/**
 * The embedded hub listens here when it can (any free port otherwise): a stable address survives
 * restarts of the app, so a console's remembered hub address stays right.
 */
const EMBEDDED_HUB_PORT = 7400;

registerAppScheme(protocol);
app.enableSandbox();
// Separate profiles side by side (tests, a second center on one machine).
if (process.env.XIUHUA_USER_DATA) app.setPath('userData', process.env.XIUHUA_USER_DATA);

const settingsFile = path.join(app.getPath('userData'), 'settings.json');
const loaded = loadSettings(settingsFile);
const cli = applyCommandLine(loaded.settings, process.argv.slice(1), process.cwd());
const remoteUrl = (hub: HubSetting) => (hub.kind === 'remote' ? hub.url : null);
// Chromium reads this switch once, before ready: a plain-http remote hub needs it from the start.
const trusted = insecureOriginsToTrust(remoteUrl(cli.settings.hub));
if (trusted.length > 0) app.commandLine.appendSwitch('unsafely-treat-insecure-origin-as-secure', trusted.join(','));

if (!app.requestSingleInstanceLock()) {
  // Another Xiuhua is running; it brings its console to the front (second-instance below).
  app.quit();
} else {
  void app.whenReady().then(run);
}

function run(): void {
  let settings: Settings = cli.settings;
  for (const p of [...loaded.problems, ...cli.problems]) log(p);

  const rendererDir = path.join(app.getAppPath(), 'dist', 'renderer');
  let hubUrl: string | null = null;
  let supervisor: HubSupervisor | null = null;

  installSecurity(app, session.defaultSession, () => hubUrl, log);
  serveAppProtocol(protocol, rendererDir, () => hubUrl);

  const windows = new WindowManager({
    createWindow: (options) => new BrowserWindow(options),
    screen,
    preload: path.join(__dirname, 'preload.cjs'),
    hubUrl: () => hubUrl,
    wallMode: () => settings.wallMode,
    rememberedLayouts: () => settings.walls,
    log,
  });

  const statusView = (s: HubStatus): HubStatusView => ({ status: s, text: describeHubStatus(s) });
  let status: HubStatus = { state: 'stopped' };

  const onStatus = (s: HubStatus) => {
    status = s;
    windows.broadcast(HUB_STATUS_EVENT, statusView(s));
    if (s.state === 'running' || s.state === 'remote') {
      const moved = hubUrl !== null && hubUrl !== s.url;
      const first = hubUrl === null;
      hubUrl = s.url;
      if (first) {
        windows.openConsole().on('closed', () => app.quit());
        windows.syncWalls();
      } else if (moved) {
        windows.reloadAll();
      }
    } else if (s.state === 'failed') {
      void explainFailure(s.reason);
    }
    buildMenu();
  };

  const startHub = (hub: HubSetting) => {
    if (hub.kind === 'remote') {
      supervisor = null;
      onStatus({ state: 'remote', url: hub.url });
      return;
    }
    supervisor = new HubSupervisor({
      spawn: utilityHubSpawner(utilityProcess, path.join(__dirname, 'hub-process.cjs'), log),
      launch: {
        dataDir: hub.kind === 'demo' ? path.join(app.getPath('userData'), 'demo') : hub.dataDir,
        demo: hub.kind === 'demo',
        port: EMBEDDED_HUB_PORT,
        rendererDir,
      },
      timers: { setTimeout, clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout), now: Date.now },
      onStatus,
      log,
    });
    supervisor.start();
  };

  const switchHub = async (hub: HubSetting) => {
    settings = { ...settings, hub };
    saveSettings(settingsFile, settings);
    const needed = insecureOriginsToTrust(remoteUrl(hub));
    if (needed.some((o) => !trusted.includes(o))) {
      // Chromium takes this trust only at start-up: start again with the new hub.
      app.relaunch();
      app.quit();
      return;
    }
    await supervisor?.stop();
    startHub(hub);
  };

  const explainFailure = async (reason: string) => {
    const { en, zh } = describeHubStatus({ state: 'failed', reason });
    const { response } = await dialog.showMessageBox({
      type: 'error',
      title: 'Xiuhua',
      message: `${zh}\n${en}`,
      buttons: ['重试 Retry', '使用演示城市 Use the demo city', '退出 Quit'],
      defaultId: 0,
      cancelId: 2,
    });
    if (response === 0) supervisor?.retry();
    else if (response === 1) await switchHub({ kind: 'demo' });
    else app.quit();
  };

  const setWallLayout = (displayId: string, layout: WallLayout) => {
    settings = { ...settings, walls: { ...settings.walls, [displayId]: layout } };
    saveSettings(settingsFile, settings);
    windows.syncWalls();
    buildMenu();
  };

  const chooseDataFolder = async () => {
    const r = await dialog.showOpenDialog({
      title: '选择数据目录 Choose a data folder',
      properties: ['openDirectory', 'createDirectory'],
    });
    const dir = r.filePaths[0];
    if (!r.canceled && dir) await switchHub({ kind: 'data', dataDir: dir });
  };

  const buildMenu = () => {
    const hub = settings.hub;
    const walls: MenuItemConstructorOptions[] = windows.wallDisplays().map(({ displayId, layout }) => ({
      label: `大屏 Wall ${displayId}`,
      submenu: WALL_LAYOUTS.map((l) => ({
        label: { map: '地图墙 Map wall', video: '视频墙 Video wall', dashboard: '指挥看板 Dashboard' }[l],
        type: 'radio' as const,
        checked: l === layout,
        click: () => setWallLayout(displayId, l),
      })),
    }));
    Menu.setApplicationMenu(Menu.buildFromTemplate([
      { label: 'Xiuhua', submenu: [{ role: 'quit', label: '退出 Quit' }] },
      {
        label: '中枢 Hub',
        submenu: [
          { label: describeHubStatus(status).en, enabled: false },
          { type: 'separator' },
          { label: '内置演示城市 Embedded demo city', type: 'radio', checked: hub.kind === 'demo', click: () => void switchHub({ kind: 'demo' }) },
          {
            label: hub.kind === 'data' ? `数据目录 Data folder: ${hub.dataDir}` : '使用数据目录… Embedded hub on a data folder…',
            type: 'radio',
            checked: hub.kind === 'data',
            click: () => void chooseDataFolder(),
          },
          {
            label: hub.kind === 'remote' ? `远程中枢 Remote hub: ${hub.url}` : '远程中枢（用 --hub 或控制台设置） Remote hub (set with --hub or in the console)',
            type: 'radio',
            checked: hub.kind === 'remote',
            enabled: hub.kind === 'remote',
          },
          { type: 'separator' },
          { label: '重启中枢 Restart hub', enabled: hub.kind !== 'remote', click: () => void switchHub(settings.hub) },
        ],
      },
      {
        label: '视图 View',
        submenu: [
          {
            label: '大屏模式 Wall mode',
            type: 'checkbox',
            checked: settings.wallMode,
            click: (item) => {
              settings = { ...settings, wallMode: item.checked };
              saveSettings(settingsFile, settings);
              windows.syncWalls();
              buildMenu();
            },
          },
          ...walls,
          { type: 'separator' },
          { role: 'reload', label: '重新加载 Reload' },
          { role: 'togglefullscreen', label: '全屏 Full screen' },
          ...(app.isPackaged ? [] : [{ role: 'toggleDevTools' as const }]),
        ],
      },
    ]));
  };

  registerIpcHandlers(ipcMain, {
    'hub:status': () => statusView(status),
    'hub:get-setting': () => settings.hub,
    'hub:set-setting': async (_sender, hub) => {
      const parsed = parseHubSetting(hub);
      if (!parsed.ok) return { ok: false, reason: parsed.reason };
      await switchHub(parsed.hub);
      return { ok: true };
    },
    'wall:set-layout': (sender, layout) => {
      const displayId = windows.displayOfContents(sender.contentsId);
      if (displayId === null) return { ok: false, reason: 'only a wall window can change its layout' };
      if (!(WALL_LAYOUTS as readonly unknown[]).includes(layout)) return { ok: false, reason: 'unknown layout' };
      setWallLayout(displayId, layout as WallLayout);
      return { ok: true };
    },
  }, log);

  app.on('second-instance', () => windows.openConsole());
  app.on('window-all-closed', () => app.quit());

  // Quit waits for the hub to close its sockets and store; a second quit request does not wait again.
  let quitting = false;
  app.on('before-quit', (e) => {
    if (quitting || !supervisor) return;
    quitting = true;
    e.preventDefault();
    void supervisor.stop().finally(() => app.quit());
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());

  buildMenu();
  startHub(settings.hub);
}
