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

/** The double one ulp above (1) or below (-1) `x`. */
export function nextDouble(x: number, step: 1 | -1): number {
  const f = new Float64Array([x]);
  const u = new BigInt64Array(f.buffer);
  u[0]! += BigInt(step);
  return f[0]!;
}

const twoDecimals = fc.integer({ min: -1e9, max: 1e9 }).map((k) => k / 100);

/** Doubles that trip up compact float encodings: short decimals, their neighbours, subnormals, extremes. */
export const hardDouble = fc.oneof(
  fc.double(),
  twoDecimals,
  // one ulp away from a short decimal: what a float32 "decimal fit" would round to the decimal
  fc.tuple(twoDecimals, fc.constantFrom<1 | -1>(1, -1)).map(([x, step]) => nextDouble(x, step)),
  fc.double({ min: -1e-300, max: 1e-300 }), // subnormals and tiny exponents
  fc.constantFrom(
    NaN,
    Infinity,
    -Infinity,
    Number.MIN_VALUE,
    Number.MAX_VALUE,
    2 ** -1074,
    1e308,
    2 ** 53 + 2,
  ),
);
