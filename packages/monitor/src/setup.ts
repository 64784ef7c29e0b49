import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  ConsoleMetricExporter,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type IMetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
  type ReadableSpan,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { z } from 'zod';
import { AlertEngine, type AlertEngineOptions } from './alertEngine.js';
import { DashboardServer } from './dashboardServer.js';
import { MetricsReader, type MetricsReaderOptions } from './metricsReader.js';
import { MonitorError } from './monitorError.js';
import { parseOptions } from './options.js';
import { SdkMetricsBridge, type SdkMetricMapping } from './sdkMetricsBridge.js';
import { TrendAnalyzer, type TrendAnalyzerOptions } from './trendAnalyzer.js';

const attributeValue = z.union([z.string(), z.number(), z.boolean()]);

const optionsSchema = z
  .object({
    serviceName: z.string().min(1),
    serviceVersion: z.string().optional(),
    resourceAttributes: z.record(z.string(), attributeValue).default({}),
    exporters: z
      .object({
        /** Prometheus scrape endpoint served by this process (port 0 picks a free port). */
        prometheus: z
          .object({
            port: z.number().int().min(0).max(65535).default(9464),
            host: z.string().default('127.0.0.1'),
            endpoint: z.string().startsWith('/').default('/metrics'),
          })
          .optional(),
        /** OTLP over HTTP: base URL of the collector, e.g. http://127.0.0.1:4318. */
        otlp: z
          .object({
            url: z.url(),
            headers: z.record(z.string(), z.string()).optional(),
          })
          .optional(),
        console: z.boolean().default(false),
        /** In-memory exporters for tests: spans and metrics kept in memory. */
        memory: z.boolean().default(false),
      })
      .default({ console: false, memory: false }),
    /** Export interval of push exporters (OTLP, console, memory), ms. */
    exportIntervalMillis: z.number().int().min(100).default(10_000),
    /** Batch spans (default) or export each span on end (simple, for tests and the console). */
    spanProcessor: z.enum(['batch', 'simple']).optional(),
    /** Options of the in-process MetricsReader (the sketch's monitoring.metrics_collection), or false. */
    metricsCollection: z.union([z.literal(false), z.record(z.string(), z.unknown())]).default({}),
    /** Which instruments feed the in-process reader (see SdkMetricMapping). */
    sdkMapping: z.record(z.string(), z.unknown()).optional(),
    /** Register the providers as the @opentelemetry/api globals (default true). */
    registerGlobal: z.boolean().default(true),
    /** The sketch's monitoring.alerting: an AlertEngine on the reader (default thresholds), or false. */
    alerting: z.union([z.literal(false), z.record(z.string(), z.unknown())]).default({}),
    /** The sketch's monitoring.performance_analysis: a TrendAnalyzer (trend window, anomalies), or false. */
    performanceAnalysis: z.union([z.literal(false), z.record(z.string(), z.unknown())]).default({}),
    /** Start the dashboard too ({ port, host, token, title }); off by default. */
    dashboard: z
      .union([
        z.literal(false),
        z
          .object({
            host: z.string().optional(),
            port: z.number().int().min(0).max(65535).optional(),
            token: z.string().optional(),
            title: z.string().optional(),
          })
          .loose(),
      ])
      .default(false),
  })
  .loose();

export type MonitoringOptions = Omit<
  z.input<typeof optionsSchema>,
  'metricsCollection' | 'sdkMapping' | 'alerting' | 'performanceAnalysis'
> & {
  metricsCollection?: false | MetricsReaderOptions;
  sdkMapping?: Partial<SdkMetricMapping>;
  alerting?: false | AlertEngineOptions;
  /** TrendAnalyzer options; `predictive_modeling: false` (the sketch's key) turns it off too. */
  performanceAnalysis?: false | (TrendAnalyzerOptions & { predictiveModeling?: boolean });
};

/** A running monitoring setup; `shutdown()` flushes every exporter and releases the globals. */
export interface Monitoring {
  readonly tracerProvider: TracerProvider;
  readonly meterProvider: MeterProvider;
  /** The in-process reader fed by the app's OpenTelemetry metrics (absent with metricsCollection: false). */
  readonly reader: MetricsReader | undefined;
  /** Alerts evaluated on every interval of the reader (absent with alerting: false or no reader). */
  readonly alerts: AlertEngine | undefined;
  /** Trends, forecasts and anomalies over the reader's series. */
  readonly trends: TrendAnalyzer | undefined;
  /** The dashboard, when `dashboard` options were given. */
  readonly dashboard: DashboardServer | undefined;
  /** The Prometheus scrape endpoint, when configured. */
  readonly prometheus: { url: string; port: number; host: string } | undefined;
  /** In-memory exporters, when `exporters.memory` is true. */
  readonly memory:
    | {
        spans(): ReadableSpan[];
        /** Collects now and returns every export so far. */
        metrics(): Promise<ResourceMetrics[]>;
        reset(): void;
      }
    | undefined;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Starts tracing and metrics for an app: one TracerProvider and one MeterProvider with the configured
 * exporters, an AsyncLocalStorage context manager and W3C propagators, registered as the
 * @opentelemetry/api globals so every library that uses only the API reports through them.
 * An abort of `signal` before setup completes undoes everything it started and rejects with the reason.
 */
export async function setupMonitoring(
  options: MonitoringOptions,
  { signal }: { signal?: AbortSignal } = {},
): Promise<Monitoring> {
  signal?.throwIfAborted();
  const o = parseOptions(optionsSchema, options, 'setupMonitoring', [
    'resourceAttributes',
    'headers',
    'sdkMapping',
    'limits',
    'metrics',
  ]);
  const resource = defaultResource().merge(
    resourceFromAttributes({
      ...o.resourceAttributes,
      [ATTR_SERVICE_NAME]: o.serviceName,
      ...(o.serviceVersion ? { [ATTR_SERVICE_VERSION]: o.serviceVersion } : {}),
    }),
  );

  const spanProcessors: SpanProcessor[] = [];
  const metricReaders: IMetricReader[] = [];
  const simple = o.spanProcessor === 'simple';
  const processor = (exporter: ConstructorParameters<typeof SimpleSpanProcessor>[0]['exporter']) =>
    simple ? new SimpleSpanProcessor({ exporter }) : new BatchSpanProcessor({ exporter });
  const periodic = (exporter: ConstructorParameters<typeof PeriodicExportingMetricReader>[0]['exporter']) =>
    new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: o.exportIntervalMillis });

  let memorySpans: InMemorySpanExporter | undefined;
  let memoryMetrics: InMemoryMetricExporter | undefined;
  let memoryReader: PeriodicExportingMetricReader | undefined;
  if (o.exporters.memory) {
    memorySpans = new InMemorySpanExporter();
    spanProcessors.push(new SimpleSpanProcessor({ exporter: memorySpans }));
    memoryMetrics = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    memoryReader = periodic(memoryMetrics);
    metricReaders.push(memoryReader);
  }
  if (o.exporters.console) {
    spanProcessors.push(processor(new ConsoleSpanExporter()));
    metricReaders.push(periodic(new ConsoleMetricExporter()));
  }
  if (o.exporters.otlp) {
    const base = o.exporters.otlp.url.replace(/\/+$/, '');
    const headers = o.exporters.otlp.headers;
    spanProcessors.push(processor(new OTLPTraceExporter({ url: `${base}/v1/traces`, headers })));
    metricReaders.push(periodic(new OTLPMetricExporter({ url: `${base}/v1/metrics`, headers })));
  }
  let prometheus: PrometheusExporter | undefined;
  if (o.exporters.prometheus) {
    prometheus = new PrometheusExporter({ preventServerStart: true });
    metricReaders.push(prometheus);
  }
  let bridge: SdkMetricsBridge | undefined;
  let reader: MetricsReader | undefined;
  if (o.metricsCollection !== false) {
    reader = new MetricsReader(o.metricsCollection as MetricsReaderOptions);
    bridge = new SdkMetricsBridge(o.sdkMapping as Partial<SdkMetricMapping> | undefined);
    metricReaders.push(bridge);
    reader.addSource(bridge);
  }

  const tracerProvider = new TracerProvider({ resource, spanProcessors });
  const meterProvider = new MeterProvider({ resource, readers: metricReaders });

  const contextManager = new AsyncLocalStorageContextManager();
  if (o.registerGlobal) {
    contextManager.enable();
    if (!context.setGlobalContextManager(contextManager)) {
      contextManager.disable();
      await Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown()]);
      throw new MonitorError(
        'ALREADY_STARTED',
        'Another OpenTelemetry SDK is already registered globally; call shutdown() on the previous Monitoring first (or pass registerGlobal: false).',
      );
    }
    trace.setGlobalTracerProvider(tracerProvider);
    metrics.setGlobalMeterProvider(meterProvider);
    propagation.setGlobalPropagator(
      new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
    );
  }

  let server: Server | undefined;
  let promInfo: Monitoring['prometheus'];
  if (prometheus && o.exporters.prometheus) {
    const { host, port, endpoint } = o.exporters.prometheus;
    const exporter = prometheus;
    server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method === 'GET' && path === endpoint) exporter.getMetricsRequestHandler(req, res);
      else res.writeHead(404).end();
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen({ port, host }, () => resolve());
      });
    } catch (error) {
      if (o.registerGlobal) disableGlobals();
      await Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown()]);
      throw new MonitorError(
        'EXPORTER_FAILED',
        `Could not serve Prometheus metrics on ${host}:${port} (${(error as Error).message}); pick another port (0 = any free port).`,
        'exporters.prometheus.port',
        { cause: error },
      );
    }
    const actual = (server.address() as AddressInfo).port;
    const urlHost = host.includes(':') ? `[${host}]` : host;
    promInfo = { url: `http://${urlHost}:${actual}${endpoint}`, port: actual, host };
  }

  let alerts: AlertEngine | undefined;
  let trends: TrendAnalyzer | undefined;
  let dashboard: DashboardServer | undefined;
  if (reader) {
    reader.start();
    instrumentProcess(meterProvider, reader);
    if (o.alerting !== false) {
      alerts = new AlertEngine(o.alerting as AlertEngineOptions);
      alerts.attach(reader);
      alerts.instrument(meterProvider.getMeter('@hp/monitor'));
    }
    if (o.performanceAnalysis !== false && o.performanceAnalysis.predictiveModeling !== false) {
      trends = new TrendAnalyzer(o.performanceAnalysis as TrendAnalyzerOptions);
    }
    if (o.dashboard !== false) {
      dashboard = new DashboardServer({ ...o.dashboard, reader, alerts, trends, serviceName: o.serviceName });
      try {
        await dashboard.listen();
      } catch (error) {
        await reader.close();
        alerts?.close();
        if (server) server.close();
        if (o.registerGlobal) disableGlobals();
        await Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown()]);
        throw new MonitorError(
          'EXPORTER_FAILED',
          `Could not start the dashboard: ${(error as Error).message}`,
          'dashboard.port',
          {
            cause: error,
          },
        );
      }
    }
  }

  let down: Promise<void> | undefined;
  const monitoring: Monitoring = {
    tracerProvider,
    meterProvider,
    reader,
    alerts,
    trends,
    dashboard,
    prometheus: promInfo,
    memory:
      memorySpans && memoryMetrics && memoryReader
        ? {
            spans: () => memorySpans.getFinishedSpans(),
            metrics: async () => {
              await memoryReader.forceFlush();
              return memoryMetrics.getMetrics();
            },
            reset: () => {
              memorySpans.reset();
              memoryMetrics.reset();
            },
          }
        : undefined,
    async forceFlush() {
      await Promise.all([tracerProvider.forceFlush(), meterProvider.forceFlush()]);
    },
    shutdown() {
      down ??= (async () => {
        await dashboard?.close();
        alerts?.close();
        await reader?.close();
        const results = await Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown()]);
        if (server) {
          server.closeAllConnections();
          await new Promise<void>((resolve) => server!.close(() => resolve()));
        }
        if (o.registerGlobal) {
          disableGlobals();
          contextManager.disable();
        }
        const failed = results.find((r) => r.status === 'rejected');
        if (failed) {
          throw new MonitorError(
            'EXPORTER_FAILED',
            'An exporter failed to flush on shutdown; check its endpoint.',
            undefined,
            {
              cause: failed.reason,
            },
          );
        }
      })();
      return down;
    },
  };
  if (signal?.aborted) {
    await monitoring.shutdown();
    throw signal.reason;
  }
  return monitoring;
}

/**
 * Exports the reader's process readings as semconv-named gauges (process.*, v8js.*, nodejs.*), so the
 * Prometheus endpoint and OTLP carry CPU, memory and event-loop delay too.
 */
function instrumentProcess(provider: MeterProvider, reader: MetricsReader): void {
  const meter = provider.getMeter('@hp/monitor');
  const gauge = (name: string, unit: string, description: string, series: string, scale = 1) =>
    meter.createObservableGauge(name, { unit, description }).addCallback((result) => {
      const v = reader.latest()?.values[series];
      if (v !== undefined && Number.isFinite(v)) result.observe(v * scale);
    });
  gauge('process.cpu.utilization', '1', 'CPU time / wall time over the last interval (1 = one core)', 'cpu');
  gauge('process.memory.usage', 'By', 'Resident set size', 'memory_rss');
  gauge('v8js.memory.heap.used', 'By', 'V8 heap in use', 'heap_used');
  gauge('nodejs.eventloop.delay.p99', 's', 'Event-loop delay, 99th percentile', 'event_loop_delay_p99', 1e-3);
  gauge('nodejs.eventloop.delay.mean', 's', 'Event-loop delay, mean', 'event_loop_delay_mean', 1e-3);
}

function disableGlobals(): void {
  trace.disable();
  metrics.disable();
  propagation.disable();
  context.disable();
}
