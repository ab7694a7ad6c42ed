// Wall windows per display, with the Electron screen and BrowserWindow replaced by fakes.
import { describe, expect, it } from 'vitest';
import type { WallLayout } from '../../main/app/settings';
import { diffWalls, planWalls, WindowManager } from '../../main/app/windows';
import type { DisplayInfo, WindowDeps, WindowLike } from '../../main/app/windows';

type BrowserWindowConstructorOptions = Parameters<WindowDeps['createWindow']>[0];
type Rectangle = DisplayInfo['bounds'];

const HUB = 'http://127.0.0.1:40001';
const display = (id: number, x: number, width = 1920, height = 1080): DisplayInfo => ({ id, bounds: { x, y: 0, width, height } });

describe('planWalls', () => {
  it('puts no wall on the operator\'s own display', () => {
    expect(planWalls([display(1, 0)], 1, {})).toEqual([]);
  });

  it('gives a fresh wall map, video and dashboard from left to right', () => {
    const plan = planWalls([display(30, 3840), display(1, 0), display(20, 1920), display(40, -1920)], 1, {});
    expect(plan.map((p) => [p.displayId, p.layout])).toEqual([['40', 'map'], ['20', 'video'], ['30', 'dashboard']]);
    expect(plan[0]?.bounds).toEqual({ x: -1920, y: 0, width: 1920, height: 1080 });
  });

  it('keeps the layout remembered for a display', () => {
    const plan = planWalls([display(1, 0), display(2, 1920), display(3, 3840)], 1, { 3: 'map', 2: 'dashboard' });
    expect(plan.map((p) => p.layout)).toEqual(['dashboard', 'map']);
  });
});

describe('diffWalls', () => {
  it('opens new displays, closes gone ones, moves and re-lays out changed ones', () => {
    const b = (x: number): Rectangle => ({ x, y: 0, width: 100, height: 100 });
    const open = new Map([['a', { bounds: b(0), layout: 'map' as WallLayout }], ['b', { bounds: b(100), layout: 'video' as WallLayout }], ['c', { bounds: b(200), layout: 'map' as WallLayout }]]);
    const d = diffWalls(open, [
      { displayId: 'a', bounds: b(0), layout: 'map' },
      { displayId: 'b', bounds: b(150), layout: 'video' },
      { displayId: 'd', bounds: b(300), layout: 'dashboard' },
    ]);
    expect(d.open.map((p) => p.displayId)).toEqual(['d']);
    expect(d.close).toEqual(['c']);
    expect(d.update.map((p) => p.displayId)).toEqual(['b']);
  });
});

class FakeWindow implements WindowLike {
  static nextId = 1;
  readonly urls: string[] = [];
  readonly sent: [string, unknown][] = [];
  closed = false;
  focused = 0;
  bounds: Partial<Rectangle>;
  private readonly closedListeners: (() => void)[] = [];
  readonly webContents = { id: FakeWindow.nextId++, send: (channel: string, payload: unknown) => void this.sent.push([channel, payload]) };
  constructor(readonly options: BrowserWindowConstructorOptions) {
    this.bounds = { x: options.x, y: options.y, width: options.width, height: options.height };
  }
  loadURL(url: string) { this.urls.push(url); return Promise.resolve(); }
  close() { this.closed = true; for (const l of this.closedListeners) l(); }
  focus() { this.focused++; }
  show() {}
  restore() {}
  isMinimized() { return false; }
  isDestroyed() { return this.closed; }
  setFullScreen() {}
  setBounds(b: Partial<Rectangle>) { this.bounds = b; }
  once() { return this; }
  on(_e: 'closed', l: () => void) { this.closedListeners.push(l); return this; }
  get url() { return new URL(this.urls.at(-1) ?? 'xiuhua://app/'); }
}

class FakeScreen {
  displays: DisplayInfo[] = [display(1, 0)];
  private readonly listeners = new Map<string, (() => void)[]>();
  getAllDisplays() { return this.displays.map((d) => ({ ...d, bounds: { ...d.bounds } })); }
  getPrimaryDisplay() { return this.displays[0] as DisplayInfo; }
  on(ev: string, l: () => void) { this.listeners.set(ev, [...(this.listeners.get(ev) ?? []), l]); }
  emit(ev: 'display-added' | 'display-removed' | 'display-metrics-changed') { for (const l of this.listeners.get(ev) ?? []) l(); }
}

function setup(wallMode = true) {
  const screen = new FakeScreen();
  const created: FakeWindow[] = [];
  const remembered: Record<string, WallLayout> = {};
  let wall = wallMode;
  const manager = new WindowManager({
    createWindow: (o) => {
      const w = new FakeWindow(o);
      created.push(w);
      return w;
    },
    screen,
    preload: '/app/dist/main/app/preload.cjs',
    hubUrl: () => HUB,
    wallMode: () => wall,
    rememberedLayouts: () => remembered,
    log: () => undefined,
  });
  const walls = () => created.filter((w) => !w.closed && w.options.kiosk);
  return { screen, created, remembered, manager, walls, setWall: (v: boolean) => (wall = v) };
}

describe('WindowManager', () => {
  it('opens one console on our page with its hub, and focuses it instead of opening a second', () => {
    const { manager, created } = setup(false);
    manager.openConsole();
    manager.openConsole();
    expect(created).toHaveLength(1);
    const win = created[0] as FakeWindow;
    expect(win.focused).toBe(1);
    expect(win.urls[0]).toMatch(/^xiuhua:\/\/app\/index\.html\?/);
    expect(win.url.searchParams.get('view')).toBe('console');
    expect(win.url.searchParams.get('hub')).toBe(HUB);
    expect(win.options.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, preload: '/app/dist/main/app/preload.cjs' });
  });

  it('opens a frameless full-screen kiosk window on each extra display, each with its layout', () => {
    const { screen, manager, walls } = setup();
    screen.displays = [display(1, 0), display(2, 1920), display(3, 3840, 3840, 2160)];
    manager.syncWalls();
    expect(walls()).toHaveLength(2);
    for (const w of walls()) expect(w.options).toMatchObject({ frame: false, fullscreen: true, kiosk: true });
    expect(walls().map((w) => [w.url.searchParams.get('display'), w.url.searchParams.get('view'), w.bounds.x])).toEqual([
      ['2', 'map-wall', 1920],
      ['3', 'video-wall', 3840],
    ]);
    expect(walls()[1]?.options.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false });
  });

  it('closes the wall of an unplugged display and restores its remembered layout when it returns', () => {
    const { screen, manager, walls, remembered } = setup();
    screen.displays = [display(1, 0), display(2, 1920), display(3, 3840)];
    manager.syncWalls();
    remembered['3'] = 'dashboard';
    manager.syncWalls();
    expect(walls().map((w) => w.url.searchParams.get('view'))).toEqual(['map-wall', 'dashboard']);

    screen.displays = [display(1, 0), display(2, 1920)];
    screen.emit('display-removed');
    expect(walls().map((w) => w.url.searchParams.get('display'))).toEqual(['2']);

    screen.displays = [display(1, 0), display(2, 1920), display(3, 3840)];
    screen.emit('display-added');
    expect(walls().map((w) => [w.url.searchParams.get('display'), w.url.searchParams.get('view')])).toEqual([['2', 'map-wall'], ['3', 'dashboard']]);
  });

  it('moves a wall when its display is rearranged, and closes every wall when wall mode is switched off', () => {
    const { screen, manager, walls, setWall } = setup();
    screen.displays = [display(1, 0), display(2, 1920)];
    manager.syncWalls();
    screen.displays = [display(1, 0), display(2, -1920)];
    screen.emit('display-metrics-changed');
    expect(walls()).toHaveLength(1);
    expect(walls()[0]?.bounds.x).toBe(-1920);
    setWall(false);
    manager.syncWalls();
    expect(walls()).toHaveLength(0);
  });

  it('tells which display a wall page runs on, and sends status to every window', () => {
    const { screen, manager, walls } = setup();
    screen.displays = [display(1, 0), display(7, 1920)];
    manager.openConsole();
    manager.syncWalls();
    const wall = walls()[0] as FakeWindow;
    expect(manager.displayOfContents(wall.webContents.id)).toBe('7');
    expect(manager.displayOfContents(-1)).toBeNull();
    manager.broadcast('hub:status-changed', { x: 1 });
    expect(wall.sent).toEqual([['hub:status-changed', { x: 1 }]]);
  });
});
