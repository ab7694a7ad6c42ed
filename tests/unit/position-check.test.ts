// The hand check of position batches (main/hub/position-check.ts) held to the zod schema the hub
// declares for `unit:position`: whatever it passes, zod passes with the same data; the batches devices
// really send it passes (else it would save nothing). Edge values one by one, then seeded random batches.
import { describe, expect, it } from 'vitest';
import { plainPositionBatch } from '../../main/hub/position-check';
import { fieldRequests } from '../../main/hub/handlers/field';

const schema = fieldRequests['unit:position']!.schema;
const T = 1_764_000_000_000;
const base = () => ({ unitId: 'veh-001', t: T, lng: 118.78, lat: 32.04, speed: 4.5, heading: 90, accuracy: 8 });

/** check ⇒ zod, and zod's output is the input unchanged */
function agrees(raw: unknown): boolean {
  const mine = plainPositionBatch(raw);
  const z = schema.safeParse(raw);
  if (mine) {
    expect(z.success, JSON.stringify(raw)).toBe(true);
    expect(z.data).toEqual(raw);
  }
  return mine;
}

const EDGES: Record<string, unknown[]> = {
  unitId: ['', 'a', 'x'.repeat(64), 'x'.repeat(65), 'veh 001', 'veh/001', 'ünit', 7, null, ['veh-001'], 'a:b.c_d-E9'],
  t: [0, -1, 1, 1.5, T + 0.5, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, 2 ** 60, NaN, Infinity, -0, String(T), null],
  lng: [-180, 180, 180.000001, -180.000001, 0, -0, NaN, Infinity, -Infinity, '118.7', null],
  lat: [-90, 90, 90.000001, -90.5, NaN, Infinity, '32', null],
  speed: [0, 100, 100.0001, -0.0001, -0, NaN, Infinity, '4', null, undefined],
  heading: [0, 359.999, 360, -1, NaN, Infinity, null, undefined],
  accuracy: [0, 10_000, 10_000.5, -1, NaN, null, undefined],
};

describe('the position batch hand check', () => {
  it('passes what devices send: full fixes, fixes with only the required keys, up to 5,000 a batch', () => {
    expect(agrees({ fixes: [base()] })).toBe(true);
    expect(agrees({ fixes: [{ unitId: 'off-1', t: 5, lng: 0, lat: 0 }] })).toBe(true);
    expect(agrees({ fixes: Array.from({ length: 5000 }, (_, i) => ({ ...base(), t: T + i })) })).toBe(true);
    expect(agrees(JSON.parse(JSON.stringify({ fixes: [base(), { ...base(), unitId: 'veh-002' }] })))).toBe(true);
  });

  it('passes nothing zod refuses, value by value at the bounds', () => {
    let passed = 0;
    let refused = 0;
    for (const [key, values] of Object.entries(EDGES)) {
      for (const v of values) {
        const f: Record<string, unknown> = base();
        f[key] = v;
        if (agrees({ fixes: [f] })) passed++;
        else refused++;
        // the same value in the last fix of a longer batch
        agrees({ fixes: [base(), base(), f] });
      }
      // the key missing
      const f: Record<string, unknown> = base();
      delete f[key];
      agrees({ fixes: [f] });
    }
    expect(passed).toBeGreaterThan(15); // the in-bounds edge values are passed, not only refused to zod
    expect(refused).toBeGreaterThan(30);
  });

  it('passes no batch of the wrong shape', () => {
    const shapes: unknown[] = [
      null, undefined, 7, 'fixes', [], [base()], {}, { fixes: [] }, { fixes: {} }, { fixes: null }, { fixes: [null] }, { fixes: [[]] },
      { fixes: Array.from({ length: 5001 }, (_, i) => ({ ...base(), t: T + i })) },
      { fixes: [base()], extra: 1 }, { fixes: [{ ...base(), extra: 1 }] }, { fixes: [{ ...base(), unitid: 'x' }] },
      JSON.parse('{"fixes":[{"unitId":"veh-001","t":1,"lng":0,"lat":0,"__proto__":{"x":1}}]}'),
      JSON.parse('{"__proto__":{},"fixes":[{"unitId":"veh-001","t":1,"lng":0,"lat":0}]}'),
      { fixes: [Object.assign(Object.create({ unitId: 'veh-001' }), { t: 1, lng: 0, lat: 0 })] },
      { fixes: [new Map(Object.entries(base()))] }, { fixes: new Array(3) },
    ];
    for (const s of shapes) expect(agrees(s), JSON.stringify(s)).toBe(false);
  });

  it('agrees with zod over seeded random batches', () => {
    let seed = 17;
    const rnd = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const pick = <V>(a: V[]) => a[Math.floor(rnd() * a.length)]!;
    const keys = Object.keys(EDGES);
    let passed = 0;
    for (let n = 0; n < 3000; n++) {
      const fixes = Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => {
        const f: Record<string, unknown> = base();
        for (const k of ['speed', 'heading', 'accuracy']) if (rnd() < 0.3) delete f[k];
        if (rnd() < 0.5) f[pick(keys)] = pick(EDGES[pick(keys)]!); // sometimes another key's edge value
        if (rnd() < 0.2) f[pick(keys)] = pick(EDGES[pick(keys)]!);
        return f;
      });
      if (agrees({ fixes })) passed++;
    }
    expect(passed).toBeGreaterThan(300);
  });
});
