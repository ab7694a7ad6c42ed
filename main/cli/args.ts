// Tiny wrapper over node:util parseArgs so every CLI reports bad flags the same way: one line, exit 2.
import readline from 'node:readline';
import { parseArgs, type ParseArgsConfig } from 'node:util';

export function cliArgs<O extends NonNullable<ParseArgsConfig['options']>>(usage: string, options: O, argv = process.argv.slice(2)) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    fail(`${(e as Error).message}\nusage: ${usage}`, 2);
  }
}

export function fail(message: string, code = 1): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(code);
}

/** One line of a secret: prompted on a terminal (not echoed to stdout), or the first line of piped stdin. */
export async function readSecretLine(prompt: string): Promise<string> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stdin.isTTY ? process.stderr : undefined, terminal: !!process.stdin.isTTY });
  if (process.stdin.isTTY) process.stderr.write(`${prompt}: `);
  for await (const line of rl) {
    rl.close();
    return line;
  }
  fail(`no ${prompt} given (type it at the prompt, or pipe it on stdin)`, 2);
}
