// `npm run bench [-- --only <name>[,<name>…]] [--size smoke|small|full]`: runs every bench module in tests/bench/ (a module is
// any file here exporting `run(): Promise<Record<string, number | string>>`), prints the figures as a
// table and writes them all to tests/artifacts/bench-<time>.json. Benchmarks never fail on time: the
// exit code is non-zero only when a bench crashes (and the others still run).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { smokeEnv } from './smoke';

type Figures = Record<string, number | string>;
type Outcome = { name: string; seconds: number } & ({ figures: Figures } | { error: string });

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH_DIR, '../..');
const ARTIFACTS = path.join(ROOT, 'tests/artifacts');

function benchNames(): string[] {
  return fs.readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith('.ts') && !f.startsWith('.') && f !== 'run.ts' && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'))
    .map((f) => f.slice(0, -'.ts'.length))
    .sort();
}

async function runOne(name: string): Promise<Outcome | null> {
  const started = performance.now();
  const seconds = () => Math.round((performance.now() - started) / 100) / 10;
  try {
    const mod = (await import(pathToFileURL(path.join(BENCH_DIR, `${name}.ts`)).href)) as { run?: unknown };
    if (typeof mod.run !== 'function') return null; // a helper module, not a bench
    const figures = (await (mod.run as () => Promise<Figures>)()) ?? {};
    return { name, seconds: seconds(), figures };
  } catch (e) {
    return { name, seconds: seconds(), error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
}

function format(v: number | string): string {
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return v.toLocaleString('en-US', { maximumFractionDigits: Math.abs(v) < 10 ? 3 : 1 });
}

function printTable(outcomes: Outcome[]): void {
  const rows: Array<[string, string, string]> = [];
  for (const o of outcomes) {
    if ('error' in o) {
      rows.push([o.name, 'CRASHED', o.error.split('\n')[0] ?? '']);
      continue;
    }
    for (const [k, v] of Object.entries(o.figures)) rows.push([o.name, k, format(v)]);
    rows.push([o.name, '(bench wall time, s)', format(o.seconds)]);
  }
  const w0 = Math.max(5, ...rows.map((r) => r[0].length));
  const w1 = Math.max(6, ...rows.map((r) => r[1].length));
  const line = (a: string, b: string, c: string) => `${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}`;
  console.log(`\n${line('bench', 'figure', 'value')}`);
  console.log(line('-'.repeat(w0), '-'.repeat(w1), '-----'));
  let prev = '';
  for (const [a, b, c] of rows) {
    console.log(line(a === prev ? '' : a, b, c));
    prev = a;
  }
}

function gitHead(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { only: { type: 'string', multiple: true }, size: { type: 'string' } }, strict: true });
  if (values.size !== undefined && !['smoke', 'small', 'full'].includes(values.size)) {
    process.stderr.write(`error: --size is smoke, small or full, not ${values.size}\n`);
    return 2;
  }
  // Benches read the size through harness.benchSize(); small is a quick run, full the default; smoke is
  // small with each bench's smallest knobs (smoke.ts), set before any bench module reads them.
  if (values.size === 'smoke') Object.assign(process.env, smokeEnv(process.env));
  else if (values.size) process.env.BENCH_SIZE = values.size;
  const all = benchNames();
  const only = (values.only ?? []).flatMap((s) => s.split(',')).map((s) => s.trim().replace(/\.ts$/, '')).filter(Boolean);
  const unknown = only.filter((n) => !all.includes(n));
  if (unknown.length) {
    process.stderr.write(`error: no bench named ${unknown.join(', ')}; there are: ${all.join(', ') || '(none)'}\n`);
    return 2;
  }
  const names = only.length ? only : all;
  const meta = {
    startedAt: new Date().toISOString(), commit: gitHead(), node: process.version, cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown', size: values.size ?? process.env.BENCH_SIZE ?? 'full', loadAvgAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
  console.log(`bench: ${names.join(', ')} — ${meta.cpus} cores, load average ${meta.loadAvgAtStart.join(' ')} (others' work skews figures)`);

  const outcomes: Outcome[] = [];
  for (const name of names) {
    console.log(`\n=== ${name} ===`);
    const o = await runOne(name);
    if (!o) {
      console.log(`${name}: exports no run(), skipped`);
      continue;
    }
    if ('error' in o) console.error(`${name} crashed:\n${o.error}`);
    outcomes.push(o);
  }
  printTable(outcomes);

  fs.mkdirSync(ARTIFACTS, { recursive: true });
  // BENCH_OUT names the file instead (the smoke test reads it back).
  const file = process.env.BENCH_OUT ? path.resolve(process.env.BENCH_OUT) : path.join(ARTIFACTS, `bench-${meta.startedAt.replace(/[:.]/g, '-')}.json`);
  const results = Object.fromEntries(outcomes.map((o) => [o.name, 'error' in o ? { error: o.error, seconds: o.seconds } : { ...o.figures, seconds: o.seconds }]));
  fs.writeFileSync(file, `${JSON.stringify({ meta: { ...meta, finishedAt: new Date().toISOString() }, results }, null, 2)}\n`);
  console.log(`\nfigures written to ${path.relative(process.cwd(), file)}`);
  return outcomes.some((o) => 'error' in o) ? 1 : 0;
}

// Ctrl-C or a kill still runs the benches' exit hooks, which stop the servers they started.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
// Exit explicitly: a bench that leaves a handle open must not keep the run alive.
main().then((code) => process.exit(code), (e) => {
  console.error(e);
  process.exit(1);
});
