import {
  metrics,
  type Attributes,
  type BatchObservableResult,
  type Histogram,
  type Meter,
  type Observable,
} from '@opentelemetry/api';

/**
 * OpenTelemetry instruments of every live pool, named after the database client connection metrics of
 * the semantic conventions (`db.client.connection.*`, attribute `db.client.connection.pool.name`).
 * Counts live in plain fields of each pool and are read by one batch callback at export time; only
 * coarse events (a resource created, an acquire that had to queue) are recorded synchronously.
 */
export interface PoolMetricSource {
  readonly name: string;
  metricFields(): {
    used: number;
    idle: number;
    min: number;
    max: number;
    pending: number;
    timeouts: number;
    creates: number;
    destroys: number;
    failedHealthChecks: number;
    errors: number;
  };
}

interface Instruments {
  meter: Meter;
  createTime: Histogram;
  waitTime: Histogram;
}

const live = new Set<PoolMetricSource>();
let current: Instruments | undefined;

function instrumentsFor(meter: Meter): Instruments {
  if (current && current.meter === meter) return current;
  const count = meter.createObservableUpDownCounter('db.client.connection.count', {
    description: 'Connections open in the pool, by state (idle, used)',
    unit: '{connection}',
  });
  const idleMin = meter.createObservableUpDownCounter('db.client.connection.idle.min', {
    description: 'Minimum number of idle connections kept open (min_size)',
    unit: '{connection}',
  });
  const max = meter.createObservableUpDownCounter('db.client.connection.max', {
    description: 'Maximum number of open connections allowed (max_size)',
    unit: '{connection}',
  });
  const pending = meter.createObservableUpDownCounter('db.client.connection.pending_requests', {
    description: 'Acquires waiting for a connection',
    unit: '{request}',
  });
  const timeouts = meter.createObservableCounter('db.client.connection.timeouts', {
    description: 'Acquires that timed out',
    unit: '{timeout}',
  });
  const creates = meter.createObservableCounter('hp.pool.creates', {
    description: 'Resources created',
    unit: '{connection}',
  });
  const destroys = meter.createObservableCounter('hp.pool.destroys', {
    description: 'Resources destroyed',
    unit: '{connection}',
  });
  const healthFailures = meter.createObservableCounter('hp.pool.health_check.failures', {
    description: 'Idle resources that failed a health check and were replaced',
    unit: '{check}',
  });
  const errors = meter.createObservableCounter('hp.pool.errors', {
    description: 'Factory failures, invalid resources, timeouts and destroy failures',
    unit: '{error}',
  });
  const observables: Observable[] = [
    count,
    idleMin,
    max,
    pending,
    timeouts,
    creates,
    destroys,
    healthFailures,
    errors,
  ];
  meter.addBatchObservableCallback((result: BatchObservableResult) => {
    for (const pool of live) {
      const f = pool.metricFields();
      const attrs: Attributes = { 'db.client.connection.pool.name': pool.name };
      result.observe(count, f.used, { ...attrs, 'db.client.connection.state': 'used' });
      result.observe(count, f.idle, { ...attrs, 'db.client.connection.state': 'idle' });
      result.observe(idleMin, f.min, attrs);
      result.observe(max, f.max, attrs);
      result.observe(pending, f.pending, attrs);
      result.observe(timeouts, f.timeouts, attrs);
      result.observe(creates, f.creates, attrs);
      result.observe(destroys, f.destroys, attrs);
      result.observe(healthFailures, f.failedHealthChecks, attrs);
      result.observe(errors, f.errors, attrs);
    }
  }, observables);
  current = {
    meter,
    createTime: meter.createHistogram('db.client.connection.create_time', {
      description: 'Time it took to create a new connection',
      unit: 's',
    }),
    waitTime: meter.createHistogram('db.client.connection.wait_time', {
      description: 'Time an acquire that found no idle connection waited for one',
      unit: 's',
    }),
  };
  return current;
}

/** Handle a pool keeps while it is open. */
export interface PoolMetricsHandle {
  recordCreateTime(seconds: number): void;
  recordWaitTime(seconds: number): void;
  unregister(): void;
}

export function registerPoolMetrics(source: PoolMetricSource): PoolMetricsHandle {
  const inst = instrumentsFor(metrics.getMeter('@hp/pool'));
  live.add(source);
  const attrs: Attributes = { 'db.client.connection.pool.name': source.name };
  return {
    recordCreateTime: (s) => inst.createTime.record(s, attrs),
    recordWaitTime: (s) => inst.waitTime.record(s, attrs),
    unregister: () => void live.delete(source),
  };
}
