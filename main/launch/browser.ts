// The fallback console window: the system's Chromium or Chrome as an app window (no tabs, no address
// bar) with a fresh profile, so nothing of the user's own browsing mixes with the console.
import fs from 'node:fs';
import path from 'node:path';

const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

const FIXED_PATHS: Partial<Record<NodeJS.Platform, string[]>> = {
  darwin: [
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
  ],
  win32: [
    `${process.env.PROGRAMFILES ?? 'C:\\Program Files'}\\Google\\Chrome\\Application\\chrome.exe`,
    `${process.env['PROGRAMFILES(X86)'] ?? 'C:\\Program Files (x86)'}\\Google\\Chrome\\Application\\chrome.exe`,
    `${process.env.LOCALAPPDATA ?? ''}\\Google\\Chrome\\Application\\chrome.exe`,
  ],
};

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * The browser to open the console in, or why there is none; `why` is said to the user as is, so it
 * only states what is true here. XIUHUA_BROWSER overrides the search: a path to use, or `none`
 * (headless machines, tests).
 */
export type BrowserChoice = { path: string; name: string } | { path: null; why: string };

/** The name a user knows the browser by ("Chromium", "Chrome"), not its file name. */
export function browserName(file: string): string {
  const base = path.basename(file).toLowerCase();
  if (base.startsWith('chromium')) return 'Chromium';
  if (base.includes('chrome')) return 'Chrome';
  return path.basename(file);
}

export function findBrowser(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): BrowserChoice {
  const found = (file: string): BrowserChoice => ({ path: file, name: browserName(file) });
  const forced = env.XIUHUA_BROWSER;
  if (forced === 'none') return { path: null, why: 'XIUHUA_BROWSER=none asks for no browser window' };
  if (forced) return isExecutable(forced) ? found(forced) : { path: null, why: `XIUHUA_BROWSER=${forced} is not a program that can be run` };
  // No display to put a window on: printing the URL is the useful thing to do.
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) return { path: null, why: 'There is no display to open a window on (DISPLAY and WAYLAND_DISPLAY are unset)' };
  const dirs = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const name of CANDIDATES) {
    for (const dir of dirs) {
      const file = path.join(dir, platform === 'win32' ? `${name}.exe` : name);
      if (isExecutable(file)) return found(file);
    }
  }
  const fixed = (FIXED_PATHS[platform] ?? []).find(isExecutable);
  return fixed ? found(fixed) : { path: null, why: 'No Chromium or Chrome is installed' };
}

export function browserArgs(url: string, profileDir: string, runningAsRoot: boolean): string[] {
  return [
    `--app=${url}`,
    `--user-data-dir=${profileDir}`,
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-background-networking',
    '--window-size=1600,1000',
    // Chromium refuses to start as root with its sandbox (containers, CI boxes).
    ...(runningAsRoot ? ['--no-sandbox'] : []),
  ];
}
