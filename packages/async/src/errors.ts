/** Stable codes for every way @hp/async refuses or ends a task. */
export type AsyncErrorCode =
  | 'INVALID_OPTIONS'
  | 'QUEUE_FULL'
  | 'ABORTED'
  | 'TIMEOUT'
  | 'CLOSED'
  | 'CLEARED'
  | 'RATE_LIMITED'
  | 'TOKENS_EXCEED_LIMIT'
  | 'BATCH_RESULT_MISSING'
  | 'WORKER_POOL_UNAVAILABLE';

/**
 * Base class of every error @hp/async raises itself. `code` is stable (switch on it); `message` says
 * what happened and what to do. Errors thrown by user tasks are passed through unchanged.
 */
export class AsyncError extends Error {
  override name = 'AsyncError';
  readonly code: AsyncErrorCode;

  constructor(code: AsyncErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** An option was missing, of the wrong type or out of range; `option` names it (snake_case or camelCase as given). */
export class InvalidOptionsError extends AsyncError {
  override name = 'InvalidOptionsError';
  readonly option: string;

  constructor(option: string, message: string) {
    super('INVALID_OPTIONS', `invalid option "${option}": ${message}`);
    this.option = option;
  }
}

/** The queue (or batcher) already holds its limit of items and its policy is 'reject' (or its waiters are full too). */
export class QueueFullError extends AsyncError {
  override name = 'QueueFullError';
  readonly limit: number;

  constructor(limit: number, what = 'queue') {
    super(
      'QUEUE_FULL',
      `${what} is full (${limit} items): slow the producer down, raise queue_size_limit, or use when_full: 'wait'`,
    );
    this.limit = limit;
  }
}

/** A rate limit refused a request without waiting (e.g. `maxWait` exceeded); `retryAfterMs` says when to try again. */
export class RateLimitedError extends AsyncError {
  override name = 'RateLimitedError';
  readonly retryAfterMs: number;

  constructor(retryAfterMs: number, message?: string) {
    super(
      'RATE_LIMITED',
      message ?? `rate limit reached: retry in ${Math.ceil(retryAfterMs)} ms or allow a longer maxWait`,
    );
    this.retryAfterMs = retryAfterMs;
  }
}

export function abortedError(signal: AbortSignal | undefined, what = 'task'): AsyncError {
  const reason: unknown = signal?.reason;
  if (reason instanceof AsyncError) return reason;
  return new AsyncError('ABORTED', `${what} was aborted by its AbortSignal`, { cause: reason });
}

export function timeoutError(ms: number, what = 'task'): AsyncError {
  return new AsyncError(
    'TIMEOUT',
    `${what} did not finish within its timeout of ${ms} ms: raise timeout or lighten the load`,
  );
}

export function closedError(what: string): AsyncError {
  return new AsyncError('CLOSED', `${what} was closed: create a new one to run more work`);
}

export function clearedError(what: string): AsyncError {
  return new AsyncError(
    'CLEARED',
    `${what} was cleared before this item ran: resubmit it if it is still needed`,
  );
}
