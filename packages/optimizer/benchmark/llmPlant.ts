/**
 * A simulated LLM plant for the in-process evaluation (NOT the sim-runner + emulator scenario the issue
 * asks for, which is not ready): a steady-state queueing model of agents calling a rate-limited provider
 * through a concurrency limit, a batcher and two LRU response caches sharing a memory budget, with
 * seeded noise. Each `sample()` is one 10 s measurement window.
 *
 * Model (per window):
 * - provider call latency L = L0 * (1 + 0.25 (b - 1)) * max(1, c / slots)^1.5 (batch of b items; past
 *   `slots` concurrent calls the provider queues internally);
 * - offered call rate c / L; above the provider's rate limit (calls/s) the excess gets 429s, and the
 *   retry storm wastes capacity: good calls = RL * max(0.3, 1 - 0.5 (offered / RL - 1));
 * - miss capacity = good calls * b items/s; the cache hit ratio h comes from real LRU caches (JS Map)
 *   fed Zipf keys from two request streams; throughput = min(demand, capacity / (1 - h));
 * - p95 of a request = 1.6 L + batch fill wait (b / miss rate, at most the 1 s flush timeout)
 *   + 1.5 s of retry delay once more than ~5% of calls get 429s (ramping in from 3% to 7%).
 */

import { mulberry32 } from '../src/index.js';
export interface PlantPhase {
  name: string;
  /** No-load call latency (s). */
  latency: number;
  /** Provider rate limit (calls/s). */
  rateLimit: number;
  /** Zipf exponent and key count of each stream. */
  streams: {
    decide: { s: number; keys: number; prefix: string };
    tools: { s: number; keys: number; prefix: string };
  };
}

export interface PlantConfig {
  concurrency: number;
  batchSize: number;
  cacheDecide: number;
  cacheTools: number;
}

export interface PlantSample {
  throughput: number;
  p95: number;
  hitRatio: number;
  rejected: number;
  latency: number;
}

export const SLOTS = 60;
export const DEMAND = 1000;
export const P95_OBJECTIVE = 3;
export const CACHE_BUDGET = 4000;
/** Share of requests in the "decide" stream. */
export const DECIDE_SHARE = 0.7;
/** Keys drawn per 10 s window (a scaled-down request stream for the cache simulation). */
export const KEYS_PER_SAMPLE = 200;

export const PHASES: PlantPhase[] = [
  {
    name: 'baseline',
    latency: 0.6,
    rateLimit: 30,
    streams: { decide: { s: 0.8, keys: 30_000, prefix: 'd' }, tools: { s: 1.2, keys: 3_000, prefix: 't' } },
  },
  {
    name: 'latency x2',
    latency: 1.2,
    rateLimit: 30,
    streams: { decide: { s: 0.8, keys: 30_000, prefix: 'd' }, tools: { s: 1.2, keys: 3_000, prefix: 't' } },
  },
  {
    name: 'rate limit / 2',
    latency: 1.2,
    rateLimit: 15,
    streams: { decide: { s: 0.8, keys: 30_000, prefix: 'd' }, tools: { s: 1.2, keys: 3_000, prefix: 't' } },
  },
  {
    name: 'popularity shift',
    latency: 1.2,
    rateLimit: 15,
    streams: { decide: { s: 1.2, keys: 3_000, prefix: 'd2' }, tools: { s: 0.8, keys: 30_000, prefix: 't2' } },
  },
];

const cdfCache = new Map<string, Float64Array>();
function zipfCdf(n: number, s: number): Float64Array {
  const key = `${n}:${s}`;
  let cdf = cdfCache.get(key);
  if (!cdf) {
    cdf = new Float64Array(n);
    let total = 0;
    for (let i = 0; i < n; i++) total += 1 / (i + 1) ** s;
    let acc = 0;
    for (let i = 0; i < n; i++) cdf[i] = acc += 1 / (i + 1) ** s / total;
    cdfCache.set(key, cdf);
  }
  return cdf;
}

function drawZipf(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid]! < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

class Lru {
  private readonly _m = new Map<string, true>();
  capacity: number;
  constructor(capacity: number) {
    this.capacity = capacity;
  }
  access(key: string): boolean {
    const hit = this._m.delete(key);
    this._m.set(key, true);
    while (this._m.size > this.capacity) this._m.delete(this._m.keys().next().value!);
    return hit;
  }
}

/** Expected steady-state throughput and p95 for a config, given a hit ratio (no noise). */
export function model(phase: PlantPhase, cfg: PlantConfig, hitRatio: number): Omit<PlantSample, 'hitRatio'> {
  const c = Math.max(1, cfg.concurrency);
  const b = Math.max(1, cfg.batchSize);
  const latency = phase.latency * (1 + 0.25 * (b - 1)) * Math.max(1, c / SLOTS) ** 1.5;
  const offered = c / latency;
  const rl = phase.rateLimit;
  const good = offered > rl ? rl * Math.max(0.3, 1 - 0.5 * (offered / rl - 1)) : offered;
  const rejectedShare = offered > rl ? 1 - rl / offered : 0;
  const miss = Math.max(1e-3, 1 - hitRatio);
  const throughput = Math.min(DEMAND, (good * b) / miss);
  const missRate = throughput * miss;
  const fill = Math.min(1, b / Math.max(missRate, 1e-3));
  // p95 is a tail: retried requests (1.5 s retry-after) reach it once more than ~5% of calls get 429s.
  const retry = 1.5 * Math.min(1, Math.max(0, (rejectedShare - 0.03) / 0.04));
  return { throughput, p95: 1.6 * latency + fill + retry, rejected: rejectedShare, latency };
}

/** The plant: knobs are read through `config()` at every sample (the optimizer's knobs write there). */
export class LlmPlant {
  phase: PlantPhase = PHASES[0]!;
  private readonly _rand: () => number;
  private readonly _decide = new Lru(CACHE_BUDGET / 2);
  private readonly _tools = new Lru(CACHE_BUDGET / 2);
  /** Key listener (the optimizer's cache budget is fed from here, like a cache's access hook). */
  onKey: ((tier: 'decide' | 'tools', key: string) => void) | undefined;

  constructor(
    readonly config: PlantConfig,
    seed: number,
  ) {
    this._rand = mulberry32(seed);
  }

  private _gauss(): number {
    const u = Math.max(this._rand(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this._rand());
  }

  sample(): PlantSample {
    this._decide.capacity = Math.max(1, Math.round(this.config.cacheDecide));
    this._tools.capacity = Math.max(1, Math.round(this.config.cacheTools));
    const d = this.phase.streams.decide;
    const t = this.phase.streams.tools;
    const dc = zipfCdf(d.keys, d.s);
    const tc = zipfCdf(t.keys, t.s);
    let hits = 0;
    for (let i = 0; i < KEYS_PER_SAMPLE; i++) {
      const isDecide = this._rand() < DECIDE_SHARE;
      const key = isDecide
        ? `${d.prefix}${drawZipf(dc, this._rand())}`
        : `${t.prefix}${drawZipf(tc, this._rand())}`;
      this.onKey?.(isDecide ? 'decide' : 'tools', key);
      if ((isDecide ? this._decide : this._tools).access(key)) hits++;
    }
    const hitRatio = hits / KEYS_PER_SAMPLE;
    const m = model(this.phase, this.config, hitRatio);
    const n1 = this._gauss();
    const n2 = this._gauss();
    return {
      throughput: m.throughput * Math.exp(0.05 * n1),
      p95: m.p95 * Math.exp(0.05 * n2),
      hitRatio,
      rejected: m.rejected,
      latency: m.latency,
    };
  }
}

/** Steady-state hit ratio of a cache split in a phase (long LRU simulation, for the oracle's grid). */
export function steadyHitRatio(phase: PlantPhase, cacheDecide: number, seed = 99): number {
  const plant = new LlmPlant(
    { concurrency: 1, batchSize: 1, cacheDecide, cacheTools: CACHE_BUDGET - cacheDecide },
    seed,
  );
  plant.phase = phase;
  for (let i = 0; i < 60; i++) plant.sample(); // warm
  let h = 0;
  for (let i = 0; i < 60; i++) h += plant.sample().hitRatio;
  return h / 60;
}

/** Offline grid search: the best static config of a phase (max expected throughput with p95 <= objective). */
export function oracle(phase: PlantPhase): { config: PlantConfig; throughput: number; p95: number } {
  let best: { config: PlantConfig; throughput: number; p95: number } | undefined;
  for (let split = 400; split <= 3600; split += 400) {
    const h = steadyHitRatio(phase, split);
    for (let c = 2; c <= 120; c += 2) {
      for (let b = 1; b <= 16; b++) {
        const cfg = { concurrency: c, batchSize: b, cacheDecide: split, cacheTools: CACHE_BUDGET - split };
        const m = model(phase, cfg, h);
        if (m.p95 <= P95_OBJECTIVE && (!best || m.throughput > best.throughput))
          best = { config: cfg, throughput: m.throughput, p95: m.p95 };
      }
    }
  }
  return best!;
}
