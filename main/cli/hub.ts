// `npm run hub -- --port <p> --data <dir> [--demo] [--host <h>] [--units <n>] [--time-zone <zone>] [--night <from-until>|dusk[@lat,lng]]`: the hub, headless.
import { ModeSchedule } from '../../shared/modes';
import { DEFAULT_TIME_ZONE, isTimeZone } from '../../shared/time';
import path from 'node:path';
import { DB_FILE, StoreError, storeStartError } from '../store/db';
import { startHub } from '../hub/server';
import { DEMO_PASSWORD, DEMO_USERS } from '../hub/seed';
import { simulateDemoCity } from '../sim/demo';
import { loadVoiceConfig, type VoiceConfig } from '../hub/voice/config';
import { cliArgs, fail } from './args';

const USAGE = 'npm run hub -- --port <p> --data <dir> [--demo [--no-sim]] [--host <address>] [--units <n extra demo load units>]'
  + ` [--time-zone <IANA zone, default ${DEFAULT_TIME_ZONE}>] [--night <HH:MM-HH:MM, e.g. 20:00-06:00, or dusk: from dusk to dawn at the demo city, dusk@<lat>,<lng> elsewhere>]`
  + ' [--voice-config <file.json: ICE/TURN servers, talk limit (docs/voice.md)>]';
const { values } = cliArgs(USAGE, {
  port: { type: 'string', default: '8420' },
  data: { type: 'string' },
  demo: { type: 'boolean', default: false },
  'no-sim': { type: 'boolean', default: false },
  host: { type: 'string' },
  units: { type: 'string', default: '0' },
  'allow-origin': { type: 'string', multiple: true },
  'time-zone': { type: 'string', default: DEFAULT_TIME_ZONE },
  night: { type: 'string' },
  'voice-config': { type: 'string' },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a number 0–65535, got "${values.port}"`, 2);
if (!values.data) fail(`--data <dir> is required\nusage: ${USAGE}`, 2);
const units = Number(values.units);
if (!Number.isInteger(units) || units < 0) fail(`--units must be a whole number, got "${values.units}"`, 2);
if (values.demo && values.host && values.host !== '127.0.0.1') fail('demo mode binds to 127.0.0.1 only (demo passwords are public)', 2);
const timeZone = values['time-zone'];
if (!isTimeZone(timeZone)) fail(`--time-zone must be an IANA time zone such as Asia/Shanghai, got "${timeZone}"`, 2);
const modeSchedule = values.night === undefined ? undefined : await nightSchedule(values.night);
let voice: VoiceConfig | undefined;
try {
  voice = values['voice-config'] === undefined ? undefined : loadVoiceConfig(values['voice-config']);
} catch (e) {
  fail(`--voice-config: ${(e as Error).message}`, 2);
}

try {
  const started = await startHub({
    port, dataDir: values.data, demo: values.demo, host: values.host, allowedOrigins: values['allow-origin'], timeZone, modeSchedule, voice,
    extraUnits: units > 0 ? await loadUnitsFor(units) : [],
  });
  const hub = values.demo && !values['no-sim'] ? await simulateDemoCity(started) : started;
  if (values.demo) {
    console.log('*** DEMO MODE: demo users', DEMO_USERS.map((u) => u.username).join(' / '), `with password "${DEMO_PASSWORD}" — not for real use ***`);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping, committing pending writes…`);
    hub.close().then(() => {
      console.log('hub stopped');
      process.exit(0);
    }, (e) => fail(`could not stop cleanly: ${(e as Error).message}`));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // Only now: a supervisor may stop the hub as soon as it reads this line (stdout to a pipe is written at once).
  console.log(`hub listening on ${hub.url}`);
} catch (e) {
  // A storage fault anywhere in the start (a damaged page read late, a full disk) is said as one line too.
  const clear = storeStartError(e, path.join(values.data, DB_FILE));
  if (clear instanceof StoreError) fail(clear.message);
  if (e instanceof Error && /already in use/.test(e.message)) fail(e.message);
  throw e;
}

async function loadUnitsFor(n: number) {
  const { loadDemoCity } = await import('../hub/seed');
  const { loadUnits } = await import('../sim/city/index');
  const city = loadDemoCity();
  return loadUnits(city, n, city.seed);
}

/**
 * `--night`: fixed times (HH:MM-HH:MM) or `dusk` — dusk to dawn at the demo city's centre, or at
 * `dusk@<lat>,<lng>` — with the demo city's holidays in demo mode. Off unless given.
 */
async function nightSchedule(night: string) {
  const holidays = values.demo ? await demoHolidays() : [];
  const sunAt = /^dusk(?:@(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?))?$/.exec(night);
  if (sunAt) {
    if (!sunAt[1] && !values.demo) fail('--night dusk needs the place outside the demo city: --night dusk@<lat>,<lng>', 2);
    const at = sunAt[1] ? { lat: Number(sunAt[1]), lng: Number(sunAt[2]) } : await demoCenter();
    const parsed = ModeSchedule.safeParse({ sun: at, holidays });
    if (!parsed.success) fail(`--night dusk@<lat>,<lng>: latitude -90–90, longitude -180–180, got "${night}"`, 2);
    return parsed.data;
  }
  const [nightFrom, nightUntil] = night.split('-');
  const parsed = ModeSchedule.safeParse({ nightFrom, nightUntil, holidays });
  if (!parsed.success) fail(`--night must be HH:MM-HH:MM (night from, until) or dusk[@lat,lng], got "${night}"`, 2);
  return parsed.data;
}

async function demoCenter() {
  const { loadDemoCity } = await import('../hub/seed');
  const [lng, lat] = loadDemoCity().center;
  return { lat, lng };
}

/** The demo city's public holidays (not its make-up working days): holiday mode by day. */
async function demoHolidays() {
  const { loadDemoCity } = await import('../hub/seed');
  return loadDemoCity().holidays.filter((h) => !h.workday).map((h) => h.date);
}
