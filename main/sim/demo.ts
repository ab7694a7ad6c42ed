// The demo city's field simulator beside a demo hub. The hub does not start it: the CLI, the Electron
// hub process and `npm start` do, so a hub is only ever a hub (and tests choose a still city).
import { loadDemoCity, SIM_DEVICE } from '../hub/seed';
import type { Hub } from '../hub/server';
import { startSimulator, type SimulatorOptions } from './simulator';

/**
 * Starts the simulator against `hub`; the hub returned stops the simulator before it closes itself.
 * `tuning`: e.g. `{ sosPerHour: 0 }` for a test whose screens an SOS of the simulator's would change.
 */
export async function simulateDemoCity(hub: Hub, log?: (line: string) => void, tuning?: SimulatorOptions['tuning']): Promise<Hub> {
  const city = loadDemoCity();
  let sim;
  try {
    sim = await startSimulator({ hubUrl: hub.url, deviceId: SIM_DEVICE.id, secret: SIM_DEVICE.secret, city, seed: city.seed, log, tuning });
  } catch (e) {
    await hub.close();
    throw e;
  }
  const running = sim;
  let closing: Promise<void> | undefined;
  return { ...hub, close: () => (closing ??= running.stop().then(() => hub.close())) };
}
