// The app's security policy, in one module (Electron security checklist, stricter than the defaults):
// every web contents is sandboxed and isolated, may only navigate within our own origin, never opens
// windows or webviews, gets only the permissions a console needs, and IPC is served to our frames only.
// Electron objects are passed in, never imported, so the policy runs under plain Node in unit tests.
import type { App, Session, WebContents, WebFrameMain, WebPreferences } from 'electron';

export const APP_SCHEME = 'xiuhua';
export const APP_HOST = 'app';
/** The origin our pages are served from (main/app/app-protocol.ts). */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/**
 * The origin of a URL, or null for anything that has no trustworthy one. WHATWG URL gives every
 * non-special scheme the opaque origin "null", so `xiuhua://evil` would compare equal to
 * `xiuhua://app` if we used `.origin` alone; our scheme is compared by host instead.
 */
export function originOf(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol === 'http:' || u.protocol === 'https:') return u.origin;
  if (u.protocol === `${APP_SCHEME}:` && u.host !== '') return `${APP_SCHEME}://${u.host.toLowerCase()}`;
  return null;
}

/** Top-level and frame navigation: only within our own pages. The hub's origin is data, not pages. */
export function isNavigationAllowed(url: string): boolean {
  return originOf(url) === APP_ORIGIN;
}

/** Permissions a command-center console needs: wall windows go full screen, stay awake, copy text. */
export const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set([
  'fullscreen',
  'screen-wake-lock',
  'clipboard-sanitized-write',
]);

/**
 * `media`: the kinds asked for (Electron's mediaTypes, or the one mediaType of a check). The intercom's
 * push-to-talk needs the microphone: audio alone is granted to our pages, never a camera or the screen.
 */
export function isPermissionAllowed(permission: string, requestingUrl: string, media: readonly string[] = []): boolean {
  if (originOf(requestingUrl) !== APP_ORIGIN) return false;
  if (permission === 'media') return media.length > 0 && media.every((m) => m === 'audio');
  return ALLOWED_PERMISSIONS.has(permission);
}

/** The part of WebFrameMain the IPC check reads (a fake in tests). */
export type SenderFrame = Pick<WebFrameMain, 'url' | 'parent'> & { readonly detached?: boolean };

/** IPC is answered only for the top frame of one of our pages; subframes and foreign pages get nothing. */
export function isTrustedSender(frame: SenderFrame | null | undefined): boolean {
  if (!frame || frame.detached === true || frame.parent !== null) return false;
  return originOf(frame.url) === APP_ORIGIN;
}

/** Web preferences every window gets, whatever its caller asked for. */
export function hardenWebPreferences(prefs: WebPreferences): WebPreferences {
  return {
    ...prefs,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInSubFrames: false,
    nodeIntegrationInWorker: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
  };
}

/**
 * Content-Security-Policy of our pages. The hub (embedded on 127.0.0.1 or remote) is the only other
 * origin: socket.io (http + ws), HLS playlists and segments, images. MapLibre and hls.js need blob:
 * workers and blob: media (MSE). No inline or eval'd script.
 */
export function contentSecurityPolicy(hubUrl: string | null): string {
  const hub = hubUrl ? originOf(hubUrl) : null;
  const hubWs = hub ? hub.replace(/^http/, 'ws') : null;
  const src = (...s: (string | null)[]) => s.filter((x): x is string => x !== null).join(' ');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    src("img-src 'self' data: blob:", hub),
    "font-src 'self' data:",
    src("connect-src 'self' data: blob:", hub, hubWs),
    src("media-src 'self' blob:", hub),
    "worker-src 'self' blob:",
    "child-src 'self' blob:",
    "manifest-src 'self'",
    "frame-src 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Responses from the hub carry CORS headers for our origin: our pages come from xiuhua://app while the
 * hub may be any http origin, and a hub should not have to know about Electron to serve us.
 */
export function withHubCors(
  headers: Record<string, string[]>,
  responseUrl: string,
  hubUrl: string | null,
): Record<string, string[]> {
  if (!hubUrl || originOf(responseUrl) !== originOf(hubUrl)) return headers;
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (!k.toLowerCase().startsWith('access-control-allow-')) out[k] = v;
  }
  out['Access-Control-Allow-Origin'] = [APP_ORIGIN];
  out['Access-Control-Allow-Headers'] = ['Content-Type, Authorization'];
  out['Access-Control-Allow-Methods'] = ['GET, POST, OPTIONS'];
  return out;
}

/**
 * Our pages are a secure context (the console needs crypto.randomUUID), so Chromium blocks plain-http
 * sockets and fetches from them as mixed content, except to loopback. A remote hub on plain http
 * (a LAN without TLS) is therefore named to Chromium as trustworthy at start-up; this is that list.
 */
export function insecureOriginsToTrust(hubUrl: string | null): string[] {
  if (!hubUrl) return [];
  const u = new URL(hubUrl);
  const loopback = u.hostname === 'localhost' || u.hostname === '[::1]' || /^127\./.test(u.hostname);
  // Its WebSocket origin too: mixed-content checks see ws:// apart from http://.
  return u.protocol === 'http:' && !loopback ? [u.origin, u.origin.replace(/^http/, 'ws')] : [];
}

type Preventable = { preventDefault(): void };
type NavigationEvent = Preventable & { url: string };

/** Hooks one web contents: navigation, redirects, new windows and webviews. */
export function guardWebContents(contents: WebContents, onRefused: (what: string, url: string) => void): void {
  const refuseUnlessOurs = (what: string) => (e: NavigationEvent) => {
    if (!isNavigationAllowed(e.url)) {
      e.preventDefault();
      onRefused(what, e.url);
    }
  };
  contents.on('will-navigate', refuseUnlessOurs('navigation'));
  contents.on('will-frame-navigate', refuseUnlessOurs('frame navigation'));
  contents.on('will-redirect', refuseUnlessOurs('redirect'));
  contents.on('will-attach-webview', (e) => {
    e.preventDefault();
    onRefused('webview', '');
  });
  // Windows are the main process's business (windows.ts); pages never open them.
  contents.setWindowOpenHandler(({ url }) => {
    onRefused('window.open', url);
    return { action: 'deny' };
  });
}

/** Hooks a session: permission requests and checks, hub CORS. */
export function guardSession(session: Session, hubUrl: () => string | null): void {
  session.setPermissionRequestHandler((contents, permission, callback, details) => {
    const media = 'mediaTypes' in details ? details.mediaTypes ?? [] : [];
    callback(isPermissionAllowed(permission, details.requestingUrl || contents.getURL(), media));
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) =>
    isPermissionAllowed(permission, requestingOrigin, details?.mediaType ? [details.mediaType] : []));
  session.setDevicePermissionHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withHubCors(details.responseHeaders ?? {}, details.url, hubUrl()) });
  });
}

/** Installs the policy on the default session and on every web contents the app will ever create. */
export function installSecurity(
  app: Pick<App, 'on'>,
  session: Session,
  hubUrl: () => string | null,
  log: (line: string) => void,
): void {
  guardSession(session, hubUrl);
  app.on('web-contents-created', (_e, contents) => {
    guardWebContents(contents, (what, url) => log(`refused ${what} to ${url || '(none)'}`));
  });
}
