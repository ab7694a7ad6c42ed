// Every bench at its smoke size (tests/bench/smoke.ts), as `npm run bench -- --size smoke --only <name>`
// runs it: it must finish without crashing and print its figures, among them the one it compares with its
// baseline in the same run. Nothing here reads a figure's value: benches never fail on time.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SMOKE_KNOBS } from '../bench/smoke';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BENCH_DIR = path.join(ROOT, 'tests/bench');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xiuhua-bench-smoke-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The bench modules: files in tests/bench that export run(), as run.ts finds them. */
const benches = fs.readdirSync(BENCH_DIR)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && /^export async function run\(/m.test(fs.readFileSync(path.join(BENCH_DIR, f), 'utf8')))
  .map((f) => f.slice(0, -3))
  .sort();

/**
 * For each bench, the figure that shows it measured its baseline (or its aim) in the same run; a number
 * it must print (any value, NaN excepted). Benches whose baseline is part of every figure name the figure.
 */
const BASELINE_FIGURE: Record<string, RegExp> = {
  'audit-paging': /^verify: parallel over one thread/,
  'audit-verify': /^verify CPU µs per entry$/,
  commands: /^ratio: max acked commands\/s, group \/ baseline$/,
  evaluator: /\(baseline\)/,
  fences: /^accept: CPU µs per fix without the speed rule$/,
  'fanout-redis': /^one process, round 1: CPU µs per fix, all processes and Redis$/,
  flood: /^p99 ratio flood \/ quiet/,
  'map-frames': /^fair \/ merged, script per flush over each floor/,
  modes: /^baseline: to all p99 ms$/,
  positions: /^ratio hub\/relay: positions\/s$/,
  recommend: /^baseline: rank every unit p50, ms$/,
  scorecard: /^day_card_without_v120_indexes_ms$/,
  'sim-load': /^fixes\/s persisted$/,
  video: /^ttff_warm_p50_ms$/,
};

type Outcome = { code: number | null; out: string; results: Record<string, Record<string, unknown>> };

function runBench(name: string): Promise<Outcome> {
  const file = path.join(dir, `${name}.json`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/bench/run.ts', '--size', 'smoke', '--only', name], {
      cwd: ROOT, env: { ...process.env, BENCH_OUT: file }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('exit', (code) => {
      const results = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { results: Outcome['results'] }).results : {};
      resolve({ code, out, results });
    });
  });
}

describe('the benches at their smoke size', () => {
  it('has a smoke size and a baseline figure for every bench', () => {
    expect(benches.length).toBeGreaterThanOrEqual(14);
    expect(benches.filter((b) => !(b in SMOKE_KNOBS))).toEqual([]);
    expect(benches.filter((b) => !(b in BASELINE_FIGURE))).toEqual([]);
  });

  for (const name of benches) {
    it(`runs ${name} and prints its figures`, async () => {
      const { code, out, results } = await runBench(name);
      const figures = results[name];
      expect(figures, out.slice(-3000)).toBeDefined();
      expect(figures!.error, out.slice(-3000)).toBeUndefined();
      expect(code, out.slice(-3000)).toBe(0);
      const numbers = Object.values(figures!).filter((v) => typeof v === 'number' && Number.isFinite(v));
      expect(numbers.length).toBeGreaterThanOrEqual(3);
      const baseline = Object.entries(figures!).filter(([k]) => BASELINE_FIGURE[name]!.test(k));
      expect(baseline.length, `${name}: no figure matching ${BASELINE_FIGURE[name]} among ${Object.keys(figures!).join(' | ')}`).toBeGreaterThan(0);
      for (const [k, v] of baseline) expect(typeof v === 'number' ? !Number.isNaN(v) : String(v).length > 0, `${k} = ${v}`).toBe(true);
    }, 300_000);
  }
});
