// What this window is for, read from its address. The Electron shell opens each wall display at
// `index.html?view=map-wall|video-wall|dashboard&display=<id>&hub=<url>` (main/app/windows.ts pageUrl).
export type WallKind = 'map-wall' | 'video-wall' | 'dashboard';
const WALL_KINDS: readonly WallKind[] = ['map-wall', 'video-wall', 'dashboard'];

export type WallRoute = { view: WallKind; display: string };

export function wallRoute(search: string): WallRoute | null {
  const q = new URLSearchParams(search);
  const view = q.get('view');
  if (!WALL_KINDS.includes(view as WallKind)) return null;
  return { view: view as WallKind, display: q.get('display') ?? view! };
}

const LAST_URL = 'xiuhua.hubUrl';

/**
 * A wall window is told its hub (`?hub=`); the login form starts from the last hub address used, so
 * the shell's address is written there before the form reads it.
 */
export function adoptHubParam(search: string): void {
  const hubUrl = new URLSearchParams(search).get('hub');
  if (hubUrl) localStorage.setItem(LAST_URL, hubUrl);
}
