// The app's own settings (userData/settings.json): which hub to use, wall mode, and the layout each
// wall display had. Parsing never throws: a damaged or hand-edited file falls back field by field to
// defaults, and the reasons are reported so the user can be told in words.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export const WALL_LAYOUTS = ['map', 'video', 'dashboard'] as const;
export type WallLayout = (typeof WALL_LAYOUTS)[number];

/** Embedded demo city (default), embedded hub on a real data folder, or a remote hub many consoles share. */
export type HubSetting =
  | { kind: 'demo' }
  | { kind: 'data'; dataDir: string }
  | { kind: 'remote'; url: string };

export type Settings = {
  hub: HubSetting;
  wallMode: boolean;
  /** Layout per display id (Electron's Display.id, as a string key). */
  walls: Record<string, WallLayout>;
};

export const DEFAULT_SETTINGS: Settings = { hub: { kind: 'demo' }, wallMode: false, walls: {} };

/** A hub address as typed by a person: http(s) only, reduced to its origin. */
export function normalizeHubUrl(input: string): string | null {
  let u: URL;
  try {
    u = new URL(input.trim());
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  if (u.username || u.password) return null;
  return u.origin;
}

const hubSettingSchema: z.ZodType<HubSetting> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('demo') }),
  z.object({ kind: z.literal('data'), dataDir: z.string().min(1).refine((d) => path.isAbsolute(d), 'must be an absolute path') }),
  z.object({
    kind: z.literal('remote'),
    url: z.string().transform((s, ctx) => {
      const url = normalizeHubUrl(s);
      if (url === null) {
        ctx.addIssue({ code: 'custom', message: 'must be an http(s) address' });
        return z.NEVER;
      }
      return url;
    }),
  }),
]);

export function parseHubSetting(value: unknown): { ok: true; hub: HubSetting } | { ok: false; reason: string } {
  const r = hubSettingSchema.safeParse(value);
  return r.success ? { ok: true, hub: r.data } : { ok: false, reason: r.error.issues.map((i) => i.message).join('; ') };
}

export function parseSettings(text: string | null): { settings: Settings; problems: string[] } {
  if (text === null) return { settings: structuredClone(DEFAULT_SETTINGS), problems: [] };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { settings: structuredClone(DEFAULT_SETTINGS), problems: ['settings file is not valid JSON; using defaults'] };
  }
  const obj = (raw !== null && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const problems: string[] = [];
  const settings = structuredClone(DEFAULT_SETTINGS);

  if (obj.hub !== undefined) {
    const hub = parseHubSetting(obj.hub);
    if (hub.ok) settings.hub = hub.hub;
    else problems.push(`hub setting ignored (${hub.reason}); using the demo city`);
  }
  if (typeof obj.wallMode === 'boolean') settings.wallMode = obj.wallMode;
  else if (obj.wallMode !== undefined) problems.push('wallMode must be true or false');
  if (obj.walls !== null && typeof obj.walls === 'object') {
    for (const [display, layout] of Object.entries(obj.walls as Record<string, unknown>)) {
      if ((WALL_LAYOUTS as readonly unknown[]).includes(layout)) settings.walls[display] = layout as WallLayout;
      else problems.push(`unknown wall layout for display ${display}`);
    }
  }
  return { settings, problems };
}

/**
 * Command-line overrides for this run (not saved): `--demo`, `--data <dir>`, `--hub <url>`, `--wall`.
 * Unknown arguments are Chromium's or Electron's and are left alone.
 */
export function applyCommandLine(settings: Settings, argv: readonly string[], cwd: string): { settings: Settings; problems: string[] } {
  const out = structuredClone(settings);
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i];
    if (flag === '--demo') out.hub = { kind: 'demo' };
    else if (flag === '--wall') out.wallMode = true;
    else if (flag === '--data') {
      const dir = value();
      if (dir) out.hub = { kind: 'data', dataDir: path.resolve(cwd, dir) };
      else problems.push('--data needs a folder');
    } else if (flag === '--hub') {
      const url = normalizeHubUrl(value() ?? '');
      if (url) out.hub = { kind: 'remote', url };
      else problems.push('--hub needs an http(s) address');
    }
  }
  return { settings: out, problems };
}

export function loadSettings(file: string): { settings: Settings; problems: string[] } {
  let text: string | null = null;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return { ...parseSettings(null), problems: [`cannot read ${file}`] };
  }
  return parseSettings(text);
}

/** Written to a temporary file and renamed, so a crash never leaves half a settings file. */
export function saveSettings(file: string, settings: Settings): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(settings, null, 2)}\n`);
  fs.renameSync(tmp, file);
}
