import {
  type Attributes,
  type Histogram,
  type Meter,
  metrics as otelMetrics,
  type Observable,
} from '@opentelemetry/api';

/** Values a component reports at export time; hot paths only bump plain fields, never instruments. */
export const GAUGES = {
  'queue.depth': 'Tasks waiting in the queue',
  'queue.running': 'Tasks running now',
  'queue.waiting_producers': "Producers blocked by when_full: 'wait' (backpressure)",
  'queue.concurrency': 'Current concurrency limit',
  'rate_limit.paused': '1 while the limiter is paused after a 429, else 0',
  'rate_limit.requests_available': 'Requests the limiter could grant now',
  'rate_limit.tokens_available': 'Tokens the limiter could grant now',
  'batch.pending': 'Items waiting in open batches',
  'worker.threads': 'Worker threads alive',
  'worker.queue_depth': 'Tasks waiting for a worker',
  'worker.run_time_p50': 'Median worker task run time, ms (piscina histogram)',
  'worker.run_time_p99': '99th percentile worker task run time, ms (piscina histogram)',
  'worker.wait_time_p50': 'Median wait for a worker thread, ms (piscina histogram)',
  'worker.wait_time_p99': '99th percentile wait for a worker thread, ms (piscina histogram)',
} as const;

export const COUNTERS = {
  'tasks.completed': 'Tasks that resolved',
  'tasks.failed': 'Tasks that rejected (their own error, timeout or abort)',
  'queue.rejections': 'Tasks refused: queue full, aborted or timed out while queued, closed or cleared',
  retries: 'Retry attempts made (first attempts not counted)',
  'retry.budget_exhausted': 'Retries refused because the retry budget was empty',
  'rate_limit.pauses': 'Times the whole limiter paused after a 429 (once per episode, not per request)',
  'rate_limit.waits': 'Requests that had to wait for the rate limit',
  'rate_limit.headers_learned': 'Limits learned or corrected from provider headers',
  'batch.flushes': 'Batches dispatched',
  'batch.items': 'Items dispatched in batches',
  'batch.item_failures': 'Batch items that failed alone',
  'worker.completed': 'Worker pool tasks completed',
} as const;

export type GaugeName = keyof typeof GAUGES;
export type CounterName = keyof typeof COUNTERS;

/** A component that reports plain-field values when metrics are collected. */
export interface MetricsSource {
  /** Value of the `hp.async.component` attribute (e.g. 'llm' or 'state-updates'). */
  readonly name: string;
  collect(): Partial<Record<GaugeName | CounterName, number>>;
}

/**
 * OpenTelemetry instruments of @hp/async. Gauges and counters are observable: they read the plain
 * fields of registered components at export time, so hot paths cost one integer increment. Histograms
 * (wait, run, batch size) are recorded on coarse operations only.
 *
 * Create it after the OpenTelemetry SDK is registered (or pass `meter`); components use the shared
 * {@link defaultAsyncMetrics} unless given their own.
 */
export class AsyncMetrics {
  readonly waitTime: Histogram;
  readonly runTime: Histogram;
  readonly batchSize: Histogram;
  private readonly _sources = new Set<WeakRef<MetricsSource>>();

  constructor(options: { meter?: Meter } = {}) {
    const meter = options.meter ?? otelMetrics.getMeter('@hp/async');
    const observables = new Map<string, Observable>();
    for (const [name, description] of Object.entries(GAUGES)) {
      observables.set(name, meter.createObservableGauge(`hp.async.${name}`, { description }));
    }
    for (const [name, description] of Object.entries(COUNTERS)) {
      observables.set(name, meter.createObservableCounter(`hp.async.${name}`, { description }));
    }
    meter.addBatchObservableCallback(
      (result) => {
        for (const ref of this._sources) {
          const source = ref.deref();
          if (!source) {
            this._sources.delete(ref);
            continue;
          }
          const attributes: Attributes = { 'hp.async.component': source.name };
          for (const [name, value] of Object.entries(source.collect())) {
            const observable = observables.get(name);
            if (observable && value !== undefined) result.observe(observable, value, attributes);
          }
        }
      },
      [...observables.values()],
    );
    this.waitTime = meter.createHistogram('hp.async.task.wait_time', {
      unit: 'ms',
      description: 'Time a task waited in the queue and for rate limits before it started',
    });
    this.runTime = meter.createHistogram('hp.async.task.run_time', {
      unit: 'ms',
      description: 'Time a task ran, all attempts included',
    });
    this.batchSize = meter.createHistogram('hp.async.batch.size', {
      description: 'Items per dispatched batch',
    });
  }

  /** Registers a component; returns the function that unregisters it (components call it on close()). */
  register(source: MetricsSource): () => void {
    const ref = new WeakRef(source);
    this._sources.add(ref);
    return () => void this._sources.delete(ref);
  }

  /** Current values of every registered component, by component name (handy without an SDK). */
  snapshot(): Record<string, Partial<Record<GaugeName | CounterName, number>>> {
    const out: Record<string, Partial<Record<GaugeName | CounterName, number>>> = {};
    for (const ref of this._sources) {
      const source = ref.deref();
      if (source) out[source.name] = { ...out[source.name], ...source.collect() };
    }
    return out;
  }
}

let shared: AsyncMetrics | undefined;

/** The AsyncMetrics every component uses unless given one; created on first use from the global meter provider. */
export function defaultAsyncMetrics(): AsyncMetrics {
  shared ??= new AsyncMetrics();
  return shared;
}
