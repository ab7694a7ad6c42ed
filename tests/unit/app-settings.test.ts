// The app's settings file and command-line overrides.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyCommandLine, DEFAULT_SETTINGS, loadSettings, normalizeHubUrl, parseSettings, saveSettings } from '../../main/app/settings';

describe('parseSettings', () => {
  it('starts with the demo city, no walls, when there is no file', () => {
    expect(parseSettings(null)).toEqual({ settings: DEFAULT_SETTINGS, problems: [] });
  });

  it('reads every kind of hub', () => {
    expect(parseSettings('{"hub":{"kind":"data","dataDir":"/srv/xiuhua"}}').settings.hub).toEqual({ kind: 'data', dataDir: '/srv/xiuhua' });
    expect(parseSettings('{"hub":{"kind":"remote","url":"https://hub.city.example:8443/console/"}}').settings.hub)
      .toEqual({ kind: 'remote', url: 'https://hub.city.example:8443' });
  });

  it('falls back field by field and says what it ignored', () => {
    const r = parseSettings(JSON.stringify({
      hub: { kind: 'remote', url: 'javascript:alert(1)' },
      wallMode: true,
      walls: { 2: 'video', 3: 'cinema' },
    }));
    expect(r.settings).toEqual({ hub: { kind: 'demo' }, wallMode: true, walls: { 2: 'video' } });
    expect(r.problems).toEqual([
      'hub setting ignored (must be an http(s) address); using the demo city',
      'unknown wall layout for display 3',
    ]);
  });

  it('refuses a relative data folder', () => {
    expect(parseSettings('{"hub":{"kind":"data","dataDir":"data"}}').problems[0]).toMatch(/absolute path/);
  });

  it('survives a file that is not JSON', () => {
    expect(parseSettings('{"hub": ')).toEqual({ settings: DEFAULT_SETTINGS, problems: ['settings file is not valid JSON; using defaults'] });
  });
});

describe('normalizeHubUrl', () => {
  it.each([
    ['http://10.0.0.5:8420', 'http://10.0.0.5:8420'],
    [' https://hub.example/ ', 'https://hub.example'],
    ['ftp://hub.example', null],
    ['file:///etc', null],
    ['http://user:pw@hub.example', null],
    ['hub.example:8420', null],
  ])('%s → %s', (input, out) => {
    expect(normalizeHubUrl(input)).toBe(out);
  });
});

describe('applyCommandLine', () => {
  it('overrides the hub and wall mode for this run', () => {
    expect(applyCommandLine(DEFAULT_SETTINGS, ['--hub', 'http://10.1.1.1:8420', '--wall'], '/home/u').settings)
      .toEqual({ hub: { kind: 'remote', url: 'http://10.1.1.1:8420' }, wallMode: true, walls: {} });
    expect(applyCommandLine(DEFAULT_SETTINGS, ['--data=center'], '/home/u').settings.hub).toEqual({ kind: 'data', dataDir: '/home/u/center' });
    expect(applyCommandLine({ ...DEFAULT_SETTINGS, hub: { kind: 'data', dataDir: '/x' } }, ['--demo'], '/').settings.hub).toEqual({ kind: 'demo' });
  });

  it('leaves Chromium\'s own switches alone and reports bad values', () => {
    const r = applyCommandLine(DEFAULT_SETTINGS, ['--enable-logging', '--hub', 'nowhere', '--no-sandbox'], '/');
    expect(r.settings).toEqual(DEFAULT_SETTINGS);
    expect(r.problems).toEqual(['--hub needs an http(s) address']);
  });
});

describe('the settings file', () => {
  let dir = '';
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('round-trips, remembering wall layouts per display', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiuhua-settings-'));
    const file = path.join(dir, 'nested', 'settings.json');
    expect(loadSettings(file).settings).toEqual(DEFAULT_SETTINGS);
    const s = { hub: { kind: 'remote' as const, url: 'http://10.0.0.5:8420' }, wallMode: true, walls: { 2: 'video' as const, 3: 'dashboard' as const } };
    saveSettings(file, s);
    expect(loadSettings(file)).toEqual({ settings: s, problems: [] });
    expect(fs.readdirSync(path.dirname(file))).toEqual(['settings.json']);
  });
});
