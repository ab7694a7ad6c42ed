// Colours for the dark wall theme and the night theme (the mode profile's mapTheme picks one).
// Live-state colours are the same in both themes so the legend never changes meaning; only the
// basemap dims at night.
import type { ExpressionSpecification } from 'maplibre-gl';

export type MapTheme = 'dark' | 'night';

/** Every label's font (drawn from local fonts: the style has no `glyphs`). */
export const FONT = ['Noto Sans CJK SC', 'sans-serif'];

export type BasemapPalette = {
  background: string;
  water: string;
  park: string;
  landuse: string;
  building: string;
  roadMajor: string;
  roadMinor: string;
  rail: string;
  label: string;
  labelHalo: string;
  waterLabel: string;
};

export const BASEMAP: Record<MapTheme, BasemapPalette> = {
  dark: {
    background: '#0d1420', water: '#15324d', park: '#13261d', landuse: '#111a27', building: '#1a2433',
    roadMajor: '#3b4d66', roadMinor: '#26344a', rail: '#4a4f5c', label: '#a9b8cc', labelHalo: '#0d1420', waterLabel: '#5f8fb8',
  },
  night: {
    background: '#05070b', water: '#0a1b2b', park: '#09140f', landuse: '#080c13', building: '#0e131b',
    roadMajor: '#243042', roadMinor: '#161e2a', rail: '#2b2f38', label: '#6f7e92', labelHalo: '#05070b', waterLabel: '#3c5f7e',
  },
};

/**
 * Live-state colours: chosen to stay distinct for common colour-vision deficiencies and on a dim wall, and
 * never shared between kinds that mean different things: red is an SOS and nothing else; cameras have their
 * own colours (white live, amber stale, grey struck-through down) and their own shape (a camera body), so a
 * live camera never reads as an officer on post, nor a camera down as an SOS. Incidents are triangles.
 */
export const LIVE = {
  ok: '#38d39f',
  patrol: '#4da3ff',
  task: '#f5c542',
  sos: '#ff3b4e',
  stale: '#9aa3ad',
  offline: '#5c636b',
  idle: '#a58be0',
  route: '#4da3ff',
  routeInactive: '#35506f',
  cellOk: '#1f9d6b',
  cellShort: '#e0782f',
  cellNone: '#33475f',
  prio1: '#ff7b00',
  prio2: '#ffb000',
  prio3: '#e6d85c',
  camLive: '#f2f7ff',
  camStale: '#e69f00',
  camOffline: '#8a94a3',
  camIdle: '#7f9cbf',
  select: '#ffffff',
  /** an area in emergency mode: a dashed outline, not a fill, so staffing colours stay readable */
  emergency: '#ff9f1c',
  /** what the console cannot know right now (hub away): neither good nor bad */
  unknown: '#7d8794',
  /** attendance marks on an officer (a ring and a badge with a character, so colour is never alone) */
  attLate: '#ffb347',
  attMissing: '#c792ff',
  attOff: '#2fd3e0',
  attOn: '#38d39f',
} as const;

/** The attendance marks in the order the legend lists them, with their colours. */
export const ATTENDANCE_MARKS = [
  { mark: 'late', color: LIVE.attLate },
  { mark: 'missing', color: LIVE.attMissing },
  { mark: 'off', color: LIVE.attOff },
  { mark: 'on', color: LIVE.attOn },
] as const;

/** An attendance mark's colour; grey when the unit's fix is stale or offline (the mark is as of then). */
export const attendanceColor: ExpressionSpecification = [
  'case', ['in', ['get', 'cls'], ['literal', ['stale', 'offline']]], LIVE.stale,
  ['match', ['get', 'att'], 'late', LIVE.attLate, 'missing', LIVE.attMissing, 'off', LIVE.attOff, 'on', LIVE.attOn, LIVE.stale],
];

/** A unit's colour from its class (see unit-feed.ts). */
export const unitColor: ExpressionSpecification = [
  'match', ['get', 'cls'],
  'sos', LIVE.sos, 'offline', LIVE.offline, 'stale', LIVE.stale,
  'on_post', LIVE.ok, 'patrolling', LIVE.patrol, 'on_task', LIVE.task,
  LIVE.offline,
];
