import { LlmResponseCache, TieredCache, zipfTrace } from '@hp/cache';
import type { LlmRequest } from '@hp/llm';
import { CacheBudget, type Knob } from '@hp/optimizer';
import { Rng } from './rng.js';

/**
 * Recurring requests with a popularity that can shift mid-run: the key-popularity phase of the optimizer's
 * evaluation. The LLM-agent model's own prompts carry each agent's memory and never repeat, so a response
 * cache sees no reuse; in this phase the agents' requests are drawn from catalogues of recurring situations
 * (one catalogue per request kind, e.g. `decide` and `tools`), each with its own Zipf popularity. The answers
 * go through per-kind LLM-response caches (@hp/cache `LlmResponseCache` over an LRU tier) that share one
 * memory budget, and the optimizer's `cacheBudgetTuner` moves entries between them.
 */

/** One request kind's popularity in a phase. */
export interface KindPopularity {
  /** Share of the requests of this kind (normalised over the kinds). */
  share: number;
  /** Distinct keys in the catalogue. */
  keys: number;
  /** Zipf skew (alpha > 0). */
  zipf: number;
}

/** Per-kind popularity: a shift replaces it (with new keys: a new generation). */
export type Popularity = Record<string, KindPopularity>;

/** Keys drawn per kind and generation: a precomputed seeded Zipf trace (@hp/cache's generator), cycled. */
const TRACE_LENGTH = 200_000;

/** Draws the next request's kind and key from the popularity in force. Seeded. */
export class KeyCatalog {
  private readonly _rng: Rng;
  private readonly _seed: number;
  private _kinds: { name: string; share: number; keys: Int32Array; next: number }[] = [];
  private _generation = 0;

  constructor(seed: number) {
    this._seed = seed;
    this._rng = new Rng(seed ^ 0x6b1d);
  }

  /** Whether a popularity is in force (before the first `shift`, the model's own prompts are used). */
  get active(): boolean {
    return this._kinds.length > 0;
  }

  get generation(): number {
    return this._generation;
  }

  /** A new popularity, over keys never used before (the catalogue's generation is part of each key). */
  shift(popularity: Popularity): void {
    this._generation++;
    const entries = Object.entries(popularity);
    const total = entries.reduce((s, [, p]) => s + p.share, 0);
    if (!(total > 0)) throw new RangeError('key popularity: the shares must add up to more than 0');
    this._kinds = entries.map(([name, p], i) => ({
      name,
      share: p.share / total,
      keys: zipfTrace({
        accesses: TRACE_LENGTH,
        keys: p.keys,
        alpha: p.zipf,
        seed: (this._seed * 31 + this._generation * 7919 + i) >>> 0,
      }).keys,
      next: 0,
    }));
  }

  /** The next request: its kind and its situation id (`<kind>-g<generation>-<key>`). */
  next(): { kind: string; situation: string } {
    let u = this._rng.random();
    let kind = this._kinds[this._kinds.length - 1]!;
    for (const k of this._kinds) {
      if (u < k.share) {
        kind = k;
        break;
      }
      u -= k.share;
    }
    const key = kind.keys[kind.next % kind.keys.length]!;
    kind.next++;
    return { kind: kind.name, situation: `${kind.name}-g${this._generation}-${key}` };
  }
}

export interface CatalogCachesOptions {
  /** Request kinds, each with its own response cache. */
  kinds: string[];
  /** Entries shared by the kinds' caches. */
  budget: number;
  /** Entries per kind at the start (default: the budget split evenly). */
  initial?: Record<string, number>;
  /** Smallest share of the budget a kind keeps (default 0.1). */
  minShare?: number;
  /** Share of the budget one optimizer step shifts (default 0.2). */
  stepShare?: number;
  /** Most steps one move may shift at once (CacheBudget `maxSteps`, default 1). */
  maxSteps?: number;
  seed: number;
}

/** The per-kind LLM-response caches sharing an entry budget, their size knobs and the budget's hit-ratio curves. */
export class CatalogCaches {
  readonly budget: CacheBudget;
  readonly knobs: Record<string, Knob> = {};
  private readonly _tiers = new Map<string, TieredCache<unknown>>();
  private readonly _responses = new Map<string, LlmResponseCache<unknown>>();
  private readonly _lrus = new Map<
    string,
    { readonly max: number; readonly size: number; resize(max: number): void }
  >();
  /** Entries per kind the knobs ask for; the caches' bounds move toward them one entry per miss (`_claim`). */
  private readonly _targets = new Map<string, number>();
  /** Misses per kind whose answers are still on their way (each will take an entry when it lands). */
  private readonly _inFlight = new Map<string, number>();
  hits = 0;
  misses = 0;

  constructor(options: CatalogCachesOptions) {
    const { kinds, budget } = options;
    if (!(Number.isInteger(budget) && budget >= kinds.length * 2))
      throw new RangeError(`cache budget must be an integer of at least 2 entries per kind, got ${budget}`);
    const minEntries = Math.max(1, Math.floor(budget * (options.minShare ?? 0.1)));
    for (const [i, kind] of kinds.entries()) {
      const entries = options.initial?.[kind] ?? Math.floor(budget / kinds.length);
      // One LRU tier per kind (no promotion between kinds); no TTL: the catalogue's answers do not go stale.
      const tier = new TieredCache<unknown>({
        hot: false,
        cold: false,
        warm: { max: Math.max(1, entries), policy: 'lru', ttl: 0 },
        levelRules: [],
        defaultLevel: 'warm',
        seed: options.seed + i,
      });
      this._tiers.set(kind, tier);
      this._responses.set(kind, new LlmResponseCache<unknown>({ cache: tier, seed: options.seed }));
      this._lrus.set(kind, tier.tier('warm')!);
      this._targets.set(kind, Math.max(1, entries));
      this.knobs[kind] = {
        name: `cache.${kind}.entries`,
        min: minEntries,
        max: budget - minEntries * (kinds.length - 1),
        get: () => this._targets.get(kind)!,
        set: (v) => void this._targets.set(kind, Math.max(1, Math.round(v))),
      };
    }
    // Exact curves (sampling rate 1): the caches hold a few hundred entries, so the miniature caches are cheap.
    // Every size the tuner's steps can reach is a curve point too, so a change is judged against an exact
    // replay of the old sizes on the same requests (paired gate, see `complete`).
    const step = Math.max(1, Math.round(budget * (options.stepShare ?? 0.2)));
    const maxEntries = budget - minEntries * (kinds.length - 1);
    this.budget = new CacheBudget({
      budgetBytes: budget,
      tiers: kinds.map((name) => {
        const start = options.initial?.[name] ?? Math.floor(budget / kinds.length);
        const sizes: number[] = [];
        for (let s = start - step * Math.floor((start - minEntries) / step); s <= maxEntries; s += step)
          sizes.push(s);
        return { name, bytesPerEntry: 1, minEntries, maxEntries, sizes };
      }),
      samplingRate: 1,
      stepBytes: step,
      ...(options.maxSteps !== undefined ? { maxSteps: options.maxSteps } : {}),
      salt: options.seed,
    });
  }

  /** Entries per kind now. */
  sizes(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [kind, k] of Object.entries(this.knobs)) out[kind] = k.get() as number;
    return out;
  }

  /**
   * The answer to `request` (of `kind`) from its cache, or from `call` (then cached); feeds the budget's
   * hit-ratio curve with the request's cache key and whether the cache had it, once the answer is there
   * (the miniature caches then see the accesses in the order the real cache stores them).
   */
  async complete<R>(
    kind: string,
    request: LlmRequest,
    call: (signal: AbortSignal) => Promise<R>,
    signal?: AbortSignal,
  ): Promise<{ value: R; cached: boolean }> {
    const responses = this._responses.get(kind);
    if (!responses) throw new RangeError(`no response cache for request kind "${kind}"`);
    const cacheable = {
      provider: 'openai',
      model: request.model,
      messages: request.messages as unknown[],
      temperature: request.temperature,
      max_tokens: request.maxTokens,
    };
    const key = responses.key(cacheable);
    let computed = false;
    let value: R;
    try {
      value = (await responses.getOrCompute(
        cacheable,
        (s) => {
          computed = true;
          this._claim(kind);
          this._inFlight.set(kind, (this._inFlight.get(kind) ?? 0) + 1);
          return call(s);
        },
        signal ? { signal } : {},
      )) as R;
    } finally {
      if (computed) this._inFlight.set(kind, this._inFlight.get(kind)! - 1);
    }
    this.budget.record(kind, key, !computed);
    if (computed) this.misses++;
    else this.hits++;
    return { value, cached: !computed };
  }

  /**
   * A miss in `kind`'s full cache takes one entry of room from a cache above its target, if `kind` is below
   * its own: memory moves between the caches as the growing one needs it, so a split change does not empty
   * the shrinking cache while the growing one is still filling (its new room would stay empty until misses
   * fill it). "Full" counts the misses still in flight (each will insert its answer). The bounds always add
   * up to the budget.
   */
  private _claim(kind: string): void {
    const lru = this._lrus.get(kind)!;
    if (lru.max >= this._targets.get(kind)! || lru.size + (this._inFlight.get(kind) ?? 0) < lru.max) return;
    for (const [other, donor] of this._lrus) {
      if (other === kind || donor.max <= this._targets.get(other)!) continue;
      donor.resize(donor.max - 1);
      lru.resize(lru.max + 1);
      return;
    }
  }

  /** Each cache's current bound (entries): moves toward the knobs' targets as misses claim room. */
  bounds(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [kind, lru] of this._lrus) out[kind] = lru.max;
    return out;
  }

  async close(): Promise<void> {
    for (const t of this._tiers.values()) await t.close();
  }
}
