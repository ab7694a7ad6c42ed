// `npm run bench -- --size smoke`: every bench at a size that only shows it still runs end to end and
// still prints its figures against its baseline — seconds each, figures meaningless. npm test runs it
// (tests/integration/bench-smoke.test.ts), so a bench that breaks fails CI instead of the next person's
// measurement. Not a bench: it exports no run(), so `npm run bench` skips it.
//
// A smoke run is the small size (benchSize() === 'small') with the knobs below, set only where the
// environment does not set them already. Every bench has an entry, even an empty one: the smoke test
// fails for a bench that has none, so a new bench states its smoke size.
export const SMOKE_KNOBS: Record<string, Record<string, string>> = {
  'audit-paging': { BENCH_AUDIT_PAGING_ENTRIES: '20000', BENCH_AUDIT_PAGING_DAYS: '2', BENCH_AUDIT_PAGING_APPENDS: '2000' },
  'audit-verify': { BENCH_AUDIT_ENTRIES: '5000' },
  commands: { BENCH_CMD_SECONDS: '1', BENCH_UNITS: '500', BENCH_CMD_CONSOLES: '2', BENCH_CMD_RATE: '200', BENCH_CMD_LOW_RATE: '50', BENCH_CMD_STORE_MS: '300' },
  evaluator: { BENCH_TIMELINE_ENTRIES: '20000', BENCH_TRACK_UNITS: '100', BENCH_TRACK_FULL: '2', BENCH_TRACK_BASELINE_MIN: '2' },
  fences: { BENCH_FENCE_UNITS: '500', BENCH_FENCE_SECONDS: '5' },
  'fanout-redis': { BENCH_FANOUT_UNITS: '500', BENCH_FANOUT_CONSOLES: '4', BENCH_FANOUT_S: '1', BENCH_FANOUT_ROUNDS: '1', BENCH_FANOUT_PROCS: '2' },
  flood: { BENCH_FLOOD_SECONDS: '2', BENCH_FLOOD_SOCKETS: '3' },
  'map-frames': { BENCH_MAP_UNITS: '500', BENCH_MAP_MEASURE_MS: '1000' },
  modes: { BENCH_CONSOLES: '4', BENCH_UNITS: '500', BENCH_GATEWAYS: '1', BENCH_SWITCHES: '5', BENCH_CLIENT_PROCS: '1' },
  positions: { BENCH_UNITS: '500', BENCH_LATENCY_S: '1', BENCH_THROUGHPUT_S: '1', BENCH_CONSOLES: '2', BENCH_GATEWAYS: '1', BENCH_GEN_PROCS: '1' },
  recommend: { BENCH_RECOMMEND_UNITS: '1000', BENCH_RECOMMEND_QUERIES: '50' },
  scorecard: { BENCH_SCORE_DAYS: '2', BENCH_SCORE_CHECKINS: '2000', BENCH_SCORE_TASKS: '50', BENCH_SCORE_FILLER: '10000' },
  'sim-load': { BENCH_SIM_UNITS: '500', BENCH_SIM_SECONDS: '2' },
  // The click part alone: the wall from cold starts 16 live encoders, and the switches take minutes.
  video: { BENCH_VIDEO_PARTS: 'click', BENCH_VIDEO_CLICK_CAMERAS: '3', BENCH_VIDEO_WARM_CLICKS: '4' },
};

/** The environment for a smoke run: the small size, and each bench's smoke knobs where none is set. */
export function smokeEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env, BENCH_SIZE: 'small' };
  for (const knobs of Object.values(SMOKE_KNOBS)) for (const [k, v] of Object.entries(knobs)) out[k] ??= v;
  return out;
}
