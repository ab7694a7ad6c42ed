// `npm run sim -- --hub <url> --units <n> --seed <s>`: the field simulator against any hub — the demo
// city's units, plus n synthetic load units, speaking the real /field protocol as a gateway device.
import { loadDemoCity } from '../hub/seed';
import { startSimulator, SimulatorConnectError } from '../sim/simulator';
import { cliArgs, fail } from './args';

const USAGE = `npm run sim -- [--hub <url>] [--units <n>] [--seed <s>] [--device <id> --secret <secret>] [--no-city] [--connections <c>] [--duration <sec>]

  --hub          hub URL (default http://127.0.0.1:8420)
  --units        EXTRA load units beyond the demo city's 230 (default 0). They are the same units
                 as the hub's own --units n (load-00001…, from the city's seed): start the hub with
                 the same number, or their fixes are dropped as unknown units.
  --seed         seeds every simulated decision (default 1): the same seed gives the same run
  --device       field device id (default sim-gateway, the demo hub's gateway that speaks for any unit)
  --secret       its secret (default demo)
  --no-city      simulate only the load units, not the city's own (use it against a hub that runs
                 its own demo simulator, i.e. one started with --demo but without --no-sim)
  --connections  gateway connections to spread the units over (default 1, or 4 with --units)
  --duration     stop after this many seconds (default: run until Ctrl-C)

  模拟器：以外勤设备身份（/field 协议）驱动演示城市的队员和车辆；--units 为额外的压测单位数。`;

const { values } = cliArgs(USAGE, {
  hub: { type: 'string', default: 'http://127.0.0.1:8420' },
  units: { type: 'string', default: '0' },
  seed: { type: 'string', default: '1' },
  device: { type: 'string', default: 'sim-gateway' },
  secret: { type: 'string', default: 'demo' },
  connections: { type: 'string' },
  'no-city': { type: 'boolean', default: false },
  duration: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
});
if (values.help) {
  console.log(`usage: ${USAGE}`);
  process.exit(0);
}

const whole = (name: string, raw: string | undefined, min: number) => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) fail(`--${name} must be a whole number ≥ ${min}, got "${raw}"`, 2);
  return n;
};
const units = whole('units', values.units, 0);
const seed = whole('seed', values.seed, 0);
const connections = values.connections === undefined ? undefined : whole('connections', values.connections, 1);
const duration = values.duration === undefined ? undefined : whole('duration', values.duration, 1);
try {
  new URL(values.hub);
} catch {
  fail(`--hub must be a URL like http://127.0.0.1:8420, got "${values.hub}"`, 2);
}

const stamp = () => new Date().toISOString().slice(11, 19);
const sim = await startSimulator({
  hubUrl: values.hub, deviceId: values.device, secret: values.secret, city: loadDemoCity(), seed, extraUnits: units, connections, cityUnits: !values['no-city'],
  log: (line) => console.log(`${stamp()}  ${line}`),
}).catch((e: unknown) => fail(e instanceof SimulatorConnectError ? e.message : `simulator failed to start: ${(e as Error).message}`));

const startedAt = Date.now();
let lastAccepted = 0;
const report = setInterval(() => {
  const s = sim.stats();
  const acceptedRate = (s.fixesAccepted - lastAccepted) / 5;
  lastAccepted = s.fixesAccepted;
  const rejected = s.fixesRejected > 0 ? `  rejected ${s.fixesRejected} (units the hub does not know? start it with the same --units)` : '';
  const problems = rejected + (s.fixesDropped > 0 ? `  dropped ${s.fixesDropped} (hub away too long)` : '') + (s.skippedMs > 0 ? `  skipped ${(s.skippedMs / 1000).toFixed(1)} s (simulator behind)` : '');
  console.log(`${stamp()}  ${s.units} units  sent ${Math.round(s.fixesPerSec)} fixes/s  accepted ${Math.round(acceptedRate)}/s${problems}  commands ${s.commandsSent} (${s.commandErrors} errors)`);
}, 5000);

let stopping = false;
async function finish(why: string) {
  if (stopping) return;
  stopping = true;
  clearInterval(report);
  await sim.stop();
  const s = sim.stats();
  const secs = (Date.now() - startedAt) / 1000;
  console.log(`${why}: ran ${secs.toFixed(0)} s with ${s.units} units: ${s.fixesSent} fixes sent (${Math.round(s.fixesSent / secs)}/s), ${s.fixesAccepted} accepted, ${s.fixesDurable} durable, ${s.fixesResent} resent, ${s.fixesRejected} rejected, ${s.fixesDropped} dropped, ${s.commandsSent} commands, ${s.commandErrors} errors`);
  process.exit(0);
}
process.on('SIGINT', () => void finish('interrupted'));
process.on('SIGTERM', () => void finish('terminated'));
if (duration) setTimeout(() => void finish('done'), duration * 1000);
