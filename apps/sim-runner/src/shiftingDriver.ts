import { TieredCache } from '@hp/cache';
import { LlmClient, openaiProvider, startEmulator } from '@hp/llm';
import { llmConcurrencyOf, LlmOptimizer, RunSignals } from './llmOptimizer.js';
import { CatalogCaches, KeyCatalog } from './keyPopularity.js';
import {
  LlmWealthModel,
  parseDecision,
  type Decision,
  type LlmMoneyAgent,
  type Observation,
} from './models/llmWealth.js';
import { loadShiftSchedule, ShiftRunner, ShiftScheduleError } from './shiftSchedule.js';
import type { DriverContext, SimulationDriver } from './simulationDriver.js';

/** Settings of the shifting driver (strings, as the runner passes settings). */
export interface ShiftingDriverSettings {
  /** The shift schedule (JSON file, see shiftSchedule.ts). Required. */
  shifts?: string;
  /** Emulator wall-clock ms per emulated ms (default 0.01). */
  timeScale?: string;
  /** Model id sent to the LLM (default gpt-4o-mini). */
  llmModel?: string;
  /** 'true': pipelined steps (see LlmWealthModel), so the lanes stay busy across steps. */
  pipeline?: string;
  /**
   * AIMD's `queueTolerance` (see @hp/optimizer): queueing in the client above this share of the service time
   * counts as a drop. Default 0.1; `off` wires the optimizer as the `llm` driver does (429s and timeout only).
   */
  queueTolerance?: string;
  /** Most 30%-of-budget steps one cache move may take (default 2; 1 = one step per move). */
  cacheMaxSteps?: string;
}

/**
 * The LLM-agent model (`LlmWealthModel` with @hp/llm's client and the `adaptive_optimization` block, as the
 * `llm` driver composes them) against an in-process emulator whose latency and rate limit change on a
 * schedule (`ShiftRunner`), measured in windows. Made for the optimizer's evaluation under shifting conditions;
 * a separate driver so that the `llm` driver stays as it is. Not included: `--cache FILE`, faults, tracing
 * spans, X_max (the configured plant changes mid-run, so one X_max would mean nothing).
 */
export async function createShiftingLlmDriver(context: DriverContext): Promise<SimulationDriver> {
  const { scenario, config, seed, recorder } = context;
  const settings = context.settings as ShiftingDriverSettings;
  if (!settings.shifts) throw new ShiftScheduleError('the shifting driver needs a shift schedule (shifts)');
  const schedule = await loadShiftSchedule(settings.shifts, context.signal);
  const timeScale = settings.timeScale === undefined ? 0.01 : Number(settings.timeScale);
  if (!Number.isFinite(timeScale) || timeScale < 0)
    throw new RangeError(`time scale must be a non-negative number, got "${settings.timeScale}"`);
  const emulator = await startEmulator({ seed, timeScale });
  // Connections for the optimizer's whole range (it may raise the concurrency to 4x the scenario's): a pool
  // sized from the starting concurrency would cap the requests in flight whatever the knob says.
  const provider = openaiProvider({
    baseURL: emulator.url,
    apiKey: 'emulator',
    connections: Math.max(scenario.concurrency * 4, 2),
  });
  const perf = config.performance_optimization;
  const memoryTier = new TieredCache<unknown>({ seed });
  const client = new LlmClient({
    provider,
    seed,
    concurrency: scenario.concurrency,
    queueSizeLimit: perf.async_processing.task_scheduling.queue_size_limit,
    priorityLevels: perf.async_processing.batch_processing.llm_requests.priority_levels,
    cacheTtlMs: perf.caching.levels.warm.ttl * 1000,
    // The provider's rate-limit window is one minute of its own time.
    rateLimit: timeScale > 0 ? { interval: Math.max(1, 60_000 * timeScale) } : false,
  });
  const count429 = () => emulator.stats().byStatus['429'] ?? 0;
  const tolerance = settings.queueTolerance ?? '0.1';
  const queueTolerance = tolerance === 'off' ? undefined : Number(tolerance);
  if (queueTolerance !== undefined && !(queueTolerance > 0))
    throw new RangeError(`queue tolerance must be a positive number or off, got "${tolerance}"`);
  const queue = client.runner.queue;
  const runSignals = new RunSignals({
    clock: recorder.clock,
    windowSeconds: perf.adaptive_optimization.sample_interval,
    count429,
    queueWait: () => ({ waitMs: queue.stats.waitMsTotal, started: queue.stats.started }),
  });
  // Key-popularity phases: recurring requests per kind through response caches sharing a budget.
  const catalog = new KeyCatalog(seed);
  const kinds = [...new Set(schedule.phases.flatMap((p) => Object.keys(p.keys ?? {})))];
  const caches = schedule.cache
    ? new CatalogCaches({
        kinds,
        budget: schedule.cache.budget,
        // One step shifts 30% of the budget: a smaller step changes the hit ratio by less than the gate can
        // tell from noise within a control interval at this request rate. A move may take two steps when the
        // curves say that is worth more (after a popularity shift), instead of two moves, each judged apart.
        stepShare: 0.3,
        maxSteps: Number(settings.cacheMaxSteps ?? '2'),
        ...(schedule.cache.initial ? { initial: schedule.cache.initial } : {}),
        seed,
      })
    : undefined;
  /**
   * A decision in a key-popularity phase: the agent asks about a recurring situation drawn from the catalogue
   * (its prompt, with the situation in place of its own memory), through that kind's response cache.
   */
  const decideFromCatalog = async (agent: LlmMoneyAgent, signal: AbortSignal): Promise<Decision> => {
    const { kind, situation } = catalog.next();
    // A fixed observation: the situation alone identifies the request, so it repeats across agents.
    const seen: Observation = { wealth: 1, mates: [], recent: [], summary: '' };
    const request = agent.prompt(`situation ${situation}`, seen);
    try {
      const { value, cached } = await caches!.complete(
        kind,
        request,
        (s) => client.complete(request, { signal: s, key: String(agent.uniqueId), cache: false }),
        signal,
      );
      const action = parseDecision(value.choices[0]?.content);
      return action
        ? { action, cached, malformed: false, failed: false }
        : { action: 'keep', cached, malformed: true, failed: false };
    } catch (error) {
      if (signal.aborted) throw error;
      return { action: 'keep', cached: false, malformed: false, failed: true };
    }
  };
  const shifts = new ShiftRunner(
    schedule,
    {
      reconfigure: (changes) => emulator.reconfigure(changes),
      count429,
      concurrency: () => client.runner.queue.concurrency,
      ...(caches
        ? { keys: (popularity) => catalog.shift(popularity), cacheSizes: () => caches.sizes() }
        : {}),
    },
    recorder.clock,
  );
  const side = Math.max(2, Math.ceil(Math.sqrt(scenario.agents / 2)));
  const model: LlmWealthModel = new LlmWealthModel({
    n: scenario.agents,
    width: side,
    height: side,
    seed,
    client,
    llmModel: settings.llmModel ?? 'gpt-4o-mini',
    concurrency: scenario.concurrency,
    memoryTier,
    pipeline: settings.pipeline === 'true',
    decide: async (agent, signal, observation): Promise<Decision> => {
      const start = recorder.clock();
      const decision: Decision = await recorder.time(
        () =>
          caches && catalog.active ? decideFromCatalog(agent, signal) : agent.decide(signal, observation),
        (d) => ({ ok: !d.failed && !d.malformed, llmCall: !d.cached, cacheHit: d.cached }),
      );
      const seconds = (recorder.clock() - start) / 1000;
      runSignals.add(decision.cached ? NaN : seconds);
      shifts.record(seconds, !decision.failed && !decision.malformed, decision.cached);
      return decision;
    },
  });
  const optimizer = new LlmOptimizer({
    config,
    concurrency: scenario.concurrency,
    ...llmConcurrencyOf(client, model),
    signals: runSignals,
    seed,
    ...(queueTolerance !== undefined ? { queueTolerance } : {}),
    // The curves forget a quarter-life per control interval (a popularity shift is followed within a few
    // intervals), and no cache move starts while the hit ratio is still moving by more than 15% between
    // intervals (a cache warming up after a shift would make any move look good to the gate).
    ...(caches ? { caches: { budget: caches.budget, knobs: caches.knobs, aging: 0.25, settle: 0.15 } } : {}),
  });
  shifts.start();
  optimizer.start();
  return {
    kind: 'llm-shifting',
    model,
    dataCollector: model.dataCollector,
    step: async (signal) => {
      // Past the schedule's duration: this step starts no decision for the next one (pipelined), and is the last.
      const last = shifts.expired;
      if (last) model.pipelineUntil = model.steps + 1;
      await model.stepAsync(signal);
      if (last) model.running = false;
    },
    modelSeries: () => ({ Gini: model.dataCollector.modelSeries('Gini') as number[] }),
    throughputLimit: () => null,
    stepBarrierLimit: () => null,
    optimizer: () => optimizer.report(),
    close: async () => {
      await shifts.close(context.signal);
      await optimizer.close();
      await client.close();
      await caches?.close();
      await memoryTier.close();
      await provider.close();
      await emulator.close();
    },
  };
}
