// Which port the fallback's demo hub listens on. The same one every start (7400, as the Electron app's
// embedded hub), so the printed address and a bookmark of it stay right; another only when 7400 is
// taken, and then it says so. `--port <n>` chooses one, and a chosen port that is taken is an error,
// not a silent move (whoever chose it has a reason: a firewall rule, a bookmark on the wall screen).

export const DEFAULT_PORT = 7400;

export class PortError extends Error {}

export type PortChoice = { port: number; chosen: boolean };

/** The port asked for on the command line (`--port 8000`, `--port=8000`), else the default. */
export function portChoice(args: readonly string[]): PortChoice {
  const i = args.findIndex((a) => a === '--port' || a.startsWith('--port='));
  if (i < 0) return { port: DEFAULT_PORT, chosen: false };
  const raw = args[i]?.includes('=') ? args[i]?.slice('--port='.length) : args[i + 1];
  const port = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new PortError(`--port must be a number 0–65535, got "${raw ?? ''}".`);
  return { port, chosen: true };
}

/** A listen() that failed because the port is taken (the hub words EADDRINUSE as "already in use"). */
export function isPortTaken(e: unknown): boolean {
  return (e as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE' || /already in use/.test(e instanceof Error ? e.message : String(e));
}

/**
 * Starts a server on the chosen port. The default port, when taken, gives way to any free one
 * (`movedFrom` says so); a port the user chose does not (PortError).
 */
export async function listenOnChoice<T extends { port: number }>(
  choice: PortChoice,
  start: (port: number) => Promise<T>,
): Promise<{ server: T; movedFrom: number | null }> {
  try {
    return { server: await start(choice.port), movedFrom: null };
  } catch (e) {
    if (!isPortTaken(e) || choice.port === 0) throw e;
    if (choice.chosen) throw new PortError(`Port ${choice.port} is already in use (another Xiuhua, or another program); stop that or choose another with --port <n>.`);
    return { server: await start(0), movedFrom: choice.port };
  }
}
