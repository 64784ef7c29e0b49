import fc from 'fast-check';

/** Keys cbor-x keeps as they are (it renames `__proto__`, a prototype-pollution guard). */
export const safeKey = fc.string().filter((k) => k !== '__proto__');

/**
 * CBOR has one zero (-0 decodes as 0) and cbor-x writes Dates as float64 epoch seconds, exact to the
 * millisecond within about ±100,000 years. Maps generated values into that domain.
 */
export function cborDomain(value: unknown): unknown {
  if (Object.is(value, -0)) return 0;
  if (value instanceof Date) {
    const ms = value.getTime();
    // Invalid Dates round-trip too, but Jest cannot compare them (NaN !== NaN): tested separately.
    return Number.isNaN(ms) ? new Date(0) : new Date(ms % 3e15);
  }
  if (Array.isArray(value)) return value.map(cborDomain);
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [cborDomain(k), cborDomain(v)]));
  if (value instanceof Set) return new Set([...value].map(cborDomain));
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cborDomain(v)]));
  }
  return value;
}

/** Arbitrary values the CBOR codec must round-trip: JSON-like plus Date, Map, Set, bigint, typed arrays. */
export const cborValue = fc
  .anything({
    key: safeKey,
    maxDepth: 4,
    withBigInt: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withTypedArray: true,
    withNullPrototype: false,
    withObjectString: false,
    withBoxedValues: false,
    withSparseArray: false,
  })
  .map(cborDomain);
