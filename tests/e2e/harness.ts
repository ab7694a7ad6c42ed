// What every end-to-end suite sets up the same way: the console built into a private folder (so suites never
// race each other over dist/), a real hub on port 0 over a temp data dir, one headless Chromium with the
// flags this machine needs, signing in through the real form, and screenshots for people to look at
// (tests/artifacts/<suite>/, and every open page's picture when a test fails). A suite says only what is
// its own: which hub (demo, simulator, options) and what it does with it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { build } from 'vite';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { startHub, type Hub, type HubOptions } from '../../main/hub/server';
import { DEMO_PASSWORD, SIM_DEVICE } from '../../main/hub/seed';
import { simulateDemoCity } from '../../main/sim/demo';

export const ROOT = path.resolve(import.meta.dirname, '../..');

/** The flags Chromium needs here: no sandbox (root in a container), software GL for the map (no GPU), no network of its own. */
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu-sandbox', '--disable-background-networking', '--disable-component-update',
  '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
];
/** Fake camera and microphone, granted without asking (field page, voice). */
export const FAKE_MEDIA_ARGS = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];

export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, ...extraArgs] });
}

/** The console built into a fresh temp folder, for a hub's `rendererDir`. */
export async function buildConsole(suite: string): Promise<string> {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), `xiuhua-${suite}-dist-`));
  await build({ configFile: path.join(ROOT, 'renderer/vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  return outDir;
}

/** tests/artifacts/<suite>/, made if missing. */
export function artifactsDir(suite: string): string {
  const dir = path.join(ROOT, 'tests/artifacts', suite);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Fills the sign-in form and submits it (waits for nothing: the caller knows what should follow). */
export async function signIn(page: Page, username: string, password: string = DEMO_PASSWORD, hubUrl?: string): Promise<void> {
  if (hubUrl !== undefined) await page.fill('input[name=hub]', hubUrl);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
}

/** Signs the field page in as one unit through the demo's gateway device (the simulator's), and submits. */
export async function fieldSignIn(page: Page, unitId: string): Promise<void> {
  const inputs = page.locator('form.field input');
  await inputs.nth(0).fill(SIM_DEVICE.id);
  await inputs.nth(1).fill(SIM_DEVICE.secret);
  await inputs.nth(2).fill(unitId);
  await page.click('form.field button[type=submit]');
}

/** The connection badge says live: signed in and connected. */
export function waitLive(page: Page, timeout = 60_000): Promise<unknown> {
  return page.waitForSelector('[data-testid=conn-status][data-status=live]', { timeout });
}

/** The console has its snapshot and a map (the map may still be drawing). */
export function waitConsoleReady(page: Page, timeout = 90_000): Promise<unknown> {
  return page.waitForFunction(() => !!window.__xiuhua?.map && window.__xiuhua.hub.getState().ready, undefined, { timeout });
}

/** A demo hub (the simulator off: a still city, the test moves what it needs). */
export function demoHub(o: Pick<HubOptions, 'dataDir' | 'rendererDir'>, more: Partial<HubOptions> = {}): Promise<Hub> {
  return startHub({ port: 0, demo: true, log: () => undefined, ...more, ...o });
}

/** A demo hub with the city moving (the simulator on) but pressing no SOS of its own: an SOS on screen is the test's. */
export async function movingDemoHub(o: Pick<HubOptions, 'dataDir' | 'rendererDir'>, more: Partial<HubOptions> = {}): Promise<Hub> {
  return simulateDemoCity(await demoHub(o, more), undefined, { sosPerHour: 0 });
}

export type SuiteOptions = {
  /** the hub under test; by default a demo hub with the simulator off */
  hub?: (o: Pick<HubOptions, 'dataDir' | 'rendererDir'>) => Promise<Hub>;
  /** flags beyond CHROMIUM_ARGS */
  chromiumArgs?: string[];
  /** no browser (a suite that launches its own, e.g. Electron) */
  noBrowser?: boolean;
};

export type SignedInOptions = { locale?: string; viewport?: { width: number; height: number }; path?: string; password?: string; perTest?: boolean };

export type E2eSuite = {
  readonly hub: Hub;
  readonly browser: Browser;
  readonly dataDir: string;
  readonly rendererDir: string;
  readonly artifacts: string;
  /** A browser context. perTest (the default): closed after the test, its pages photographed if it failed. */
  context(options?: BrowserContextOptions, perTest?: boolean): Promise<BrowserContext>;
  /** A page of a new context, signed in through the form, connection live. */
  signedIn(username: string, options?: SignedInOptions): Promise<Page>;
  /** signedIn, then the console has its snapshot and its map. */
  consoleAs(username: string, options?: SignedInOptions): Promise<Page>;
  /** Script errors of every page the suite watches (signedIn's pages, and any given to watch), as "who: message". */
  readonly pageErrors: string[];
  /** Records the page's script errors in pageErrors. */
  watch(page: Page, who: string): Page;
  /** tests/artifacts/<suite>/<name>.png */
  shot(page: Page, name: string, fullPage?: boolean): Promise<unknown>;
  /** Swaps the hub (a suite that restarts it); the old one is the caller's to close. */
  setHub(hub: Hub): void;
};

/**
 * Registers the suite's hooks (beforeAll: console build, data dir, hub, Chromium; afterEach: pictures of a
 * failed test's pages, its contexts closed; afterAll: everything closed and removed) and hands out what they made.
 */
export function e2eSuite(suite: string, opts: SuiteOptions = {}): E2eSuite {
  let hub: Hub | undefined;
  let browser: Browser | undefined;
  let dataDir = '';
  let rendererDir = '';
  const artifacts = artifactsDir(suite);
  const perTest: BrowserContext[] = [];
  const pageErrors: string[] = [];
  const kept: BrowserContext[] = [];
  const made = <T>(what: string, v: T | undefined): T => {
    if (v === undefined) throw new Error(`${suite}: the ${what} is not up (beforeAll failed or has not run)`);
    return v;
  };

  beforeAll(async () => {
    rendererDir = await buildConsole(suite);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `xiuhua-${suite}-e2e-`));
    hub = await (opts.hub ?? demoHub)({ dataDir, rendererDir });
    if (!opts.noBrowser) browser = await launchChromium(opts.chromiumArgs);
  }, 180_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') {
      if (pageErrors.length > 0) console.log(`${suite}: page errors so far:\n  ${pageErrors.join('\n  ')}`);
      for (const [i, c] of [...perTest, ...kept].entries()) {
        for (const [j, p] of c.pages().entries()) await p.screenshot({ path: path.join(artifacts, `failed-${i}-${j}.png`) }).catch(() => undefined);
      }
    }
    for (const c of perTest.splice(0)) await c.close().catch(() => undefined);
  }, 120_000);

  afterAll(async () => {
    for (const c of kept.splice(0)) await c.close().catch(() => undefined);
    await browser?.close();
    await hub?.close();
    for (const d of [dataDir, rendererDir]) if (d) fs.rmSync(d, { recursive: true, force: true });
  }, 120_000);

  const suiteApi: E2eSuite = {
    get hub() { return made('hub', hub); },
    get browser() { return made('browser', browser); },
    get dataDir() { return dataDir; },
    get rendererDir() { return rendererDir; },
    artifacts,
    async context(options = {}, forOneTest = true) {
      const c = await made('browser', browser).newContext(options);
      // A map on SwiftShader on two shared cores can draw a frame a second: actions get time.
      c.setDefaultTimeout(120_000);
      (forOneTest ? perTest : kept).push(c);
      return c;
    },
    async signedIn(username, o = {}) {
      const c = await suiteApi.context({ viewport: o.viewport ?? { width: 1600, height: 900 }, locale: o.locale ?? 'zh-CN' }, o.perTest ?? true);
      const page = await c.newPage();
      suiteApi.watch(page, username);
      await page.goto(`${made('hub', hub).url}${o.path ?? ''}`);
      await signIn(page, username, o.password);
      await waitLive(page);
      return page;
    },
    async consoleAs(username, o) {
      const page = await suiteApi.signedIn(username, o);
      await waitConsoleReady(page);
      return page;
    },
    pageErrors,
    watch(page, who) {
      page.on('pageerror', (e) => pageErrors.push(`${who}: ${e.message}`));
      return page;
    },
    shot: (page, name, fullPage = false) => page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage }),
    setHub(h) { hub = h; },
  };
  return suiteApi;
}

export type PagePoint = { x: number; y: number };

/** Where a place on the console's map is on the page, for the mouse (read when the map is still). */
export function mapPixel(page: Page, at: [number, number]): Promise<PagePoint> {
  return page.evaluate((ll) => {
    const map = window.__xiuhua!.map!;
    const box = map.getCanvas().getBoundingClientRect();
    const p = map.project(ll);
    return { x: box.left + p.x, y: box.top + p.y };
  }, at);
}

/** The map's place under a point of the page. */
export function mapPlace(page: Page, px: PagePoint): Promise<[number, number]> {
  return page.evaluate(({ x, y }) => {
    const map = window.__xiuhua!.map!;
    const box = map.getCanvas().getBoundingClientRect();
    const ll = map.unproject([x - box.left, y - box.top]);
    return [ll.lng, ll.lat] as [number, number];
  }, px);
}

/** Every piece of text under the elements `roots` selects (not the map canvas), with its size as drawn (CSS zoom included). */
export function drawnTextSizes(page: Page, roots: string): Promise<{ text: string; px: number }[]> {
  return page.evaluate((selector) => {
    const out: { text: string; px: number }[] = [];
    for (const root of document.querySelectorAll(selector)) {
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement!;
        const text = n.textContent!.trim();
        if (!text || el.getClientRects().length === 0) continue;
        const zoom = (el as HTMLElement & { currentCSSZoom: number }).currentCSSZoom;
        out.push({ text: text.slice(0, 30), px: parseFloat(getComputedStyle(el).fontSize) * zoom });
      }
    }
    return out;
  }, roots);
}

declare global {
  interface Window { __spoken?: { text: string; lang: string }[] }
}

/**
 * An init script (context.addInitScript): one stand-in zh-CN voice, and a speak() that records each utterance
 * in window.__spoken and ends it as an engine would. This Chromium has no voice installed (no speech-dispatcher).
 */
export function standInVoice(): void {
  const spoken: { text: string; lang: string }[] = [];
  window.__spoken = spoken;
  const voice = { lang: 'zh-CN', name: 'stand-in', default: true, localService: true, voiceURI: 'stand-in' } as SpeechSynthesisVoice;
  speechSynthesis.getVoices = () => [voice];
  speechSynthesis.speak = (u: SpeechSynthesisUtterance) => {
    spoken.push({ text: u.text, lang: u.lang });
    setTimeout(() => u.onend?.(new Event('end') as SpeechSynthesisEvent), 50);
  };
}
