export { setupMonitoring } from './setup.js';
export type { Monitoring, MonitoringOptions } from './setup.js';
export { MetricsReader, SERIES } from './metricsReader.js';
export type {
  IntervalSnapshot,
  LlmCall,
  MetricSource,
  MetricsReaderOptions,
  SeriesName,
  WindowSummary,
} from './metricsReader.js';
export { SdkMetricsBridge, DEFAULT_SDK_MAPPING } from './sdkMetricsBridge.js';
export type { SdkMetricMapping } from './sdkMetricsBridge.js';
export { SystemSampler } from './systemSampler.js';
export type { SystemSample, SystemSource } from './systemSampler.js';
export { HistogramLayout, LogHistogram } from './logHistogram.js';
export { AlertEngine, defaultRules } from './alertEngine.js';
export type {
  AlertEngineOptions,
  AlertEvents,
  AlertRecord,
  AlertRule,
  AlertSeverity,
  AlertThresholds,
} from './alertEngine.js';
export { HoltLinear } from './holtLinear.js';
export { EwmaDetector } from './ewmaDetector.js';
export type { EwmaResult } from './ewmaDetector.js';
export { TrendAnalyzer } from './trendAnalyzer.js';
export type {
  Anomaly,
  CapacityWarning,
  MetricTrend,
  Predictions,
  TrendAnalyzerOptions,
} from './trendAnalyzer.js';
export { Profiler } from './profiler.js';
export type { ProfilerOptions, SamplingOptions } from './profiler.js';
export { DashboardServer, startDashboard } from './dashboardServer.js';
export type { DashboardOptions } from './dashboardServer.js';
export { buildDashboardData, buildDashboardSeries } from './dashboardData.js';
export type { DashboardData, DashboardSeries, DashboardSources } from './dashboardData.js';
export { MonitorError } from './monitorError.js';
export type { MonitorErrorCode } from './monitorError.js';
export type { Clock } from './options.js';
