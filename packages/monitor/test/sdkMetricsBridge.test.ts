import { ValueType } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { MetricsReader } from '../src/metricsReader.js';
import { SdkMetricsBridge } from '../src/sdkMetricsBridge.js';
import { fakeClock } from './fakeClock.js';

function setup(mapping = {}) {
  const clock = fakeClock();
  const bridge = new SdkMetricsBridge(mapping);
  const provider = new MeterProvider({ readers: [bridge] });
  const reader = new MetricsReader({ interval: 10, system: false, clock });
  reader.addSource(bridge);
  const meter = provider.getMeter('@hp/test');
  const close = async () => {
    await reader.close();
    await provider.shutdown();
  };
  return {
    clock,
    reader,
    meter,
    close,
    next: async () => (clock.advance(10_000), await reader.collect(), reader.latest()!.values),
  };
}

describe('SdkMetricsBridge', () => {
  it('turns semconv duration histograms (seconds) into request and LLM series, deltas per interval', async () => {
    const { meter, next, close } = setup();
    const http = meter.createHistogram('http.server.request.duration', {
      unit: 's',
      valueType: ValueType.DOUBLE,
    });
    for (let i = 1; i <= 100; i++) http.record(i / 1000, i > 95 ? { 'error.type': '500' } : {});
    const llm = meter.createHistogram('gen_ai.client.operation.duration', { unit: 's' });
    llm.record(1.5, { 'gen_ai.operation.name': 'chat' });
    llm.record(2.5, { 'gen_ai.operation.name': 'chat', 'error.type': 'rate_limited' });
    const tokens = meter.createHistogram('gen_ai.client.token.usage', { unit: '{token}' });
    tokens.record(120, { 'gen_ai.token.type': 'input' });
    tokens.record(30, { 'gen_ai.token.type': 'output' });

    const v = await next();
    expect(v.requests).toBe(100);
    expect(v.error_rate).toBeCloseTo(0.05, 9);
    expect(v.response_time_mean).toBeCloseTo(50.5, 6);
    expect(Math.abs(v.response_time_p95! - 95) / 95).toBeLessThan(0.05);
    expect(v.llm_calls).toBe(2);
    expect(v.llm_error_rate).toBe(0.5);
    expect(v.llm_latency_mean).toBeCloseTo(2000, 6);
    expect(v.llm_tokens).toBe(150);
    // delta temporality: nothing new, nothing counted twice
    const v2 = await next();
    expect(v2.requests).toBe(0);
    await close();
  });

  it('maps cache counters, queue gauges and pool instruments', async () => {
    const { meter, next, close } = setup();
    let hits = 0;
    let misses = 0;
    meter
      .createObservableCounter('hp.cache.hits')
      .addCallback((r) => r.observe(hits, { 'hp.cache.tier': 'hot' }));
    meter
      .createObservableCounter('hp.cache.misses')
      .addCallback((r) => r.observe(misses, { 'hp.cache.tier': 'hot' }));
    let depth = 0;
    meter
      .createObservableGauge('hp.queue.depth')
      .addCallback((r) => r.observe(depth, { 'hp.queue.name': 'llm' }));
    const conns = meter.createUpDownCounter('db.client.connection.count');
    meter
      .createObservableUpDownCounter('db.client.connection.max')
      .addCallback((r) => r.observe(10, { 'db.client.connection.pool.name': 'pg' }));
    const wait = meter.createHistogram('db.client.connection.wait_time', { unit: 's' });

    hits = 30;
    misses = 10;
    depth = 12;
    conns.add(4, { 'db.client.connection.pool.name': 'pg', 'db.client.connection.state': 'used' });
    conns.add(2, { 'db.client.connection.pool.name': 'pg', 'db.client.connection.state': 'idle' });
    wait.record(0.004, { 'db.client.connection.pool.name': 'pg' });
    wait.record(0.006, { 'db.client.connection.pool.name': 'pg' });
    let v = await next();
    expect(v['cache_hit_ratio:hot']).toBeCloseTo(0.75);
    expect(v['queue_depth:llm']).toBe(12);
    expect(v['pool_in_use:pg']).toBe(4);
    expect(v['pool_size:pg']).toBe(10);
    expect(v['pool_usage:pg']).toBeCloseTo(0.4);
    expect(v['pool_wait_mean:pg']).toBeCloseTo(5, 6);

    hits = 40; // +10 hits, +10 misses in this interval
    misses = 20;
    v = await next();
    expect(v['cache_hit_ratio:hot']).toBeCloseTo(0.5);
    await close();
  });

  it('accepts a custom mapping and explicit-bucket histograms', async () => {
    const { meter, next, close } = setup({ requestDuration: ['sim.step.duration'] });
    const h = meter.createHistogram('sim.step.duration', {
      unit: 'ms',
      advice: { explicitBucketBoundaries: [10, 20, 40, 80] },
    });
    h.record(15);
    h.record(30);
    const v = await next();
    expect(v.requests).toBe(2);
    expect(v.response_time_mean).toBeCloseTo(22.5, 6);
    await close();
  });
});
