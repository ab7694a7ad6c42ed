// IPC handlers answer our own top frames and nobody else (ipcMain replaced by a fake).
import { describe, expect, it } from 'vitest';
import { ForeignSenderError, registerIpcHandlers } from '../../main/app/ipc';
import type { IpcHandlers } from '../../main/app/ipc';

type Invoke = (event: { senderFrame: { url: string; parent: unknown } | null; sender: { id: number } }, ...args: unknown[]) => unknown;

function setup() {
  const registered = new Map<string, Invoke>();
  const calls: [string, number, unknown[]][] = [];
  const log: string[] = [];
  const handler = (channel: string) => (sender: { contentsId: number }, ...args: unknown[]) => {
    calls.push([channel, sender.contentsId, args]);
    return { ok: true as const };
  };
  const handlers = {
    'hub:status': () => ({ status: { state: 'stopped' as const }, text: { en: 'The hub is stopped.', zh: '中枢已停止。' } }),
    'hub:get-setting': () => ({ kind: 'demo' as const }),
    'hub:set-setting': handler('hub:set-setting'),
    'wall:set-layout': handler('wall:set-layout'),
  } satisfies IpcHandlers;
  registerIpcHandlers({ handle: (channel: string, fn: Invoke) => void registered.set(channel, fn) } as never, handlers, (l) => log.push(l));
  return { registered, calls, log };
}

describe('registerIpcHandlers', () => {
  it('registers every channel of the contract', () => {
    expect([...setup().registered.keys()].sort()).toEqual(['hub:get-setting', 'hub:set-setting', 'hub:status', 'wall:set-layout']);
  });

  it('answers the top frame of our page, passing which window asked', async () => {
    const { registered, calls } = setup();
    const r = await registered.get('wall:set-layout')?.({ senderFrame: { url: 'xiuhua://app/index.html?view=map-wall', parent: null }, sender: { id: 7 } }, 'video');
    expect(r).toEqual({ ok: true });
    expect(calls).toEqual([['wall:set-layout', 7, ['video']]]);
  });

  it.each([
    ['a foreign page', { url: 'https://example.com/', parent: null }],
    ['the hub\'s own pages', { url: 'http://127.0.0.1:8420/', parent: null }],
    ['a subframe of our page', { url: 'xiuhua://app/index.html', parent: {} }],
    ['a frame that is gone', null],
  ])('refuses %s without running the handler', async (_what, frame) => {
    const { registered, calls, log } = setup();
    const invoke = registered.get('hub:set-setting');
    expect(() => invoke?.({ senderFrame: frame, sender: { id: 3 } }, { kind: 'remote', url: 'http://evil.example' })).toThrow(ForeignSenderError);
    expect(calls).toEqual([]);
    expect(log[0]).toMatch(/^refused IPC hub:set-setting from /);
  });
});
