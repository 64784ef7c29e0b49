import { HitRatioCurve } from './hitRatioCurve.js';

/**
 * Cache tier sizes within a memory budget: each tier's hit-ratio curve is estimated online by
 * miniature caches (`HitRatioCurve`), and `rebalance()` moves one step of memory from the tier whose
 * estimated marginal hits per byte are lowest to the tier where they are highest.
 */
export interface CacheTierSpec {
  name: string;
  /** Mean bytes per entry in this tier. */
  bytesPerEntry: number;
  minEntries?: number;
  maxEntries?: number;
}

export interface CacheBudgetOptions {
  budgetBytes: number;
  tiers: CacheTierSpec[];
  /** SHARDS sampling rate of the miniature caches; default 0.1. */
  samplingRate?: number;
  /** Curve points per tier (geometric sizes up to the whole budget); default 16. */
  curvePoints?: number;
  /** Memory moved by one rebalance; default 10% of the budget. */
  stepBytes?: number;
  salt?: number;
}

export interface Rebalance {
  /** New entry counts per tier (unchanged when no move is worth it). */
  sizes: Record<string, number>;
  from?: string;
  to?: string;
  /** Expected change of total hits per access (absolute hit-ratio points, 0..1). */
  expectedHitGain: number;
}

export class CacheBudget {
  private readonly _curves = new Map<string, HitRatioCurve>();
  private readonly _tiers: CacheTierSpec[];
  private readonly _step: number;

  constructor(private readonly _options: CacheBudgetOptions) {
    if (!(_options.budgetBytes > 0) || _options.tiers.length === 0) {
      throw new RangeError('CacheBudget needs a positive budgetBytes and at least one tier');
    }
    this._tiers = _options.tiers;
    this._step = _options.stepBytes ?? _options.budgetBytes * 0.1;
    const points = _options.curvePoints ?? 16;
    for (const [i, t] of this._tiers.entries()) {
      const maxEntries = Math.max(2, Math.floor(_options.budgetBytes / t.bytesPerEntry));
      const sizes: number[] = [];
      for (let p = 1; p <= points; p++) sizes.push(Math.max(1, Math.round(maxEntries ** (p / points))));
      this._curves.set(
        t.name,
        new HitRatioCurve({
          sizes: [...new Set(sizes)],
          samplingRate: _options.samplingRate,
          salt: (_options.salt ?? 0) + i,
        }),
      );
    }
  }

  /** Feeds one access of `key` in `tier`. */
  record(tier: string, key: string): void {
    this._curves.get(tier)?.record(key);
  }

  curve(tier: string): HitRatioCurve | undefined {
    return this._curves.get(tier);
  }

  /** Ages every curve (call once per interval so shifting popularity is followed). */
  age(factor = 0.5): void {
    for (const c of this._curves.values()) c.age(factor);
  }

  /** Estimated hits (per all accesses) that `bytes` more (or, negative, less) memory would bring to `tier` at `entries`. */
  hitDelta(tier: string, entries: number, bytes: number): number {
    const spec = this._tiers.find((t) => t.name === tier);
    const curve = this._curves.get(tier);
    if (!spec || !curve) return 0;
    const total = this._totalAccesses();
    if (total === 0) return 0;
    const share = curve.accesses / total;
    const next = entries + bytes / spec.bytesPerEntry;
    return share * (curve.hitRatio(next) - curve.hitRatio(entries));
  }

  /** Proposes moving one step of memory toward the tier with the highest marginal hit gain. */
  rebalance(current: Record<string, number>): Rebalance {
    const sizes = { ...current };
    let best: { to: string; gain: number; entries: number } | undefined;
    let worst: { from: string; loss: number; entries: number } | undefined;
    for (const t of this._tiers) {
      const entries = current[t.name] ?? 0;
      const stepEntries = Math.floor(this._step / t.bytesPerEntry);
      const maxE = t.maxEntries ?? Infinity;
      const minE = t.minEntries ?? 0;
      if (entries + stepEntries <= maxE) {
        const gain = this.hitDelta(t.name, entries, this._step);
        if (!best || gain > best.gain) best = { to: t.name, gain, entries: entries + stepEntries };
      }
      if (entries - stepEntries >= minE) {
        const loss = -this.hitDelta(t.name, entries, -this._step);
        if (!worst || loss < worst.loss) worst = { from: t.name, loss, entries: entries - stepEntries };
      }
    }
    if (!best || !worst || best.to === worst.from || best.gain <= worst.loss * 1.05 + 1e-4) {
      return { sizes, expectedHitGain: 0 };
    }
    sizes[best.to] = best.entries;
    sizes[worst.from] = worst.entries;
    return { sizes, from: worst.from, to: best.to, expectedHitGain: best.gain - worst.loss };
  }

  private _totalAccesses(): number {
    let s = 0;
    for (const c of this._curves.values()) s += c.accesses;
    return s;
  }
}
