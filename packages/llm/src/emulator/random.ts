/**
 * Seeded hashing and random numbers for the emulator. Hand-written because the emulator needs a few lines of
 * well-known, fast, dependency-free primitives (FNV-1a, Mulberry32, Box-Muller) whose exact output must stay
 * stable across versions so that a seed replays the same run.
 */

/** FNV-1a over the UTF-16 code units of `text`, as an unsigned 32-bit integer. */
export function hashString(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // final avalanche (murmur3 fmix32) so that close inputs give unrelated outputs
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of several parts (joined with a separator that cannot appear in JSON-encoded parts). */
export function hashParts(...parts: unknown[]): number {
  return hashString(parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join('\u0000'));
}

/** A seeded uniform random source on [0, 1). */
export type Rng = () => number;

/** Mulberry32: tiny, fast, good enough for simulation; same seed, same sequence. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random source derived from several parts, e.g. `rngFor(seed, 'latency', requestNumber)`. */
export function rngFor(...parts: unknown[]): Rng {
  return mulberry32(hashParts(...parts));
}

/** A standard normal sample (Box-Muller). */
export function normal(rng: Rng): number {
  let u = rng();
  while (u <= Number.EPSILON) u = rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A log-normal sample with the given median and shape `sigma` (sigma 0 returns the median exactly). */
export function logNormal(rng: Rng, median: number, sigma: number): number {
  if (sigma <= 0 || median <= 0) return Math.max(0, median);
  return median * Math.exp(sigma * normal(rng));
}
