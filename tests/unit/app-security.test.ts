// The Electron security policy, run under Node with fakes of the Electron objects it hooks.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  APP_ORIGIN, contentSecurityPolicy, guardSession, guardWebContents, hardenWebPreferences, insecureOriginsToTrust, installSecurity,
  isNavigationAllowed, isPermissionAllowed, isTrustedSender, originOf, withHubCors,
} from '../../main/app/security';

type Session = Parameters<typeof guardSession>[0];
type WebContents = Parameters<typeof guardWebContents>[0];

const HUB = 'http://127.0.0.1:43117';

describe('URLs our windows may navigate to', () => {
  it.each([
    'xiuhua://app/',
    'xiuhua://app/index.html?view=console&hub=http%3A%2F%2F127.0.0.1%3A43117',
    'xiuhua://app/index.html#/incidents',
  ])('allows our own page %s', (url) => {
    expect(isNavigationAllowed(url)).toBe(true);
  });

  it.each([
    ['another host on our scheme', 'xiuhua://evil/index.html'],
    ['a look-alike host', 'xiuhua://app.evil.example/'],
    ['credentials hiding the real host', 'xiuhua://app@evil/'],
    ['our scheme without a host', 'xiuhua:app/index.html'],
    ['the hub origin (data, not pages)', `${HUB}/`],
    ['a web site', 'https://example.com/'],
    ['a look-alike of localhost', 'http://127.0.0.1.evil.example/'],
    ['a local file', 'file:///etc/passwd'],
    ['javascript:', 'javascript:alert(1)'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['about:blank', 'about:blank'],
    ['garbage', 'not a url'],
  ])('refuses %s', (_what, url) => {
    expect(isNavigationAllowed(url)).toBe(false);
  });

  it('never lets opaque origins compare equal (WHATWG gives every custom scheme origin "null")', () => {
    expect(new URL('xiuhua://evil/').origin).toBe(new URL('xiuhua://app/').origin);
    expect(originOf('xiuhua://evil/')).not.toBe(originOf('xiuhua://app/'));
    expect(originOf('ftp://example.com/')).toBeNull();
  });
});

class FakeContents extends EventEmitter {
  openHandler: ((d: { url: string }) => { action: string }) | null = null;
  setWindowOpenHandler(h: (d: { url: string }) => { action: string }) {
    this.openHandler = h;
  }
}

function navEvent(url: string) {
  return { url, prevented: false, preventDefault() { this.prevented = true; } };
}

describe('every web contents is hooked', () => {
  it('is hooked when created: foreign navigation, redirects and frame navigation are prevented, ours are not', () => {
    const app = new EventEmitter();
    const refused: string[] = [];
    installSecurity(app as never, new FakeSession() as unknown as Session, () => HUB, (l) => refused.push(l));
    const contents = new FakeContents();
    app.emit('web-contents-created', {}, contents);

    const foreign = navEvent('https://example.com/phish');
    contents.emit('will-navigate', foreign);
    const ours = navEvent('xiuhua://app/index.html?view=console');
    contents.emit('will-navigate', ours);
    const redirect = navEvent(`${HUB}/`);
    contents.emit('will-redirect', redirect);
    const frame = navEvent('xiuhua://evil/');
    contents.emit('will-frame-navigate', frame);

    expect([foreign.prevented, ours.prevented, redirect.prevented, frame.prevented]).toEqual([true, false, true, true]);
    expect(refused).toEqual([
      'refused navigation to https://example.com/phish',
      `refused redirect to ${HUB}/`,
      'refused frame navigation to xiuhua://evil/',
    ]);
  });

  it('denies window.open for every URL, ours included, and every webview', () => {
    const contents = new FakeContents();
    const refused: string[] = [];
    guardWebContents(contents as unknown as WebContents, (what, url) => refused.push(`${what} ${url}`));
    expect(contents.openHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect(contents.openHandler?.({ url: 'xiuhua://app/index.html' })).toEqual({ action: 'deny' });
    const webview = navEvent('');
    contents.emit('will-attach-webview', webview);
    expect(webview.prevented).toBe(true);
    expect(refused).toHaveLength(3);
  });
});

type PermissionRequestHandler = (c: { getURL(): string }, p: string, cb: (ok: boolean) => void, d: { requestingUrl: string }) => void;
type HeadersHandler = (d: { url: string; responseHeaders?: Record<string, string[]> }, cb: (r: { responseHeaders: Record<string, string[]> }) => void) => void;

class FakeSession {
  request: PermissionRequestHandler | null = null;
  check: ((c: unknown, p: string, origin: string) => boolean) | null = null;
  device: (() => boolean) | null = null;
  headers: HeadersHandler | null = null;
  setPermissionRequestHandler(h: PermissionRequestHandler) { this.request = h; }
  setPermissionCheckHandler(h: (c: unknown, p: string, origin: string) => boolean) { this.check = h; }
  setDevicePermissionHandler(h: () => boolean) { this.device = h; }
  webRequest = { onHeadersReceived: (h: HeadersHandler) => { this.headers = h; } };
}

describe('permissions', () => {
  const session = new FakeSession();
  guardSession(session as unknown as Session, () => HUB);
  const ask = (permission: string, requestingUrl: string) => {
    let granted: boolean | null = null;
    session.request?.({ getURL: () => requestingUrl }, permission, (ok) => (granted = ok), { requestingUrl });
    return granted;
  };

  it('grants what a console needs to our pages only', () => {
    expect(ask('fullscreen', 'xiuhua://app/index.html')).toBe(true);
    expect(ask('screen-wake-lock', 'xiuhua://app/index.html?view=map-wall')).toBe(true);
    expect(ask('fullscreen', 'https://example.com/')).toBe(false);
    expect(ask('fullscreen', `${HUB}/`)).toBe(false);
  });

  it.each(['media', 'geolocation', 'notifications', 'openExternal', 'display-capture', 'clipboard-read', 'usb', 'unknown'])(
    'refuses %s even to our pages', (permission) => {
      expect(ask(permission, 'xiuhua://app/index.html')).toBe(false);
      expect(session.check?.(null, permission, APP_ORIGIN)).toBe(false);
    });

  it('grants the microphone (audio alone) to our pages for the intercom, never a camera or the screen', () => {
    const media = (url: string, mediaTypes: string[]) => {
      let granted: boolean | null = null;
      session.request?.({ getURL: () => url }, 'media', (ok) => (granted = ok), { requestingUrl: url, mediaTypes } as never);
      return granted;
    };
    expect(media('xiuhua://app/index.html', ['audio'])).toBe(true);
    expect(media('xiuhua://app/index.html', ['audio', 'video'])).toBe(false);
    expect(media('xiuhua://app/index.html', ['video'])).toBe(false);
    expect(media(`${HUB}/`, ['audio'])).toBe(false);
    expect(isPermissionAllowed('media', 'xiuhua://app/index.html', ['audio'])).toBe(true);
    expect(isPermissionAllowed('media', 'xiuhua://app/index.html', ['unknown'])).toBe(false);
  });

  it('answers permission checks the same way and refuses every device', () => {
    expect(session.check?.(null, 'fullscreen', APP_ORIGIN)).toBe(true);
    expect(session.check?.(null, 'fullscreen', 'https://example.com')).toBe(false);
    expect(session.device?.()).toBe(false);
    expect(isPermissionAllowed('fullscreen', 'xiuhua://evil/')).toBe(false);
  });

  it('lets our origin read the hub responses (CORS) and no one else\'s', () => {
    let out: Record<string, string[]> = {};
    session.headers?.({ url: `${HUB}/hls/cam-1/index.m3u8`, responseHeaders: { 'access-control-allow-origin': ['*'], 'Content-Type': ['x'] } }, (r) => (out = r.responseHeaders));
    expect(out['Access-Control-Allow-Origin']).toEqual([APP_ORIGIN]);
    expect(out['access-control-allow-origin']).toBeUndefined();
    expect(out['Content-Type']).toEqual(['x']);
    const other = { 'Content-Type': ['text/html'] };
    expect(withHubCors(other, 'https://example.com/', HUB)).toBe(other);
    expect(withHubCors(other, `${HUB}/`, null)).toBe(other);
  });
});

describe('Content-Security-Policy of our pages', () => {
  const csp = contentSecurityPolicy(HUB);
  const directive = (name: string) => csp.split('; ').find((d) => d.startsWith(`${name} `));

  it('allows script from our origin only: no inline script, no eval', () => {
    expect(directive('default-src')).toBe("default-src 'none'");
    expect(directive('script-src')).toBe("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-eval|wasm-unsafe-eval/);
    expect(directive('object-src')).toBe("object-src 'none'");
    expect(directive('frame-ancestors')).toBe("frame-ancestors 'none'");
  });

  it('lets the console reach its hub (sockets, HLS, images) and nothing else', () => {
    expect(directive('connect-src')).toBe(`connect-src 'self' data: blob: ${HUB} ws://127.0.0.1:43117`);
    expect(directive('media-src')).toBe(`media-src 'self' blob: ${HUB}`);
    expect(contentSecurityPolicy('https://hub.city.example:8443/x')).toContain('wss://hub.city.example:8443');
    expect(contentSecurityPolicy(null)).toContain("connect-src 'self' data: blob:;");
  });
});

describe('IPC senders', () => {
  it('trusts only the top frame of our own page', () => {
    expect(isTrustedSender({ url: 'xiuhua://app/index.html?view=console', parent: null })).toBe(true);
    expect(isTrustedSender({ url: 'xiuhua://app/index.html', parent: {} as never })).toBe(false);
    expect(isTrustedSender({ url: 'https://example.com/', parent: null })).toBe(false);
    expect(isTrustedSender({ url: `${HUB}/`, parent: null })).toBe(false);
    expect(isTrustedSender({ url: 'xiuhua://app/', parent: null, detached: true })).toBe(false);
    expect(isTrustedSender(null)).toBe(false);
  });
});

describe('web preferences', () => {
  it('are forced safe whatever the caller asked for', () => {
    const p = hardenWebPreferences({ preload: '/p.cjs', nodeIntegration: true, sandbox: false, contextIsolation: false, webSecurity: false, webviewTag: true });
    expect(p).toMatchObject({ preload: '/p.cjs', nodeIntegration: false, sandbox: true, contextIsolation: true, webSecurity: true, webviewTag: false, nodeIntegrationInSubFrames: false });
  });
});

describe('the electron boundary inside main/app', () => {
  it('only the entry points import electron at run time, so every policy module runs under plain Node', () => {
    const dir = path.join(import.meta.dirname, '../../main/app');
    const runtime = fs.readdirSync(dir).filter((f) => f.endsWith('.ts'))
      .filter((f) => /^import (?!type )[^;]*from 'electron'/m.test(fs.readFileSync(path.join(dir, f), 'utf8')));
    expect(runtime.sort()).toEqual(['main.ts', 'preload.ts']);
  });
});

describe('plain-http hubs', () => {
  it('are named trustworthy to Chromium only when remote; loopback and https need nothing', () => {
    expect(insecureOriginsToTrust('http://10.0.0.5:8420')).toEqual(['http://10.0.0.5:8420', 'ws://10.0.0.5:8420']);
    expect(insecureOriginsToTrust('http://hub.center.lan')).toEqual(['http://hub.center.lan', 'ws://hub.center.lan']);
    expect(insecureOriginsToTrust('http://127.0.0.1:7400')).toEqual([]);
    expect(insecureOriginsToTrust('http://localhost:7400')).toEqual([]);
    expect(insecureOriginsToTrust('https://hub.city.example')).toEqual([]);
    expect(insecureOriginsToTrust(null)).toEqual([]);
  });
});
