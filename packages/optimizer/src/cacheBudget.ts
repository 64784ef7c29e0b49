import { HitDropDetector, type HitDrop, type HitDropDetectorOptions } from './hitDropDetector.js';
import { HitRatioCurve, hitRatioAt } from './hitRatioCurve.js';
import type { PairedEvidence } from './safetyGate.js';

/** Accesses in a row with the outcomes of a grown tier's exact simulation that end its fill (`watch`). */
const FILL_STREAK = 50;
/**
 * Share of a grown tier's new room that must be filled (by misses) before it is compared: the last
 * entries of a cache fill like a coupon collector (the rarest keys come last), and waiting for them
 * would exhaust the gate's looks; what is left unfilled only understates the move's gain.
 */
const FILL_SHARE = 0.8;

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
  /**
   * Extra curve points at exactly these sizes (entries), e.g. every size the tuner's steps can reach:
   * with `samplingRate` 1 the miniature cache at a tier's size before a change replays that change's
   * counterfactual exactly, so the change can be judged on the same requests (`watch`).
   */
  sizes?: number[];
}

export interface CacheBudgetOptions {
  budgetBytes: number;
  tiers: CacheTierSpec[];
  /** SHARDS sampling rate of the miniature caches; default 0.1. */
  samplingRate?: number;
  /** Curve points per tier (geometric sizes up to the whole budget); default 16. */
  curvePoints?: number;
  /** Memory moved by one rebalance step; default 10% of the budget. */
  stepBytes?: number;
  /**
   * Most steps one rebalance may move at once (default 1): it moves the number of steps, up to this, with the
   * highest estimated net hit gain, so a tier whose curve changed a lot (a popularity shift) gets its memory
   * in one change instead of one change per step. Every move stays a multiple of `stepBytes`.
   */
  maxSteps?: number;
  salt?: number;
  /**
   * Options of the per-tier `HitDropDetector` behind `shifted()` (fed by `record` with outcomes), or false to
   * keep no recent outcomes. Default: windows 16, 32, 64 and alpha 1e-6.
   */
  shiftDetection?: HitDropDetectorOptions | false;
}

/** A tier whose recent hits fell far below its curve's estimate at its size (`CacheBudget.shifted`). */
export interface TierShift extends HitDrop {
  tier: string;
  /** The size (entries) the curve was read at. */
  size: number;
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
  private readonly _maxSteps: number;
  private _watch: Map<string, number> | undefined;
  private _evidence: PairedEvidence = { wins: 0, losses: 0, total: 0, baseline: 0 };
  private _outcomes = 0;
  private _fedOutcomes = false;
  private readonly _fill = new Map<string, { debt: number; steady: number; streak: number; done: boolean }>();
  private _filling = 0;
  private readonly _drops = new Map<string, HitDropDetector>();
  /** Outcomes fed per tier since the start or `forget()` (not aged: the curves' own counts are). */
  private readonly _seen = new Map<string, number>();
  /** Each curve's points when it was last aged (an interval's end): what recent outcomes are tested against. */
  private readonly _reference = new Map<string, { size: number; hitRatio: number }[]>();
  private readonly _minHistory: number;

  constructor(private readonly _options: CacheBudgetOptions) {
    if (!(_options.budgetBytes > 0) || _options.tiers.length === 0) {
      throw new RangeError('CacheBudget needs a positive budgetBytes and at least one tier');
    }
    this._tiers = _options.tiers;
    this._step = _options.stepBytes ?? _options.budgetBytes * 0.1;
    this._maxSteps = _options.maxSteps ?? 1;
    if (!(Number.isInteger(this._maxSteps) && this._maxSteps >= 1)) {
      throw new RangeError(`CacheBudget maxSteps must be an integer >= 1, got ${_options.maxSteps}`);
    }
    const detection = _options.shiftDetection;
    if (detection !== false) {
      for (const t of this._tiers) this._drops.set(t.name, new HitDropDetector(detection ?? {}));
    }
    // a curve judges recent outcomes once its tier has had twice the longest window of them
    this._minHistory = 2 * Math.max(1, ...[...this._drops.values()].map((d) => d.capacity));
    const points = _options.curvePoints ?? 16;
    for (const [i, t] of this._tiers.entries()) {
      const maxEntries = Math.max(2, Math.floor(_options.budgetBytes / t.bytesPerEntry));
      const sizes: number[] = [];
      for (let p = 1; p <= points; p++) sizes.push(Math.max(1, Math.round(maxEntries ** (p / points))));
      for (const s of t.sizes ?? []) if (Number.isInteger(s) && s > 0) sizes.push(s);
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

  /**
   * Feeds one access of `key` in `tier`. Pass `hit`, the real cache's outcome for this access, to let a
   * change be judged on the same requests: while `watch` is on, each access is compared with the exact
   * simulation of the tier at its size before the change.
   */
  record(tier: string, key: string, hit?: boolean): void {
    const curve = this._curves.get(tier);
    if (!curve) return;
    curve.record(key);
    if (hit !== undefined) {
      this._fedOutcomes = true;
      this._drops.get(tier)?.push(hit);
      this._seen.set(tier, (this._seen.get(tier) ?? 0) + 1);
    }
    const probe = this._watch?.get(tier) ?? -1;
    if (probe < 0 || hit === undefined) return;
    const before = curve.lastHit(probe);
    this._outcomes++;
    if (this._filling > 0) {
      const fill = this._fill.get(tier);
      if (fill && !fill.done) {
        // filled: as many misses (insertions) as it grew, or FILL_STREAK accesses in a row with the
        // outcome of the exact simulation at its new size (a tier whose keys never fill it)
        if (!hit) fill.debt--;
        fill.streak = fill.steady >= 0 && curve.lastHit(fill.steady) === hit ? fill.streak + 1 : 0;
        if (fill.debt <= 0 || fill.streak >= FILL_STREAK) {
          fill.done = true;
          this._filling--;
        }
      }
      return;
    }
    const e = this._evidence;
    e.total++;
    if (before) e.baseline++;
    if (hit && !before) e.wins++;
    else if (before && !hit) e.losses++;
  }

  /**
   * Starts comparing every access fed with its real outcome against the cache sizes `before` (tier ->
   * entries): needs an exact simulation of each tier at that size (`samplingRate` 1 and a curve point
   * there, see `CacheTierSpec.sizes`). Returns false (and compares nothing) when one is missing.
   *
   * With `after` (the new sizes), the comparison starts once every tier that grew is filled: it has
   * had misses (insertions) for 80% of the entries it gained (FILL_SHARE), or its last FILL_STREAK (50)
   * accesses had the outcomes of the exact simulation at its new size. A grown cache is empty where it grew and fills
   * only through misses, while a shrunk one loses its entries at once, so counting from the change
   * would judge the move by its fill transient instead of by the sizes themselves.
   */
  watch(before: Record<string, number>, after?: Record<string, number>): boolean {
    const probes = new Map<string, number>();
    for (const t of this._tiers) {
      const index = this._curves.get(t.name)!.exactIndex(before[t.name] ?? -1);
      if (index < 0) {
        this.unwatch();
        return false;
      }
      probes.set(t.name, index);
    }
    this._watch = probes;
    this._evidence = { wins: 0, losses: 0, total: 0, baseline: 0 };
    this._outcomes = 0;
    this._fill.clear();
    this._filling = 0;
    for (const t of this._tiers) {
      const grown = Math.max(0, Math.round((after?.[t.name] ?? 0) - (before[t.name] ?? 0)));
      if (grown > 0) {
        const steady = this._curves.get(t.name)!.exactIndex(after![t.name]!);
        this._fill.set(t.name, { debt: Math.ceil(FILL_SHARE * grown), steady, streak: 0, done: false });
        this._filling++;
      }
    }
    return true;
  }

  /**
   * Whether a change from `sizes` could be judged on the same requests now: the app has fed outcomes
   * (`record` with `hit`) and every tier has an exact simulation at its size.
   */
  canWatch(sizes: Record<string, number>): boolean {
    return (
      this._fedOutcomes &&
      this._tiers.every((t) => this._curves.get(t.name)!.exactIndex(sizes[t.name] ?? -1) >= 0)
    );
  }

  /**
   * What the accesses fed since `watch` say about the new sizes against the old ones, counted from the
   * end of the fill (undefined when not watching).
   */
  evidence(): PairedEvidence | undefined {
    return this._watch ? { ...this._evidence } : undefined;
  }

  /** Accesses fed with an outcome since `watch`, the fill included (0 when the app feeds no outcomes). */
  get watchedOutcomes(): number {
    return this._watch ? this._outcomes : 0;
  }

  unwatch(): void {
    this._watch = undefined;
  }

  /**
   * The tier whose recent real outcomes (fed by `record` with `hit`) fell furthest below its curve's estimate
   * at `sizes` (tier -> entries): the popularity it was sized for is gone (new keys, or the hot keys moved
   * elsewhere). The estimate is the curve as it was at the last `age()` (an interval's end): the live curve
   * already counts the recent misses, and an aged one follows them within a few dozen accesses. Undefined
   * when no tier shows a drop at the detector's alpha, before the first `age()`, or while a tier has had fewer
   * outcomes than twice the longest window since the start or `forget()`. Pass each tier's smaller size across
   * a change in flight: a grown tier is still filling.
   */
  shifted(sizes: Record<string, number>): TierShift | undefined {
    let worst: TierShift | undefined;
    for (const t of this._tiers) {
      const detector = this._drops.get(t.name);
      const reference = this._reference.get(t.name);
      const size = sizes[t.name];
      if (!detector || !reference || size === undefined || (this._seen.get(t.name) ?? 0) < this._minHistory)
        continue;
      const drop = detector.test(hitRatioAt(reference, size));
      if (drop && (!worst || drop.pValue < worst.pValue)) worst = { tier: t.name, size, ...drop };
    }
    return worst;
  }

  /**
   * Forgets what the curves and detectors learned (their counts, not the miniature caches' contents) and
   * any comparison in progress: after a shift, estimates built on the old popularity would misdirect moves.
   */
  forget(): void {
    for (const c of this._curves.values()) c.age(0);
    for (const d of this._drops.values()) d.clear();
    this._seen.clear();
    this._reference.clear();
    this.unwatch();
  }

  curve(tier: string): HitRatioCurve | undefined {
    return this._curves.get(tier);
  }

  /**
   * Ages every curve (call once per interval so shifting popularity is followed). The curves as they were
   * just before become the reference of `shifted()` until the next call.
   */
  age(factor = 0.5): void {
    for (const [tier, c] of this._curves) {
      if (c.accesses > 0) this._reference.set(tier, c.points());
      c.age(factor);
    }
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

  /**
   * Proposes moving memory from the tier that loses least to the one that gains most: one step, or up to
   * `maxSteps` steps when a larger move has a higher estimated net gain. A move must gain more than 1.05x
   * what it loses (and 1e-4 hit-ratio points), else nothing moves.
   */
  rebalance(current: Record<string, number>): Rebalance {
    const sizes = { ...current };
    let pick: { to: string; from: string; toEntries: number; fromEntries: number; net: number } | undefined;
    for (let k = 1; k <= this._maxSteps; k++) {
      const bytes = this._step * k;
      let best: { to: string; gain: number; entries: number } | undefined;
      let worst: { from: string; loss: number; entries: number } | undefined;
      for (const t of this._tiers) {
        const entries = current[t.name] ?? 0;
        const stepEntries = Math.floor(bytes / t.bytesPerEntry);
        const maxE = t.maxEntries ?? Infinity;
        const minE = t.minEntries ?? 0;
        if (entries + stepEntries <= maxE) {
          const gain = this.hitDelta(t.name, entries, bytes);
          if (!best || gain > best.gain) best = { to: t.name, gain, entries: entries + stepEntries };
        }
        if (entries - stepEntries >= minE) {
          const loss = -this.hitDelta(t.name, entries, -bytes);
          if (!worst || loss < worst.loss) worst = { from: t.name, loss, entries: entries - stepEntries };
        }
      }
      if (!best || !worst || best.to === worst.from || best.gain <= worst.loss * 1.05 + 1e-4) continue;
      const net = best.gain - worst.loss;
      // a larger move only when it is worth strictly more than the smaller one already found
      if (!pick || net > pick.net + 1e-4) {
        pick = { to: best.to, from: worst.from, toEntries: best.entries, fromEntries: worst.entries, net };
      }
    }
    if (!pick) return { sizes, expectedHitGain: 0 };
    sizes[pick.to] = pick.toEntries;
    sizes[pick.from] = pick.fromEntries;
    return { sizes, from: pick.from, to: pick.to, expectedHitGain: pick.net };
  }

  private _totalAccesses(): number {
    let s = 0;
    for (const c of this._curves.values()) s += c.accesses;
    return s;
  }
}
