import { Rng } from './rng.js';

/**
 * The throughput limits of an LLM-agent run, computed from the configuration (the emulator's latency model,
 * its time scale and rate limits, the scenario's agents and concurrency), not from what the run measured.
 *
 * - `xMax` (issue 8's `throughputLimit`): Little's law with every lane busy, capped by the rate limits:
 *   `min(C / L, RPM / 60, TPM / 60 / tokens per request)` per wall-clock second, where `L` is the mean
 *   latency of the configured model (mean of the log-normal time to first token + mean per-token time x
 *   output tokens, times the time scale).
 * - `stepBarrierLimit`: what a step-synchronous loop can reach at best. Every step starts `agents`
 *   decisions, at most `C` in flight (lanes take the next agent in activation order as they free up), and
 *   the next step starts when the slowest one is back. Its rate is `agents / E[makespan]`, with the
 *   makespan's expectation estimated by a seeded Monte Carlo over the same latency model. With agents <= C it
 *   is `agents / E[max of the latencies]`; it approaches `xMax` as agents / C grows.
 *
 * Neither counts the framework's own CPU time, cache hits, retries after injected faults or client-side
 * queueing: they are upper bounds for the configured plant. Hand-written (a few lines of arithmetic; no
 * library models a list-scheduled makespan).
 */
export interface LatencyModelSpec {
  /** Median time to first token, emulated ms. */
  ttftMs: number;
  ttftSigma: number;
  /** Median time per output token, emulated ms. */
  perTokenMs: number;
  perTokenSigma: number;
  /** Prefill per input token, emulated ms. */
  perInputTokenMs: number;
}

export interface ThroughputLimitInput {
  latency: LatencyModelSpec;
  /** Wall-clock ms per emulated ms (0 = no waiting: no latency-bound limit). */
  timeScale: number;
  /** Calls in flight at once. */
  concurrency: number;
  /** Mean output tokens per request. */
  outputTokens: number;
  /** Mean input (prompt) tokens per request. */
  inputTokens: number;
  /** Requests per emulated minute; undefined = unlimited. */
  rpm?: number | undefined;
  /** Tokens per emulated minute; undefined = unlimited. */
  tpm?: number | undefined;
}

export interface ThroughputLimits {
  /** Mean latency of one call, wall-clock seconds. */
  meanLatencySeconds: number;
  /** X_max, requests per second (null when nothing bounds it, e.g. time scale 0 and no limits). */
  xMax: number | null;
  /** The step barrier's bound, requests per second (null like xMax). */
  stepBarrierLimit: number | null;
  /** stepBarrierLimit / xMax (null when either is null). */
  barrierEfficiency: number | null;
}

/** Mean of a log-normal variable with the given median and shape. */
export function logNormalMean(median: number, sigma: number): number {
  return median <= 0 ? 0 : median * Math.exp((sigma * sigma) / 2);
}

/** Mean latency of one call in wall-clock seconds under the configured model. */
export function meanLatencySeconds(input: ThroughputLimitInput): number {
  const l = input.latency;
  const emulatedMs =
    logNormalMean(l.ttftMs, l.ttftSigma) +
    input.inputTokens * l.perInputTokenMs +
    logNormalMean(l.perTokenMs, l.perTokenSigma) * input.outputTokens;
  return (emulatedMs * input.timeScale) / 1000;
}

/** The rate limits in requests per wall-clock second (Infinity when there are none). */
function rateLimit(input: ThroughputLimitInput): number {
  if (input.timeScale <= 0) return Infinity; // the limiter's minute passes in no time
  let limit = Infinity;
  const minuteSeconds = 60 * input.timeScale;
  if (input.rpm !== undefined) limit = Math.min(limit, input.rpm / minuteSeconds);
  const tokens = input.inputTokens + input.outputTokens;
  if (input.tpm !== undefined && tokens > 0) limit = Math.min(limit, input.tpm / minuteSeconds / tokens);
  return limit;
}

function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** One call's wall-clock latency (seconds) drawn from the configured model. */
function drawLatency(rng: Rng, input: ThroughputLimitInput): number {
  const l = input.latency;
  const logNormal = (median: number, sigma: number) =>
    median <= 0 ? 0 : sigma <= 0 ? median : median * Math.exp(sigma * rng.normal());
  const ttft = logNormal(l.ttftMs, l.ttftSigma) + input.inputTokens * l.perInputTokenMs;
  const perToken = logNormal(l.perTokenMs, l.perTokenSigma);
  return ((ttft + perToken * input.outputTokens) * input.timeScale) / 1000;
}

/**
 * Expected makespan (seconds) of one step: `agents` calls list-scheduled on `concurrency` lanes in order,
 * estimated over `samples` simulated steps with a seeded generator (deterministic).
 */
export function expectedStepMakespan(
  input: ThroughputLimitInput,
  agents: number,
  options: { samples?: number; seed?: number } = {},
): number {
  const rng = new Rng(options.seed ?? 1);
  // At most ~1e6 draws, at least 20 steps.
  const samples = options.samples ?? Math.max(20, Math.min(400, Math.floor(1e6 / Math.max(1, agents))));
  const lanes = Math.max(1, Math.min(input.concurrency, agents));
  const free = new Float64Array(lanes);
  let total = 0;
  for (let s = 0; s < samples; s++) {
    free.fill(0);
    let makespan = 0;
    for (let a = 0; a < agents; a++) {
      // The lane that frees up first takes the next agent.
      let k = 0;
      for (let j = 1; j < lanes; j++) if (free[j]! < free[k]!) k = j;
      const end = free[k]! + drawLatency(rng, input);
      free[k] = end;
      if (end > makespan) makespan = end;
    }
    total += makespan;
  }
  return total / samples;
}

/** X_max and the step barrier's bound for a scenario of `agents` agents (see the file comment). */
export function throughputLimits(
  input: ThroughputLimitInput,
  agents: number,
  options: { samples?: number; seed?: number } = {},
): ThroughputLimits {
  const latency = meanLatencySeconds(input);
  const limits = rateLimit(input);
  const xMax = finite(Math.min(latency > 0 ? input.concurrency / latency : Infinity, limits));
  let barrier: number | null = null;
  if (agents > 0) {
    const makespan = latency > 0 ? expectedStepMakespan(input, agents, options) : 0;
    barrier = finite(Math.min(makespan > 0 ? agents / makespan : Infinity, limits));
  }
  return {
    meanLatencySeconds: latency,
    xMax,
    stepBarrierLimit: barrier,
    barrierEfficiency: xMax !== null && barrier !== null ? barrier / xMax : null,
  };
}
