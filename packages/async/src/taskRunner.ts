import { context as otelContext, SpanStatusCode, trace } from '@opentelemetry/api';
import { z } from 'zod';
import { type Clock, systemClock } from './clock.js';
import { AsyncError, timeoutError } from './errors.js';
import { type AsyncMetrics, defaultAsyncMetrics } from './metrics.js';
import { parseOptions, zClock, zFunction, zNonNegMs, zObject } from './options.js';
import { type AddOptions, PriorityQueue, type QueueGate, schedulingOptionsShape } from './priorityQueue.js';
import { headersOf, statusOf } from './rateLimitHeaders.js';
import { type RateLimit, RateLimiter, type RateLimiterOptions, type Reservation } from './rateLimiter.js';
import { RetryableError, type RetryOptions, RetryPolicy, sleep } from './retry.js';

/** What a task run by a {@link TaskRunner} receives. */
export interface RunContext {
  /** Aborts on the caller's signal, the task timeout, an attempt timeout, close() or clear(). */
  readonly signal: AbortSignal;
  /** 1 for the first attempt, 2 for the first retry, ... */
  readonly attempt: number;
  readonly priority: number;
  readonly key: string | undefined;
  /** The rate-limit reservation of this attempt (settled by the runner from the result's usage). */
  readonly reservation: Reservation | undefined;
}

export interface RunOptions extends Pick<AddOptions, 'priority' | 'key' | 'signal' | 'timeout'> {
  /** Estimated tokens (prompt + max completion) reserved before the call; settled with the real usage after. */
  tokens?: number;
}

/** Token usage of an LLM result: OpenAI `usage.total_tokens`, Anthropic `usage.input_tokens + output_tokens`. */
export function llmUsage(result: unknown): number | undefined {
  const u = (result as { usage?: Record<string, unknown> } | null | undefined)?.usage;
  if (!u || typeof u !== 'object') return undefined;
  const n = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const total = n(u.total_tokens) ?? n(u.totalTokens);
  if (total !== undefined) return total;
  const input = n(u.input_tokens) ?? n(u.prompt_tokens) ?? n(u.inputTokens);
  const output = n(u.output_tokens) ?? n(u.completion_tokens) ?? n(u.outputTokens);
  return input !== undefined || output !== undefined ? (input ?? 0) + (output ?? 0) : undefined;
}

const optionsSchema = z.object({
  name: z.string().min(1).default('tasks'),
  ...schedulingOptionsShape,
  /** Default deadline per task from run(), queue wait and all attempts included. */
  timeout: zNonNegMs.optional(),
  /** Deadline of one attempt; an attempt that times out is retryable. */
  attemptTimeout: zNonNegMs.optional(),
  /** A limiter (RateLimiter, DistributedRateLimiter, ...) or RateLimiter options. */
  rateLimit: zObject<RateLimit | RateLimiterOptions>('a RateLimit or RateLimiter options').optional(),
  /** A RetryPolicy, its options, or false for no retries. Default: RetryPolicy defaults. */
  retry: z
    .union([z.literal(false), zObject<RetryPolicy | RetryOptions>('a RetryPolicy or its options')])
    .default({}),
  /** Real token usage of a result; default {@link llmUsage}. */
  usage: zFunction<(result: unknown) => number | undefined>().optional(),
  clock: zClock.optional(),
  metrics: zObject<AsyncMetrics>('an AsyncMetrics').optional(),
});

export type TaskRunnerOptions = z.input<typeof optionsSchema> & {
  max_concurrent_tasks?: number;
  queue_size_limit?: number;
  when_full?: 'reject' | 'wait';
  priority_levels?: number;
  attempt_timeout?: number;
  rate_limit?: RateLimit | RateLimiterOptions;
};

function isRateLimit(v: unknown): v is RateLimit {
  return typeof (v as RateLimit).acquire === 'function';
}

/**
 * Runs each task through: bounded priority queue -> rate limit (requests and tokens) -> concurrency
 * limit -> attempts with retries, under the task's AbortSignal and timeout. A 429 pauses the shared
 * limiter once and the retry waits for it (that retry does not draw on the retry budget: the paused
 * limiter already keeps load from growing). close() and clear() settle every pending promise.
 */
export class TaskRunner {
  readonly name: string;
  readonly queue: PriorityQueue;
  readonly rateLimit: RateLimit | undefined;
  readonly retry: RetryPolicy | undefined;
  private readonly _ownsLimiter: boolean;
  private readonly _attemptTimeout: number | undefined;
  private readonly _usage: (result: unknown) => number | undefined;
  private readonly _clock: Clock;

  constructor(options: TaskRunnerOptions = {}) {
    const o = parseOptions(optionsSchema, options, 'TaskRunner');
    this.name = o.name;
    this._clock = o.clock ?? systemClock;
    const metrics = o.metrics ?? defaultAsyncMetrics();
    if (o.rateLimit === undefined) {
      this.rateLimit = undefined;
      this._ownsLimiter = false;
    } else if (isRateLimit(o.rateLimit)) {
      this.rateLimit = o.rateLimit;
      this._ownsLimiter = false;
    } else {
      this.rateLimit = new RateLimiter({ name: this.name, clock: this._clock, metrics, ...o.rateLimit });
      this._ownsLimiter = true;
    }
    if (o.retry === false) this.retry = undefined;
    else if (o.retry instanceof RetryPolicy) this.retry = o.retry;
    else
      this.retry = new RetryPolicy({
        name: this.name,
        clock: this._clock,
        metrics,
        ...(o.retry as RetryOptions),
      });
    const limiter = this.rateLimit;
    const gate: QueueGate | undefined =
      limiter?.tryAcquire !== undefined
        ? { tryAcquire: (tokens) => limiter.tryAcquire!(tokens) as object | number }
        : undefined;
    this.queue = new PriorityQueue({
      name: this.name,
      concurrency: o.maxConcurrentTasks ?? o.concurrency,
      queueSizeLimit: o.queueSizeLimit,
      whenFull: o.whenFull,
      maxWaiting: o.maxWaiting,
      algorithm: o.algorithm,
      priorityLevels: o.priorityLevels,
      weights: o.weights,
      fairness: o.fairness,
      timeout: o.timeout,
      gate,
      clock: this._clock,
      metrics,
      histograms: true,
    });
    this._attemptTimeout = o.attemptTimeout;
    this._usage = o.usage ?? llmUsage;
  }

  /** Runs `fn` once admitted; resolves with its result or rejects with its last error (or a typed AsyncError). */
  run<T>(fn: (context: RunContext) => Promise<T> | T, options: RunOptions = {}): Promise<T> {
    const tokens = options.tokens ?? 0;
    if (!(Number.isFinite(tokens) && tokens >= 0)) {
      return Promise.reject(
        new AsyncError('INVALID_OPTIONS', `invalid option "tokens": must be a number >= 0`),
      );
    }
    // One span per task (a coarse operation: an LLM call), child of the caller's active span.
    const span = trace.getTracer('@hp/async').startSpan(
      'hp.async.task',
      {
        attributes: {
          'hp.async.component': this.name,
          'hp.async.priority': options.priority ?? -1,
          'hp.async.tokens': tokens,
        },
      },
      otelContext.active(),
    );
    let attempts = 0;
    const promise = this.queue.add(
      async (q) => {
        span.addEvent('started');
        let reservation: Reservation | undefined;
        const limiter = this.rateLimit;
        const attemptOnce = async (attempt: number): Promise<T> => {
          attempts = attempt;
          // the queue's gate grants a permit each time the task (re)gets a slot; without a gate, acquire here
          const permit = q.permit as Reservation | undefined;
          if (permit !== undefined && permit !== reservation) reservation = permit;
          else if (limiter) reservation = await limiter.acquire(tokens, { signal: q.signal });
          const r = reservation;
          const context: RunContext = {
            signal: q.signal,
            attempt,
            priority: q.priority,
            key: q.key,
            reservation: r,
          };
          try {
            const result = await this._attempt(fn, context);
            r?.settle(this._usage(result), headersOf(result));
            return result;
          } catch (error) {
            const status = statusOf(error);
            if (r) {
              limiter?.observe?.(status, headersOf(error), r);
              r.settle(undefined);
            }
            throw error;
          }
        };
        if (!this.retry) return attemptOnce(1);
        return this.retry.run((attempt) => attemptOnce(attempt), {
          signal: q.signal,
          budgetExempt: limiter ? (error) => statusOf(error) === 429 : undefined,
          // the back-off gives the concurrency slot back: other tasks run meanwhile
          wait: (ms) => q.pause(ms),
        });
      },
      {
        priority: options.priority,
        key: options.key,
        signal: options.signal,
        timeout: options.timeout,
        tokens,
      },
    );
    promise.then(
      () => {
        span.setAttribute('hp.async.attempts', attempts);
        span.end();
      },
      (error: unknown) => {
        span.setAttribute('hp.async.attempts', attempts);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error | undefined)?.message });
        span.end();
      },
    );
    return promise;
  }

  /** Changes the concurrency limit at run time. */
  setConcurrency(concurrency: number): void {
    this.queue.setConcurrency(concurrency);
  }

  /** Resolves when nothing is queued or running. */
  onIdle(): Promise<void> {
    return this.queue.onIdle();
  }

  /** Rejects every queued task with CLEARED; running tasks continue. */
  clear(): void {
    this.queue.clear();
  }

  /** Rejects everything pending with CLOSED, aborts running tasks and clears every timer. */
  async close(): Promise<void> {
    this.queue.close();
    if (this._ownsLimiter) await this.rateLimit?.close?.();
  }

  private async _attempt<T>(fn: (context: RunContext) => Promise<T> | T, context: RunContext): Promise<T> {
    const ms = this._attemptTimeout;
    if (ms === undefined) return fn(context);
    const controller = new AbortController();
    const timer = new AbortController();
    const parent = context.signal;
    const onAbort = (): void => {
      controller.abort(parent.reason);
      timer.abort(parent.reason);
    };
    parent.addEventListener('abort', onAbort, { once: true });
    try {
      return await Promise.race([
        fn({ ...context, signal: controller.signal }),
        sleep(this._clock, ms, timer.signal).then(() => {
          const error = new RetryableError(`attempt ${context.attempt} timed out after ${ms} ms`, {
            cause: timeoutError(ms, 'attempt'),
          });
          controller.abort(error);
          throw error;
        }),
      ]);
    } finally {
      timer.abort();
      parent.removeEventListener('abort', onAbort);
    }
  }
}
