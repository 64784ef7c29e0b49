import {
  AdaptiveOptimizer,
  Aimd,
  BatchTuner,
  CacheBudget,
  ManualScheduler,
  batchSizeTuner,
  cacheBudgetTuner,
  concurrencyTuner,
  type Knob,
} from '../src/index.js';
import { CACHE_BUDGET, LlmPlant, P95_OBJECTIVE, PHASES, oracle, type PlantConfig } from './llmPlant.js';

export const INTERVALS_PER_PHASE = 30;
const SAMPLE_S = 10;
const INTERVAL_S = 300;
const SAMPLES_PER_INTERVAL = INTERVAL_S / SAMPLE_S;

/** The sketch's static defaults: max_concurrent_tasks 20, llm batch_size 5, cache memory split evenly. */
export const STATIC: PlantConfig = {
  concurrency: 20,
  batchSize: 5,
  cacheDecide: CACHE_BUDGET / 2,
  cacheTools: CACHE_BUDGET / 2,
};

export interface IntervalFigure {
  phase: number;
  throughput: number;
  p95: number;
}

export interface RunResult {
  intervals: IntervalFigure[];
  decisions: number;
  kept: number;
  rolledBack: number;
}

function knob(name: string, cfg: PlantConfig, key: keyof PlantConfig, min: number, max: number): Knob {
  return { name, min, max, get: () => cfg[key], set: (v) => void (cfg[key] = v) };
}

/** Runs the plant through the four phases; `mode` picks who sets the knobs. */
export async function run(
  mode: 'static' | 'optimizer' | 'oracle',
  seed: number,
  oracles?: PlantConfig[],
): Promise<RunResult> {
  const cfg: PlantConfig = { ...STATIC };
  const plant = new LlmPlant(cfg, seed);
  const scheduler = new ManualScheduler();
  let last = { throughput: 0, p95: 0, hitRatio: 0, rejected: 0, latency: 0 };
  const samples: { throughput: number; p95: number }[] = [];
  // Registered before the optimizer: at equal times the plant samples first, then the optimizer reads.
  let fireAlert: ((alert: { rule: string }) => void) | undefined;
  let alerting = false;
  scheduler.every(SAMPLE_S * 1000, () => {
    last = plant.sample();
    samples.push(last);
    if (last.p95 > 5 && !alerting) fireAlert?.({ rule: 'response_time_critical' });
    alerting = last.p95 > 5;
  });
  let optimizer: AdaptiveOptimizer | undefined;
  if (mode === 'optimizer') {
    const budget = new CacheBudget({
      budgetBytes: CACHE_BUDGET,
      tiers: [
        { name: 'decide', bytesPerEntry: 1, minEntries: 200 },
        { name: 'tools', bytesPerEntry: 1, minEntries: 200 },
      ],
      samplingRate: 0.25,
      stepBytes: 400,
      salt: seed,
    });
    plant.onKey = (tier, key) => budget.record(tier, key);
    optimizer = new AdaptiveOptimizer({
      config: {
        enabled: true,
        learning_rate: 0.1,
        optimization_interval: INTERVAL_S,
        sample_interval: SAMPLE_S,
        safe_optimization_threshold: 0.95,
        cooldown_intervals: 1,
        ml_models: {},
      },
      signals: {
        throughput: () => last.throughput,
        p95: () => last.p95,
        hitRatio: () => last.hitRatio,
        rejected: () => last.rejected,
        latency: () => last.latency,
      },
      tuners: [
        concurrencyTuner({
          knob: knob('llm.concurrency', cfg, 'concurrency', 1, 200),
          // Timeout: 20% above the call latency at which the p95 objective (1.6 x call latency) breaks.
          // Increase 2 per 10 s sample (a sample aggregates hundreds of calls; upstream adds 1 per call).
          controller: new Aimd({
            initialLimit: cfg.concurrency,
            minLimit: 1,
            maxLimit: 200,
            timeout: (1.2 * P95_OBJECTIVE) / 1.6,
            increase: 2,
          }),
          rtt: 'latency',
          drops: 'rejected',
        }),
        batchSizeTuner({
          knob: { ...knob('llm.batch_size', cfg, 'batchSize', 1, 16), maxStep: 8 },
          tuner: new BatchTuner({ min: 1, max: 16, p95Objective: P95_OBJECTIVE, initialStep: 1 }),
          throughput: 'throughput',
          p95: 'p95',
        }),
        cacheBudgetTuner({
          budget,
          knobs: {
            decide: {
              ...knob('cache.decide.entries', cfg, 'cacheDecide', 200, CACHE_BUDGET - 200),
              maxStep: 400,
            },
            tools: {
              ...knob('cache.tools.entries', cfg, 'cacheTools', 200, CACHE_BUDGET - 200),
              maxStep: 400,
            },
          },
          objective: 'hitRatio',
        }),
      ],
      clock: scheduler.clock,
      scheduler,
      // The sketch's response_time_critical (5 s) as an alert, as @hp/monitor's AlertEngine would fire it.
      alerts: (listener) => {
        fireAlert = listener;
        return () => (fireAlert = undefined);
      },
    }).start();
  }
  const intervals: IntervalFigure[] = [];
  for (const [p, phase] of PHASES.entries()) {
    plant.phase = phase;
    if (mode === 'oracle') Object.assign(cfg, oracles![p]!);
    for (let i = 0; i < INTERVALS_PER_PHASE; i++) {
      samples.length = 0;
      await scheduler.advance(INTERVAL_S * 1000);
      const n = samples.length || 1;
      intervals.push({
        phase: p,
        throughput: samples.reduce((s, x) => s + x.throughput, 0) / n,
        p95: samples.reduce((s, x) => s + x.p95, 0) / n,
      });
    }
  }
  await optimizer?.close();
  const log = optimizer?.auditLog.entries() ?? [];
  return {
    intervals,
    decisions: log.length,
    kept: log.filter((e) => e.decision === 'kept').length,
    rolledBack: log.filter((e) => e.decision === 'rolled_back').length,
  };
}

export interface Evaluation {
  static: RunResult;
  optimizer: RunResult;
  oracle: RunResult;
  oracleConfigs: PlantConfig[];
  throughputRatio: number;
  p95Optimizer: number;
  p95Static: number;
  /** Per phase: optimizer / oracle throughput over the phase's second half. */
  gapToOracle: number[];
  /** Per shift (phases 1..3): intervals until an interval is within 10% of the oracle's mean for the phase, p95 within objective. */
  recovery: number[];
  /** Lowest optimizer / static throughput ratio over paired intervals. */
  worstWindow: number;
  samplesPerInterval: number;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export async function evaluate(seed = 1): Promise<Evaluation> {
  const oracleConfigs = PHASES.map((p) => oracle(p).config);
  const [st, opt, orc] = [
    await run('static', seed),
    await run('optimizer', seed),
    await run('oracle', seed, oracleConfigs),
  ];
  const byPhase = (r: RunResult, p: number) => r.intervals.filter((x) => x.phase === p);
  const gapToOracle = PHASES.map((_, p) => {
    const half = (r: RunResult) => byPhase(r, p).slice(INTERVALS_PER_PHASE / 2);
    return mean(half(opt).map((x) => x.throughput)) / mean(half(orc).map((x) => x.throughput));
  });
  const recovery = PHASES.slice(1).map((_, k) => {
    const p = k + 1;
    const target = 0.9 * mean(byPhase(orc, p).map((x) => x.throughput));
    const idx = byPhase(opt, p).findIndex((x) => x.throughput >= target && x.p95 <= P95_OBJECTIVE);
    return idx < 0 ? Infinity : idx + 1;
  });
  const worstWindow = Math.min(...opt.intervals.map((x, i) => x.throughput / st.intervals[i]!.throughput));
  return {
    static: st,
    optimizer: opt,
    oracle: orc,
    oracleConfigs,
    throughputRatio:
      mean(opt.intervals.map((x) => x.throughput)) / mean(st.intervals.map((x) => x.throughput)),
    p95Optimizer: mean(opt.intervals.map((x) => x.p95)),
    p95Static: mean(st.intervals.map((x) => x.p95)),
    gapToOracle,
    recovery,
    worstWindow,
    samplesPerInterval: SAMPLES_PER_INTERVAL,
  };
}
