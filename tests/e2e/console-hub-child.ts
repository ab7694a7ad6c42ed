// A demo hub serving a built console, as a process of its own (tests/integration/hub-child.ts runs it):
// for an end-to-end test that kills the hub with SIGKILL while a page is open on it, and starts it again
// on the same port and data dir. `node --import tsx console-hub-child.ts <port> <data dir> <renderer dir>`.
import { startHub } from '../../main/hub/server';

const [port, dataDir, rendererDir] = process.argv.slice(2);
if (!port || !dataDir || !rendererDir) throw new Error('usage: console-hub-child.ts <port> <data dir> <renderer dir>');
const hub = await startHub({ port: Number(port), dataDir, rendererDir, demo: true, log: (line) => console.log(line) });
process.on('SIGTERM', () => void hub.close().then(() => process.exit(0)));
console.log(`hub listening on ${hub.url}`);
