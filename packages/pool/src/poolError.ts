/** Stable codes of {@link PoolError}; match on `error.code`, never on the message. */
export type PoolErrorCode =
  /** No resource became free (and none could be created) within the acquire timeout. */
  | 'ACQUIRE_TIMEOUT'
  /** The factory kept failing while the caller waited; `cause` holds the last factory error. */
  | 'CREATE_FAILED'
  /** The factory returned something that is not a resource (undefined, null, a falsy value, a duplicate). */
  | 'INVALID_RESOURCE'
  /** The caller's AbortSignal fired before a resource was handed over. */
  | 'ABORTED'
  /** The pool is draining or closed and takes no new acquires. */
  | 'CLOSED'
  /** Both sides of a failover pair failed (see `cause`). */
  | 'UNAVAILABLE';

const ADVICE: Record<PoolErrorCode, string> = {
  ACQUIRE_TIMEOUT:
    'raise max_size or acquire_timeout, hold resources for less time, or shed load before the pool',
  CREATE_FAILED: 'check that the server is up and reachable and that the factory settings are right',
  INVALID_RESOURCE: 'make the factory resolve to a new, live resource object (or throw)',
  ABORTED: 'the caller gave up; nothing to fix unless the abort was unexpected',
  CLOSED: 'acquire from a pool that is open (create a new one after close())',
  UNAVAILABLE: 'both the primary and the fallback failed; check both services',
};

/** Every runtime failure of a pool: a stable `code`, the pool's name, and a message saying what to do. */
export class PoolError extends Error {
  override readonly name = 'PoolError';
  readonly code: PoolErrorCode;
  readonly pool: string;

  constructor(code: PoolErrorCode, pool: string, detail: string, options?: { cause?: unknown }) {
    super(`pool "${pool}": ${detail}; ${ADVICE[code]}`, options);
    this.code = code;
    this.pool = pool;
  }
}
