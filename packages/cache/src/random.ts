/**
 * Small seeded PRNG (splitmix32). Hand-written because it is six lines and must be reproducible
 * across runs and platforms; Math.random() cannot be seeded.
 */
export type Rng = () => number;

/** Returns a function yielding uint32 values in [0, 2^32) from the given seed. */
export function createRng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) >>> 0;
  };
}

/** A seed from the platform's cryptographic random source (per-instance hash seeds). */
export function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0]!;
}
