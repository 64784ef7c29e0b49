import { mannWhitneyTest, signTest, welchTest, type TestResult } from './statTests.js';

export interface SafetyGateOptions {
  /** Confidence required to keep a change (the sketch's `safe_optimization_threshold`); default 0.95. */
  confidence?: number;
  test?: 'welch' | 'mann-whitney';
  /** Samples each window needs before a verdict; default 5. */
  minSamples?: number;
  /** Intervals a knob group waits after a rolled-back change; default 2. Doubles with each consecutive rollback. */
  cooldownIntervals?: number;
  /** Upper bound of the doubling cooldown; default 8 x cooldownIntervals. */
  maxCooldownIntervals?: number;
  /**
   * Looks at the data a change may get (default 2): an inconclusive but promising change is extended
   * by one more window instead of being rolled back. Each look tests at (1 - confidence) / looks
   * (Bonferroni), so the false-accept rate over all looks stays at most 1 - confidence.
   */
  looks?: number;
}

/**
 * Paired evidence for a change: the new setting and the old one judged on the same units (e.g. each
 * request's real cache outcome against an exact simulation of the old cache size on the same request).
 * Nothing that drifts between intervals (load, popularity, caches still filling) enters the comparison.
 */
export interface PairedEvidence {
  /** Units where the new setting did better than the old one would have. */
  wins: number;
  /** Units where the old setting would have done better. */
  losses: number;
  /** Units compared. */
  total: number;
  /** The old setting's count of good outcomes over those units (e.g. its hits), for the relative change. */
  baseline: number;
}

export interface GateVerdict extends TestResult {
  keep: boolean;
  /** Not significant yet but better on average, and looks remain: measure one more window. */
  extend: boolean;
  /** Measured relative change of the objective (positive = better). */
  improvement: number;
  reason: string;
}

/**
 * Keeps a change only when a one-sided statistical test on the before/after windows shows an
 * improvement at the configured confidence (p < 1 - confidence); otherwise the caller rolls it back.
 * Also owns the per-group bookkeeping: one change in flight per knob group, and a cooldown after a
 * rollback (or an alert) before the group may change again.
 */
export class SafetyGate {
  readonly confidence: number;
  private readonly _test: 'welch' | 'mann-whitney';
  private readonly _minSamples: number;
  private readonly _cooldown: number;
  private readonly _maxCooldown: number;
  readonly looks: number;
  private readonly _streak = new Map<string, number>();
  private readonly _cooldownUntil = new Map<string, number>();
  private readonly _inFlight = new Set<string>();

  constructor(options: SafetyGateOptions = {}) {
    this.confidence = options.confidence ?? 0.95;
    if (!(this.confidence > 0 && this.confidence < 1)) throw new RangeError('confidence must be in (0, 1)');
    this._test = options.test ?? 'welch';
    this._minSamples = options.minSamples ?? 5;
    this._cooldown = options.cooldownIntervals ?? 2;
    this._maxCooldown = options.maxCooldownIntervals ?? this._cooldown * 8;
    this.looks = Math.max(1, Math.floor(options.looks ?? 2));
  }

  /**
   * Compares the objective's samples before and after a change, at look `look` (1-based) of `looks`.
   * Keeps when the one-sided p-value is below (1 - confidence) / looks.
   */
  evaluate(
    before: readonly number[],
    after: readonly number[],
    higherIsBetter = true,
    look = 1,
  ): GateVerdict {
    const r =
      this._test === 'welch'
        ? welchTest(before, after, higherIsBetter)
        : mannWhitneyTest(before, after, higherIsBetter);
    const sign = higherIsBetter ? 1 : -1;
    const improvement =
      r.meanBefore !== 0 ? (sign * (r.meanAfter - r.meanBefore)) / Math.abs(r.meanBefore) : 0;
    if (before.length < this._minSamples || after.length < this._minSamples) {
      return {
        ...r,
        keep: false,
        extend: false,
        improvement,
        reason: `too few samples (${before.length}/${after.length}, need ${this._minSamples})`,
      };
    }
    const alpha = (1 - this.confidence) / this.looks;
    const keep = r.pValue < alpha;
    const extend = !keep && look < this.looks && improvement > 0 && r.pValue < 0.5;
    const reason = `${r.test} p=${r.pValue.toFixed(4)} ${keep ? '<' : '>='} ${alpha.toFixed(3)}${this.looks > 1 ? ` (look ${look}/${this.looks})` : ''}`;
    return { ...r, keep, extend, improvement, reason };
  }

  /**
   * The paired form of `evaluate`: an exact one-sided sign test on the discordant units of `evidence`,
   * at the same confidence, over `looks` looks (default the gate's). Needs `minSamples` discordant units.
   */
  evaluatePaired(evidence: PairedEvidence, look = 1, looks = this.looks): GateVerdict {
    const { wins, losses, total, baseline } = evidence;
    const r = signTest(wins, losses, total, baseline);
    const improvement = baseline > 0 ? (wins - losses) / baseline : wins > losses ? 1 : 0;
    const counts = `${wins} better / ${losses} worse of ${total}`;
    looks = Math.max(1, Math.floor(looks));
    const alpha = (1 - this.confidence) / looks;
    if (wins + losses < this._minSamples) {
      const extend = look < looks;
      return {
        ...r,
        keep: false,
        extend,
        improvement,
        reason: `paired: too few differing units (${counts}, need ${this._minSamples})`,
      };
    }
    const keep = r.pValue < alpha;
    const extend = !keep && look < looks && wins > losses && r.pValue < 0.5;
    const reason = `paired sign test (${counts}) p=${r.pValue.toFixed(4)} ${keep ? '<' : '>='} ${alpha.toFixed(3)}${looks > 1 ? ` (look ${look}/${looks})` : ''}`;
    return { ...r, keep, extend, improvement, reason };
  }

  /** Whether `group` may start a change at control interval `interval`. */
  canChange(group: string, interval: number): boolean {
    return !this._inFlight.has(group) && interval >= (this._cooldownUntil.get(group) ?? -Infinity);
  }

  begin(group: string): void {
    this._inFlight.add(group);
  }

  /**
   * Ends the group's change. A rollback starts its cooldown, doubled for each consecutive rollback (so a
   * group at its optimum probes less and less often); a kept change resets it.
   */
  end(group: string, interval: number, rolledBack: boolean): void {
    this._inFlight.delete(group);
    if (!rolledBack) {
      this._streak.delete(group);
      return;
    }
    const streak = (this._streak.get(group) ?? 0) + 1;
    this._streak.set(group, streak);
    const cooldown = Math.min(this._maxCooldown, this._cooldown * 2 ** (streak - 1));
    this._cooldownUntil.set(group, interval + cooldown + 1);
  }

  /** Clears the group's cooldown (e.g. the tuner sees its objective violated and must act now). */
  resetCooldown(group: string): void {
    this._cooldownUntil.delete(group);
    this._streak.delete(group);
  }

  inFlight(group: string): boolean {
    return this._inFlight.has(group);
  }
}
