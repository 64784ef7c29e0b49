import { z } from 'zod';
import { HistogramLayout, LogHistogram, quantileOfCounts } from './logHistogram.js';
import { abortError, MonitorError } from './monitorError.js';
import { parseOptions, systemClock, type Clock } from './options.js';
import { SystemSampler, type SystemSample, type SystemSource } from './systemSampler.js';

/**
 * Series the reader keeps, one value per interval. Labelled families are stored per label as
 * `family:label` (e.g. `cache_hit_ratio:hot`) next to the family total (`cache_hit_ratio`).
 * Times are milliseconds, ratios are fractions in [0, 1], rates are per second.
 */
export const SERIES = [
  'requests',
  'throughput',
  'errors',
  'error_rate',
  'response_time_mean',
  'response_time_p50',
  'response_time_p95',
  'response_time_p99',
  'cache_requests',
  'cache_hit_ratio',
  'queue_depth',
  'pool_wait_mean',
  'pool_in_use',
  'pool_size',
  'pool_usage',
  'llm_calls',
  'llm_throughput',
  'llm_errors',
  'llm_error_rate',
  'llm_latency_mean',
  'llm_latency_p95',
  'llm_tokens',
  'llm_tokens_per_second',
  'cpu',
  'memory_rss',
  'heap_used',
  'event_loop_delay_mean',
  'event_loop_delay_p99',
  'gc_pause',
  'gc_count',
] as const;
export type SeriesName = (typeof SERIES)[number];

const optionsSchema = z
  .object({
    /** Seconds per interval (the sketch's metrics_collection.interval). */
    interval: z.number().positive().max(86400).default(10),
    /** Seconds of history kept (metrics_collection.retention_period). */
    retentionPeriod: z
      .number()
      .positive()
      .max(31 * 86400)
      .default(86400),
    /** Seconds of per-interval latency histograms kept for window percentiles (default 1 h). */
    histogramWindow: z.number().positive().default(3600),
    /** Relative accuracy of latency percentiles. */
    relativeAccuracy: z.number().gt(0).lt(0.5).default(0.02),
    /** Distinct labels (cache tiers, queues, pools) kept per family; more go to `other`. */
    maxLabels: z.number().int().min(1).max(64).default(8),
    /** Sample CPU, memory, event-loop delay and GC (set false in tests, or pass a `systemSource`). */
    system: z.boolean().default(true),
    clock: z.custom<Clock>((v) => typeof v === 'function').optional(),
    systemSource: z
      .custom<SystemSource>((v) => typeof v === 'object' && v !== null && 'sample' in v)
      .optional(),
  })
  .loose();

export type MetricsReaderOptions = z.input<typeof optionsSchema>;

/** The values of one closed interval: `values[series]` (NaN when there was nothing to measure). */
export interface IntervalSnapshot {
  /** End of the interval, epoch ms (from the injected clock). */
  time: number;
  /** Length of the interval in seconds. */
  seconds: number;
  values: Record<string, number>;
}

/** Aggregates over a window of intervals (percentiles merged from the interval histograms). */
export interface WindowSummary {
  seconds: number;
  intervals: number;
  requests: number;
  throughput: number;
  errorRate: number;
  responseTime: { mean: number; p50: number; p95: number; p99: number };
  cacheHitRatio: number;
  cacheHitRatioByTier: Record<string, number>;
  llm: { calls: number; errorRate: number; latencyMean: number; latencyP95: number; tokens: number };
}

/** Something the reader pulls from before each interval closes (e.g. the app's OpenTelemetry metrics). */
export interface MetricSource {
  pull(reader: MetricsReader): Promise<void>;
}

export interface LlmCall {
  durationMs: number;
  inputTokens?: number;
  outputTokens?: number;
  error?: boolean;
}

class HistogramRing {
  readonly counts: Uint32Array;
  readonly totals: Float64Array;
  readonly sums: Float64Array;
  constructor(
    readonly layout: HistogramLayout,
    readonly capacity: number,
  ) {
    this.counts = new Uint32Array(capacity * layout.size);
    this.totals = new Float64Array(capacity);
    this.sums = new Float64Array(capacity);
  }
  write(slot: number, h: LogHistogram): void {
    this.counts.set(h.counts, slot * this.layout.size);
    this.totals[slot] = h.count;
    this.sums[slot] = h.sum;
  }
}

/**
 * The in-process metrics reader: throughput, response-time percentiles, error rate, cache hit ratio
 * per tier, queue depth, pool wait and usage, LLM calls and tokens, CPU, memory, event-loop delay and
 * GC pauses, one value per interval, kept for the retention period.
 *
 * Memory is bounded and allocated up front per series: a ring of `retention / interval` 32-bit floats
 * per series, a ring of fixed-layout histograms for the histogram window, and one open histogram per
 * family. Recording a value never allocates; nothing keeps raw samples.
 */
export class MetricsReader {
  readonly interval: number;
  readonly retentionPeriod: number;
  readonly capacity: number;
  readonly layout: HistogramLayout;
  private readonly _clock: Clock;
  private readonly _maxLabels: number;
  private readonly _times: Float64Array;
  private readonly _series = new Map<string, Float32Array>();
  private _head = 0;
  private _size = 0;
  private _histHead = 0;
  private readonly _reqRing: HistogramRing;
  private readonly _llmRing: HistogramRing;
  private readonly _reqHist: LogHistogram;
  private readonly _llmHist: LogHistogram;
  private _requests = 0;
  private _errors = 0;
  private _llmCalls = 0;
  private _llmErrors = 0;
  private _llmTokens = 0;
  private readonly _cache = new Map<string, { hits: number; misses: number }>();
  private readonly _queues = new Map<string, number>();
  private readonly _poolWait = new Map<string, { count: number; sum: number }>();
  private readonly _poolUsage = new Map<string, { inUse: number; size: number }>();
  private readonly _sources = new Set<MetricSource>();
  private readonly _listeners = new Set<(s: IntervalSnapshot) => void>();
  private readonly _system: SystemSource | undefined;
  private _timer: NodeJS.Timeout | undefined;
  private _lastTick: number;
  private _closed = false;
  private _latest: IntervalSnapshot | undefined;
  private _ticking: Promise<void> | undefined;

  constructor(options: MetricsReaderOptions = {}) {
    const o = parseOptions(optionsSchema, options, 'MetricsReader');
    this.interval = o.interval;
    this.retentionPeriod = o.retentionPeriod;
    this.capacity = Math.max(1, Math.ceil(o.retentionPeriod / o.interval));
    this._clock = o.clock ?? systemClock;
    this._maxLabels = o.maxLabels;
    this.layout = new HistogramLayout(o.relativeAccuracy, 1e-3, 1e7);
    this._times = new Float64Array(this.capacity);
    const histCap = Math.max(1, Math.min(this.capacity, Math.ceil(o.histogramWindow / o.interval)));
    this._reqRing = new HistogramRing(this.layout, histCap);
    this._llmRing = new HistogramRing(this.layout, histCap);
    this._reqHist = new LogHistogram(this.layout);
    this._llmHist = new LogHistogram(this.layout);
    this._system = o.systemSource ?? (o.system ? new SystemSampler() : undefined);
    this._lastTick = this._clock();
  }

  // ---- feeding -------------------------------------------------------------------------------

  /** One request (an agent step, an HTTP request...) that took `durationMs`. */
  recordRequest(durationMs: number, error = false): void {
    this._requests++;
    if (error) this._errors++;
    this._reqHist.record(durationMs);
  }

  /** `count` requests whose durations fell around `durationMs` (bulk feed from bucketed data). */
  recordRequests(durationMs: number, count: number, errors = 0, sumMs = durationMs * count): void {
    if (!(count > 0)) return;
    this._requests += count;
    this._errors += errors;
    this._reqHist.record(durationMs, count);
    this._reqHist.sum += sumMs - durationMs * count;
  }

  /** Cache lookups on a tier (`hot`, `warm`, `cold`, `l2`, ...). */
  recordCache(tier: string, hits: number, misses: number): void {
    const c = this._label(this._cache, tier, () => ({ hits: 0, misses: 0 }));
    c.hits += hits;
    c.misses += misses;
  }

  /** Current depth of a queue (a gauge: the last value set is kept). */
  setQueueDepth(depth: number, queue = 'default'): void {
    this._queues.set(this._labelName(this._queues, queue), depth);
  }

  /** Time spent waiting to acquire a resource from a pool. */
  recordPoolWait(waitMs: number, pool = 'default', count = 1, sumMs = waitMs * count): void {
    const w = this._label(this._poolWait, pool, () => ({ count: 0, sum: 0 }));
    w.count += count;
    w.sum += sumMs;
  }

  /** Resources in use and pool size (a gauge). */
  setPoolUsage(pool: string, inUse: number, size: number): void {
    const u = this._label(this._poolUsage, pool, () => ({ inUse: 0, size: 0 }));
    u.inUse = inUse;
    u.size = size;
  }

  recordLlmCall(call: LlmCall): void {
    this._llmCalls++;
    if (call.error) this._llmErrors++;
    this._llmTokens += (call.inputTokens ?? 0) + (call.outputTokens ?? 0);
    this._llmHist.record(call.durationMs);
  }

  /** Bulk form of recordLlmCall for bucketed data. */
  recordLlmCalls(durationMs: number, count: number, errors = 0, sumMs = durationMs * count): void {
    if (!(count > 0)) return;
    this._llmCalls += count;
    this._llmErrors += errors;
    this._llmHist.record(durationMs, count);
    this._llmHist.sum += sumMs - durationMs * count;
  }

  recordLlmTokens(tokens: number): void {
    this._llmTokens += tokens;
  }

  // ---- intervals -----------------------------------------------------------------------------

  /** Adds a source pulled before each interval closes (see SdkMetricsBridge). Returns a remover. */
  addSource(source: MetricSource): () => void {
    this._sources.add(source);
    return () => this._sources.delete(source);
  }

  /** Called with each closed interval. Returns an unsubscribe function. */
  onInterval(listener: (snapshot: IntervalSnapshot) => void): () => void {
    this._listeners.add(listener);
    return () => this._listeners.delete(listener);
  }

  /** Starts sampling the process and closing an interval every `interval` seconds (timer unref'd). */
  start(): this {
    if (this._closed) throw new MonitorError('CLOSED', 'This MetricsReader is closed; create a new one.');
    if (this._timer) return this;
    this._system?.start();
    this._lastTick = this._clock();
    this._timer = setInterval(() => void this.collect(), this.interval * 1000);
    this._timer.unref();
    return this;
  }

  /**
   * Pulls every source, then closes the interval. Concurrent calls share one run; `signal` stops the
   * caller's wait (the shared run still completes, so no interval is half-written).
   */
  collect(options: { signal?: AbortSignal } = {}): Promise<void> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(abortError(signal));
    const run = this._collect();
    if (!signal) return run;
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(abortError(signal));
      signal.addEventListener('abort', onAbort, { once: true });
      run.then(
        () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error as Error);
        },
      );
    });
  }

  private _collect(): Promise<void> {
    if (this._ticking) return this._ticking;
    const run = (async () => {
      for (const source of this._sources) {
        try {
          await source.pull(this);
        } catch {
          // A failing source must not stop the interval; its values are simply missing.
        }
      }
      if (!this._closed) this.tick();
    })();
    this._ticking = run.finally(() => {
      this._ticking = undefined;
    });
    return this._ticking;
  }

  /**
   * Closes the current interval at `now` (default: the clock), stores its values and notifies
   * listeners. Tests drive this directly with a fake clock.
   */
  tick(now: number = this._clock()): IntervalSnapshot {
    // Rates use the real elapsed time; a backfilled or out-of-order tick counts as one interval.
    const elapsed = (now - this._lastTick) / 1000;
    const seconds = elapsed > 0 ? elapsed : this.interval;
    this._lastTick = now;
    const v: Record<string, number> = {};
    v.requests = this._requests;
    v.throughput = this._requests / seconds;
    v.errors = this._errors;
    v.error_rate = this._requests > 0 ? this._errors / this._requests : NaN;
    const rh = this._reqHist;
    v.response_time_mean = rh.mean();
    v.response_time_p50 = rh.quantile(0.5);
    v.response_time_p95 = rh.quantile(0.95);
    v.response_time_p99 = rh.quantile(0.99);

    let hits = 0;
    let lookups = 0;
    for (const [tier, c] of this._cache) {
      const n = c.hits + c.misses;
      v[`cache_requests:${tier}`] = n;
      v[`cache_hit_ratio:${tier}`] = n > 0 ? c.hits / n : NaN;
      hits += c.hits;
      lookups += n;
      c.hits = 0;
      c.misses = 0;
    }
    v.cache_requests = lookups;
    v.cache_hit_ratio = lookups > 0 ? hits / lookups : NaN;

    let depth = 0;
    for (const [q, d] of this._queues) {
      v[`queue_depth:${q}`] = d;
      depth += d;
    }
    v.queue_depth = this._queues.size > 0 ? depth : NaN;

    let waits = 0;
    let waitSum = 0;
    for (const [p, w] of this._poolWait) {
      v[`pool_wait_mean:${p}`] = w.count > 0 ? w.sum / w.count : NaN;
      waits += w.count;
      waitSum += w.sum;
      w.count = 0;
      w.sum = 0;
    }
    v.pool_wait_mean = waits > 0 ? waitSum / waits : NaN;
    let inUse = 0;
    let size = 0;
    for (const [p, u] of this._poolUsage) {
      v[`pool_in_use:${p}`] = u.inUse;
      v[`pool_size:${p}`] = u.size;
      v[`pool_usage:${p}`] = u.size > 0 ? u.inUse / u.size : NaN;
      inUse += u.inUse;
      size += u.size;
    }
    v.pool_in_use = this._poolUsage.size > 0 ? inUse : NaN;
    v.pool_size = this._poolUsage.size > 0 ? size : NaN;
    v.pool_usage = size > 0 ? inUse / size : NaN;

    const lh = this._llmHist;
    v.llm_calls = this._llmCalls;
    v.llm_throughput = this._llmCalls / seconds;
    v.llm_errors = this._llmErrors;
    v.llm_error_rate = this._llmCalls > 0 ? this._llmErrors / this._llmCalls : NaN;
    v.llm_latency_mean = lh.mean();
    v.llm_latency_p95 = lh.quantile(0.95);
    v.llm_tokens = this._llmTokens;
    v.llm_tokens_per_second = this._llmTokens / seconds;

    const s: SystemSample | undefined = this._system?.sample();
    v.cpu = s?.cpu ?? NaN;
    v.memory_rss = s?.memoryRss ?? NaN;
    v.heap_used = s?.heapUsed ?? NaN;
    v.event_loop_delay_mean = s?.eventLoopDelayMean ?? NaN;
    v.event_loop_delay_p99 = s?.eventLoopDelayP99 ?? NaN;
    v.gc_pause = s?.gcPause ?? NaN;
    v.gc_count = s?.gcCount ?? NaN;

    // Store: one slot per interval in every ring.
    const slot = this._head;
    this._times[slot] = now;
    for (const [key, value] of Object.entries(v)) this._ring(key)[slot] = value;
    for (const [key, ring] of this._series) if (!(key in v)) ring[slot] = NaN;
    const hslot = this._histHead;
    this._reqRing.write(hslot, rh);
    this._llmRing.write(hslot, lh);
    this._histHead = (hslot + 1) % this._reqRing.capacity;
    this._head = (slot + 1) % this.capacity;
    this._size = Math.min(this._size + 1, this.capacity);

    this._requests = 0;
    this._errors = 0;
    this._llmCalls = 0;
    this._llmErrors = 0;
    this._llmTokens = 0;
    rh.reset();
    lh.reset();

    const snapshot: IntervalSnapshot = { time: now, seconds, values: v };
    this._latest = snapshot;
    for (const listener of this._listeners) listener(snapshot);
    return snapshot;
  }

  // ---- reading -------------------------------------------------------------------------------

  /** The last closed interval. */
  latest(): IntervalSnapshot | undefined {
    return this._latest;
  }

  /** Number of intervals stored (at most `capacity`). */
  get size(): number {
    return this._size;
  }

  /** Every series key seen so far (family totals and `family:label`). */
  seriesKeys(): string[] {
    return [...this._series.keys()];
  }

  /** Labels seen for a labelled family, e.g. labels('cache_hit_ratio') -> ['hot', 'warm']. */
  labels(family: SeriesName): string[] {
    const prefix = `${family}:`;
    return this.seriesKeys()
      .filter((k) => k.startsWith(prefix))
      .map((k) => k.slice(prefix.length));
  }

  /** A series in time order over the last `windowSeconds` (default: everything kept). */
  series(key: string, windowSeconds?: number): { times: number[]; values: number[] } {
    const ring = this._series.get(key);
    const n = this._count(windowSeconds);
    const times: number[] = [];
    const values: number[] = [];
    for (let i = n; i >= 1; i--) {
      const slot = (this._head - i + this.capacity) % this.capacity;
      times.push(this._times[slot]!);
      values.push(ring ? ring[slot]! : NaN);
    }
    return { times, values };
  }

  /** Aggregates over the last `windowSeconds` (percentiles limited to the histogram window). */
  summary(windowSeconds: number = this.interval): WindowSummary {
    const n = this._count(windowSeconds);
    let requests = 0;
    let errors = 0;
    let elapsed = 0;
    let llmCalls = 0;
    let llmErrors = 0;
    let tokens = 0;
    let hits = 0;
    let lookups = 0;
    const tierHits = new Map<string, { h: number; n: number }>();
    const tiers = this.labels('cache_hit_ratio');
    const col = (k: string) => this._series.get(k);
    const req = col('requests');
    const err = col('errors');
    const lc = col('llm_calls');
    const le = col('llm_errors');
    const lt = col('llm_tokens');
    for (let i = n; i >= 1; i--) {
      const slot = (this._head - i + this.capacity) % this.capacity;
      const prev = (slot - 1 + this.capacity) % this.capacity;
      elapsed += i === this._size ? this.interval : (this._times[slot]! - this._times[prev]!) / 1000;
      requests += nz(req?.[slot]);
      errors += nz(err?.[slot]);
      llmCalls += nz(lc?.[slot]);
      llmErrors += nz(le?.[slot]);
      tokens += nz(lt?.[slot]);
      for (const tier of tiers) {
        const count = nz(col(`cache_requests:${tier}`)?.[slot]);
        const ratio = col(`cache_hit_ratio:${tier}`)?.[slot] ?? NaN;
        if (count > 0 && !Number.isNaN(ratio)) {
          const t = tierHits.get(tier) ?? { h: 0, n: 0 };
          t.h += ratio * count;
          t.n += count;
          tierHits.set(tier, t);
          hits += ratio * count;
          lookups += count;
        }
      }
    }
    const byTier: Record<string, number> = {};
    for (const [tier, t] of tierHits) byTier[tier] = t.h / t.n;
    const rq = this._mergedQuantiles(this._reqRing, n, [0.5, 0.95, 0.99]);
    const lq = this._mergedQuantiles(this._llmRing, n, [0.95]);
    return {
      seconds: windowSeconds,
      intervals: n,
      requests,
      throughput: elapsed > 0 ? requests / elapsed : 0,
      errorRate: requests > 0 ? errors / requests : NaN,
      responseTime: { mean: rq.mean, p50: rq.q[0]!, p95: rq.q[1]!, p99: rq.q[2]! },
      cacheHitRatio: lookups > 0 ? hits / lookups : NaN,
      cacheHitRatioByTier: byTier,
      llm: {
        calls: llmCalls,
        errorRate: llmCalls > 0 ? llmErrors / llmCalls : NaN,
        latencyMean: lq.mean,
        latencyP95: lq.q[0]!,
        tokens,
      },
    };
  }

  /** Bytes held by the rings and open histograms (fixed once every series exists). */
  memoryBytes(): number {
    let bytes = this._times.byteLength;
    for (const ring of this._series.values()) bytes += ring.byteLength;
    for (const r of [this._reqRing, this._llmRing])
      bytes += r.counts.byteLength + r.totals.byteLength + r.sums.byteLength;
    return bytes + this._reqHist.counts.byteLength + this._llmHist.counts.byteLength;
  }

  /** Stops the timer and the process sampler; recorded data stays readable. */
  async close(): Promise<void> {
    if (this._closed) return;
    this._closed = true;
    if (this._timer) clearInterval(this._timer);
    this._timer = undefined;
    await this._ticking;
    this._system?.close();
    this._listeners.clear();
    this._sources.clear();
  }

  // ---- internals -----------------------------------------------------------------------------

  private _count(windowSeconds: number | undefined): number {
    if (windowSeconds === undefined) return this._size;
    return Math.min(this._size, Math.max(1, Math.round(windowSeconds / this.interval)));
  }

  private _mergedQuantiles(ring: HistogramRing, n: number, qs: number[]): { mean: number; q: number[] } {
    const size = this.layout.size;
    const k = Math.min(n, ring.capacity);
    const merged = new Float64Array(size);
    let total = 0;
    let sum = 0;
    for (let i = 1; i <= k; i++) {
      const h = (this._histHead - i + ring.capacity) % ring.capacity;
      const base = h * size;
      for (let b = 0; b < size; b++) merged[b]! += ring.counts[base + b]!;
      total += ring.totals[h]!;
      sum += ring.sums[h]!;
    }
    return {
      mean: total > 0 ? sum / total : NaN,
      q: qs.map((q) => quantileOfCounts(this.layout, merged, total, q)),
    };
  }

  private _ring(key: string): Float32Array {
    let ring = this._series.get(key);
    if (!ring) {
      ring = new Float32Array(this.capacity).fill(NaN);
      this._series.set(key, ring);
    }
    return ring;
  }

  private _labelName(map: Map<string, unknown>, label: string): string {
    if (map.has(label) || map.size < this._maxLabels) return label;
    return 'other';
  }

  private _label<T>(map: Map<string, T>, label: string, make: () => T): T {
    const name = this._labelName(map, label);
    let value = map.get(name);
    if (value === undefined) {
      value = make();
      map.set(name, value);
    }
    return value;
  }
}

function nz(v: number | undefined): number {
  return v === undefined || Number.isNaN(v) ? 0 : v;
}
