import { type LatencyOptions } from './emulatorOptions.js';
import { logNormal, rngFor } from './random.js';

/** When the tokens of one response are due, in wall-clock ms after the request was accepted. */
export interface LatencyPlan {
  /** Time to first token (including prefill), wall-clock ms. */
  ttftMs: number;
  /** Time per output token, wall-clock ms. */
  perTokenMs: number;
  /** ttft + perToken x the longest output: when the whole response is done. */
  totalMs: number;
}

/**
 * Latency of the emulator: time to first token plus time per output token, each drawn from a log-normal
 * distribution (median, sigma) with an RNG seeded by (seed, request number), then multiplied by `timeScale`.
 *
 * Batch model: one request carrying n prompts (or n samples) pays the time to first token once (its prefill
 * grows with the total input tokens) and the per-token time for its longest output only, so it costs much less
 * than n separate requests, as on a real batched inference server.
 */
export class LatencyModel {
  private _options: LatencyOptions;
  private readonly _seed: number;
  private readonly _timeScale: number;

  constructor(options: LatencyOptions, seed: number, timeScale: number) {
    this._options = options;
    this._seed = seed;
    this._timeScale = timeScale;
  }

  /** The latency settings in force. */
  get options(): LatencyOptions {
    return this._options;
  }

  /** New latency settings for the requests accepted from now on (in-flight ones keep their plan). */
  setOptions(options: LatencyOptions): void {
    this._options = options;
  }

  plan(requestNumber: number, inputTokens: number, longestOutputTokens: number, factor = 1): LatencyPlan {
    if (this._timeScale === 0) return { ttftMs: 0, perTokenMs: 0, totalMs: 0 };
    const o = this._options;
    const rng = rngFor(this._seed, 'latency', requestNumber);
    const ttft = (logNormal(rng, o.ttftMs, o.ttftSigma) + inputTokens * o.perInputTokenMs) * factor;
    const perToken = logNormal(rng, o.perTokenMs, o.perTokenSigma) * factor;
    const ttftMs = ttft * this._timeScale;
    const perTokenMs = perToken * this._timeScale;
    return { ttftMs, perTokenMs, totalMs: ttftMs + perTokenMs * longestOutputTokens };
  }
}
