import { metrics, trace, type Attributes, type MeterProvider, type TracerProvider } from '@opentelemetry/api';
import { Pool } from '../src/index.js';
import { FakeFactory } from './fakeFactory.js';

// A minimal in-memory MeterProvider / TracerProvider (the SDK belongs to @hp/monitor, not here).
type Observation = { instrument: string; value: number; attributes: Attributes };
const callbacks: Array<(r: { observe: (i: { name: string }, v: number, a?: Attributes) => void }) => void> =
  [];
const recorded: Observation[] = [];
const instrument = (name: string) => ({
  name,
  record: (value: number, attributes: Attributes = {}) =>
    recorded.push({ instrument: name, value, attributes }),
  addCallback: () => {},
  removeCallback: () => {},
});
const meter = {
  createObservableUpDownCounter: instrument,
  createObservableCounter: instrument,
  createObservableGauge: instrument,
  createHistogram: instrument,
  addBatchObservableCallback: (cb: (typeof callbacks)[number]) => void callbacks.push(cb),
};
type FakeSpan = {
  name: string;
  attributes: Attributes;
  status?: { code: number };
  ended: boolean;
  kind?: number;
};
const spans: FakeSpan[] = [];
const tracer = {
  startActiveSpan: (
    name: string,
    options: { attributes?: Attributes; kind?: number },
    fn: (s: unknown) => unknown,
  ) => {
    const span: FakeSpan = { name, attributes: { ...options.attributes }, ended: false, kind: options.kind };
    spans.push(span);
    return fn({
      setAttribute: (k: string, v: unknown) => void (span.attributes[k] = v as string),
      setStatus: (s: { code: number }) => void (span.status = s),
      end: () => void (span.ended = true),
    });
  },
};

function collect(): Observation[] {
  const out: Observation[] = [];
  for (const cb of callbacks) {
    cb({ observe: (i, value, attributes = {}) => out.push({ instrument: i.name, value, attributes }) });
  }
  return out;
}

beforeAll(() => {
  metrics.setGlobalMeterProvider({ getMeter: () => meter } as unknown as MeterProvider);
  trace.setGlobalTracerProvider({ getTracer: () => tracer } as unknown as TracerProvider);
});
afterAll(() => {
  metrics.disable();
  trace.disable();
});

describe('OpenTelemetry instruments', () => {
  it('reports db.client.connection.* per pool from plain fields, and create/wait histograms', async () => {
    const pool = new Pool({
      name: 'database_primary',
      factory: new FakeFactory(),
      config: { max_size: 3, min_size: 1, health_check_interval: 0 },
    });
    const r = await pool.acquire();
    const seen = collect().filter(
      (o) => o.attributes['db.client.connection.pool.name'] === 'database_primary',
    );
    const value = (name: string, extra: Attributes = {}) =>
      seen.find(
        (o) => o.instrument === name && Object.entries(extra).every(([k, v]) => o.attributes[k] === v),
      )?.value;
    expect(value('db.client.connection.count', { 'db.client.connection.state': 'used' })).toBe(1);
    expect(value('db.client.connection.max')).toBe(3);
    expect(value('db.client.connection.idle.min')).toBe(1);
    expect(value('db.client.connection.pending_requests')).toBe(0);
    expect(value('hp.pool.creates')).toBeGreaterThanOrEqual(1);
    expect(recorded.some((o) => o.instrument === 'db.client.connection.create_time')).toBe(true);
    pool.release(r);
    await pool.close();
    // a closed pool is no longer reported
    expect(
      collect().filter((o) => o.attributes['db.client.connection.pool.name'] === 'database_primary'),
    ).toEqual([]);
  });

  it('traces use() with the database span conventions when an operation is named', async () => {
    const pool = new Pool({
      name: 'database_primary',
      factory: Object.assign(new FakeFactory(), {
        attributes: {
          'db.system.name': 'postgresql',
          'server.address': '127.0.0.1',
          'server.port': 5432,
          'db.namespace': 'test',
        },
      }),
      config: { health_check_interval: 0 },
    });
    await pool.use((c) => c.id); // no operation: no span
    expect(spans).toHaveLength(0);
    await pool.use((c) => c.id, { operation: 'SELECT' });
    await expect(
      pool.use(
        () => {
          throw Object.assign(new Error('syntax error'), { code: '42601' });
        },
        { operation: 'SELECT', querySummary: 'SELECT users' },
      ),
    ).rejects.toThrow('syntax error');
    expect(spans.map((s) => s.name)).toEqual(['SELECT test', 'SELECT users']);
    expect(spans[0]!.attributes).toMatchObject({
      'db.system.name': 'postgresql',
      'db.operation.name': 'SELECT',
      'db.namespace': 'test',
      'server.address': '127.0.0.1',
      'server.port': 5432,
    });
    expect(spans[0]!.kind).toBe(2); // SpanKind.CLIENT
    expect(spans[1]!.attributes).toMatchObject({ 'error.type': '42601', 'db.query.summary': 'SELECT users' });
    expect(spans[1]!.status?.code).toBe(2); // ERROR
    expect(spans.every((s) => s.ended)).toBe(true);
    await pool.close();
  });
});
