// Windows: the operator console on the primary display, and in wall mode one frameless full-screen
// kiosk window per extra display, each with its own layout (map wall, video wall, dashboard) that is
// remembered per display id and restored when the display comes back. The decisions are plain
// functions; WindowManager applies them through the Electron APIs it is handed.
import type { BrowserWindowConstructorOptions, Rectangle } from 'electron';
import { APP_ORIGIN, hardenWebPreferences } from './security';
import type { WallLayout } from './settings';
import { WALL_LAYOUTS } from './settings';

export type DisplayInfo = { id: number; bounds: Rectangle };
export type WallPlan = { displayId: string; bounds: Rectangle; layout: WallLayout };
export type View = 'console' | 'map-wall' | 'video-wall' | 'dashboard';

export const VIEW_OF_LAYOUT: Record<WallLayout, View> = { map: 'map-wall', video: 'video-wall', dashboard: 'dashboard' };

/**
 * One wall per display other than the primary (the operator's desk), left to right. A display seen
 * before keeps its remembered layout; a new one gets the next layout in turn, so a fresh three-screen
 * wall shows map, video and dashboard rather than three maps.
 */
export function planWalls(
  displays: readonly DisplayInfo[],
  primaryId: number,
  remembered: Readonly<Record<string, WallLayout>>,
): WallPlan[] {
  const extras = displays
    .filter((d) => d.id !== primaryId)
    .sort((a, b) => a.bounds.x - b.bounds.x || a.bounds.y - b.bounds.y || a.id - b.id);
  return extras.map((d, i) => ({
    displayId: String(d.id),
    bounds: { ...d.bounds },
    layout: remembered[String(d.id)] ?? WALL_LAYOUTS[i % WALL_LAYOUTS.length] ?? 'map',
  }));
}

export type OpenWall = { bounds: Rectangle; layout: WallLayout };

/** What to change so the open walls match the plan: windows to open, to close, and to move or re-lay out. */
export function diffWalls(
  open: ReadonlyMap<string, OpenWall>,
  plan: readonly WallPlan[],
): { open: WallPlan[]; close: string[]; update: WallPlan[] } {
  const planned = new Map(plan.map((p) => [p.displayId, p]));
  const sameBounds = (a: Rectangle, b: Rectangle) => a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;
  return {
    open: plan.filter((p) => !open.has(p.displayId)),
    close: [...open.keys()].filter((id) => !planned.has(id)),
    update: plan.filter((p) => {
      const w = open.get(p.displayId);
      return w !== undefined && (w.layout !== p.layout || !sameBounds(w.bounds, p.bounds));
    }),
  };
}

/** The page a window shows. The renderer reads `view` and the hub address from the query. */
export function pageUrl(view: View, hubUrl: string | null, displayId?: string): string {
  const q = new URLSearchParams({ view });
  if (hubUrl) q.set('hub', hubUrl);
  if (displayId !== undefined) q.set('display', displayId);
  return `${APP_ORIGIN}/index.html?${q.toString()}`;
}

const BACKGROUND = '#0b1016';

export function consoleWindowOptions(preload: string): BrowserWindowConstructorOptions {
  return {
    width: 1600,
    height: 1000,
    minWidth: 1024,
    minHeight: 700,
    title: 'Xiuhua 绣花',
    backgroundColor: BACKGROUND,
    show: false,
    webPreferences: hardenWebPreferences({ preload }),
  };
}

export function wallWindowOptions(preload: string, plan: WallPlan): BrowserWindowConstructorOptions {
  return {
    ...plan.bounds,
    title: `Xiuhua wall ${plan.displayId}`,
    frame: false,
    fullscreen: true,
    kiosk: true,
    autoHideMenuBar: true,
    skipTaskbar: true,
    backgroundColor: BACKGROUND,
    show: false,
    webPreferences: hardenWebPreferences({ preload, backgroundThrottling: false }),
  };
}

/** The part of a BrowserWindow the manager uses (a fake in tests). */
export interface WindowLike {
  loadURL(url: string): Promise<void>;
  close(): void;
  focus(): void;
  show(): void;
  restore(): void;
  isMinimized(): boolean;
  isDestroyed(): boolean;
  setFullScreen(flag: boolean): void;
  setBounds(bounds: Partial<Rectangle>): void;
  once(event: 'ready-to-show', listener: () => void): unknown;
  on(event: 'closed', listener: () => void): unknown;
  readonly webContents: { readonly id: number; send(channel: string, ...args: unknown[]): void };
}

export interface ScreenLike {
  getAllDisplays(): DisplayInfo[];
  getPrimaryDisplay(): DisplayInfo;
  on(event: 'display-added' | 'display-removed' | 'display-metrics-changed', listener: () => void): unknown;
}

export type WindowDeps = {
  createWindow(options: BrowserWindowConstructorOptions): WindowLike;
  screen: ScreenLike;
  preload: string;
  hubUrl(): string | null;
  wallMode(): boolean;
  rememberedLayouts(): Readonly<Record<string, WallLayout>>;
  log(line: string): void;
};

export class WindowManager {
  private console: WindowLike | null = null;
  private readonly walls = new Map<string, { win: WindowLike } & OpenWall>();

  constructor(private readonly deps: WindowDeps) {
    for (const ev of ['display-added', 'display-removed', 'display-metrics-changed'] as const) {
      deps.screen.on(ev, () => this.syncWalls());
    }
  }

  openConsole(): WindowLike {
    if (this.console && !this.console.isDestroyed()) {
      if (this.console.isMinimized()) this.console.restore();
      this.console.focus();
      return this.console;
    }
    const win = this.deps.createWindow(consoleWindowOptions(this.deps.preload));
    win.once('ready-to-show', () => win.show());
    win.on('closed', () => {
      if (this.console === win) this.console = null;
    });
    this.console = win;
    this.load(win, pageUrl('console', this.deps.hubUrl()));
    return win;
  }

  /** Opens, closes, moves and re-lays out wall windows to match the displays now attached. */
  syncWalls(): void {
    const plan = this.deps.wallMode()
      ? planWalls(this.deps.screen.getAllDisplays(), this.deps.screen.getPrimaryDisplay().id, this.deps.rememberedLayouts())
      : [];
    const diff = diffWalls(this.walls, plan);
    for (const id of diff.close) {
      const w = this.walls.get(id);
      this.walls.delete(id);
      if (w && !w.win.isDestroyed()) w.win.close();
    }
    for (const p of diff.open) this.openWall(p);
    for (const p of diff.update) {
      const w = this.walls.get(p.displayId);
      if (!w) continue;
      if (w.layout !== p.layout) this.load(w.win, pageUrl(VIEW_OF_LAYOUT[p.layout], this.deps.hubUrl(), p.displayId));
      // Leave full screen to move: a full-screen window ignores new bounds on some window managers.
      w.win.setFullScreen(false);
      w.win.setBounds(p.bounds);
      w.win.setFullScreen(true);
      this.walls.set(p.displayId, { win: w.win, bounds: p.bounds, layout: p.layout });
    }
  }

  /** After the hub moved (restart on another port, settings changed), every window reloads against it. */
  reloadAll(): void {
    const hub = this.deps.hubUrl();
    if (this.console && !this.console.isDestroyed()) this.load(this.console, pageUrl('console', hub));
    for (const [id, w] of this.walls) this.load(w.win, pageUrl(VIEW_OF_LAYOUT[w.layout], hub, id));
  }

  /** Sends an event to every window (hub status). */
  broadcast(channel: string, payload: unknown): void {
    const all = [this.console, ...[...this.walls.values()].map((w) => w.win)];
    for (const win of all) if (win && !win.isDestroyed()) win.webContents.send(channel, payload);
  }

  /** The display a wall window's page runs on, for IPC from that page. */
  displayOfContents(contentsId: number): string | null {
    for (const [id, w] of this.walls) if (!w.win.isDestroyed() && w.win.webContents.id === contentsId) return id;
    return null;
  }

  wallDisplays(): { displayId: string; layout: WallLayout }[] {
    return [...this.walls].map(([displayId, w]) => ({ displayId, layout: w.layout }));
  }

  private openWall(p: WallPlan): void {
    const win = this.deps.createWindow(wallWindowOptions(this.deps.preload, p));
    win.once('ready-to-show', () => win.show());
    win.on('closed', () => {
      if (this.walls.get(p.displayId)?.win === win) this.walls.delete(p.displayId);
    });
    this.walls.set(p.displayId, { win, bounds: p.bounds, layout: p.layout });
    this.load(win, pageUrl(VIEW_OF_LAYOUT[p.layout], this.deps.hubUrl(), p.displayId));
  }

  private load(win: WindowLike, url: string): void {
    win.loadURL(url).catch((e: unknown) => this.deps.log(`could not load ${url}: ${e instanceof Error ? e.message : String(e)}`));
  }
}
