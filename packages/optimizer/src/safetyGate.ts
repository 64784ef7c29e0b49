import { mannWhitneyTest, welchTest, type TestResult } from './statTests.js';

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
}

export interface GateVerdict extends TestResult {
  keep: boolean;
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
  }

  /** Compares the objective's samples before and after a change. */
  evaluate(before: readonly number[], after: readonly number[], higherIsBetter = true): GateVerdict {
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
        improvement,
        reason: `too few samples (${before.length}/${after.length}, need ${this._minSamples})`,
      };
    }
    const alpha = 1 - this.confidence;
    const keep = r.pValue < alpha;
    const reason = `${r.test} p=${r.pValue.toFixed(4)} ${keep ? '<' : '>='} ${alpha.toFixed(3)}`;
    return { ...r, keep, improvement, reason };
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
