// Entry of the embedded hub's utility process (bundled to dist/main/app/hub-process.cjs). Plain Node
// plus Electron's `process.parentPort`; it imports nothing from electron. It tells the main process
// when the hub is listening, why it failed, and stops cleanly when asked.
import { startHub } from '../hub/server';
import { simulateDemoCity } from '../sim/demo';
import type { HubChildMessage, HubLaunch } from './hub-lifecycle';
import { APP_ORIGIN } from './security';

type ParentPort = {
  postMessage(message: HubChildMessage): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
};

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
if (!parentPort) {
  process.stderr.write('hub-process runs inside the Xiuhua app only; use `npm run hub` to run a hub on its own.\n');
  process.exit(2);
}
const port: ParentPort = parentPort;

function reasonOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function fail(reason: string): void {
  port.postMessage({ type: 'failed', reason });
  // Give the message a moment to cross before the process goes away.
  setTimeout(() => process.exit(1), 50);
}

process.on('uncaughtException', (e) => fail(reasonOf(e)));
process.on('unhandledRejection', (e) => fail(reasonOf(e)));

function parseLaunch(arg: string | undefined): HubLaunch {
  const v = JSON.parse(arg ?? '{}') as Partial<HubLaunch>;
  if (typeof v.dataDir !== 'string' || typeof v.demo !== 'boolean' || typeof v.port !== 'number' || typeof v.rendererDir !== 'string') {
    throw new Error('the hub was started with incomplete settings');
  }
  return v as HubLaunch;
}

async function main(): Promise<void> {
  const launch = parseLaunch(process.argv[2]);
  const opts = {
    host: '127.0.0.1',
    dataDir: launch.dataDir,
    demo: launch.demo,
    rendererDir: launch.rendererDir,
    // Our pages come from xiuhua://app (app-protocol.ts), so their sockets carry that Origin.
    allowedOrigins: [APP_ORIGIN],
    log: (line: string) => port.postMessage({ type: 'log', line }),
  };
  let hub: Awaited<ReturnType<typeof startHub>>;
  try {
    hub = await startHub({ ...opts, port: launch.port });
  } catch (e) {
    // The port of the previous run may be taken by now; any free port will do (windows reload).
    const taken = (e as NodeJS.ErrnoException).code === 'EADDRINUSE' || /already in use/.test(reasonOf(e));
    if (!taken || launch.port === 0) throw e;
    hub = await startHub({ ...opts, port: 0 });
  }
  if (launch.demo) hub = await simulateDemoCity(hub, opts.log);
  port.on('message', ({ data }) => {
    if ((data as { type?: unknown }).type !== 'stop') return;
    hub.close().then(() => process.exit(0), (e: unknown) => fail(`the hub did not close cleanly: ${reasonOf(e)}`));
  });
  port.postMessage({ type: 'ready', url: hub.url, port: hub.port });
}

main().catch((e: unknown) => fail(reasonOf(e)));
