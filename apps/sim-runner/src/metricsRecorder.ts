import { Rng } from './rng.js';

export interface RequestOutcome {
  /** False when the request failed (counted in the error rate). */
  ok?: boolean;
  /** True when it went to the LLM (a cache miss or uncached call). */
  llmCall?: boolean;
  /** true = served from cache, false = cache miss, undefined = no cache involved. */
  cacheHit?: boolean;
}

/** Figures of one step, for the time series of the report. */
export interface StepSample {
  step: number;
  /** Seconds since the run started, at the end of the step. */
  at: number;
  seconds: number;
  requests: number;
  llmCalls: number;
  cacheHits: number;
  cacheLookups: number;
  errors: number;
}

export interface MetricsRecorderOptions {
  /** Milliseconds clock (default performance.now). */
  clock?: () => number;
  /** Latency samples kept (reservoir sampling beyond this; default 1,000,000). */
  maxSamples?: number;
}

/**
 * Counts what a run does: requests (agent decisions; LLM calls for LLM agents), their latency, errors,
 * cache hits. Hot-path cost is a few field updates; latencies go to a bounded reservoir (uniform sample,
 * deterministic, with its own generator so the model's stays untouched).
 */
export class MetricsRecorder {
  requests = 0;
  errors = 0;
  llmCalls = 0;
  cacheHits = 0;
  cacheLookups = 0;
  readonly clock: () => number;
  private readonly _samples: number[] = [];
  private readonly _maxSamples: number;
  private readonly _reservoirRng = new Rng(0x5eed);
  private readonly _steps: StepSample[] = [];
  private readonly _start: number;
  private _stepStart: number;
  private _last = { requests: 0, llmCalls: 0, cacheHits: 0, cacheLookups: 0, errors: 0 };

  constructor(options: MetricsRecorderOptions = {}) {
    this.clock = options.clock ?? (() => performance.now());
    this._maxSamples = options.maxSamples ?? 1_000_000;
    this._start = this.clock();
    this._stepStart = this._start;
  }

  /** Records one request that took `seconds`. */
  record(seconds: number, outcome: RequestOutcome = {}): void {
    this.requests++;
    if (outcome.ok === false) this.errors++;
    if (outcome.llmCall) this.llmCalls++;
    if (outcome.cacheHit !== undefined) {
      this.cacheLookups++;
      if (outcome.cacheHit) this.cacheHits++;
    }
    if (this._samples.length < this._maxSamples) this._samples.push(seconds);
    else {
      const j = this._reservoirRng.int(this.requests);
      if (j < this._maxSamples) this._samples[j] = seconds;
    }
  }

  /** Times `fn` and records it (an exception counts as an error and is rethrown). */
  async time<T>(fn: () => Promise<T>, outcome: (value: T) => RequestOutcome = () => ({})): Promise<T> {
    const start = this.clock();
    try {
      const value = await fn();
      this.record((this.clock() - start) / 1000, outcome(value));
      return value;
    } catch (error) {
      this.record((this.clock() - start) / 1000, { ok: false });
      throw error;
    }
  }

  /** Closes the current step's sample. */
  endStep(step: number): StepSample {
    const now = this.clock();
    const sample: StepSample = {
      step,
      at: (now - this._start) / 1000,
      seconds: (now - this._stepStart) / 1000,
      requests: this.requests - this._last.requests,
      llmCalls: this.llmCalls - this._last.llmCalls,
      cacheHits: this.cacheHits - this._last.cacheHits,
      cacheLookups: this.cacheLookups - this._last.cacheLookups,
      errors: this.errors - this._last.errors,
    };
    this._steps.push(sample);
    this._stepStart = now;
    this._last = {
      requests: this.requests,
      llmCalls: this.llmCalls,
      cacheHits: this.cacheHits,
      cacheLookups: this.cacheLookups,
      errors: this.errors,
    };
    return sample;
  }

  get steps(): readonly StepSample[] {
    return this._steps;
  }

  /** Seconds since the recorder was created. */
  elapsed(): number {
    return (this.clock() - this._start) / 1000;
  }

  /** Latency samples in seconds (unsorted). */
  latencies(): readonly number[] {
    return this._samples;
  }
}
