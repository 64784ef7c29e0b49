/**
 * Seeded synthetic traces: Zipf popularity, sequential scans, loops, and a shift between phases.
 * Same seed, same trace. Keys are renumbered densely like file traces.
 */
import { createRng } from './random.js';
import { type Trace, denseTrace } from './trace.js';

export interface ZipfOptions {
  accesses: number;
  /** Number of distinct keys. */
  keys: number;
  /** Skew (alpha > 0; 1 is classic Zipf). */
  alpha: number;
  seed: number;
}

function uniform(rng: () => number): number {
  return (rng() + 0.5) / 4294967296;
}

/** Zipf(alpha) over `keys` keys, by inverse CDF over the precomputed cumulative weights. */
export function zipfTrace(o: ZipfOptions): Trace {
  const cdf = new Float64Array(o.keys);
  let sum = 0;
  for (let i = 0; i < o.keys; i++) {
    sum += 1 / Math.pow(i + 1, o.alpha);
    cdf[i] = sum;
  }
  const rng = createRng(o.seed);
  // random permutation so popularity is not correlated with key order
  const perm = new Int32Array(o.keys);
  for (let i = 0; i < o.keys; i++) perm[i] = i;
  for (let i = o.keys - 1; i > 0; i--) {
    const j = rng() % (i + 1);
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  const out = new Int32Array(o.accesses);
  for (let a = 0; a < o.accesses; a++) {
    const u = uniform(rng) * sum;
    let lo = 0;
    let hi = o.keys - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    out[a] = perm[lo]!;
  }
  return denseTrace(`zipf(${o.alpha})`, out);
}

/** A scan: keys start..start+length-1 once each. */
export function scanTrace(length: number, start = 0): Trace {
  const out = new Int32Array(length);
  for (let i = 0; i < length; i++) out[i] = start + i;
  return denseTrace(`scan(${length})`, out);
}

/** A loop over `keys` keys repeated until `accesses` accesses. */
export function loopTrace(keys: number, accesses: number, start = 0): Trace {
  const out = new Int32Array(accesses);
  for (let i = 0; i < accesses; i++) out[i] = start + (i % keys);
  return denseTrace(`loop(${keys})`, out);
}

/** Concatenates traces (phases); key spaces are kept as given, so phases may overlap or not. */
export function concatTraces(name: string, ...parts: Trace[]): Trace {
  const total = parts.reduce((n, p) => n + p.keys.length, 0);
  const out = new Int32Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p.keys, at);
    at += p.keys.length;
  }
  return denseTrace(name, out);
}

/** Zipf traffic interleaved with scans: every `every` accesses a scan of `scan` fresh keys. */
export function zipfWithScansTrace(o: ZipfOptions & { scan: number; every: number }): Trace {
  const z = zipfTrace(o); // dense ids < o.keys, so fresh scan keys start at o.keys
  const parts: number[] = [];
  let fresh = o.keys;
  for (let i = 0; i < z.keys.length; i++) {
    parts.push(z.keys[i]!);
    if ((i + 1) % o.every === 0) for (let s = 0; s < o.scan; s++) parts.push(fresh++);
  }
  return denseTrace(`zipf(${o.alpha})+scans`, parts);
}

/** Two Zipf phases over disjoint key sets: the popular set shifts halfway. */
export function phaseShiftTrace(o: ZipfOptions): Trace {
  const half = Math.floor(o.accesses / 2);
  const a = zipfTrace({ ...o, accesses: half });
  const b = zipfTrace({ ...o, accesses: o.accesses - half, seed: o.seed + 1 });
  const shifted = { ...b, keys: b.keys.map((k) => k + a.unique) };
  return concatTraces(`phase-shift(zipf ${o.alpha})`, a, shifted);
}
