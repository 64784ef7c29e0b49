import type { AlertEngine, AlertRecord } from './alertEngine.js';
import type { MetricsReader } from './metricsReader.js';
import type { Predictions, TrendAnalyzer } from './trendAnalyzer.js';

/** What the dashboard shows, in the sketch's sections (snake_case keys, as in its generate_dashboard_data). */
export interface DashboardData {
  timestamp: number;
  service: string;
  interval_seconds: number;
  overview: {
    overall_throughput: number;
    avg_response_time: number;
    p50_response_time: number;
    p95_response_time: number;
    p99_response_time: number;
    error_rate: number;
    requests: number;
    resource_utilization: { cpu: number; memory: number; event_loop_delay_p99: number };
    active_alerts: number;
    /** 0-100: response time, error rate and cache hit ratio against the critical thresholds. */
    performance_score: number;
  };
  caching: {
    hit_ratio: number;
    requests: number;
    by_tier: Record<string, { hit_ratio: number; requests: number }>;
  };
  async_processing: { queue_depth: number; by_queue: Record<string, number> };
  connection_pools: {
    wait_mean_ms: number;
    usage: number;
    by_pool: Record<string, { in_use: number; size: number; usage: number; wait_mean_ms: number }>;
  };
  llm_performance: {
    calls: number;
    throughput: number;
    error_rate: number;
    latency_mean_ms: number;
    latency_p95_ms: number;
    tokens: number;
    tokens_per_second: number;
  };
  system_health: {
    cpu: number;
    memory_rss: number;
    heap_used: number;
    event_loop_delay_mean_ms: number;
    event_loop_delay_p99_ms: number;
    gc_pause_ms: number;
    gc_count: number;
  };
  predictions: {
    horizon_minutes: number;
    predicted_load: Predictions['predictedLoad'];
    bottleneck_predictions: string[];
    capacity_warnings: Predictions['capacityWarnings'];
    anomalies: Predictions['anomalies'];
    trends: Predictions['trends'];
  };
  alerts: { active: AlertRecord[]; recent: AlertRecord[] };
}

/** Chart data: shared times (epoch seconds) and one array per series key. */
export interface DashboardSeries {
  times: number[];
  series: Record<string, number[]>;
}

export interface DashboardSources {
  reader: MetricsReader;
  alerts?: AlertEngine | undefined;
  trends?: TrendAnalyzer | undefined;
  serviceName?: string | undefined;
  /** Critical levels used by the performance score (defaults: 5 s, 15%). */
  responseTimeCriticalMs?: number;
  errorRateCritical?: number;
}

const CHART_FAMILIES = [
  'throughput',
  'response_time_p50',
  'response_time_p95',
  'response_time_p99',
  'error_rate',
  'cache_hit_ratio',
  'queue_depth',
  'pool_usage',
  'llm_throughput',
  'llm_latency_p95',
  'cpu',
  'event_loop_delay_p99',
];

function labelled(
  reader: MetricsReader,
  family: Parameters<MetricsReader['labels']>[0],
  v: Record<string, number>,
) {
  const out: Record<string, number> = {};
  for (const label of reader.labels(family)) out[label] = v[`${family}:${label}`] ?? NaN;
  return out;
}

/** Builds the dashboard's sections from the reader's last interval, the alerts and the predictions. */
export function buildDashboardData(sources: DashboardSources, now: number = Date.now()): DashboardData {
  const { reader, alerts, trends } = sources;
  const latest = reader.latest();
  const v = latest?.values ?? {};
  const get = (k: string) => v[k] ?? NaN;
  const predictions = trends?.analyze(reader, now);
  const active = alerts?.active() ?? [];
  const rtCrit = sources.responseTimeCriticalMs ?? 5000;
  const errCrit = sources.errorRateCritical ?? 0.15;
  const scores = [
    1 - get('response_time_mean') / rtCrit,
    1 - get('error_rate') / errCrit,
    get('cache_hit_ratio'),
  ].filter((s) => Number.isFinite(s));
  const score = scores.length
    ? Math.round((100 * scores.reduce((a, s) => a + Math.min(1, Math.max(0, s)), 0)) / scores.length)
    : NaN;

  const tierRatios = labelled(reader, 'cache_hit_ratio', v);
  const byTier: DashboardData['caching']['by_tier'] = {};
  for (const [tier, ratio] of Object.entries(tierRatios)) {
    byTier[tier] = { hit_ratio: ratio, requests: get(`cache_requests:${tier}`) };
  }
  const byPool: DashboardData['connection_pools']['by_pool'] = {};
  const pools = new Set([...reader.labels('pool_usage'), ...reader.labels('pool_wait_mean')]);
  for (const pool of pools) {
    byPool[pool] = {
      in_use: get(`pool_in_use:${pool}`),
      size: get(`pool_size:${pool}`),
      usage: get(`pool_usage:${pool}`),
      wait_mean_ms: get(`pool_wait_mean:${pool}`),
    };
  }

  return {
    timestamp: latest?.time ?? now,
    service: sources.serviceName ?? 'app',
    interval_seconds: reader.interval,
    overview: {
      overall_throughput: get('throughput'),
      avg_response_time: get('response_time_mean'),
      p50_response_time: get('response_time_p50'),
      p95_response_time: get('response_time_p95'),
      p99_response_time: get('response_time_p99'),
      error_rate: get('error_rate'),
      requests: get('requests'),
      resource_utilization: {
        cpu: get('cpu'),
        memory: get('memory_rss'),
        event_loop_delay_p99: get('event_loop_delay_p99'),
      },
      active_alerts: active.length,
      performance_score: score,
    },
    caching: { hit_ratio: get('cache_hit_ratio'), requests: get('cache_requests'), by_tier: byTier },
    async_processing: { queue_depth: get('queue_depth'), by_queue: labelled(reader, 'queue_depth', v) },
    connection_pools: { wait_mean_ms: get('pool_wait_mean'), usage: get('pool_usage'), by_pool: byPool },
    llm_performance: {
      calls: get('llm_calls'),
      throughput: get('llm_throughput'),
      error_rate: get('llm_error_rate'),
      latency_mean_ms: get('llm_latency_mean'),
      latency_p95_ms: get('llm_latency_p95'),
      tokens: get('llm_tokens'),
      tokens_per_second: get('llm_tokens_per_second'),
    },
    system_health: {
      cpu: get('cpu'),
      memory_rss: get('memory_rss'),
      heap_used: get('heap_used'),
      event_loop_delay_mean_ms: get('event_loop_delay_mean'),
      event_loop_delay_p99_ms: get('event_loop_delay_p99'),
      gc_pause_ms: get('gc_pause'),
      gc_count: get('gc_count'),
    },
    predictions: {
      horizon_minutes: predictions?.horizonMinutes ?? 0,
      predicted_load: predictions?.predictedLoad ?? { metric: 'throughput', times: [], values: [] },
      bottleneck_predictions: predictions?.bottlenecks ?? [],
      capacity_warnings: predictions?.capacityWarnings ?? [],
      anomalies: predictions?.anomalies ?? [],
      trends: predictions?.trends ?? {},
    },
    alerts: { active, recent: (alerts?.history() ?? []).slice(-20).reverse() },
  };
}

/** The chart series over the last `windowSeconds`: every family total and per-label series. */
export function buildDashboardSeries(reader: MetricsReader, windowSeconds: number): DashboardSeries {
  const keys = reader.seriesKeys().filter((k) => CHART_FAMILIES.includes(k.split(':')[0]!));
  const series: Record<string, number[]> = {};
  let times: number[] = [];
  for (const key of keys) {
    const s = reader.series(key, windowSeconds);
    times = s.times;
    series[key] = s.values;
  }
  if (keys.length === 0) times = reader.series('throughput', windowSeconds).times;
  return { times: times.map((t) => t / 1000), series };
}
