import { context, trace, type Span, type Tracer, type TracerProvider } from '@opentelemetry/api';
import { AsyncMetrics, Batcher, TaskRunner } from '../src/index.js';

interface Recorded {
  name: string;
  attributes: Record<string, unknown>;
  status?: { code: number };
  ended: boolean;
}

/** A TracerProvider double: records spans so the test can see what @hp/async emits. */
function recordingProvider(): { provider: TracerProvider; spans: Recorded[] } {
  const spans: Recorded[] = [];
  const tracer = {
    startSpan(name: string, options?: { attributes?: Record<string, unknown> }) {
      const rec: Recorded = { name, attributes: { ...options?.attributes }, ended: false };
      spans.push(rec);
      const span = {
        setAttribute: (k: string, v: unknown) => ((rec.attributes[k] = v), span),
        setStatus: (s: { code: number }) => ((rec.status = s), span),
        addEvent: () => span,
        end: () => void (rec.ended = true),
        isRecording: () => true,
        spanContext: () =>
          trace
            .wrapSpanContext({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 1 })
            .spanContext(),
      };
      return span as unknown as Span;
    },
  } as unknown as Tracer;
  return { provider: { getTracer: () => tracer }, spans };
}

describe('spans', () => {
  const { provider, spans } = recordingProvider();
  beforeAll(() => trace.setGlobalTracerProvider(provider));
  afterAll(() => trace.disable());

  it('one span per TaskRunner task (attempts, error status) and per batch', async () => {
    const metrics = new AsyncMetrics();
    const runner = new TaskRunner({ name: 'llm', metrics, retry: { baseDelay: 0 } });
    let n = 0;
    await context.with(context.active(), () =>
      runner.run(async () => {
        if (n++ === 0) throw Object.assign(new Error('503'), { status: 503 });
        return 'ok';
      }),
    );
    await expect(runner.run(async () => Promise.reject(new Error('bad request')))).rejects.toThrow(
      'bad request',
    );
    const tasks = spans.filter((s) => s.name === 'hp.async.task');
    expect(tasks).toHaveLength(2);
    expect(tasks[0]).toMatchObject({
      ended: true,
      attributes: { 'hp.async.component': 'llm', 'hp.async.attempts': 2 },
    });
    expect(tasks[1]!.status?.code).toBe(2); // SpanStatusCode.ERROR
    await runner.close();

    const batcher = new Batcher<number, number>({
      name: 'b',
      batchSize: 2,
      metrics,
      process: async (x) => x,
    });
    await Promise.all([batcher.add(1), batcher.add(2)]);
    expect(spans.find((s) => s.name === 'hp.async.batch')).toMatchObject({
      ended: true,
      attributes: { 'hp.async.batch.size': 2, 'hp.async.batch.reason': 'full' },
    });
    batcher.close();
  });
});
