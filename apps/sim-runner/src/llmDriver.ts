import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SqliteStore, TieredCache } from '@hp/cache';
import { LlmClient, openaiProvider, startEmulator, type Emulator } from '@hp/llm';
import { SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { LlmWealthModel, type Decision } from './models/llmWealth.js';
import { llmConcurrencyOf, LlmOptimizer, RunSignals } from './llmOptimizer.js';
import type { DriverContext, SimulationDriver } from './simulationDriver.js';
import { throughputLimits, type ThroughputLimits } from './throughputLimit.js';

/** Settings of the `llm` driver (CLI flags). */
export interface LlmDriverSettings {
  /** OpenAI-compatible endpoint; absent = start the emulator in-process. */
  llmBaseUrl?: string;
  /** Model id (default gpt-4o-mini). */
  llmModel?: string;
  /** Emulator wall-clock ms per emulated ms (default 0.01: 100x faster than a real API). */
  timeScale?: string;
  /** Share of emulator requests that fail (spread over 500/503/429/reset/malformed; default 0). */
  faultRate?: string;
  /**
   * A SQLite file under the in-process cache tiers: LLM answers persist across runs (no TTL), so a second
   * run of the same scenario and seed replays them without a single LLM call.
   */
  cacheFile?: string;
  /** 'true': pipelined steps (an agent's next decision starts right after its own apply); see LlmWealthModel. */
  pipeline?: string;
  /**
   * Steps of look-ahead ('true' = 1; an agent's decision d steps ahead starts once its own decision before it
   * is known); see LlmWealthModel.
   */
  lookahead?: string;
  /** Decisions admitted beyond the concurrency (a non-negative integer); default half of it with look-ahead. */
  backlog?: string;
}

const tracer = trace.getTracer('sim-runner');

async function inSpan<T>(
  name: string,
  attributes: Record<string, string | number | boolean>,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}

function num(text: string | undefined, fallback: number, name: string): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0)
    throw new RangeError(`${name} must be a non-negative number, got "${text}"`);
  return n;
}

/** Limits of the in-process emulator: OpenAI's gpt-4o-mini at usage tier 5 (requests and tokens per minute). */
export const EMULATOR_RPM = 30_000;
export const EMULATOR_TPM = 150_000_000;
/** @hp/async's default retry back-off (base and cap, ms), scaled with the emulator's time scale. */
const RETRY_BASE_MS = 500;
const RETRY_MAX_MS = 30_000;

/**
 * The LLM-agent model under a scenario, composed from the layers: @hp/llm's client (cache with
 * single-flight, priority queue, learned rate limits, concurrency, retries) over the official OpenAI SDK,
 * talking to the emulator started in-process (or to `--llm-base-url`). Every decision is a request: an LLM
 * call when it missed the cache, a cache hit otherwise; failed calls and malformed answers are errors.
 */
export async function createLlmDriver(context: DriverContext): Promise<SimulationDriver> {
  const { scenario, config, seed, recorder } = context;
  const settings = context.settings as LlmDriverSettings;
  const timeScale = num(settings.timeScale, 0.01, 'time scale');
  const faultRate = num(settings.faultRate, 0, 'fault rate');
  if (faultRate > 1) throw new RangeError(`fault rate must be at most 1, got ${faultRate}`);
  let emulator: Emulator | undefined;
  let baseURL = settings.llmBaseUrl;
  if (!baseURL) {
    const share = faultRate / 5;
    emulator = await startEmulator({
      seed,
      timeScale,
      // A provider always has limits and says where a request stands in x-ratelimit-* headers, on 429s
      // too; these are OpenAI's published gpt-4o-mini limits of a high usage tier, far above what the
      // scenarios ask for (stress_test: ~3,200 requests per minute), so X_max stays C / L.
      rpm: EMULATOR_RPM,
      tpm: EMULATOR_TPM,
      faults: { http500: share, http503: share, http429: share, reset: share, malformed: share },
    });
    baseURL = emulator.url;
  }
  const provider = openaiProvider({
    baseURL,
    apiKey: process.env.OPENAI_API_KEY ?? 'emulator',
    // as many connections as the optimizer may raise the concurrency to (its knob's max)
    connections: Math.max(scenario.concurrency * 4, 2),
  });
  const perf = config.performance_optimization;
  let cache: TieredCache<unknown> | undefined;
  if (settings.cacheFile) {
    mkdirSync(dirname(settings.cacheFile), { recursive: true });
    cache = new TieredCache<unknown>({
      stores: [{ name: 'sqlite', store: new SqliteStore({ path: settings.cacheFile }), timeoutMs: 5000 }],
      seed,
    });
  }
  // The agents' memory summaries: an in-process TieredCache (their `agent_memory` keys land in the hot tier).
  const memoryTier = new TieredCache<unknown>({ seed });
  const client = new LlmClient({
    provider,
    ...(cache ? { cache } : {}),
    seed,
    concurrency: scenario.concurrency,
    queueSizeLimit: perf.async_processing.task_scheduling.queue_size_limit,
    priorityLevels: perf.async_processing.batch_processing.llm_requests.priority_levels,
    // A persistent cache is a replayable record: its entries do not expire.
    cacheTtlMs: cache ? 0 : perf.caching.levels.warm.ttl * 1000,
    // The provider's rate-limit window is one minute of its own time.
    rateLimit: emulator ? (timeScale > 0 ? { interval: Math.max(1, 60_000 * timeScale) } : false) : {},
    // Against the time-scaled emulator the client's own waits run on the same clock: retry back-offs
    // (@hp/async's defaults, 500 ms base, 30 s cap) scale with it, as its retry-after answers do.
    ...(emulator
      ? { retry: { baseDelay: RETRY_BASE_MS * timeScale, maxDelay: RETRY_MAX_MS * timeScale } }
      : {}),
  });
  const side = Math.max(2, Math.ceil(Math.sqrt(scenario.agents / 2)));
  const runSignals = new RunSignals({
    clock: recorder.clock,
    windowSeconds: perf.adaptive_optimization.sample_interval,
    // 429s: the emulator's own count (retried ones included); for a real provider the calls that failed on them.
    count429: () =>
      emulator ? (emulator.stats().byStatus['429'] ?? 0) : (client.stats().errors['RATE_LIMITED'] ?? 0),
  });
  let cachedLimits: ThroughputLimits | null | undefined;
  const limits = (): ThroughputLimits | null => {
    if (cachedLimits !== undefined) return cachedLimits;
    if (!emulator) return (cachedLimits = null);
    const stats = emulator.stats();
    if (stats.prompts === 0) return null;
    const o = emulator.options;
    cachedLimits = throughputLimits(
      {
        latency: o.latency,
        timeScale: o.timeScale,
        concurrency: scenario.concurrency,
        outputTokens: stats.outputTokens / stats.prompts,
        inputTokens: stats.inputTokens / stats.prompts,
        rpm: o.rpm,
        tpm: o.tpm,
      },
      scenario.agents,
      { seed },
    );
    return cachedLimits;
  };
  const llmModel = settings.llmModel ?? 'gpt-4o-mini';
  const pipeline = settings.pipeline !== undefined && settings.pipeline !== 'false';
  const lookahead =
    settings.lookahead === undefined || settings.lookahead === 'false'
      ? 0
      : settings.lookahead === 'true'
        ? 1
        : num(settings.lookahead, 1, 'look-ahead steps');
  const model: LlmWealthModel = new LlmWealthModel({
    n: scenario.agents,
    width: side,
    height: side,
    seed,
    client,
    llmModel,
    concurrency: scenario.concurrency,
    memoryTier,
    pipeline,
    lookahead,
    // Look-ahead keeps the client's C slots fed while some decisions wait out a retry back-off (the client
    // gives the slot back meanwhile) or a straggler holds the step window: C/2 decisions are admitted
    // beyond C and queue in the client (measured with 5% faults: C/10 gave 90-94% of X_max, C/2 94-97%,
    // at the price of queueing time in the response time; benchmark/RESULTS.md).
    backlog:
      settings.backlog !== undefined
        ? num(settings.backlog, 0, 'backlog')
        : lookahead > 0
          ? Math.ceil(scenario.concurrency / 2)
          : 0,
    decide: (agent, signal, observation): Promise<Decision> =>
      inSpan('agent.step', { 'sim.agent.id': agent.uniqueId }, () =>
        inSpan('llm.decide', { 'gen_ai.request.model': llmModel }, async (span) => {
          const start = recorder.clock();
          const decision: Decision = await recorder.time(
            () => agent.decide(signal, observation),
            (d) => ({ ok: !d.failed && !d.malformed, llmCall: !d.cached, cacheHit: d.cached }),
          );
          runSignals.add(decision.cached ? NaN : (recorder.clock() - start) / 1000);
          span.setAttributes({
            'sim.decision.action': decision.action,
            'sim.decision.cached': decision.cached,
            'sim.decision.malformed': decision.malformed,
            'sim.decision.failed': decision.failed,
          });
          return decision;
        }),
      ),
  });
  model.pipelineUntil = scenario.steps;
  // adaptive_optimization: @hp/optimizer turns the LLM calls' concurrency (the client's TaskRunner and the
  // model's lanes) from the run's own signals; with enabled: false it never starts and no knob moves.
  const optimizer = new LlmOptimizer({
    config,
    concurrency: scenario.concurrency,
    ...llmConcurrencyOf(client, model),
    signals: runSignals,
    seed,
  }).start();
  return {
    kind: 'llm',
    model,
    dataCollector: model.dataCollector,
    step: (signal) => model.stepAsync(signal),
    modelSeries: () => ({ Gini: model.dataCollector.modelSeries('Gini') as number[] }),
    // X_max and the step barrier's bound from the configuration: the emulator's latency model and time scale,
    // its rate limits, the scenario's agents and concurrency. Only the mean token counts per request come from
    // the emulator's own counters (the answers' sizes); no measured latency enters. Unknown for a real server.
    throughputLimit: () => limits()?.xMax ?? null,
    stepBarrierLimit: () => limits()?.stepBarrierLimit ?? null,
    optimizer: () => optimizer.report(),
    close: async () => {
      await optimizer.close();
      await client.close();
      await cache?.close();
      await memoryTier.close();
      await provider.close();
      await emulator?.close();
    },
  };
}
