import { z } from 'zod';

/**
 * The sketch's `PoolConfig`. Keys are accepted in the sketch's snake_case (as written in YAML) or in
 * camelCase; times are in SECONDS in both spellings, as in the sketch (`max_idle_time: 300`).
 */
export interface PoolConfigInput {
  /** Resources kept open even when idle (created at start and after losses). Default 0. */
  min_size?: number;
  minSize?: number;
  /** Upper bound of open resources (in use + idle). Default 10. */
  max_size?: number;
  maxSize?: number;
  /** Seconds an idle resource above `min_size` lives before it is closed; 0 = never. Default 300. */
  max_idle_time?: number;
  maxIdleTime?: number;
  /** Seconds a factory may take to open one resource. Default 30. */
  connection_timeout?: number;
  connectionTimeout?: number;
  /** Seconds between health checks of idle resources; 0 = no periodic checks. Default 60. */
  health_check_interval?: number;
  healthCheckInterval?: number;
  /** Seconds an acquire may wait before it fails. Default: `connection_timeout`. */
  acquire_timeout?: number;
  acquireTimeout?: number;
  /** Seconds between attempts to create a resource after a failure. Default 0.2. */
  create_retry_interval?: number;
  createRetryInterval?: number;
  /** Validate every resource (factory `validate`) before handing it out. Default false. */
  validate_on_borrow?: boolean;
  validateOnBorrow?: boolean;
  /** Reject the oldest waiter as soon as a create fails, instead of retrying until the timeout. Default false. */
  fail_fast?: boolean;
  failFast?: boolean;
}

/** A validated config, normalised to camelCase and milliseconds. */
export interface ResolvedPoolConfig {
  minSize: number;
  maxSize: number;
  /** 0 = idle resources are never closed. */
  maxIdleTimeMs: number;
  connectionTimeoutMs: number;
  /** 0 = no periodic health checks. */
  healthCheckIntervalMs: number;
  acquireTimeoutMs: number;
  createRetryIntervalMs: number;
  validateOnBorrow: boolean;
  failFast: boolean;
}

export type PoolConfigErrorCode = 'INVALID_CONFIG' | 'UNKNOWN_POOL';

/** Bad configuration: `field` names the offending key (with its path, e.g. `pools.cache_db.min_size`). */
export class PoolConfigError extends Error {
  override readonly name = 'PoolConfigError';
  readonly code: PoolConfigErrorCode;
  readonly field: string;

  constructor(code: PoolConfigErrorCode, field: string, message: string) {
    super(`${field}: ${message}`);
    this.code = code;
    this.field = field;
  }
}

const size = z.number().int('must be an integer').nonnegative('must not be negative');
const seconds = z.number().finite('must be a finite number of seconds').nonnegative('must not be negative');
const positiveSeconds = seconds.positive('must be greater than 0');

/** Pairs of [snake_case, camelCase] spellings of one option, with its schema. */
const PAIRS = {
  minSize: ['min_size', size],
  maxSize: ['max_size', size.min(1, 'must be at least 1')],
  maxIdleTime: ['max_idle_time', seconds],
  connectionTimeout: ['connection_timeout', positiveSeconds],
  healthCheckInterval: ['health_check_interval', seconds],
  acquireTimeout: ['acquire_timeout', positiveSeconds],
  createRetryInterval: ['create_retry_interval', positiveSeconds],
  validateOnBorrow: ['validate_on_borrow', z.boolean()],
  failFast: ['fail_fast', z.boolean()],
} as const;

type Camel = keyof typeof PAIRS;

const shape: Record<string, z.ZodType> = {};
for (const [camel, [snake, schema]] of Object.entries(PAIRS)) {
  shape[camel] = schema.optional();
  shape[snake] = schema.optional();
}

/** zod schema of {@link PoolConfigInput} (both spellings, unknown keys rejected). */
export const poolConfigSchema = z.strictObject(shape) as unknown as z.ZodType<PoolConfigInput>;

function fail(field: string, message: string): never {
  throw new PoolConfigError('INVALID_CONFIG', field, message);
}

const ms = (s: number): number => Math.max(1, Math.round(s * 1000));

/**
 * Validates a pool config and resolves defaults. Throws {@link PoolConfigError} naming the field:
 * unknown keys, wrong types, negative times, `min_size > max_size`, both spellings with different values.
 * `path` prefixes field names in errors (e.g. `pools.database_primary`).
 */
export function parsePoolConfig(input: unknown, path = ''): ResolvedPoolConfig {
  const at = (key: string): string => (path ? `${path}.${key}` : key);
  if (input === undefined) input = {};
  const parsed = poolConfigSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') fail(at(issue.keys[0] ?? '?'), 'unknown option');
    const key = issue.path.length > 0 ? issue.path.join('.') : '(config)';
    fail(at(key), issue.message);
  }
  const raw = parsed.data as Record<string, unknown>;
  const pick = <K extends Camel>(camel: K): z.infer<(typeof PAIRS)[K][1]> | undefined => {
    const snake = PAIRS[camel][0];
    const a = raw[snake];
    const b = raw[camel];
    if (a !== undefined && b !== undefined && a !== b) {
      fail(at(camel), `conflicts with ${snake} (${String(a)} vs ${String(b)}); give one spelling`);
    }
    return (a ?? b) as z.infer<(typeof PAIRS)[K][1]> | undefined;
  };
  const minSize = pick('minSize') ?? 0;
  const maxSize = pick('maxSize') ?? Math.max(10, minSize);
  if (minSize > maxSize) {
    const key = raw.min_size !== undefined ? 'min_size' : 'minSize';
    fail(at(key), `must not exceed max_size (${minSize} > ${maxSize})`);
  }
  const connectionTimeout = pick('connectionTimeout') ?? 30;
  const maxIdle = pick('maxIdleTime') ?? 300;
  const health = pick('healthCheckInterval') ?? 60;
  return {
    minSize,
    maxSize,
    maxIdleTimeMs: maxIdle === 0 ? 0 : ms(maxIdle),
    connectionTimeoutMs: ms(connectionTimeout),
    healthCheckIntervalMs: health === 0 ? 0 : ms(health),
    acquireTimeoutMs: ms(pick('acquireTimeout') ?? connectionTimeout),
    createRetryIntervalMs: ms(pick('createRetryInterval') ?? 0.2),
    validateOnBorrow: pick('validateOnBorrow') ?? false,
    failFast: pick('failFast') ?? false,
  };
}

/** The sketch's named pools and their numbers (seconds), usable as registry defaults. */
export const DEFAULT_POOL_CONFIGS = {
  llm_primary: {
    min_size: 2,
    max_size: 15,
    max_idle_time: 300,
    connection_timeout: 30,
    health_check_interval: 60,
  },
  llm_fallback: {
    min_size: 1,
    max_size: 8,
    max_idle_time: 180,
    connection_timeout: 20,
    health_check_interval: 90,
  },
  database_primary: {
    min_size: 5,
    max_size: 20,
    max_idle_time: 600,
    connection_timeout: 10,
    health_check_interval: 30,
  },
  cache_db: {
    min_size: 3,
    max_size: 12,
    max_idle_time: 300,
    connection_timeout: 5,
    health_check_interval: 45,
  },
  vector_db: {
    min_size: 2,
    max_size: 10,
    max_idle_time: 400,
    connection_timeout: 15,
    health_check_interval: 120,
  },
} as const satisfies Record<string, PoolConfigInput>;
