// A hand check of `unit:position` batches, ahead of zod (issue 17). zod's parse of a 2,000-fix batch was
// ~15 % of the hub's time per fix in the positions bench profile (2 Dec 2026; ~2.5 µs a fix of ~17):
// generic object walking, a check list per number, a fresh copy of every fix. This check accepts only
// batches the zod schema (`PositionBatch` in handlers/field.ts, `PositionFix` in shared/domain.ts) also
// accepts, with the same bounds, and is stricter where that is cheaper (finite numbers, safe-integer
// times, own keys only, no key present with `undefined`). When it says no, zod reads the batch and
// gives the refusal its message: a batch it passes is handled as zod would have handled it, and one it
// does not pass is handled exactly as before. tests/unit/position-check.test.ts holds it to zod.
import type { PositionFix } from '../../shared/domain';

/** The same as `Id` in shared/domain.ts (1–64 characters of letters, digits and _ . : -). */
const ID = /^[A-Za-z0-9_.:-]{1,64}$/;
const MAX_FIXES = 5000;

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function plainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}

function fixOk(f: unknown): boolean {
  if (!plainObject(f)) return false;
  let keys = 0;
  for (const k in f) {
    if (!Object.hasOwn(f, k)) return false;
    keys++;
    const v = f[k];
    switch (k) {
      case 'unitId': if (typeof v !== 'string' || !ID.test(v)) return false; break;
      case 't': if (!Number.isSafeInteger(v) || (v as number) <= 0) return false; break;
      case 'lng': if (!finite(v) || v < -180 || v > 180) return false; break;
      case 'lat': if (!finite(v) || v < -90 || v > 90) return false; break;
      case 'speed': if (!finite(v) || v < 0 || v > 100) return false; break;
      case 'heading': if (!finite(v) || v < 0 || v >= 360) return false; break;
      case 'accuracy': if (!finite(v) || v < 0 || v > 10_000) return false; break;
      default: return false;
    }
  }
  // every key seen was a known one, each at most once: the four required ones must be among them
  return keys >= 4 && Object.hasOwn(f, 'unitId') && Object.hasOwn(f, 't') && Object.hasOwn(f, 'lng') && Object.hasOwn(f, 'lat');
}

/** Whether `raw` is a position batch zod would accept as it is (then it is used as parsed). */
export function plainPositionBatch(raw: unknown): raw is { fixes: PositionFix[] } {
  if (!plainObject(raw)) return false;
  for (const k in raw) if (k !== 'fixes' || !Object.hasOwn(raw, k)) return false;
  const fixes = raw.fixes;
  if (!Array.isArray(fixes) || fixes.length < 1 || fixes.length > MAX_FIXES) return false;
  for (let i = 0; i < fixes.length; i++) if (!fixOk(fixes[i])) return false;
  return true;
}
