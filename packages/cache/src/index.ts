export { CacheError } from './cacheError.js';
export type { CacheErrorCode } from './cacheError.js';
export { createRng } from './random.js';
export { hashKey } from './keyHash.js';
export { FrequencySketch } from './frequencySketch.js';
export type { EvictionPolicy, PolicyName, PolicyOption } from './evictionPolicy.js';
export { LruPolicy } from './lruPolicy.js';
export { LfuPolicy } from './lfuPolicy.js';
export { WTinyLfuPolicy } from './wTinyLfuPolicy.js';
export type { WTinyLfuState } from './wTinyLfuPolicy.js';
export { MemoryCache, createPolicy, DISPOSE_REASONS } from './memoryCache.js';
export type {
  Clock,
  DisposeReason,
  MemoryCacheOptions,
  MemoryCacheStats,
  SetOptions,
} from './memoryCache.js';
export { readTrace, parseArcTrace, parseKeyLines, denseTrace } from './trace.js';
export type { Trace } from './trace.js';
export { beladyHits } from './beladyOpt.js';
export { simulate, simulateHits, SIMULATED_POLICIES } from './simulator.js';
export type { SimulatedPolicy, SimulationResult } from './simulator.js';
export {
  zipfTrace,
  scanTrace,
  loopTrace,
  concatTraces,
  phaseShiftTrace,
  zipfWithScansTrace,
} from './traceGenerators.js';
export type { ZipfOptions } from './traceGenerators.js';
export { TieredCache } from './tieredCache.js';
export type {
  CacheSetOptions,
  GetOrComputeOptions,
  TierOptions,
  TierStats,
  TieredCacheOptions,
  TieredCacheStats,
} from './tieredCache.js';
export { DEFAULT_LEVEL_RULES, LEVELS, selectLevel } from './levelRules.js';
export type { Level, LevelRule } from './levelRules.js';
export { GuardedStore } from './guardedStore.js';
export type { StoreTierOptions, StoreTierStats } from './guardedStore.js';
export { CircuitBreaker } from './circuitBreaker.js';
export type { CircuitBreakerOptions, CircuitState } from './circuitBreaker.js';
export { createRedisStore } from './redisStore.js';
export type { RedisStoreOptions } from './redisStore.js';
export { SqliteStore } from './sqliteStore.js';
export type { SqliteStoreOptions } from './sqliteStore.js';
export { estimateSize } from './sizeEstimate.js';
export { canonicalJson, llmCacheKey } from './llmCacheKey.js';
export type { LlmCacheKeyOptions, LlmRequest } from './llmCacheKey.js';
export { LlmResponseCache } from './llmResponseCache.js';
export type { LlmResponseCacheOptions } from './llmResponseCache.js';
export { CacheWarmer, BUILTIN_WARMERS, nextCronTime } from './cacheWarmer.js';
export type { BuiltinWarmer, CacheWarmerOptions, Timers, WarmContext, Warmer } from './cacheWarmer.js';
export { registerCacheMetrics } from './cacheMetrics.js';
export type { CacheMetricsOptions } from './cacheMetrics.js';
export { TieredKeyvStore } from './tieredKeyvStore.js';
