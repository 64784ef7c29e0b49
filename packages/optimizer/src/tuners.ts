import type { BatchTuner } from './batchTuner.js';
import type { CacheBudget } from './cacheBudget.js';
import type { Knob } from './knob.js';
import type { PoolSizer } from './poolSizer.js';
import type { TtlAdvisor } from './ttlAdvisor.js';
import type { ControlTuner, GatedTuner, TuneContext } from './tuner.js';

/** Gradient2, AIMD or any controller with the same shape. */
export interface ConcurrencyController {
  update(sample: { rtt: number; didDrop: boolean; inflight?: number; queueDelay?: number }): number;
  setLimit(limit: number): void;
}

/**
 * Adaptive concurrency as a control tuner: each sample feeds `rtt` (e.g. p50/mean LLM latency),
 * `drops` (429s / errors in the sample, > 0 counts as a drop) and optionally `inflight` and `queueDelay`
 * (mean wait before sending, same unit as `rtt`; AIMD's `queueTolerance` reads it). An alert does
 * not revert its moves by default (`rollbackOnAlert: false`): backing off on latency and 429s is the
 * controller's own safe reaction, and restoring a higher limit during an incident would be unsafe.
 */
export function concurrencyTuner(options: {
  knob: Knob;
  controller: ConcurrencyController;
  rtt: string;
  drops?: string;
  inflight?: string;
  queueDelay?: string;
  group?: string;
  rollbackOnAlert?: boolean;
}): ControlTuner {
  const { knob, controller } = options;
  let synced = false;
  return {
    kind: 'control',
    group: options.group ?? knob.name,
    knobs: [knob],
    rollbackOnAlert: options.rollbackOnAlert ?? false,
    control(ctx: TuneContext) {
      if (!synced) {
        controller.setLimit(ctx.knobs[knob.name] ?? knob.get());
        synced = true;
      }
      const rtt = ctx.latest[options.rtt];
      if (rtt === undefined || !Number.isFinite(rtt)) return undefined;
      const drops = options.drops ? (ctx.latest[options.drops] ?? 0) : 0;
      const inflight = options.inflight ? ctx.latest[options.inflight] : undefined;
      const queueDelay = options.queueDelay ? ctx.latest[options.queueDelay] : undefined;
      const limit = controller.update({ rtt, didDrop: drops > 0, inflight, queueDelay });
      return { [knob.name]: limit };
    },
    reset(values) {
      const v = values[knob.name];
      if (v !== undefined) controller.setLimit(v);
    },
  };
}

/** Batch size (and optionally the flush timeout) tuned for throughput under the tuner's p95 objective. */
export function batchSizeTuner(options: {
  knob: Knob;
  tuner: BatchTuner;
  throughput: string;
  p95: string;
  timeoutKnob?: Knob;
  /** Signal: items arriving per second, to derive the flush timeout. */
  arrivalRate?: string;
  features?: string[];
  group?: string;
}): GatedTuner {
  const { knob, tuner } = options;
  const knobs = options.timeoutKnob ? [knob, options.timeoutKnob] : [knob];
  const withTimeout = (ctx: TuneContext, b: number): Record<string, number> => {
    const values: Record<string, number> = { [knob.name]: b };
    if (options.timeoutKnob && options.arrivalRate) {
      values[options.timeoutKnob.name] = tuner.timeoutFor(
        b,
        ctx.mean(options.arrivalRate),
        options.timeoutKnob.max,
      );
    }
    return values;
  };
  return {
    kind: 'gated',
    group: options.group ?? 'batch',
    knobs,
    model: 'batch_optimization',
    features: options.features,
    objective: (s) => tuner.score(s[options.throughput] ?? 0, s[options.p95] ?? Infinity),
    propose(ctx) {
      const b = ctx.knobs[knob.name] ?? knob.get();
      const p95 = ctx.mean(options.p95);
      const next = tuner.propose({ batchSize: b, throughput: ctx.mean(options.throughput), p95 });
      if (next === undefined) return undefined;
      const reason =
        p95 > 0 && next < b && tuner.score(1, p95) < 1
          ? 'p95 above objective: smaller batch'
          : 'hill-climb probe';
      return { values: withTimeout(ctx, next), reason };
    },
    candidates(ctx) {
      const b = ctx.knobs[knob.name] ?? knob.get();
      return [b - tuner.step, b + tuner.step, b]
        .filter((v) => v >= knob.min && v <= knob.max)
        .map((v) => withTimeout(ctx, v));
    },
    outcome: (kept) => tuner.outcome(kept),
    urgent: (ctx) => tuner.score(1, ctx.mean(options.p95)) < 0.7,
  };
}

/** Pool size from Little's law (acquisitions/s x hold seconds x (1 + headroom)), gated on pool wait. */
export function poolSizeTuner(options: {
  knob: Knob;
  sizer: PoolSizer;
  rate: string;
  holdSeconds: string;
  /** Signal: mean wait for a resource (lower is better). */
  wait: string;
  group?: string;
}): GatedTuner {
  const { knob, sizer } = options;
  return {
    kind: 'gated',
    group: options.group ?? knob.name,
    knobs: [knob],
    model: 'pool_optimization',
    higherIsBetter: false,
    objective: (s) => s[options.wait] ?? 0,
    propose(ctx) {
      const size = sizer.update(ctx.mean(options.rate), ctx.mean(options.holdSeconds));
      const current = ctx.knobs[knob.name] ?? knob.get();
      if (size === current) return undefined;
      return {
        values: { [knob.name]: size },
        reason: `Little's law: rate x hold x (1 + headroom) = ${size}`,
      };
    },
  };
}

/** Cache tier sizes within a memory budget, from miniature-cache hit-ratio curves. `knobs` maps tier name to its size knob (entries). */
export function cacheBudgetTuner(options: {
  budget: CacheBudget;
  knobs: Record<string, Knob>;
  /** Objective signal, e.g. the overall hit ratio or the app's throughput (higher is better). */
  objective: string;
  /** Aging factor of the curves per interval; default 0.5. */
  aging?: number;
  /**
   * Stationarity guard (default off): no change is proposed while the objective's mean moved by more than
   * this share between the last two intervals (e.g. 0.15). The gate compares before and after windows,
   * which assumes a stationary objective; a cache warming up after a popularity shift raises its hit ratio
   * by itself, and any change made then would look like an improvement. Not applied when the change
   * will be judged on the same requests (`paired`), which no drift enters: the tuner can then follow a
   * shift at once.
   */
  settle?: number;
  /**
   * Judge a change on the same requests (default true): when the app feeds `budget.record` with each
   * access's real outcome and the budget simulates every tier exactly at its size before the change
   * (`samplingRate` 1, the sizes the steps reach as `CacheTierSpec.sizes`), the gate runs a paired sign
   * test of the real hits against those simulated ones, instead of comparing the objective's windows
   * before and after, which the hit ratio's own drift between intervals swamps. Otherwise, or before any
   * outcome was fed, the windows.
   */
  paired?: boolean;
  /** Looks the gate may take at the paired evidence (default 4: a grown cache fills over several intervals). */
  pairedLooks?: number;
  /**
   * Back to the configured sizes when the popularity shifts (default true): at every sample the budget's
   * detectors test each tier's recent real outcomes (fed by `budget.record` with `hit`) against its curve at
   * its size as it was at the last interval's end (`CacheBudget.shifted`); a significant drop to below half
   * the estimate makes the optimizer restore the sizes it started
   * from and the budget forget its curves, which then learn the new popularity from scratch. A split tuned
   * for the old popularity can be the worst one for the new; the configured split is the one the app chose
   * without the optimizer.
   */
  resetOnShift?: boolean;
  group?: string;
}): GatedTuner {
  const { budget } = options;
  let previous = NaN;
  let watching = false;
  /** Tier sizes before the change in flight (a grown tier is judged at its old size while it fills). */
  let before: Record<string, number> | undefined;
  const tiers = Object.entries(options.knobs);
  const byKnob = (ctx: TuneContext) =>
    Object.fromEntries(tiers.map(([tier, k]) => [tier, ctx.knobs[k.name] ?? k.get()]));
  return {
    kind: 'gated',
    group: options.group ?? 'cache',
    knobs: tiers.map(([, k]) => k),
    model: 'cache_optimization',
    selfBounded: true,
    objective: (s) => s[options.objective] ?? 0,
    propose(ctx) {
      const base = ctx.mean(options.objective);
      const current = byKnob(ctx);
      const paired = options.paired !== false && budget.canWatch(current);
      if (
        !paired &&
        options.settle !== undefined &&
        !(Math.abs(base - previous) <= options.settle * Math.max(Math.abs(previous), 1e-9))
      )
        return undefined;
      const r = budget.rebalance(current);
      if (!r.from || !r.to) return undefined;
      const values: Record<string, number> = {};
      for (const [tier, k] of tiers) values[k.name] = r.sizes[tier]!;
      return {
        values,
        reason: `marginal hit gain: move memory ${r.from} -> ${r.to}`,
        expectedImprovement: base > 0 ? r.expectedHitGain / base : NaN,
      };
    },
    began(old, next) {
      const from: Record<string, number> = {};
      const to: Record<string, number> = {};
      for (const [tier, k] of tiers) {
        from[tier] = old[k.name] ?? k.get();
        to[tier] = next[k.name] ?? k.get();
      }
      before = from;
      if (options.paired !== false) watching = budget.watch(from, to);
    },
    pairedLooks: options.pairedLooks ?? 4,
    paired() {
      // the app feeds outcomes: paired evidence (possibly none yet, while a grown tier fills)
      return watching && budget.watchedOutcomes > 0 ? budget.evidence() : undefined;
    },
    outcome() {
      if (watching) budget.unwatch();
      watching = false;
      before = undefined;
    },
    onInterval: (ctx) => {
      previous = ctx.mean(options.objective);
      budget.age(options.aging ?? 0.5);
    },
    shifted(ctx) {
      if (options.resetOnShift === false) return undefined;
      const sizes = byKnob(ctx);
      if (before) for (const tier of Object.keys(sizes)) sizes[tier] = Math.min(sizes[tier]!, before[tier]!);
      const s = budget.shifted(sizes);
      if (!s) return undefined;
      const p = s.pValue < 1e-12 ? 'p < 1e-12' : `p = ${s.pValue.toExponential(1)}`;
      return `popularity shifted: ${s.tier} hit ${s.hits} of its last ${s.n} accesses, ${(s.expected * 100).toFixed(1)}% expected at ${s.size} entries (${p})`;
    },
    reset() {
      budget.forget();
      watching = false;
      before = undefined;
      previous = NaN;
    },
  };
}

/**
 * A cache tier's TTL from observed reuse intervals (`TtlAdvisor`), gated on an objective such as the
 * tier's hit ratio. `maxTtl` is the staleness the app tolerates; the knob's unit must match the times
 * fed to the advisor.
 */
export function ttlTuner(options: {
  knob: Knob;
  advisor: TtlAdvisor;
  objective: string;
  quantile?: number;
  group?: string;
}): GatedTuner {
  const { knob, advisor } = options;
  return {
    kind: 'gated',
    group: options.group ?? knob.name,
    knobs: [knob],
    objective: (s) => s[options.objective] ?? 0,
    propose(ctx) {
      if (advisor.size < 20) return undefined;
      const q = options.quantile ?? 0.9;
      const ttl = advisor.recommend(q, knob.min, knob.max);
      const current = ctx.knobs[knob.name] ?? knob.get();
      if (Math.abs(ttl - current) <= Math.max(1e-9, current * 0.05)) return undefined;
      const gain = advisor.hitShare(ttl) - advisor.hitShare(current);
      return {
        values: { [knob.name]: ttl },
        reason: `TTL covering ${Math.round(q * 100)}% of observed reuses`,
        expectedImprovement: gain,
      };
    },
  };
}
