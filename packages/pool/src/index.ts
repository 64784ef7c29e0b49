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
export { percentileOf, WAIT_BUCKETS_MS, WaitHistogram } from './waitHistogram.js';
export type { HistogramSnapshot } from './waitHistogram.js';
