/**
 * Seeded 32-bit key hashing for the frequency sketch. Hand-written: a sketch needs a cheap hash that
 * mixes a per-instance secret seed (so an attacker cannot pick keys that collide in every row and
 * inflate a victim's frequency: hash flooding); no library offers a seeded 32-bit string hash
 * that is as fast as an inlined FNV-1a + murmur finaliser.
 */
import { createWasmStringHash } from './wasmStringHash.js';

const objectIds = new WeakMap<object, number>();
let nextObjectId = 1;

/** murmur3 finaliser: full avalanche of a 32-bit value. */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/**
 * FNV-1a over the UTF-16 code units, then the murmur3 finaliser; the JavaScript version of the
 * wasm function below (identical values). `s.charCodeAt` inlines while String.prototype is a fast
 * object, which this package restores after @keyv/redis loads (fastStringPrototype.ts).
 */
export function hashStringJs(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) | 0;
  for (let i = 0; i < s.length; i++) {
    h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  }
  return mix32(h ^ s.length);
}

/** Seeded 32-bit hash of a string: the wasm version where the JS String Builtins exist (Node 24). */
export const hashString: (s: string, seed: number) => number = createWasmStringHash() ?? hashStringJs;

/** Hash of any Map key: strings and numbers by value, objects by identity. */
export function hashKey(key: unknown, seed: number): number {
  if (typeof key === 'string') return hashString(key, seed);
  if (typeof key === 'number') {
    if ((key | 0) === key) return mix32(Math.imul(key ^ seed, 0x9e3779b1) ^ (key >>> 16));
    return hashString(String(key), seed);
  }
  if (typeof key === 'object' && key !== null) {
    let id = objectIds.get(key);
    if (id === undefined) {
      id = nextObjectId++;
      objectIds.set(key, id);
    }
    return mix32(Math.imul(id ^ seed, 0x9e3779b1));
  }
  return hashString(String(key), seed);
}
