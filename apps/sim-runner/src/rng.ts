/**
 * A small seeded pseudo-random number generator for reproducible simulations.
 *
 * Hand-written on purpose: the model's whole random state must be a few integers that a checkpoint can
 * save and restore exactly, and the sequence must be identical in every thread, build and Node version.
 * Library PRNGs either hide their state or pull in much more than four lines of arithmetic.
 *
 * Algorithm: **sfc32** (Chris Doty-Humphrey's "Small Fast Counting" generator, 128-bit state, part of
 * PractRand; passes BigCrush/PractRand). Seeding: the 32-bit seed is expanded into the four state words by
 * **splitmix32**, then 12 outputs are discarded, as PractRand recommends. Doubles in [0, 1) take 32 bits
 * (`x / 2^32`), which is plenty for agent-based models.
 */

/** The four 32-bit words of the sfc32 state (a, b, c, counter). */
export type RngState = readonly [number, number, number, number];

/** splitmix32: a well-mixed 32-bit hash step, used to expand seeds and derive per-run seeds. */
export function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

/** Derives the seed of sub-run `index` (batch runs, worker threads) from a base seed, deterministically. */
export function deriveSeed(baseSeed: number, index: number): number {
  return splitmix32(splitmix32(baseSeed >>> 0) ^ Math.imul(index + 1, 0x85ebca6b));
}

/** A fresh 32-bit seed from the operating system's entropy (recorded by the model so the run can be repeated). */
export function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0]!;
}

export class Rng {
  /** The seed this generator started from. */
  readonly seed: number;
  private _a = 0;
  private _b = 0;
  private _c = 0;
  private _d = 0;

  constructor(seed: number = randomSeed()) {
    if (!Number.isFinite(seed)) throw new TypeError(`Rng seed must be a finite number, got ${seed}`);
    this.seed = seed >>> 0;
    let s = this.seed;
    s = splitmix32(s);
    this._a = s;
    s = splitmix32(s);
    this._b = s;
    s = splitmix32(s);
    this._c = s;
    s = splitmix32(s);
    this._d = s;
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** The next 32-bit unsigned integer (sfc32 step). */
  nextUint32(): number {
    const a = this._a;
    const b = this._b;
    const c = this._c;
    const d = this._d;
    const t = (((a + b) | 0) + d) | 0;
    this._d = (d + 1) | 0;
    this._a = b ^ (b >>> 9);
    this._b = (c + (c << 3)) | 0;
    this._c = (((c << 21) | (c >>> 11)) + t) | 0;
    return t >>> 0;
  }

  /** A double in [0, 1). */
  random(): number {
    return this.nextUint32() / 4294967296;
  }

  /** An integer in [0, n) (n >= 1). */
  int(n: number): number {
    return Math.floor(this.random() * n);
  }

  /** An integer in [min, max] inclusive (Python's `random.randint`). */
  randint(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  /** A uniformly chosen element; throws on an empty array (like Python's `random.choice`). */
  choice<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Rng.choice: cannot choose from an empty array');
    return items[this.int(items.length)]!;
  }

  /** Shuffles `items` in place (Fisher-Yates, from the end) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp;
    }
    return items;
  }

  /** `k` distinct elements chosen uniformly, in selection order (Python's `random.sample`). */
  sample<T>(items: readonly T[], k: number): T[] {
    if (k > items.length)
      throw new RangeError(`Rng.sample: k=${k} is larger than the population (${items.length})`);
    const pool = items.slice();
    const out: T[] = [];
    for (let i = 0; i < k; i++) {
      const j = i + this.int(pool.length - i);
      const tmp = pool[i]!;
      pool[i] = pool[j]!;
      pool[j] = tmp;
      out.push(pool[i]!);
    }
    return out;
  }

  /** A normally distributed value (Box-Muller; uses two draws). */
  normal(mean = 0, sd = 1): number {
    const u = 1 - this.random();
    const v = this.random();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** The full generator state: restoring it with `setState` continues the exact same sequence. */
  getState(): RngState {
    return [this._a >>> 0, this._b >>> 0, this._c >>> 0, this._d >>> 0];
  }

  setState(state: RngState): void {
    if (!Array.isArray(state) || state.length !== 4 || !state.every((x) => Number.isInteger(x))) {
      throw new TypeError('Rng.setState expects four 32-bit integers (from getState())');
    }
    this._a = state[0] | 0;
    this._b = state[1] | 0;
    this._c = state[2] | 0;
    this._d = state[3] | 0;
  }
}
