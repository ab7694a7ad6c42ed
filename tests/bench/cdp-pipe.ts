// Chromium driven over its DevTools pipe, with only the protocol domains a measurement asks for. Playwright
// turns on the Network domain in every page it opens, and DevTools then keeps response bodies in the page's
// renderer (up to 200 MB, for Network.getResponseBody): a wall that fetches media segments all night fills
// that buffer, which no console outside a test has. A memory figure of the page alone needs a page with no
// Network domain, so this is a few lines of CDP rather than Playwright.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';

type Message = { id?: number; method?: string; params?: unknown; result?: unknown; error?: { message: string }; sessionId?: string };

export type PipeBrowser = {
  pid: number;
  /** a command to the browser (no session) or to an attached page (its sessionId) */
  send<T = Record<string, unknown>>(method: string, params?: object, sessionId?: string): Promise<T>;
  on(method: string, listener: (params: unknown) => void): void;
  off(method: string, listener: (params: unknown) => void): void;
  /** a page in a new browser context (as Playwright makes one per test), attached: its session id */
  openPage(url: string): Promise<string>;
  close(): Promise<void>;
};

export async function launchPipeChromium(args: string[]): Promise<PipeBrowser> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'xiuhua-bench-chromium-'));
  const child: ChildProcess = spawn('/usr/bin/chromium', [
    '--headless', '--remote-debugging-pipe', '--no-first-run', '--mute-audio', '--hide-scrollbars', '--window-size=1600,900',
    '--lang=zh-CN', `--user-data-dir=${profile}`, ...args, 'about:blank',
  ], { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });
  const toBrowser = child.stdio[3] as Writable;
  const fromBrowser = child.stdio[4] as Readable;
  let nextId = 1;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const listeners = new Map<string, Set<(params: unknown) => void>>();
  let pending = '';
  fromBrowser.setEncoding('utf8');
  fromBrowser.on('data', (chunk: string) => {
    pending += chunk;
    let end: number;
    // Messages on the pipe end with a NUL.
    while ((end = pending.indexOf('\0')) >= 0) {
      const message = JSON.parse(pending.slice(0, end)) as Message;
      pending = pending.slice(end + 1);
      if (message.id !== undefined) {
        const w = waiting.get(message.id);
        waiting.delete(message.id);
        if (message.error) w?.reject(new Error(message.error.message));
        else w?.resolve(message.result);
      } else if (message.method) {
        for (const l of listeners.get(message.method) ?? []) l(message.params);
      }
    }
  });
  const send = <T>(method: string, params: object = {}, sessionId?: string) => new Promise<T>((resolve, reject) => {
    const id = nextId++;
    waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
    toBrowser.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
  });
  const exited = new Promise((r) => child.once('exit', r));
  await send('Browser.getVersion');
  return {
    pid: child.pid!,
    send,
    on: (method, listener) => { if (!listeners.has(method)) listeners.set(method, new Set()); listeners.get(method)!.add(listener); },
    off: (method, listener) => { listeners.get(method)?.delete(listener); },
    async openPage(url) {
      const { browserContextId } = await send<{ browserContextId: string }>('Target.createBrowserContext');
      const { targetId } = await send<{ targetId: string }>('Target.createTarget', { url, browserContextId });
      const { sessionId } = await send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true });
      return sessionId;
    },
    async close() {
      await send('Browser.close').catch(() => undefined);
      await exited;
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
