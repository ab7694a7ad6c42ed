// Tiny wrapper over node:util parseArgs so every CLI reports bad flags the same way: one line, exit 2.
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
