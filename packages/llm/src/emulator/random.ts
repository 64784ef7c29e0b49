/**
 * Seeded hashing and random numbers for the emulator. The uniform source is @hp/async's `seededRng`
 * (Mulberry32); the hash (FNV-1a + murmur3 fmix32) and the normal draws (Box-Muller) are a few hand-written lines
 * because no package of the repo has them and their exact output must stay stable so that a seed replays a run.
 */
import { type Rng, seededRng } from '@hp/async';

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

export type { Rng };

/**
 * A random source derived from several parts, e.g. `rngFor(seed, 'latency', requestNumber)`: @hp/async's
 * `seededRng` (Mulberry32, the algorithm this file carried before: seeded answers and draws are unchanged).
 */
export function rngFor(...parts: unknown[]): Rng {
  return seededRng(hashParts(...parts));
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
