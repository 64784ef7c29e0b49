import type { Attributes } from '@opentelemetry/api';
import {
  AggregationTemporality,
  AggregationType,
  DataPointType,
  InstrumentType,
  MetricReader,
  type DataPoint,
  type ExponentialHistogram,
  type Histogram,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import type { MetricSource, MetricsReader } from './metricsReader.js';

/**
 * Which OpenTelemetry instruments feed which reader series. Defaults follow the semantic conventions
 * where one exists (HTTP, GenAI, database connection pools) and `hp.*` names otherwise.
 */
export interface SdkMetricMapping {
  /** Histograms of request durations (unit `s` or `ms`); `error.type` marks failures. */
  requestDuration: string[];
  /** Histograms of LLM call durations. */
  llmDuration: string[];
  /** Histograms or counters of LLM tokens. */
  llmTokens: string[];
  /** Counters of cache hits and misses, per tier attribute. */
  cacheHits: string[];
  cacheMisses: string[];
  cacheTierAttribute: string;
  /** Gauges or up-down counters of queue depth, per queue attribute. */
  queueDepth: string[];
  queueAttribute: string;
  /** Histograms of pool acquire waits, per pool attribute. */
  poolWait: string[];
  /** Up-down counters of connections by state (`used` / `idle`), and of the pool's max size. */
  poolConnections: string[];
  poolMax: string[];
  poolAttribute: string;
  poolStateAttribute: string;
}

export const DEFAULT_SDK_MAPPING: SdkMetricMapping = {
  requestDuration: ['http.server.request.duration', 'hp.request.duration'],
  llmDuration: ['gen_ai.client.operation.duration'],
  llmTokens: ['gen_ai.client.token.usage'],
  cacheHits: ['hp.cache.hits'],
  cacheMisses: ['hp.cache.misses'],
  cacheTierAttribute: 'hp.cache.tier',
  queueDepth: ['hp.queue.depth'],
  queueAttribute: 'hp.queue.name',
  poolWait: ['db.client.connection.wait_time', 'hp.pool.wait.duration'],
  // The current semconv name, and the older one that Prometheus' lint accepts (no `_count` suffix).
  poolConnections: ['db.client.connection.count', 'db.client.connections.usage'],
  poolMax: ['db.client.connection.max'],
  poolAttribute: 'db.client.connection.pool.name',
  poolStateAttribute: 'db.client.connection.state',
};

/**
 * An OpenTelemetry MetricReader registered in the app's MeterProvider (setupMonitoring does this) that
 * the in-process MetricsReader pulls from once per interval. It asks the SDK for delta sums and
 * exponential histograms, so each pull holds exactly the interval's counts with bounded error.
 */
export class SdkMetricsBridge extends MetricReader implements MetricSource {
  private readonly _mapping: SdkMetricMapping;

  constructor(mapping: Partial<SdkMetricMapping> = {}) {
    super({
      aggregationTemporalitySelector: (type) =>
        type === InstrumentType.COUNTER ||
        type === InstrumentType.OBSERVABLE_COUNTER ||
        type === InstrumentType.HISTOGRAM
          ? AggregationTemporality.DELTA
          : AggregationTemporality.CUMULATIVE,
      aggregationSelector: (type) =>
        type === InstrumentType.HISTOGRAM
          ? { type: AggregationType.EXPONENTIAL_HISTOGRAM, options: { maxSize: 160, recordMinMax: true } }
          : { type: AggregationType.DEFAULT },
    });
    this._mapping = { ...DEFAULT_SDK_MAPPING, ...mapping };
  }

  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }

  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }

  /** Collects the SDK's metrics and feeds the matching ones into `reader`. */
  async pull(reader: MetricsReader): Promise<void> {
    const { resourceMetrics } = await this.collect();
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) this._feed(reader, metric);
    }
  }

  private _feed(reader: MetricsReader, metric: MetricData): void {
    const m = this._mapping;
    const name = metric.descriptor.name;
    const toMs = metric.descriptor.unit === 's' ? 1000 : metric.descriptor.unit === 'us' ? 0.001 : 1;
    if (m.requestDuration.includes(name)) {
      this._histograms(metric, toMs, (value, count, sum, failed) =>
        reader.recordRequests(value, count, failed ? count : 0, sum),
      );
    } else if (m.llmDuration.includes(name)) {
      this._histograms(metric, toMs, (value, count, sum, failed) =>
        reader.recordLlmCalls(value, count, failed ? count : 0, sum),
      );
    } else if (m.llmTokens.includes(name)) {
      this._totals(metric, (total) => reader.recordLlmTokens(total));
    } else if (m.cacheHits.includes(name) || m.cacheMisses.includes(name)) {
      const hit = m.cacheHits.includes(name);
      for (const p of numberPoints(metric)) {
        const tier = String(p.attributes[m.cacheTierAttribute] ?? 'default');
        reader.recordCache(tier, hit ? p.value : 0, hit ? 0 : p.value);
      }
    } else if (m.queueDepth.includes(name)) {
      for (const p of numberPoints(metric)) {
        reader.setQueueDepth(p.value, String(p.attributes[m.queueAttribute] ?? 'default'));
      }
    } else if (m.poolWait.includes(name)) {
      this._histograms(metric, toMs, (value, count, sum, _failed, attrs) =>
        reader.recordPoolWait(value, String(attrs[m.poolAttribute] ?? 'default'), count, sum),
      );
    } else if (m.poolConnections.includes(name) || m.poolMax.includes(name)) {
      this._pools(reader, metric, m.poolMax.includes(name));
    }
  }

  private readonly _poolState = new Map<string, { used: number; idle: number; max: number }>();

  private _pools(reader: MetricsReader, metric: MetricData, isMax: boolean): void {
    const m = this._mapping;
    for (const p of numberPoints(metric)) {
      const pool = String(p.attributes[m.poolAttribute] ?? 'default');
      const s = this._poolState.get(pool) ?? { used: 0, idle: 0, max: 0 };
      if (isMax) s.max = p.value;
      else if (p.attributes[m.poolStateAttribute] === 'used') s.used = p.value;
      else s.idle = p.value;
      this._poolState.set(pool, s);
      reader.setPoolUsage(pool, s.used, s.max > 0 ? s.max : s.used + s.idle);
    }
  }

  private _totals(metric: MetricData, add: (total: number) => void): void {
    if (metric.dataPointType === DataPointType.SUM || metric.dataPointType === DataPointType.GAUGE) {
      for (const p of metric.dataPoints) add(p.value);
    } else {
      for (const p of metric.dataPoints) add(p.value.sum ?? 0);
    }
  }

  /** Calls `emit(value, count, sum, failed, attributes)` once per non-empty bucket, values in ms. */
  private _histograms(
    metric: MetricData,
    toMs: number,
    emit: (value: number, count: number, sum: number, failed: boolean, attributes: Attributes) => void,
  ): void {
    if (metric.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM) {
      for (const p of metric.dataPoints) this._exponential(p, toMs, emit);
    } else if (metric.dataPointType === DataPointType.HISTOGRAM) {
      for (const p of metric.dataPoints) this._explicit(p, toMs, emit);
    }
  }

  private _exponential(
    p: DataPoint<ExponentialHistogram>,
    toMs: number,
    emit: (value: number, count: number, sum: number, failed: boolean, attributes: Attributes) => void,
  ): void {
    const h = p.value;
    if (h.count === 0) return;
    const failed = p.attributes['error.type'] !== undefined;
    const base = Math.pow(2, Math.pow(2, -h.scale));
    // Spread the exact sum over the buckets in proportion to their representative values.
    const parts: Array<[number, number]> = [];
    if (h.zeroCount > 0) parts.push([0, h.zeroCount]);
    h.positive.bucketCounts.forEach((count, i) => {
      if (count > 0) {
        const lo = Math.pow(base, h.positive.offset + i);
        parts.push([Math.sqrt(lo * lo * base), count]);
      }
    });
    this._emitParts(parts, h.sum, toMs, failed, p.attributes, emit);
  }

  private _explicit(
    p: DataPoint<Histogram>,
    toMs: number,
    emit: (value: number, count: number, sum: number, failed: boolean, attributes: Attributes) => void,
  ): void {
    const h = p.value;
    if (h.count === 0) return;
    const failed = p.attributes['error.type'] !== undefined;
    const { boundaries, counts } = h.buckets;
    const parts: Array<[number, number]> = [];
    counts.forEach((count, i) => {
      if (count === 0) return;
      const lo = i === 0 ? (h.min ?? 0) : boundaries[i - 1]!;
      const hi = i < boundaries.length ? boundaries[i]! : (h.max ?? lo);
      parts.push([(lo + hi) / 2, count]);
    });
    this._emitParts(parts, h.sum, toMs, failed, p.attributes, emit);
  }

  private _emitParts(
    parts: Array<[number, number]>,
    sum: number | undefined,
    toMs: number,
    failed: boolean,
    attributes: Attributes,
    emit: (value: number, count: number, sum: number, failed: boolean, attributes: Attributes) => void,
  ): void {
    const approx = parts.reduce((a, [v, c]) => a + v * c, 0);
    const scale = sum !== undefined && approx > 0 ? sum / approx : 1;
    for (const [v, c] of parts) emit(v * toMs, c, v * c * scale * toMs, failed, attributes);
  }
}

function numberPoints(metric: MetricData): Array<DataPoint<number>> {
  return metric.dataPointType === DataPointType.SUM || metric.dataPointType === DataPointType.GAUGE
    ? metric.dataPoints
    : [];
}
