import fc from 'fast-check';
import { MetricsReader } from '../src/metricsReader.js';
import { MonitorError } from '../src/monitorError.js';
import type { SystemSource } from '../src/systemSampler.js';
import { fakeClock } from './fakeClock.js';

function reader(extra: Record<string, unknown> = {}) {
  const clock = fakeClock();
  const r = new MetricsReader({ interval: 10, retention_period: 600, system: false, clock, ...extra });
  return { r, clock, tick: () => r.tick(clock.advance(10_000)) };
}

describe('MetricsReader', () => {
  it('computes throughput, mean and percentiles, error rate per interval', () => {
    const { r, tick } = reader();
    for (let i = 1; i <= 100; i++) r.recordRequest(i, i % 10 === 0);
    const s = tick();
    expect(s.values.requests).toBe(100);
    expect(s.values.throughput).toBeCloseTo(10, 9);
    expect(s.values.error_rate).toBeCloseTo(0.1, 9);
    expect(s.values.response_time_mean).toBeCloseTo(50.5, 9);
    expect(s.values.response_time_p50).toBeCloseTo(50, -0.5);
    expect(Math.abs(s.values.response_time_p95! - 95) / 95).toBeLessThan(0.03);
    expect(Math.abs(s.values.response_time_p99! - 99) / 99).toBeLessThan(0.03);
    // the next interval starts empty
    const next = tick();
    expect(next.values.requests).toBe(0);
    expect(next.values.error_rate).toBeNaN();
  });

  it('tracks cache hit ratio per tier, queue depth, pool wait and usage, LLM calls', () => {
    const { r, tick } = reader();
    r.recordCache('hot', 80, 20);
    r.recordCache('warm', 5, 15);
    r.setQueueDepth(7, 'llm');
    r.setQueueDepth(3, 'state');
    r.recordPoolWait(4, 'db');
    r.recordPoolWait(6, 'db');
    r.setPoolUsage('db', 9, 10);
    r.recordLlmCall({ durationMs: 800, inputTokens: 100, outputTokens: 50 });
    r.recordLlmCall({ durationMs: 1200, error: true });
    const v = tick().values;
    expect(v['cache_hit_ratio:hot']).toBeCloseTo(0.8);
    expect(v['cache_hit_ratio:warm']).toBeCloseTo(0.25);
    expect(v.cache_hit_ratio).toBeCloseTo(85 / 120);
    expect(v.queue_depth).toBe(10);
    expect(v['queue_depth:llm']).toBe(7);
    expect(v['pool_wait_mean:db']).toBe(5);
    expect(v['pool_usage:db']).toBeCloseTo(0.9);
    expect(v.llm_calls).toBe(2);
    expect(v.llm_error_rate).toBe(0.5);
    expect(v.llm_tokens).toBe(150);
    expect(v.llm_latency_mean).toBe(1000);
    // gauges keep their last value, counters restart
    const v2 = tick().values;
    expect(v2['queue_depth:llm']).toBe(7);
    expect(v2['cache_hit_ratio:hot']).toBeNaN();
    expect(r.labels('cache_hit_ratio')).toEqual(['hot', 'warm']);
  });

  it('keeps retention / interval slots and drops the oldest (ring buffer)', () => {
    const { r, tick } = reader();
    expect(r.capacity).toBe(60);
    for (let i = 0; i < 75; i++) {
      r.recordRequest(1);
      if (i >= 70) r.recordRequest(1);
      tick();
    }
    expect(r.size).toBe(60);
    const { times, values } = r.series('requests');
    expect(times).toHaveLength(60);
    expect(values.slice(-5)).toEqual([2, 2, 2, 2, 2]);
    expect(values[0]).toBe(1);
    expect(times[59]! - times[0]!).toBe(59 * 10_000);
    expect(r.series('requests', 30).values).toHaveLength(3);
  });

  it('merges interval histograms for window percentiles', () => {
    const { r, tick } = reader({ histogram_window: 60 });
    for (let i = 0; i < 3; i++) {
      for (let k = 0; k < 99; k++) r.recordRequest(10);
      tick();
    }
    for (let k = 0; k < 30; k++) r.recordRequest(1000);
    tick();
    const s = r.summary(40);
    expect(s.requests).toBe(327);
    expect(s.throughput).toBeCloseTo(327 / 40, 6);
    expect(s.responseTime.p50).toBeCloseTo(10, -0.5);
    expect(Math.abs(s.responseTime.p95 - 1000) / 1000).toBeLessThan(0.03);
    expect(r.summary(10).responseTime.p50).toBeGreaterThan(900);
  });

  it('bounds labels per family (extra ones go to "other")', () => {
    const { r, tick } = reader({ max_labels: 2 });
    for (const tier of ['a', 'b', 'c', 'd']) r.recordCache(tier, 1, 1);
    tick();
    expect(r.labels('cache_hit_ratio').sort()).toEqual(['a', 'b', 'other']);
  });

  it('memory stays fixed while values are recorded (no raw samples kept)', () => {
    const { r, tick } = reader();
    r.recordRequest(1);
    r.recordCache('hot', 1, 0);
    tick();
    const before = r.memoryBytes();
    for (let i = 0; i < 200_000; i++) {
      r.recordRequest((i % 1000) + 1, i % 50 === 0);
      r.recordCache('hot', 1, 0);
      if (i % 1000 === 0) tick();
    }
    expect(r.memoryBytes()).toBe(before);
  });

  it('samples the system source each interval', () => {
    const source: SystemSource = {
      start: jest.fn(),
      close: jest.fn(),
      sample: () => ({
        cpu: 0.5,
        memoryRss: 1e8,
        heapUsed: 5e7,
        eventLoopDelayMean: 1,
        eventLoopDelayP99: 3,
        gcPause: 2,
        gcCount: 1,
      }),
    };
    const { tick } = reader({ systemSource: source });
    const v = tick().values;
    expect(v.cpu).toBe(0.5);
    expect(v.event_loop_delay_p99).toBe(3);
    expect(v.gc_pause).toBe(2);
  });

  it('samples the real process (CPU, memory, event-loop delay, GC) when started', async () => {
    const r = new MetricsReader({ interval: 3600 });
    r.start();
    const junk: number[][] = [];
    for (let i = 0; i < 200; i++) junk.push(new Array<number>(1000).fill(i));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const v = r.tick().values;
    await r.close();
    expect(v.memory_rss).toBeGreaterThan(1e6);
    expect(v.heap_used).toBeGreaterThan(1e5);
    expect(v.cpu).toBeGreaterThanOrEqual(0);
    expect(v.event_loop_delay_p99).toBeGreaterThan(0);
    expect(v.gc_count).toBeGreaterThanOrEqual(0);
    expect(junk.length).toBe(200);
  });

  it('pulls sources before closing an interval and notifies listeners', async () => {
    const { r, clock } = reader();
    r.addSource({ pull: async (target) => target.recordRequest(5) });
    r.addSource({ pull: () => Promise.reject(new Error('broken source')) });
    const seen: number[] = [];
    r.onInterval((s) => seen.push(s.values.requests!));
    clock.advance(10_000);
    await r.collect();
    expect(seen).toEqual([1]);
    const controller = new AbortController();
    controller.abort();
    await expect(r.collect({ signal: controller.signal })).rejects.toMatchObject({ code: 'ABORTED' });
    await r.close();
    expect(() => r.start()).toThrow(MonitorError);
  });

  it('rejects invalid options with the option name', () => {
    expect(() => new MetricsReader({ interval: -1 })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION', option: 'interval' }),
    );
  });
});

describe('MetricsReader ring buffer (model-based)', () => {
  it('series() equals the last `capacity` intervals of a plain array model', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 1, max: 5000 }), { maxLength: 5 }), { maxLength: 40 }),
        fc.integer({ min: 1, max: 12 }),
        (intervals, capacity) => {
          const clock = fakeClock();
          const r = new MetricsReader({
            interval: 10,
            retentionPeriod: 10 * capacity,
            histogramWindow: 30,
            system: false,
            clock,
          });
          const model: Array<{ requests: number; time: number }> = [];
          for (const durations of intervals) {
            for (const d of durations) r.recordRequest(d);
            const time = clock.advance(10_000);
            r.tick(time);
            model.push({ requests: durations.length, time });
          }
          const kept = model.slice(-capacity);
          const { times, values } = r.series('requests');
          expect(times).toEqual(kept.map((m) => m.time));
          expect(values).toEqual(kept.map((m) => m.requests));
          // window summaries count exactly the requests of the window
          const last3 = kept.slice(-3).reduce((a, m) => a + m.requests, 0);
          if (kept.length > 0) expect(r.summary(30).requests).toBe(last3);
        },
      ),
    );
  });
});
