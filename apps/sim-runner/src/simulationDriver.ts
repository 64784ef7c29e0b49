import type { SimConfig } from './config.js';
import type { DataCollector } from './dataCollector.js';
import type { MetricsRecorder } from './metricsRecorder.js';
import type { Model } from './model.js';
import type { OptimizerReport } from './llmOptimizer.js';
import type { Scenario } from './scenarios.js';

/** What a driver is given to build its model. */
export interface DriverContext {
  scenario: Scenario;
  config: SimConfig;
  seed: number;
  recorder: MetricsRecorder;
  signal?: AbortSignal;
  /** Driver-specific settings from the CLI (e.g. `llmBaseUrl`). */
  settings: Readonly<Record<string, string | undefined>>;
}

/**
 * The plug between the runner and a model kind. The runner owns the loop, the progress, the metrics and
 * the report; a driver owns one model and says how a step runs and what it measures. The Boltzmann driver
 * records every agent decision as a request; the LLM-agent driver (with @hp/llm and its emulator) records
 * LLM calls, cache hits and errors the same way.
 */
export interface SimulationDriver {
  readonly kind: string;
  readonly model: Model;
  readonly dataCollector: Pick<DataCollector, 'toCSV' | 'toJSON' | 'modelVars' | 'agentVars'>;
  /** One model step (records its requests on the recorder). */
  step(signal?: AbortSignal): Promise<void>;
  /** Series of the model itself for the report, e.g. `{ Gini: [...] }`. */
  modelSeries(): Record<string, number[]>;
  /** X_max in requests per second for the configured latency, concurrency and limits; null if meaningless. */
  throughputLimit(): number | null;
  /** The best rate a step-synchronous loop can reach under the same configuration; null if meaningless. */
  stepBarrierLimit?(): number | null;
  /** The adaptive optimizer's knobs and audit log, when the driver runs one. */
  optimizer?(): OptimizerReport;
  /** Releases what the driver opened (clients, emulator, pools). */
  close(): Promise<void>;
}

export type DriverFactory = (context: DriverContext) => Promise<SimulationDriver>;
