import { createKeyvSerializer } from '@hp/data';
import { Keyv, type KeyvStoreAdapter } from 'keyv';
import { CacheError } from './cacheError.js';
import { CircuitBreaker, type CircuitState } from './circuitBreaker.js';

/** A keyv-backed lower tier (Redis, SQLite, files, anything keyv stores into). */
export interface StoreTierOptions {
  /** Name used in statistics and metrics (e.g. `redis`). */
  name: string;
  /**
   * A configured Keyv (used as is: its namespace, serializer and TTL), or a keyv store adapter /
   * Map, which gets wrapped in a Keyv with @hp/data's CBOR envelope serializer.
   */
  store: Keyv | KeyvStoreAdapter | Map<unknown, unknown>;
  /** Namespace when `store` is not already a Keyv; default `hp-cache`. */
  namespace?: string;
  /** Per-operation timeout in ms (default 50: a few ms beyond a healthy LAN round trip, with GC slack). */
  timeoutMs?: number;
  /** Budget of operations until the first success, which may include connecting (default 1000 ms). */
  connectTimeoutMs?: number;
  /** Consecutive failures that open the circuit (default 3). */
  failureThreshold?: number;
  /** How long the circuit stays open before one probe is let through (default 1000 ms). */
  cooldownMs?: number;
  /** Default TTL in ms of entries written to this tier (0 = the entry's own TTL or none). */
  ttl?: number;
}

export interface StoreTierStats {
  name: string;
  hits: number;
  misses: number;
  sets: number;
  deletes: number;
  /** Operations that failed (error or timeout). */
  errors: number;
  timeouts: number;
  /** Operations not attempted because the circuit was open. */
  skipped: number;
  circuit: CircuitState;
  circuitOpens: number;
  latency: { count: number; totalMs: number; maxMs: number };
}

/** Default time budget of a namespace scan (list / clearPrefix). */
const LIST_BUDGET_MS = 1000;

function isKeyv(x: unknown): x is Keyv {
  return x instanceof Keyv;
}

/**
 * Wraps a keyv tier so that a slow or dead backend is never the caller's problem: every operation
 * has a timeout, failures feed a circuit breaker, errors are counted, and when the circuit opens
 * the tier is skipped until a probe succeeds.
 */
export class GuardedStore {
  readonly name: string;
  readonly keyv: Keyv;
  readonly ttl: number;
  private readonly _timeoutMs: number;
  private readonly _connectTimeoutMs: number;
  private _connected = false;
  private readonly _breaker: CircuitBreaker;
  private readonly _ownsKeyv: boolean;
  private readonly _stats: Omit<StoreTierStats, 'circuit' | 'circuitOpens' | 'name'>;
  private readonly _pending = new Set<{ reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private _closed = false;

  constructor(options: StoreTierOptions, clock: () => number) {
    this.name = options.name;
    this.ttl = options.ttl ?? 0;
    this._timeoutMs = options.timeoutMs ?? 50;
    this._connectTimeoutMs = Math.max(this._timeoutMs, options.connectTimeoutMs ?? 1000);
    this._breaker = new CircuitBreaker({
      failureThreshold: options.failureThreshold ?? 3,
      cooldownMs: options.cooldownMs ?? 1000,
      clock,
    });
    if (isKeyv(options.store)) {
      this.keyv = options.store;
      this._ownsKeyv = false;
    } else {
      this.keyv = new Keyv({
        store: options.store,
        namespace: options.namespace ?? 'hp-cache',
        throwOnErrors: true,
        ...createKeyvSerializer(),
      });
      this._ownsKeyv = true;
    }
    // keyv also emits errors as events; they are counted through the failed promise instead
    this.keyv.on('error', () => undefined);
    this._stats = {
      hits: 0,
      misses: 0,
      sets: 0,
      deletes: 0,
      errors: 0,
      timeouts: 0,
      skipped: 0,
      latency: { count: 0, totalMs: 0, maxMs: 0 },
    };
  }

  get circuit(): CircuitState {
    return this._breaker.state;
  }

  stats(): StoreTierStats {
    return {
      name: this.name,
      ...this._stats,
      latency: { ...this._stats.latency },
      circuit: this._breaker.state,
      circuitOpens: this._breaker.opens,
    };
  }

  /** Runs op under the timeout and breaker; resolves `fallback` when skipped or failed. */
  private async _run<T>(
    op: () => Promise<T>,
    fallback: T,
    signal?: AbortSignal,
    budgetMs?: number,
  ): Promise<{ ok: boolean; value: T }> {
    if (this._closed || !this._breaker.allow()) {
      this._stats.skipped++;
      return { ok: false, value: fallback };
    }
    const started = performance.now();
    let entry: { reject: (e: Error) => void; timer: NodeJS.Timeout } | undefined;
    const onAbort = (): void =>
      entry?.reject(new CacheError('ABORTED', `${this.name}: aborted by the caller`));
    try {
      const budget = Math.max(budgetMs ?? 0, this._connected ? this._timeoutMs : this._connectTimeoutMs);
      const value = await new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          this._stats.timeouts++;
          reject(new CacheError('STORE_TIMEOUT', `${this.name}: no answer within ${budget} ms`));
        }, budget);
        entry = { reject, timer };
        this._pending.add(entry);
        signal?.addEventListener('abort', onAbort, { once: true });
        op().then(resolve, reject);
      });
      this._breaker.success();
      this._connected = true;
      const ms = performance.now() - started;
      const l = this._stats.latency;
      l.count++;
      l.totalMs += ms;
      if (ms > l.maxMs) l.maxMs = ms;
      return { ok: true, value };
    } catch (error) {
      if (!(error instanceof CacheError && error.code === 'ABORTED')) {
        this._stats.errors++;
        this._breaker.failure();
      }
      return { ok: false, value: fallback };
    } finally {
      if (entry) {
        clearTimeout(entry.timer);
        this._pending.delete(entry);
      }
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** The stored value and its absolute expiry (ms, 0 = none), or undefined (miss, error, timeout). */
  async get(key: string, signal?: AbortSignal): Promise<{ value: unknown; expires: number } | undefined> {
    const r = await this._run(
      () => this.keyv.get(key, { raw: true }) as Promise<{ value?: unknown; expires?: number } | undefined>,
      undefined,
      signal,
    );
    const data = r.value;
    if (data === undefined || data === null || data.value === undefined) {
      if (r.ok) this._stats.misses++;
      return undefined;
    }
    this._stats.hits++;
    return { value: data.value, expires: data.expires ?? 0 };
  }

  async set(key: string, value: unknown, ttlMs: number, signal?: AbortSignal): Promise<boolean> {
    const ttl = ttlMs > 0 ? ttlMs : this.ttl > 0 ? this.ttl : undefined;
    const r = await this._run(() => this.keyv.set(key, value, ttl), false, signal);
    if (r.ok) this._stats.sets++;
    return r.ok;
  }

  async delete(key: string, signal?: AbortSignal): Promise<boolean> {
    const r = await this._run(() => this.keyv.delete(key), false, signal);
    if (r.ok) this._stats.deletes++;
    return r.ok && r.value;
  }

  async clear(signal?: AbortSignal): Promise<boolean> {
    const r = await this._run(() => this.keyv.clear().then(() => true), false, signal);
    return r.ok;
  }

  /**
   * Live entries whose key (in this tier's namespace) starts with `prefix`, at most `limit` of them.
   * Needs a store keyv can iterate (Redis, Map, SQL stores); `undefined` when it cannot, or on
   * failure/timeout (budget `budgetMs`, default 1000 ms: it scans the namespace).
   */
  async list(
    prefix: string,
    limit: number,
    signal?: AbortSignal,
    budgetMs = LIST_BUDGET_MS,
  ): Promise<Array<[string, unknown]> | undefined> {
    const iterator = this.keyv.iterator;
    if (typeof iterator !== 'function') return undefined;
    const r = await this._run(
      async () => {
        const out: Array<[string, unknown]> = [];
        for await (const [key, value] of iterator(this.keyv.namespace) as AsyncIterable<[string, unknown]>) {
          if (typeof key === 'string' && key.startsWith(prefix) && value !== undefined)
            out.push([key, value]);
          if (out.length >= limit || signal?.aborted) break;
        }
        return out;
      },
      undefined,
      signal,
      budgetMs,
    );
    return r.value;
  }

  /** Deletes this tier's keys that start with `prefix`; false when the store cannot list its keys or failed. */
  async clearPrefix(prefix: string, signal?: AbortSignal, budgetMs = LIST_BUDGET_MS): Promise<boolean> {
    const entries = await this.list(prefix, Number.MAX_SAFE_INTEGER, signal, budgetMs);
    if (entries === undefined) return false;
    if (entries.length === 0) return true;
    const keys = entries.map(([k]) => k);
    const r = await this._run(() => this.keyv.deleteMany(keys), false, signal, budgetMs);
    if (r.ok) this._stats.deletes += keys.length;
    return r.ok;
  }

  /** Settles pending operations and disconnects the store when this object created its Keyv. */
  async close(disconnect: boolean): Promise<void> {
    this._closed = true;
    for (const p of this._pending) p.reject(new CacheError('CLOSED', `${this.name}: the cache was closed`));
    this._pending.clear();
    if (disconnect || this._ownsKeyv) {
      let timer: NodeJS.Timeout | undefined;
      const graceful = await Promise.race([
        this.keyv.disconnect().then(
          () => true,
          () => true,
        ),
        new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 500))),
      ]);
      clearTimeout(timer);
      if (!graceful) {
        // a stalled or dead server: drop the connection (and its reconnect loop) at once
        const store = this.keyv.store as { disconnect?: (force?: boolean) => Promise<void> } | undefined;
        await store?.disconnect?.(true).catch(() => undefined);
      }
    }
  }
}
