import { z } from 'zod';
import { invalidOption } from './cacheError.js';
import { hashString, mix32 } from './keyHash.js';
import { type LlmCacheKeyOptions, type LlmRequest, llmCacheKey } from './llmCacheKey.js';
import { MemoryCache } from './memoryCache.js';
import { type TieredCache } from './tieredCache.js';

export interface LlmResponseCacheOptions extends LlmCacheKeyOptions {
  /** Where responses live (any TieredCache: in-process only, or over Redis / SQLite). */
  cache: TieredCache;
  /** Samples kept per key when temperature > 0 (default 3); 1 = always replay the same answer. */
  samples?: number;
  /** Run seed: with the same seed a rerun hands out the same samples in the same order. */
  seed?: number;
  /** Temperature assumed when a request has none (default 1, the usual provider default). */
  defaultTemperature?: number;
  /** TTL of cached responses in ms (default: the tier's). */
  ttl?: number;
  /** How many keys' draw counters are remembered (default 100,000). */
  maxKeys?: number;
}

const schema = z.object({
  cache: z.custom<TieredCache>((v) => typeof v === 'object' && v !== null, 'a TieredCache'),
  samples: z.number().int().min(1).max(64).optional(),
  seed: z.number().int().optional(),
  defaultTemperature: z.number().min(0).optional(),
  ttl: z.number().nonnegative().optional(),
  maxKeys: z.number().int().positive().optional(),
  version: z.number().int().nonnegative().optional(),
  prefix: z.string().optional(),
  ignore: z.array(z.string()).optional(),
});

/**
 * Caches LLM responses under a canonical request key. Deterministic requests (temperature 0) are
 * computed once. For temperature > 0 it keeps up to `samples` answers per key: the n-th call for a
 * key (n < samples) computes and stores sample n; later calls pick a stored sample with a PRNG
 * seeded by (seed, key, n). The sequence depends only on the seed and the order of calls for that
 * key, so a rerun with the same seed replays the same answers, while a new seed draws a new mix.
 */
export class LlmResponseCache<R = unknown> {
  private readonly _cache: TieredCache;
  private readonly _samples: number;
  private readonly _seed: number;
  private readonly _defaultTemperature: number;
  private readonly _ttl: number | undefined;
  private readonly _keyOptions: LlmCacheKeyOptions;
  private readonly _draws: MemoryCache<string, number>;
  hits = 0;
  misses = 0;

  constructor(options: LlmResponseCacheOptions) {
    const parsed = schema.safeParse(options);
    if (!parsed.success) throw invalidOption('LlmResponseCache', parsed.error.issues);
    const o = parsed.data;
    this._cache = options.cache;
    this._samples = o.samples ?? 3;
    this._seed = o.seed ?? 0;
    this._defaultTemperature = o.defaultTemperature ?? 1;
    this._ttl = o.ttl;
    this._keyOptions = { version: o.version, prefix: o.prefix, ignore: o.ignore };
    this._draws = new MemoryCache<string, number>({ max: o.maxKeys ?? 100_000, policy: 'lru' });
  }

  key(request: LlmRequest): string {
    return llmCacheKey(request, this._keyOptions);
  }

  /** Whether the request samples (temperature > 0, or absent with defaultTemperature > 0). */
  isSampling(request: LlmRequest): boolean {
    return (request.temperature ?? this._defaultTemperature) > 0 && this._samples > 1;
  }

  /** The cache key of the sample the next call for this request will get (advances the draw). */
  private _nextKey(request: LlmRequest): string {
    const key = this.key(request);
    if (!this.isSampling(request)) return key;
    const n = this._draws.get(key) ?? 0;
    this._draws.set(key, n + 1);
    const index =
      n < this._samples
        ? n
        : (mix32(hashString(key, this._seed) + Math.imul(n, 0x9e3779b1)) >>> 0) % this._samples;
    return `${key}:s${index}`;
  }

  /** The cached response (or sample) for the request, or the result of `call` (then cached). */
  async getOrCompute(
    request: LlmRequest,
    call: (signal: AbortSignal) => Promise<R>,
    options: { signal?: AbortSignal; timeoutMs?: number } = {},
  ): Promise<R> {
    const key = this._nextKey(request);
    let computed = false;
    const value = await this._cache.getOrCompute(
      key,
      (signal) => {
        computed = true;
        return call(signal);
      },
      { ttl: this._ttl, signal: options.signal, timeoutMs: options.timeoutMs },
    );
    if (computed) this.misses++;
    else this.hits++;
    return value as R;
  }

  /** Forgets the draw counters (a new run with the same seed then replays from the start). */
  resetRun(): void {
    this._draws.clear();
  }
}
