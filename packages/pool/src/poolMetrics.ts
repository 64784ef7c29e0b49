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

type Field = keyof ReturnType<PoolMetricSource['metricFields']>;

/** The instruments observed with one field of a pool each (besides `db.client.connection.count`). */
const PER_FIELD: readonly {
  name: string;
  field: Field;
  kind: 'upDown' | 'counter';
  description: string;
  unit: string;
}[] = [
  {
    name: 'db.client.connection.idle.min',
    field: 'min',
    kind: 'upDown',
    description: 'Minimum number of idle connections kept open (min_size)',
    unit: '{connection}',
  },
  {
    name: 'db.client.connection.max',
    field: 'max',
    kind: 'upDown',
    description: 'Maximum number of open connections allowed (max_size)',
    unit: '{connection}',
  },
  {
    name: 'db.client.connection.pending_requests',
    field: 'pending',
    kind: 'upDown',
    description: 'Acquires waiting for a connection',
    unit: '{request}',
  },
  {
    name: 'db.client.connection.timeouts',
    field: 'timeouts',
    kind: 'counter',
    description: 'Acquires that timed out',
    unit: '{timeout}',
  },
  {
    name: 'hp.pool.creates',
    field: 'creates',
    kind: 'counter',
    description: 'Resources created',
    unit: '{connection}',
  },
  {
    name: 'hp.pool.destroys',
    field: 'destroys',
    kind: 'counter',
    description: 'Resources destroyed',
    unit: '{connection}',
  },
  {
    name: 'hp.pool.health_check.failures',
    field: 'failedHealthChecks',
    kind: 'counter',
    description: 'Idle resources that failed a health check and were replaced',
    unit: '{check}',
  },
  {
    name: 'hp.pool.errors',
    field: 'errors',
    kind: 'counter',
    description: 'Factory failures, invalid resources, timeouts and destroy failures',
    unit: '{error}',
  },
];

function instrumentsFor(meter: Meter): Instruments {
  if (current && current.meter === meter) return current;
  const count = meter.createObservableUpDownCounter('db.client.connection.count', {
    description: 'Connections open in the pool, by state (idle, used)',
    unit: '{connection}',
  });
  const perField = PER_FIELD.map(({ name, field, kind, description, unit }) => ({
    field,
    instrument:
      kind === 'upDown'
        ? meter.createObservableUpDownCounter(name, { description, unit })
        : meter.createObservableCounter(name, { description, unit }),
  }));
  const observables: Observable[] = [count, ...perField.map((p) => p.instrument)];
  meter.addBatchObservableCallback((result: BatchObservableResult) => {
    for (const pool of live) {
      const f = pool.metricFields();
      const attrs: Attributes = { 'db.client.connection.pool.name': pool.name };
      result.observe(count, f.used, { ...attrs, 'db.client.connection.state': 'used' });
      result.observe(count, f.idle, { ...attrs, 'db.client.connection.state': 'idle' });
      for (const { field, instrument } of perField) result.observe(instrument, f[field], attrs);
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
