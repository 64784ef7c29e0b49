export { AsyncError, InvalidOptionsError, QueueFullError, RateLimitedError } from './errors.js';
export type { AsyncErrorCode } from './errors.js';
export { ManualClock, systemClock } from './clock.js';
export type { Clock, TimerHandle } from './clock.js';
export { seededRng } from './random.js';
export type { Rng } from './random.js';
export { AsyncMetrics, COUNTERS, defaultAsyncMetrics, GAUGES } from './metrics.js';
export type { CounterName, GaugeName, MetricsSource } from './metrics.js';
export { PriorityQueue } from './priorityQueue.js';
export type {
  AddOptions,
  PriorityQueueOptions,
  QueueGate,
  SchedulingAlgorithm,
  Task,
  TaskContext,
  WhenFull,
} from './priorityQueue.js';
export {
  headersOf,
  parseDuration,
  parseRateLimitHeaders,
  parseRetryAfter,
  statusOf,
} from './rateLimitHeaders.js';
export type { HeaderSource, RateLimitInfo, RateLimitWindow } from './rateLimitHeaders.js';
export { RateLimiter } from './rateLimiter.js';
export type { AcquireOptions, RateLimit, RateLimiterOptions, Reservation } from './rateLimiter.js';
export { isRetryable, RetryableError, retryAfterOf, RetryBudget, RetryPolicy, sleep } from './retry.js';
export type { RetryOptions, RetryRunOptions } from './retry.js';
export { llmUsage, TaskRunner } from './taskRunner.js';
export type { RunContext, RunOptions, TaskRunnerOptions } from './taskRunner.js';
export { Batcher, llmCompatible } from './batcher.js';
export type { BatchContext, BatcherOptions, BatchProcessor, LlmRequestLike } from './batcher.js';
export { DistributedRateLimiter } from './distributedRateLimiter.js';
export type { DistributedRateLimiterOptions } from './distributedRateLimiter.js';
export { builtInWorkerFile, WorkerPool } from './workerPool.js';
export type { TimeSummary, WorkerPoolOptions, WorkerPoolStats } from './workerPool.js';
