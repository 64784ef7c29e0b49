import { z } from 'zod';
import { EwmaDetector } from './ewmaDetector.js';
import { HoltLinear } from './holtLinear.js';
import type { MetricsReader } from './metricsReader.js';
import { parseOptions } from './options.js';

const limitSchema = z.object({
  /** The value the metric must not reach, e.g. queue_depth 1000 or response_time_mean 5000 (ms). */
  value: z.number(),
  /** `above` (default): warn when the forecast rises to the limit; `below`: when it falls to it. */
  direction: z.enum(['above', 'below']).default('above'),
});

const optionsSchema = z
  .object({
    /** Seconds of history the trends are fitted on (the sketch's trend_analysis_window). */
    trendAnalysisWindow: z.number().positive().default(3600),
    /** Forecast horizon in minutes (the sketch's "next hour"). */
    horizonMinutes: z.number().positive().default(60),
    /** Points of the forecast curve returned for charts. */
    forecastPoints: z.number().int().min(2).max(1000).default(12),
    alpha: z.number().gt(0).max(1).default(0.3),
    beta: z.number().gt(0).max(1).default(0.1),
    /** Series to analyse. */
    metrics: z
      .array(z.string())
      .default([
        'throughput',
        'response_time_mean',
        'response_time_p95',
        'error_rate',
        'cache_hit_ratio',
        'queue_depth',
        'pool_usage',
        'llm_throughput',
        'memory_rss',
        'cpu',
      ]),
    /** The series whose forecast is the "predicted load". */
    loadMetric: z.string().default('throughput'),
    /** Capacity limits per series; a forecast that crosses one within the horizon gives a warning. */
    limits: z.record(z.string(), z.union([z.number(), limitSchema])).default({ pool_usage: 0.9 }),
    anomalyDetection: z.boolean().default(true),
    anomaly: z
      .object({
        lambda: z.number().gt(0).max(1).default(0.1),
        sigmas: z.number().positive().default(3),
        warmup: z.number().int().min(1).default(20),
      })
      .default({ lambda: 0.1, sigmas: 3, warmup: 20 }),
    /** Anomalies reported per metric (most recent). */
    maxAnomalies: z.number().int().min(0).max(1000).default(20),
  })
  .loose();
export type TrendAnalyzerOptions = z.input<typeof optionsSchema>;

export interface MetricTrend {
  metric: string;
  points: number;
  level: number;
  /** Change per minute. */
  slopePerMinute: number;
  direction: 'rising' | 'falling' | 'flat';
  forecast: number;
}

export interface CapacityWarning {
  metric: string;
  limit: number;
  direction: 'above' | 'below';
  /** Minutes from the last interval until the forecast reaches the limit (0 = already there). */
  inMinutes: number;
  at: number;
  current: number;
}

export interface Anomaly {
  metric: string;
  time: number;
  value: number;
  expected: number;
  lower: number;
  upper: number;
  score: number;
}

export interface Predictions {
  time: number;
  horizonMinutes: number;
  trends: Record<string, MetricTrend>;
  /** Forecast of the load metric over the horizon: times (epoch ms) and values. */
  predictedLoad: { metric: string; times: number[]; values: number[] };
  capacityWarnings: CapacityWarning[];
  /** Metrics expected to hit their limit within the horizon, soonest first. */
  bottlenecks: string[];
  anomalies: Anomaly[];
}

/**
 * Trend, forecast, capacity warnings and anomalies for the reader's series: Holt's linear smoothing
 * fitted over the trend window, extrapolated over the horizon; a warning when the extrapolation crosses
 * a configured limit; EWMA control-limit anomalies over the same window.
 */
export class TrendAnalyzer {
  private readonly _o: z.output<typeof optionsSchema>;

  constructor(options: TrendAnalyzerOptions = {}) {
    this._o = parseOptions(optionsSchema, options, 'TrendAnalyzer', ['limits', 'metrics']);
  }

  /** Fits one series given as times (epoch ms, equally spaced) and values. */
  trend(
    metric: string,
    times: number[],
    values: number[],
  ): { trend: MetricTrend; model: HoltLinear; step: number } {
    const o = this._o;
    const model = new HoltLinear(o.alpha, o.beta);
    for (const v of values) model.update(v);
    const step = times.length >= 2 ? (times[times.length - 1]! - times[0]!) / (times.length - 1) : 60_000;
    const stepsPerMinute = step > 0 ? 60_000 / step : 1;
    const slope = model.count >= 2 ? model.trend * stepsPerMinute : 0;
    const level = model.level;
    const flat = Math.abs(slope * o.horizonMinutes) <= Math.max(Math.abs(level) * 0.01, 1e-9);
    return {
      model,
      step,
      trend: {
        metric,
        points: model.count,
        level,
        slopePerMinute: slope,
        direction: flat || Number.isNaN(slope) ? 'flat' : slope > 0 ? 'rising' : 'falling',
        forecast: model.forecast(o.horizonMinutes * stepsPerMinute),
      },
    };
  }

  /** Analyses the reader's series over the trend window. */
  analyze(reader: MetricsReader, now?: number): Predictions {
    const o = this._o;
    const trends: Record<string, MetricTrend> = {};
    const warnings: CapacityWarning[] = [];
    const anomalies: Anomaly[] = [];
    let predictedLoad: Predictions['predictedLoad'] = { metric: o.loadMetric, times: [], values: [] };
    const latest = reader.latest()?.time ?? now ?? Date.now();
    const keys = new Set([...o.metrics, ...Object.keys(o.limits), o.loadMetric]);
    for (const metric of keys) {
      const { times, values } = reader.series(metric, o.trendAnalysisWindow);
      const finiteTimes: number[] = [];
      const finite: number[] = [];
      values.forEach((v, i) => {
        if (Number.isFinite(v)) {
          finite.push(v);
          finiteTimes.push(times[i]!);
        }
      });
      if (finite.length === 0) continue;
      const { trend, model, step } = this.trend(metric, finiteTimes, finite);
      trends[metric] = trend;
      const stepsPerMinute = step > 0 ? 60_000 / step : 1;

      if (metric === o.loadMetric) {
        const n = o.forecastPoints;
        const ptsTimes: number[] = [];
        const ptsValues: number[] = [];
        for (let i = 1; i <= n; i++) {
          const minutes = (o.horizonMinutes * i) / n;
          ptsTimes.push(latest + minutes * 60_000);
          ptsValues.push(Math.max(0, model.forecast(minutes * stepsPerMinute)));
        }
        predictedLoad = { metric, times: ptsTimes, values: ptsValues };
      }

      const rawLimit = o.limits[metric];
      if (rawLimit !== undefined) {
        const limit =
          typeof rawLimit === 'number' ? { value: rawLimit, direction: 'above' as const } : rawLimit;
        const current = finite[finite.length - 1]!;
        const reached = limit.direction === 'above' ? model.level >= limit.value : model.level <= limit.value;
        const steps = reached ? 0 : model.stepsUntil(limit.value);
        if (steps !== undefined) {
          const minutes = steps / stepsPerMinute;
          if (minutes <= o.horizonMinutes) {
            warnings.push({
              metric,
              limit: limit.value,
              direction: limit.direction,
              inMinutes: minutes,
              at: latest + minutes * 60_000,
              current,
            });
          }
        }
      }

      if (o.anomalyDetection && o.maxAnomalies > 0) {
        const detector = new EwmaDetector(o.anomaly);
        const found: Anomaly[] = [];
        finite.forEach((v, i) => {
          const r = detector.update(v);
          if (r?.anomaly) {
            found.push({
              metric,
              time: finiteTimes[i]!,
              value: v,
              expected: r.expected,
              lower: r.lower,
              upper: r.upper,
              score: r.score,
            });
          }
        });
        anomalies.push(...found.slice(-o.maxAnomalies));
      }
    }
    warnings.sort((a, b) => a.inMinutes - b.inMinutes);
    anomalies.sort((a, b) => a.time - b.time);
    return {
      time: latest,
      horizonMinutes: o.horizonMinutes,
      trends,
      predictedLoad,
      capacityWarnings: warnings,
      bottlenecks: warnings.map((w) => w.metric),
      anomalies,
    };
  }
}
