import { performance } from 'node:perf_hooks';
import { SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import { Pool as TarnPool, TimeoutError as TarnTimeoutError } from 'tarn';
import { PendingOperation } from 'tarn/dist/PendingOperation.js';
import {
  parsePoolConfig,
  PoolConfigError,
  type PoolConfigInput,
  type ResolvedPoolConfig,
} from './poolConfig.js';
import { PoolError } from './poolError.js';
import { registerPoolMetrics, type PoolMetricsHandle } from './poolMetrics.js';
import { type HistogramSnapshot, WaitHistogram } from './waitHistogram.js';

/** What a factory gets when it opens one resource. */
export interface CreateContext {
  /** Aborted when the create times out (`connection_timeout`) or the pool closes. */
  signal: AbortSignal;
  /** The pool's resolved config (timeouts for the client library: connectionTimeoutMs, maxIdleTimeMs). */
  config: ResolvedPoolConfig;
  /** The pool's name (e.g. for a client or application name). */
  poolName: string;
  /**
   * Call when the resource dies later (e.g. from its 'error'/'end' listener): an idle resource is
   * replaced at once, one in use is destroyed when it is released.
   */
  markBroken(): void;
}

/** Opens, checks and closes one kind of resource. */
export interface PoolFactory<T> {
  create(ctx: CreateContext): Promise<T> | T;
  destroy(resource: T): Promise<void> | void;
  /** Round-trip check (health checks; on borrow with `validate_on_borrow`). Resolve false or throw = broken. */
  validate?(resource: T, signal: AbortSignal): Promise<boolean> | boolean;
  /** Cheap synchronous check, run on every borrow and release. */
  isBroken?(resource: T): boolean;
  /** Span attributes of the service (`db.system.name`, `server.address`, `server.port`, `db.namespace`). */
  attributes?: Attributes;
}

export interface PoolOptions<T> {
  /** Name used in errors, metrics (`db.client.connection.pool.name`) and spans. Default 'pool'. */
  name?: string;
  factory: PoolFactory<T>;
  /** The sketch's PoolConfig (seconds, snake_case or camelCase). */
  config?: PoolConfigInput;
  /** Monotonic clock in ms for wait and hold times. Default `performance.now`. */
  now?: () => number;
  /** Where pool warnings go (factory errors in the background). Default: nowhere. */
  log?: (message: string) => void;
}

export interface AcquireOptions {
  /** Aborting it cancels a pending acquire (rejects with code ABORTED). */
  signal?: AbortSignal;
}

export interface UseOptions extends AcquireOptions {
  /** When set, the call is traced as a CLIENT span with `db.operation.name` = operation. */
  operation?: string;
  /** Low-cardinality summary used as span name and `db.query.summary` (e.g. 'SELECT users'). */
  querySummary?: string;
}

export interface UseContext {
  signal: AbortSignal | undefined;
  /** Destroy the resource instead of returning it to the pool when `fn` settles. */
  markBroken(): void;
}

export type PoolState = 'open' | 'draining' | 'closed';

export interface PoolStats {
  name: string;
  state: PoolState;
  min: number;
  max: number;
  /** Open resources (in use + free + under health check). */
  size: number;
  inUse: number;
  free: number;
  /** Acquires waiting. */
  pending: number;
  pendingCreates: number;
  acquires: number;
  releases: number;
  creates: number;
  createFailures: number;
  destroys: number;
  healthChecks: number;
  failedHealthChecks: number;
  acquireTimeouts: number;
  aborts: number;
  invalidResources: number;
  /** createFailures + acquireTimeouts + invalid resources + destroy failures + bad releases. */
  errors: number;
  wait: {
    count: number;
    p50Ms: number;
    p90Ms: number;
    p99Ms: number;
    maxMs: number;
    histogram: HistogramSnapshot;
  };
}

/** Cumulative usage counters for sizing (see AdaptiveSizer). */
export interface PoolUsage {
  atMs: number;
  acquires: number;
  releases: number;
  /** ∫ inUse dt in ms·resources (Little's law: busyMs / elapsed = mean concurrency). */
  busyMs: number;
  waitCounts: number[];
  inUse: number;
  pending: number;
  /** Highest inUse since the previous usage() call (reading resets it). */
  peakInUse: number;
}

/** tarn's Pool with the members hp needs for resizing, health checks and forced close. */
class HpTarn<T> extends TarnPool<T> {
  setBounds(min: number, max: number): void {
    this.min = min;
    this.max = max;
  }
  get minSize(): number {
    return this.min;
  }
  get maxSize(): number {
    return this.max;
  }
  get freeList(): HpTarn<T>['free'] {
    return this.free;
  }
  get usedList(): HpTarn<T>['used'] {
    return this.used;
  }
  get pendingAcquireList(): HpTarn<T>['pendingAcquires'] {
    return this.pendingAcquires;
  }
  get pendingValidationList(): HpTarn<T>['pendingValidations'] {
    return this.pendingValidations;
  }
  get isDestroyed(): boolean {
    return this.destroyed;
  }
  /**
   * tarn's acquire() without its event-handler links: the caller's own continuation is the only
   * link added to the pending operation, which keeps hp's bookkeeping free on the hot path.
   */
  acquireWith(onResolved: (resource: T) => T, onRejected: (err: unknown) => never): PendingOperation<T> {
    const op = new PendingOperation<T>(this.acquireTimeoutMillis);
    const pending = this.pendingAcquires;
    pending.push(op);
    op.promise = op.promise.then(onResolved, (err: unknown) => {
      const i = pending.indexOf(op);
      if (i !== -1) pending.splice(i, 1);
      return onRejected(err);
    });
    this._tryAcquireOrCreate();
    return op;
  }
  /** Serve waiters, and start as many creates as waiters need (tarn starts one per event). */
  kick(): void {
    if (this.destroyed) return;
    this._tryAcquireOrCreate();
    while (this.free.length === 0 && this._shouldCreateMoreResources()) this._doCreate();
  }
  override _startReaping(): void {
    super._startReaping();
    (this.interval as { unref?: () => void } | null)?.unref?.();
  }
}

const NEVER_MS = 2 ** 31 - 1;
const tracer = () => trace.getTracer('@hp/pool');

/** Resources are told apart by identity, so they must be objects (a thenable would be awaited instead). */
function isUsableResource(value: unknown): boolean {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  return typeof (value as { then?: unknown }).then !== 'function';
}

/**
 * A resource pool on tarn with the sketch's PoolConfig: acquire with timeout and AbortSignal, `use()`
 * that always releases, minimum size kept, periodic health checks of idle resources off the hot path,
 * runtime resize, graceful drain/close, statistics and OpenTelemetry instruments.
 */
export class Pool<T> {
  readonly name: string;
  readonly config: ResolvedPoolConfig;
  private readonly _factory: PoolFactory<T>;
  private readonly _tarn: HpTarn<T>;
  private readonly _now: () => number;
  private readonly _log: (message: string) => void;
  private readonly _metrics: PoolMetricsHandle;
  private readonly _hist = new WaitHistogram();
  private readonly _live = new Set<T>();
  private readonly _broken = new Set<T>();
  private readonly _closeController = new AbortController();
  private _state: PoolState = 'open';
  private _healthTimer: ReturnType<typeof setInterval> | undefined;
  private _fillTimer: ReturnType<typeof setTimeout> | undefined;
  private _fillFailures = 0;
  private _checking: Promise<{ checked: number; failed: number }> | undefined;
  private _idleWaiters: Array<() => void> = [];
  private _closing: Promise<void> | undefined;
  private _lastCreateError: unknown;
  private _lastCreateErrorAt = -Infinity;
  // statistics (plain fields; read by stats() and the OpenTelemetry callback)
  private _inUse = 0;
  private _peak = 0;
  private _busy = 0;
  private _lastChange: number;
  private _acquires = 0;
  private _releases = 0;
  private _creates = 0;
  private _createFailures = 0;
  private _destroys = 0;
  private _destroyFailures = 0;
  private _healthChecks = 0;
  private _failedHealthChecks = 0;
  private _timeouts = 0;
  private _aborts = 0;
  private _invalid = 0;
  private _badReleases = 0;

  constructor(options: PoolOptions<T>) {
    if (!options || typeof options.factory?.create !== 'function') {
      throw new PoolConfigError('INVALID_CONFIG', 'factory.create', 'a factory with create() is required');
    }
    if (typeof options.factory.destroy !== 'function') {
      throw new PoolConfigError('INVALID_CONFIG', 'factory.destroy', 'a factory with destroy() is required');
    }
    this.name = options.name ?? 'pool';
    this.config = parsePoolConfig(options.config);
    this._factory = options.factory;
    this._now = options.now ?? (() => performance.now());
    this._log = options.log ?? (() => {});
    this._lastChange = this._now();
    const c = this.config;
    this._tarn = new HpTarn<T>({
      create: () => this._createResource(),
      destroy: (resource: T) => this._destroyResource(resource),
      validate: (resource: T) => this._validateOnBorrow(resource) as unknown as boolean,
      min: c.minSize,
      max: c.maxSize,
      acquireTimeoutMillis: c.acquireTimeoutMs,
      createTimeoutMillis: c.connectionTimeoutMs,
      idleTimeoutMillis: c.maxIdleTimeMs === 0 ? NEVER_MS : c.maxIdleTimeMs,
      reapIntervalMillis: Math.min(1000, c.maxIdleTimeMs || 1000),
      createRetryIntervalMillis: c.createRetryIntervalMs,
      propagateCreateError: c.failFast,
      log: (msg: string) => this._log(msg),
    });
    this._tarn.on('createFail', (_id: number, err: Error) => {
      this._createFailures++;
      this._lastCreateError = err;
      this._lastCreateErrorAt = this._now();
    });
    this._metrics = registerPoolMetrics({ name: this.name, metricFields: () => this._metricFields() });
    if (c.healthCheckIntervalMs > 0) {
      this._healthTimer = setInterval(() => void this.healthCheck(), c.healthCheckIntervalMs);
      this._healthTimer.unref();
    }
    this._ensureMin();
  }

  get state(): PoolState {
    return this._state;
  }
  get min(): number {
    return this._tarn.minSize;
  }
  get max(): number {
    return this._tarn.maxSize;
  }

  /** Waits for a resource; rejects with PoolError (ACQUIRE_TIMEOUT, CREATE_FAILED, INVALID_RESOURCE, ABORTED, CLOSED). */
  acquire(options?: AcquireOptions): Promise<T> {
    if (this._state !== 'open') return Promise.reject(this._closedError());
    const signal = options?.signal;
    if (signal?.aborted) {
      this._aborts++;
      return Promise.reject(this._abortError(signal));
    }
    const queued = this._tarn.numFree() === 0;
    const start = this._now();
    if (signal === undefined) {
      return this._tarn.acquireWith(
        (resource) => this._handOut(resource, start, queued),
        (err) => {
          throw this._translate(err, start);
        },
      ).promise;
    }
    const onAbort = (): void => op.reject(this._abortError(signal));
    const op = this._tarn.acquireWith(
      (resource) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) {
          // Aborted after tarn handed it over but before the caller saw it: give it back.
          this._tarn.release(resource);
          this._aborts++;
          throw this._abortError(signal);
        }
        return this._handOut(resource, start, queued);
      },
      (err) => {
        signal.removeEventListener('abort', onAbort);
        throw this._translate(err, start);
      },
    );
    signal.addEventListener('abort', onAbort, { once: true });
    return op.promise;
  }

  /** Returns a resource; false when it was not acquired from this pool (or already released). */
  release(resource: T): boolean {
    const tarn = this._tarn;
    if (
      (this._broken.size > 0 && this._broken.has(resource)) ||
      (this._factory.isBroken !== undefined && this._safeIsBroken(resource)) ||
      tarn.numUsed() + tarn.numFree() > tarn.maxSize
    ) {
      return this.discard(resource);
    }
    const t = this._now();
    if (!tarn.release(resource)) {
      this._badReleases++;
      return false;
    }
    this._busy += this._inUse * (t - this._lastChange);
    this._lastChange = t;
    this._inUse--;
    this._releases++;
    if (this._state !== 'open') this._checkIdle();
    return true;
  }

  /** Destroys an acquired resource instead of returning it (it is broken); a replacement is created as needed. */
  discard(resource: T): boolean {
    const tarn = this._tarn;
    const used = tarn.usedList;
    const i = used.findIndex((r) => r.resource === resource);
    if (i === -1) {
      this._badReleases++;
      return false;
    }
    const t = this._now();
    const [entry] = used.splice(i, 1);
    entry!.settle();
    void tarn._destroy(resource);
    this._busy += this._inUse * (t - this._lastChange);
    this._lastChange = t;
    this._inUse--;
    this._releases++;
    tarn.kick();
    this._ensureMin();
    if (this._state !== 'open') this._checkIdle();
    return true;
  }

  /**
   * Acquires, runs `fn`, and always gives the resource back: released when `fn` settles, destroyed
   * when `fn` called `ctx.markBroken()` or the factory's isBroken() says so.
   */
  async use<R>(fn: (resource: T, ctx: UseContext) => Promise<R> | R, options?: UseOptions): Promise<R> {
    if (options?.operation === undefined && options?.querySummary === undefined) {
      return this._use(fn, options);
    }
    const attributes: Attributes = { ...this._factory.attributes, 'hp.pool.name': this.name };
    if (options.operation !== undefined) attributes['db.operation.name'] = options.operation;
    if (options.querySummary !== undefined) attributes['db.query.summary'] = options.querySummary;
    const target = attributes['db.namespace'] ?? attributes['server.address'] ?? this.name;
    const spanName = options.querySummary ?? `${options.operation} ${String(target)}`;
    return tracer().startActiveSpan(spanName, { kind: SpanKind.CLIENT, attributes }, async (span) => {
      try {
        return await this._use(fn, options);
      } catch (err) {
        const type =
          (err as { code?: unknown })?.code ??
          (err as Error)?.name ??
          (typeof err === 'object' ? 'Error' : String(err));
        span.setAttribute('error.type', String(type));
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message });
        throw err;
      } finally {
        span.end();
      }
    });
  }

  private async _use<R>(
    fn: (resource: T, ctx: UseContext) => Promise<R> | R,
    options?: AcquireOptions,
  ): Promise<R> {
    const resource = await this.acquire(options);
    let broken = false;
    const ctx: UseContext = { signal: options?.signal, markBroken: () => void (broken = true) };
    try {
      return await fn(resource, ctx);
    } finally {
      if (broken) this.discard(resource);
      else this.release(resource);
    }
  }

  /**
   * Changes the bounds at run time. Nothing in use is dropped: growing serves waiters at once;
   * shrinking closes idle surplus now and in-use surplus when it is released.
   */
  resize(min: number, max: number): void {
    if (!Number.isInteger(max) || max < 1) {
      throw new PoolConfigError('INVALID_CONFIG', 'max_size', `must be an integer >= 1, got ${max}`);
    }
    if (!Number.isInteger(min) || min < 0) {
      throw new PoolConfigError('INVALID_CONFIG', 'min_size', `must be an integer >= 0, got ${min}`);
    }
    if (min > max)
      throw new PoolConfigError('INVALID_CONFIG', 'min_size', `must not exceed max_size (${min} > ${max})`);
    if (this._state === 'closed') return;
    this._tarn.setBounds(min, max);
    this._trim();
    this._tarn.kick();
    this._ensureMin();
  }

  /**
   * Validates every idle resource, one at a time, and replaces those that fail. Runs at
   * `health_check_interval`; callable directly. Concurrent calls share one run.
   */
  healthCheck(): Promise<{ checked: number; failed: number }> {
    if (this._state !== 'open') return Promise.resolve({ checked: 0, failed: 0 });
    this._checking ??= this._runHealthCheck().finally(() => {
      this._checking = undefined;
    });
    return this._checking;
  }

  private async _runHealthCheck(): Promise<{ checked: number; failed: number }> {
    const tarn = this._tarn;
    let checked = 0;
    let failed = 0;
    for (const entry of tarn.freeList.slice()) {
      if (this._state !== 'open') break;
      const idx = tarn.freeList.indexOf(entry);
      if (idx === -1) continue;
      // Reserve it (counted as used) so no acquire takes it while it is being checked.
      tarn.freeList.splice(idx, 1);
      tarn.usedList.push(entry);
      const ok = await this._validate(entry.resource);
      const u = tarn.usedList.indexOf(entry);
      if (u === -1) continue; // force-closed meanwhile
      tarn.usedList.splice(u, 1);
      checked++;
      this._healthChecks++;
      if (ok && !this._broken.has(entry.resource)) {
        const back = entry.resolve();
        (back as { timestamp: number }).timestamp = entry.timestamp; // keep its idle age for the reaper
        tarn.freeList.splice(Math.min(idx, tarn.freeList.length), 0, back);
      } else {
        failed++;
        this._failedHealthChecks++;
        entry.settle();
        void tarn._destroy(entry.resource);
      }
      tarn.kick();
    }
    this._trim();
    this._ensureMin();
    return { checked, failed };
  }

  /** Stops new acquires and resolves when every pending acquire is settled and every resource is back. */
  drain(): Promise<void> {
    if (this._state === 'open') this._state = 'draining';
    return new Promise<void>((resolve) => {
      this._idleWaiters.push(resolve);
      this._checkIdle();
    });
  }

  /**
   * Drains (waiting at most `timeoutMs`, default the acquire timeout), then closes: pending acquires
   * reject with CLOSED, resources still in use are destroyed, every timer is cleared.
   */
  close(options?: { timeoutMs?: number }): Promise<void> {
    this._closing ??= this._close(options?.timeoutMs ?? this.config.acquireTimeoutMs);
    return this._closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async _close(timeoutMs: number): Promise<void> {
    if (this._healthTimer) clearInterval(this._healthTimer);
    if (this._fillTimer) clearTimeout(this._fillTimer);
    this._healthTimer = this._fillTimer = undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.drain(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    this._state = 'closed';
    this._closeController.abort(new PoolError('CLOSED', this.name, 'the pool closed'));
    const tarn = this._tarn;
    for (const op of tarn.pendingAcquireList.slice()) op.reject(this._closedError());
    for (const op of tarn.pendingValidationList.slice()) op.reject(this._closedError());
    for (const entry of tarn.usedList.splice(0)) {
      entry.settle();
      void tarn._destroy(entry.resource);
    }
    this._inUse = 0;
    await tarn.destroy();
    this._metrics.unregister();
    this._checkIdle();
  }

  stats(): PoolStats {
    const tarn = this._tarn;
    const h = this._hist;
    return {
      name: this.name,
      state: this._state,
      min: tarn.minSize,
      max: tarn.maxSize,
      size: tarn.numUsed() + tarn.numFree(),
      inUse: this._inUse,
      free: tarn.numFree(),
      pending: tarn.numPendingAcquires(),
      pendingCreates: tarn.numPendingCreates(),
      acquires: this._acquires,
      releases: this._releases,
      creates: this._creates,
      createFailures: this._createFailures,
      destroys: this._destroys,
      healthChecks: this._healthChecks,
      failedHealthChecks: this._failedHealthChecks,
      acquireTimeouts: this._timeouts,
      aborts: this._aborts,
      invalidResources: this._invalid,
      errors: this._errorCount(),
      wait: {
        count: h.count,
        p50Ms: h.percentile(0.5),
        p90Ms: h.percentile(0.9),
        p99Ms: h.percentile(0.99),
        maxMs: h.snapshot().maxMs,
        histogram: h.snapshot(),
      },
    };
  }

  /** Cumulative counters for sizing; reading resets `peakInUse`. */
  usage(): PoolUsage {
    const t = this._now();
    this._busy += this._inUse * (t - this._lastChange);
    this._lastChange = t;
    const peak = this._peak;
    this._peak = this._inUse;
    return {
      atMs: t,
      acquires: this._acquires,
      releases: this._releases,
      busyMs: this._busy,
      waitCounts: this._hist.snapshot().counts,
      inUse: this._inUse,
      pending: this._tarn.numPendingAcquires(),
      peakInUse: peak,
    };
  }

  // ---- internals ----

  private _handOut(resource: T, start: number, queued: boolean): T {
    const t = this._now();
    const wait = t - start;
    this._hist.record(wait);
    if (queued) this._metrics.recordWaitTime(wait / 1000);
    this._acquires++;
    this._busy += this._inUse * (t - this._lastChange);
    this._lastChange = t;
    if (++this._inUse > this._peak) this._peak = this._inUse;
    return resource;
  }

  private _translate(err: unknown, start: number): PoolError {
    if (err instanceof PoolError) {
      if (err.code === 'CLOSED' || err.code === 'ABORTED') {
        if (err.code === 'ABORTED') this._aborts++;
        this._checkIdleIfClosing();
        return err;
      }
    }
    this._checkIdleIfClosing();
    if (err instanceof TarnTimeoutError) {
      this._timeouts++;
      const ms = this.config.acquireTimeoutMs;
      if (this._lastCreateErrorAt >= start) {
        const cause = this._lastCreateError;
        if (cause instanceof PoolError && cause.code === 'INVALID_RESOURCE') {
          return new PoolError(
            'INVALID_RESOURCE',
            this.name,
            `no resource within ${ms} ms: ${cause.message}`,
            {
              cause,
            },
          );
        }
        return new PoolError(
          'CREATE_FAILED',
          this.name,
          `no resource within ${ms} ms, creating one failed: ${(cause as Error)?.message ?? String(cause)}`,
          { cause },
        );
      }
      return new PoolError('ACQUIRE_TIMEOUT', this.name, `no resource became free within ${ms} ms`, {
        cause: err,
      });
    }
    if (err instanceof Error && err.message === 'aborted') return this._closedError();
    if (err instanceof PoolError) return err;
    // fail_fast: the factory's error reached the oldest waiter.
    return new PoolError(
      'CREATE_FAILED',
      this.name,
      `creating a resource failed: ${(err as Error)?.message ?? String(err)}`,
      {
        cause: err,
      },
    );
  }

  private _checkIdleIfClosing(): void {
    if (this._state !== 'open') this._checkIdle();
  }

  private _abortError(signal: AbortSignal): PoolError {
    return new PoolError('ABORTED', this.name, 'acquire aborted by its signal', { cause: signal.reason });
  }

  private _closedError(): PoolError {
    return new PoolError(
      'CLOSED',
      this.name,
      `the pool is ${this._state === 'open' ? 'closing' : this._state}`,
    );
  }

  private _checkIdle(): void {
    if (this._idleWaiters.length === 0) return;
    const tarn = this._tarn;
    if (this._state === 'closed' || (this._inUse === 0 && tarn.numPendingAcquires() === 0)) {
      const waiters = this._idleWaiters;
      this._idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private async _createResource(): Promise<T> {
    const signal = AbortSignal.any([
      this._closeController.signal,
      AbortSignal.timeout(this.config.connectionTimeoutMs),
    ]);
    const t0 = this._now();
    const slot: { resource?: T } = {};
    let brokenEarly = false;
    const ctx: CreateContext = {
      signal,
      config: this.config,
      poolName: this.name,
      markBroken: () => {
        if (slot.resource === undefined) brokenEarly = true;
        else this._onBroken(slot.resource);
      },
    };
    const created = await this._factory.create(ctx);
    if (!isUsableResource(created) || this._live.has(created)) {
      this._invalid++;
      const what = this._live.has(created) ? 'a resource that is already in the pool' : describe(created);
      throw new PoolError('INVALID_RESOURCE', this.name, `the factory returned ${what}`);
    }
    const resource = created;
    slot.resource = resource;
    this._live.add(resource);
    this._creates++;
    this._metrics.recordCreateTime((this._now() - t0) / 1000);
    if (brokenEarly) this._broken.add(resource);
    return resource;
  }

  private async _destroyResource(resource: T): Promise<void> {
    if (!this._live.delete(resource)) return; // already destroyed (e.g. forced close, then tarn's own path)
    this._broken.delete(resource);
    this._destroys++;
    try {
      await this._factory.destroy(resource);
    } catch (err) {
      this._destroyFailures++;
      this._log(`pool "${this.name}": destroy failed: ${(err as Error)?.message ?? String(err)}`);
    }
  }

  private _safeIsBroken(resource: T): boolean {
    try {
      return this._factory.isBroken!(resource) === true;
    } catch {
      return true;
    }
  }

  private _validateOnBorrow(resource: T): boolean | Promise<boolean> {
    if (this._broken.has(resource)) return false;
    if (this._factory.isBroken !== undefined && this._safeIsBroken(resource)) return false;
    if (!this.config.validateOnBorrow) return true;
    return this._validate(resource);
  }

  private async _validate(resource: T): Promise<boolean> {
    if (this._broken.has(resource)) return false;
    if (this._factory.isBroken !== undefined && this._safeIsBroken(resource)) return false;
    if (this._factory.validate === undefined) return true;
    try {
      const signal = AbortSignal.any([
        this._closeController.signal,
        AbortSignal.timeout(this.config.connectionTimeoutMs),
      ]);
      return (await this._factory.validate(resource, signal)) === true;
    } catch {
      return false;
    }
  }

  /** A resource died outside any call (its 'error' event): replace it if idle, else destroy it on release. */
  private _onBroken(resource: T): void {
    if (!this._live.has(resource)) return;
    const tarn = this._tarn;
    const i = tarn.freeList.findIndex((r) => r.resource === resource);
    if (i === -1) {
      this._broken.add(resource);
      return;
    }
    const [entry] = tarn.freeList.splice(i, 1);
    entry!.settle();
    void tarn._destroy(resource);
    this._ensureMin();
  }

  /** Closes idle resources above max (after a shrink). */
  private _trim(): void {
    const tarn = this._tarn;
    let surplus = tarn.numUsed() + tarn.numFree() - tarn.maxSize;
    while (surplus > 0 && tarn.freeList.length > 0) {
      const entry = tarn.freeList.shift()!;
      entry.settle();
      void tarn._destroy(entry.resource);
      surplus--;
    }
  }

  /** Opens resources until min_size exist; failures retry with backoff on an unref'd timer. */
  private _ensureMin(): void {
    if (this._state !== 'open' || this._fillTimer !== undefined) return;
    const tarn = this._tarn;
    let missing = tarn.minSize - (tarn.numUsed() + tarn.numFree() + tarn.numPendingCreates());
    while (missing-- > 0) {
      tarn._create().promise.then(
        () => {
          this._fillFailures = 0;
          tarn.kick();
        },
        () => {
          // Waiters may have counted on this create: let tarn start their own (it retries at
          // create_retry_interval while anyone waits), and retry the fill later with backoff.
          tarn.kick();
          this._scheduleFill();
        },
      );
    }
  }

  private _scheduleFill(): void {
    if (this._state !== 'open' || this._fillTimer !== undefined) return;
    const delay = Math.min(this.config.createRetryIntervalMs * 2 ** this._fillFailures++, 30_000);
    this._fillTimer = setTimeout(() => {
      this._fillTimer = undefined;
      this._ensureMin();
    }, delay);
    this._fillTimer.unref();
  }

  private _errorCount(): number {
    return this._createFailures + this._timeouts + this._destroyFailures + this._badReleases;
  }

  private _metricFields() {
    const tarn = this._tarn;
    return {
      used: this._inUse,
      idle: tarn.numFree(),
      min: tarn.minSize,
      max: tarn.maxSize,
      pending: tarn.numPendingAcquires(),
      timeouts: this._timeouts,
      creates: this._creates,
      destroys: this._destroys,
      failedHealthChecks: this._failedHealthChecks,
      errors: this._errorCount(),
    };
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'object' || typeof value === 'function') return 'a promise-like value (a thenable)';
  return `a ${typeof value} (${String(value)}), not an object`;
}
