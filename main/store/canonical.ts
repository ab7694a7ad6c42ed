// Canonical JSON: object keys sorted, no whitespace, undefined dropped. An audit entry's text is this
// encoding, made once when the entry is appended and stored as is; the hash covers the stored bytes,
// so verifying never re-encodes (only entries from before schema 30 are re-encoded, see audit.ts).
// The text of every value is fixed forever (old hashes cover it): a faster encoder must write the very
// same bytes, which tests/unit/store.test.ts checks against the plain definition on arbitrary values.
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
    return JSON.stringify(value) ?? 'null';
  }
  // Arrays by map: a hole stays empty between its commas, as it always has.
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  // Object.keys' own enumerable string keys, in UTF-16 code unit order (sort()'s default for strings),
  // built in one string: no [key, value] pairs to allocate, sort and join per object.
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o).sort();
  let text = '{';
  for (const k of keys) {
    const v = o[k];
    if (v === undefined) continue;
    text += `${text.length > 1 ? ',' : ''}${JSON.stringify(k)}:${canonicalJson(v)}`;
  }
  return `${text}}`;
}
