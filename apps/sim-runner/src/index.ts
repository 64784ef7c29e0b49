export { Agent } from './agent.js';
export type { AgentClass, AgentOptions, AgentSpace, GridPos, NodeId, Position } from './agent.js';
export { AgentSet } from './agentSet.js';
export type {
  AgentAction,
  AttributeName,
  DoAsyncOptions,
  DoAsyncResult,
  MethodName,
  SelectOptions,
} from './agentSet.js';
export { GroupBy } from './groupBy.js';
export { Model } from './model.js';
export type { ModelCoreState, ModelOptions, RunModelOptions } from './model.js';
export { Rng, deriveSeed, randomSeed, splitmix32 } from './rng.js';
export type { RngState } from './rng.js';
export { DataCollector } from './dataCollector.js';
export type { DataCollectorOptions, DataCollectorState, DataKind, Reporter, Row } from './dataCollector.js';
export { csvField, toCsv } from './csv.js';
export { Grid, MultiGrid, SingleGrid } from './spaces/grid.js';
export type { GridOptions, NeighborhoodOptions } from './spaces/grid.js';
export { NetworkGrid } from './spaces/network.js';
export type { Adjacency, NetworkNeighborhoodOptions } from './spaces/network.js';
export {
  CheckpointError,
  FileCheckpointStore,
  createCheckpoint,
  loadCheckpoint,
  restoreCheckpoint,
  resumeFromCheckpoint,
  saveCheckpoint,
} from './checkpoint.js';
export type {
  Checkpoint,
  CheckpointCodec,
  CheckpointErrorCode,
  CheckpointIoOptions,
  CheckpointStore,
} from './checkpoint.js';
export { defaultCheckpointCodec, envelopeCheckpointCodec, jsonCheckpointCodec } from './checkpointCodec.js';
export { BoltzmannModel, MoneyAgent } from './models/boltzmann.js';
export type { BoltzmannOptions } from './models/boltzmann.js';
export { gini } from './models/gini.js';
export {
  ConfigError,
  DEFAULT_SCENARIOS,
  configJsonSchema,
  configSchema,
  defaultConfig,
  loadConfig,
  parseConfig,
  validateConfig,
} from './config.js';
export type {
  ConfigErrorCode,
  ConfigIssue,
  PerformanceTargets,
  ScenarioConfig,
  SimConfig,
  SimConfigInput,
} from './config.js';
export { DEFAULT_SCENARIO, ScenarioNotFoundError, getScenario, listScenarios } from './scenarios.js';
export type { Scenario } from './scenarios.js';
export { MetricsRecorder } from './metricsRecorder.js';
export type { MetricsRecorderOptions, RequestOutcome, StepSample } from './metricsRecorder.js';
export type { DriverContext, DriverFactory, SimulationDriver } from './simulationDriver.js';
export { createBoltzmannDriver } from './boltzmannDriver.js';
export { BUILTIN_DRIVERS, RunnerError, runSimulation } from './runner.js';
export type { RunOptions, RunResult, RunnerErrorCode } from './runner.js';
export { buildReport, formatReportTable, formatSeconds, latencyHistogram, quantile } from './report.js';
export type { BuildReportInput, LatencyHistogram, RunReport, TargetResult, TargetStatus } from './report.js';
export { renderHtmlReport } from './htmlReport.js';
export { barChart, escapeXml, lineChart } from './svgChart.js';
export type { ChartOptions, LineSeries } from './svgChart.js';
export { ProgressReporter } from './progress.js';
export type { ProgressInfo, ProgressOptions, ProgressStream } from './progress.js';
export { HELP, main } from './cli.js';
export type { CliIo } from './cli.js';
export { BatchRunError, batchRun, defaultWorkerFile, parameterGrid } from './batchRun.js';
export type { BatchRunErrorCode, BatchRunOptions, BatchRunResult } from './batchRun.js';
export { BUILTIN_MODELS, runBatchTask } from './batchTask.js';
export type { BatchModelClass, BatchTask, ModelSpec } from './batchTask.js';
export { AgentMemory } from './agentMemory.js';
export type { AgentMemoryState } from './agentMemory.js';
export { ACTIONS, LlmMoneyAgent, LlmWealthModel, parseDecision } from './models/llmWealth.js';
export type { Action, Decision, DecisionClient, LlmWealthOptions, Observation } from './models/llmWealth.js';
export { createLlmDriver } from './llmDriver.js';
export type { LlmDriverSettings } from './llmDriver.js';
export { PostgresCheckpointStore } from './postgresCheckpointStore.js';
export type { PgPoolLike, PgQueryable, PostgresCheckpointStoreOptions } from './postgresCheckpointStore.js';
export {
  expectedStepMakespan,
  logNormalMean,
  meanLatencySeconds,
  throughputLimits,
} from './throughputLimit.js';
export type { LatencyModelSpec, ThroughputLimitInput, ThroughputLimits } from './throughputLimit.js';
export { LlmOptimizer, RunSignals } from './llmOptimizer.js';
export type { LlmOptimizerOptions, OptimizerAuditRow, OptimizerReport } from './llmOptimizer.js';
