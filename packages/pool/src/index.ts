export { AdaptiveSizer } from './adaptiveSizer.js';
export type {
  AdaptiveSizerOptions,
  Knob,
  SizablePool,
  SizerTimers,
  SizingDecision,
} from './adaptiveSizer.js';
export { CircuitBreaker } from './circuitBreaker.js';
export type { BreakerState, BreakerStats, CircuitBreakerOptions } from './circuitBreaker.js';
export { Failover } from './failover.js';
export type { FailoverOptions, FailoverStats, Route, UsablePool } from './failover.js';
export { httpDispatcher, httpFactory } from './httpFactory.js';
export type { HttpFactoryOptions } from './httpFactory.js';
export { Pool } from './pool.js';
export type {
  AcquireOptions,
  CreateContext,
  PoolFactory,
  PoolOptions,
  PoolState,
  PoolStats,
  PoolUsage,
  UseContext,
  UseOptions,
} from './pool.js';
export { DEFAULT_POOL_CONFIGS, parsePoolConfig, PoolConfigError, poolConfigSchema } from './poolConfig.js';
export type { PoolConfigErrorCode, PoolConfigInput, ResolvedPoolConfig } from './poolConfig.js';
export { PoolError } from './poolError.js';
export type { PoolErrorCode } from './poolError.js';
export { postgresFactory } from './postgresFactory.js';
export type { PgClientLike, PostgresFactoryOptions } from './postgresFactory.js';
export { redisFactory } from './redisFactory.js';
export type { RedisClientLike, RedisFactoryOptions } from './redisFactory.js';
export { PoolRegistry, PoolRegistry as SmartConnectionManager } from './registry.js';
export type { FailoverConfig, PoolRegistryOptions } from './registry.js';
export { percentileOf, WAIT_BUCKETS_MS, WaitHistogram } from './waitHistogram.js';
export type { HistogramSnapshot } from './waitHistogram.js';
