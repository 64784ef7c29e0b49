import { beladyHits } from './beladyOpt.js';
import { type PolicyName } from './evictionPolicy.js';
import { MemoryCache } from './memoryCache.js';
import { type Trace } from './trace.js';

export type SimulatedPolicy = PolicyName | 'opt';
export const SIMULATED_POLICIES: readonly SimulatedPolicy[] = ['lru', 'lfu', 'w-tinylfu', 'opt'];

export interface SimulationResult {
  trace: string;
  size: number;
  accesses: number;
  unique: number;
  /** Hit ratio in percent, two decimals, per policy. */
  results: Partial<Record<SimulatedPolicy, number>>;
}

/**
 * Replays the trace through the real MemoryCache with the given policy (the very code the cache
 * runs, not a model of it): a get that misses is followed by a set, as a read-through cache does.
 */
export function simulateHits(
  trace: Trace,
  size: number,
  policy: SimulatedPolicy,
  seed = 1,
  lossyReads = false,
): number {
  if (policy === 'opt') return beladyHits(trace, size);
  const cache = new MemoryCache<number, boolean>({ max: size, policy, seed, lossyReads });
  const keys = trace.keys;
  let hits = 0;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (cache.get(k) === undefined) cache.set(k, true);
    else hits++;
  }
  return hits;
}

export function percent(hits: number, accesses: number): number {
  return accesses === 0 ? 0 : Math.round((hits / accesses) * 10000) / 100;
}

export function simulate(
  trace: Trace,
  size: number,
  policies: readonly SimulatedPolicy[] = SIMULATED_POLICIES,
  seed = 1,
  lossyReads = false,
): SimulationResult {
  const results: Partial<Record<SimulatedPolicy, number>> = {};
  for (const p of policies)
    results[p] = percent(simulateHits(trace, size, p, seed, lossyReads), trace.keys.length);
  return { trace: trace.name, size, accesses: trace.keys.length, unique: trace.unique, results };
}
