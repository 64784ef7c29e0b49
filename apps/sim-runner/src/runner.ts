import { SpanStatusCode, trace } from '@opentelemetry/api';
import { createBoltzmannDriver } from './boltzmannDriver.js';
import { createLlmDriver } from './llmDriver.js';
import type { SimConfig } from './config.js';
import { MetricsRecorder } from './metricsRecorder.js';
import type { ProgressInfo } from './progress.js';
import { buildReport, type RunReport } from './report.js';
import { randomSeed } from './rng.js';
import type { Scenario } from './scenarios.js';
import type { DriverFactory, SimulationDriver } from './simulationDriver.js';

/** Model kinds the runner knows: the Boltzmann wealth model, and its LLM-agent variant over @hp/llm. */
export const BUILTIN_DRIVERS: Readonly<Record<string, DriverFactory>> = {
  boltzmann: createBoltzmannDriver,
  llm: createLlmDriver,
};

const tracer = trace.getTracer('sim-runner');

export type RunnerErrorCode = 'UNKNOWN_MODEL';

export class RunnerError extends Error {
  readonly code: RunnerErrorCode;
  constructor(code: RunnerErrorCode, message: string) {
    super(message);
    this.name = 'RunnerError';
    this.code = code;
  }
}

export interface RunOptions {
  scenario: Scenario;
  config: SimConfig;
  /** Seed of the run (drawn and recorded when absent). */
  seed?: number;
  /** Model kind (default `boltzmann`). */
  model?: string;
  /** Model kinds available (default BUILTIN_DRIVERS); add your own here. */
  drivers?: Readonly<Record<string, DriverFactory>>;
  /** Driver-specific settings (e.g. `llmBaseUrl`). */
  settings?: Record<string, string | undefined>;
  signal?: AbortSignal;
  /** Milliseconds clock (default performance.now). */
  clock?: () => number;
  onProgress?: (progress: ProgressInfo) => void;
  /** Called once the driver exists (e.g. to restore a checkpoint into `driver.model`). */
  onStart?: (driver: SimulationDriver) => void | Promise<void>;
  /** Called after the last step, before the driver closes (e.g. to save a checkpoint). */
  onEnd?: (driver: SimulationDriver) => void | Promise<void>;
}

export interface RunResult {
  report: RunReport;
  /** The DataCollector of the run's model (CSV/JSON export). */
  dataCollector: SimulationDriver['dataCollector'];
}

/** Runs one scenario to the end and measures it. */
export async function runSimulation(options: RunOptions): Promise<RunResult> {
  const { scenario, config, signal, onProgress } = options;
  const kind = options.model ?? 'boltzmann';
  const drivers = options.drivers ?? BUILTIN_DRIVERS;
  const factory = drivers[kind];
  if (!factory) {
    throw new RunnerError(
      'UNKNOWN_MODEL',
      `no model kind "${kind}"; available: ${Object.keys(drivers).join(', ')}`,
    );
  }
  const seed = (options.seed ?? randomSeed()) >>> 0;
  const startedAt = new Date();
  const recorder = new MetricsRecorder({ clock: options.clock });
  const driver = await factory({
    scenario,
    config,
    seed,
    recorder,
    signal,
    settings: options.settings ?? {},
  });
  try {
    await options.onStart?.(driver);
    const model = driver.model;
    let lastYield = recorder.clock();
    while (model.running && model.steps < scenario.steps) {
      // A model whose steps never wait (Boltzmann) would hold the event loop for the whole run: yield every
      // 50 ms so that Ctrl-C, timers and the monitor dashboard get their turn.
      if (recorder.clock() - lastYield > 50) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        lastYield = recorder.clock();
      }
      signal?.throwIfAborted();
      // One trace per step: sim.step -> agent.step -> llm.decide -> the LLM client's spans (cache, queue, HTTP).
      await tracer.startActiveSpan(
        'sim.step',
        { attributes: { 'sim.model': kind, 'sim.step': model.steps + 1, 'sim.agents': model.agents.length } },
        async (span) => {
          try {
            await driver.step(signal);
          } catch (error) {
            span.recordException(error as Error);
            span.setStatus({ code: SpanStatusCode.ERROR });
            throw error;
          } finally {
            span.end();
          }
        },
      );
      recorder.endStep(model.steps);
      if (onProgress) {
        const elapsed = recorder.elapsed();
        const done = recorder.steps.length;
        onProgress({
          step: model.steps,
          totalSteps: scenario.steps,
          agents: model.agents.length,
          requestsPerSecond: elapsed > 0 ? recorder.requests / elapsed : 0,
          llmCallsPerSecond: elapsed > 0 ? recorder.llmCalls / elapsed : 0,
          hitRatio: recorder.cacheLookups ? recorder.cacheHits / recorder.cacheLookups : null,
          elapsedSeconds: elapsed,
          etaSeconds: done > 0 ? (elapsed / done) * (scenario.steps - model.steps) : Infinity,
        });
      }
    }
    await options.onEnd?.(driver);
    const report = buildReport({
      scenario,
      model: kind,
      seed,
      steps: model.steps,
      startedAt,
      recorder,
      targets: config.benchmarking.load_testing.performance_targets,
      throughputLimit: driver.throughputLimit(),
      stepBarrierLimit: driver.stepBarrierLimit?.() ?? null,
      optimizer: driver.optimizer?.() ?? null,
      modelSeries: driver.modelSeries(),
      modelVars: driver.dataCollector.modelVars(),
    });
    return { report, dataCollector: driver.dataCollector };
  } finally {
    await driver.close();
  }
}
