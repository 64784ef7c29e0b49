import {
  AdaptiveOptimizer,
  Aimd,
  cacheBudgetTuner,
  concurrencyTuner,
  type AuditEntry,
  type CacheBudget,
  type Knob,
  type Tuner,
} from '@hp/optimizer';
import type { SimConfig } from './config.js';

/** One optimizer decision as it appears in the report (NaN figures become null in JSON). */
export type OptimizerAuditRow = Omit<AuditEntry, 'expectedImprovement' | 'measuredImprovement' | 'pValue'> & {
  expectedImprovement: number | null;
  measuredImprovement: number | null;
  pValue: number | null;
};

/** What the report says about the optimizer. */
export interface OptimizerReport {
  enabled: boolean;
  /** Each knob's value when the run started and when it ended. */
  knobs: Record<string, { initial: number; final: number; min: number; max: number }>;
  /** The optimizer's audit log, oldest first. */
  audit: OptimizerAuditRow[];
}

/**
 * The run's signals for the optimizer, over a sliding window of the last `windowSeconds`: mean and p95
 * response time of the decisions that went to the LLM (seconds), requests per second, and 429s seen since
 * the previous sample. Bounded (a ring of the last `capacity` completions).
 */
export class RunSignals {
  private readonly _clock: () => number;
  private readonly _windowMs: number;
  private readonly _times: Float64Array;
  private readonly _latencies: Float64Array;
  private _next = 0;
  private _size = 0;
  private readonly _count429: () => number;
  private _last429 = 0;
  private readonly _queueWait: (() => { waitMs: number; started: number }) | undefined;
  private _lastWait = { waitMs: 0, started: 0 };

  constructor(options: {
    clock: () => number;
    windowSeconds: number;
    count429: () => number;
    /**
     * Cumulative time requests waited in the client's queue before being sent (ms) and requests started,
     * e.g. from @hp/async's `PriorityQueue.stats`: gives the `queueDelay` signal.
     */
    queueWait?: () => { waitMs: number; started: number };
    capacity?: number;
  }) {
    this._clock = options.clock;
    this._windowMs = options.windowSeconds * 1000;
    const capacity = options.capacity ?? 10_000;
    this._times = new Float64Array(capacity);
    this._latencies = new Float64Array(capacity);
    this._count429 = options.count429;
    this._queueWait = options.queueWait;
  }

  /** A completed request: `seconds` of latency, `NaN` for a cache hit (counts for throughput only). */
  add(seconds: number): void {
    this._times[this._next] = this._clock();
    this._latencies[this._next] = seconds;
    this._next = (this._next + 1) % this._times.length;
    this._size = Math.min(this._size + 1, this._times.length);
  }

  private _recent(): { count: number; latencies: number[] } {
    const since = this._clock() - this._windowMs;
    const latencies: number[] = [];
    let count = 0;
    for (let i = 0; i < this._size; i++) {
      if (this._times[i]! < since) continue;
      count++;
      const l = this._latencies[i]!;
      if (!Number.isNaN(l)) latencies.push(l);
    }
    return { count, latencies };
  }

  /** Signal functions in the shape @hp/optimizer reads. */
  signals(): Record<string, () => number> {
    return {
      rtt: () => {
        const { latencies } = this._recent();
        return latencies.length ? latencies.reduce((s, v) => s + v, 0) / latencies.length : NaN;
      },
      p95: () => {
        const sorted = this._recent().latencies.sort((a, b) => a - b);
        return sorted.length
          ? sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)]!
          : NaN;
      },
      throughput: () => this._recent().count / (this._windowMs / 1000),
      /** Share of the window's completions answered from a cache (NaN when none completed). */
      hitRatio: () => {
        const { count, latencies } = this._recent();
        return count > 0 ? (count - latencies.length) / count : NaN;
      },
      rateLimited: () => {
        const total = this._count429();
        const delta = total - this._last429;
        this._last429 = total;
        return delta;
      },
      ...(this._queueWait ? { queueDelay: () => this._queueDelay() } : {}),
    };
  }

  /** Mean queueing delay (seconds) of the requests started since the previous read; NaN if none started. */
  private _queueDelay(): number {
    const now = this._queueWait!();
    const started = now.started - this._lastWait.started;
    const waited = now.waitMs - this._lastWait.waitMs;
    this._lastWait = { waitMs: now.waitMs, started: now.started };
    return started > 0 ? waited / started / 1000 : NaN;
  }
}

function row(entry: AuditEntry): OptimizerAuditRow {
  const fin = (x: number) => (Number.isFinite(x) ? x : null);
  return {
    ...entry,
    expectedImprovement: fin(entry.expectedImprovement),
    measuredImprovement: fin(entry.measuredImprovement),
    pValue: fin(entry.pValue),
  };
}

export interface LlmOptimizerOptions {
  config: SimConfig;
  /** The scenario's concurrency: the knob's starting point (the optimizer may go up to 4x). */
  concurrency: number;
  /** The runtime setter and getter of the LLM calls' concurrency (LlmClient's TaskRunner, the model's lanes). */
  getConcurrency: () => number;
  setConcurrency: (value: number) => void;
  signals: RunSignals;
  seed: number;
  /**
   * AIMD's `queueTolerance`: queueing in the client (behind its learned rate limit) above this share of the
   * service time counts as a drop. Needs RunSignals' `queueWait`. Default: off.
   */
  queueTolerance?: number;
  /**
   * Response caches sharing a memory budget (key-popularity phases): `cacheBudgetTuner` moves entries to the
   * cache whose estimated marginal hit gain is highest, gated on the run's measured hit ratio.
   */
  caches?: { budget: CacheBudget; knobs: Record<string, Knob>; aging?: number; settle?: number };
}

/** The LLM calls' concurrency of a run as the optimizer's getter and setter: the client's TaskRunner and the model's lanes, turned together. */
export function llmConcurrencyOf(
  client: { runner: { queue: { concurrency: number }; setConcurrency(value: number): void } },
  model: { setConcurrency(value: number): void },
): Pick<LlmOptimizerOptions, 'getConcurrency' | 'setConcurrency'> {
  return {
    getConcurrency: () => client.runner.queue.concurrency,
    setConcurrency: (value) => {
      client.runner.setConcurrency(value);
      model.setConcurrency(value);
    },
  };
}

/**
 * The sketch's `adaptive_optimization` block wired to the run: an `AdaptiveOptimizer` of @hp/optimizer
 * turning the LLM calls' concurrency (AIMD: additive increase while the response time stays under the p95
 * target, multiplicative decrease on a 429 or a slow sample), reading the run's own signals. With
 * `enabled: false` it is built but never started: no knob moves.
 */
export class LlmOptimizer {
  readonly optimizer: AdaptiveOptimizer;
  private readonly _knobs: Knob[];
  private readonly _initial: Record<string, number>;

  constructor(options: LlmOptimizerOptions) {
    const block = options.config.performance_optimization.adaptive_optimization;
    const p95Target = options.config.benchmarking.load_testing.performance_targets.p95_response_time;
    const c = options.concurrency;
    const concurrency: Knob = {
      name: 'llm.concurrency',
      min: 1,
      max: Math.max(c * 4, 2),
      get: options.getConcurrency,
      set: (v) => options.setConcurrency(Math.round(v)),
    };
    this._knobs = [concurrency, ...Object.values(options.caches?.knobs ?? {})];
    this._initial = Object.fromEntries(this._knobs.map((k) => [k.name, k.get()]));
    const tuners: Tuner[] = [];
    if (options.caches) {
      tuners.push(
        cacheBudgetTuner({
          budget: options.caches.budget,
          knobs: options.caches.knobs,
          objective: 'hitRatio',
          ...(options.caches.aging !== undefined ? { aging: options.caches.aging } : {}),
          ...(options.caches.settle !== undefined ? { settle: options.caches.settle } : {}),
        }),
      );
    }
    this.optimizer = new AdaptiveOptimizer({
      config: {
        enabled: block.enabled,
        learning_rate: block.learning_rate,
        optimization_interval: block.optimization_interval,
        safe_optimization_threshold: block.safe_optimization_threshold,
        sample_interval: block.sample_interval,
        ml_models: block.ml_models,
      },
      signals: options.signals.signals(),
      tuners: [
        ...tuners,
        concurrencyTuner({
          knob: concurrency,
          controller: new Aimd({
            initialLimit: c,
            minLimit: concurrency.min,
            maxLimit: concurrency.max,
            timeout: p95Target,
            ...(options.queueTolerance !== undefined ? { queueTolerance: options.queueTolerance } : {}),
          }),
          rtt: 'rtt',
          drops: 'rateLimited',
          ...(options.queueTolerance !== undefined ? { queueDelay: 'queueDelay' } : {}),
        }),
      ],
      seed: options.seed,
    });
  }

  get enabled(): boolean {
    return this.optimizer.enabled;
  }

  start(): this {
    this.optimizer.start();
    return this;
  }

  close(): Promise<void> {
    return this.optimizer.close();
  }

  report(): OptimizerReport {
    const knobs: OptimizerReport['knobs'] = {};
    for (const k of this._knobs) {
      knobs[k.name] = { initial: this._initial[k.name]!, final: k.get(), min: k.min, max: k.max };
    }
    return { enabled: this.enabled, knobs, audit: this.optimizer.auditLog.entries().map(row) };
  }
}
