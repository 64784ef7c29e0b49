import { defaultConfig } from '../src/config.js';
import { MetricsRecorder } from '../src/metricsRecorder.js';
import { buildReport, formatReportTable, formatSeconds, latencyHistogram, quantile } from '../src/report.js';
import { renderHtmlReport } from '../src/htmlReport.js';

function fakeClock() {
  let now = 0;
  return { clock: () => now, advance: (ms: number) => (now += ms) };
}

describe('reports', () => {
  it('quantile (nearest rank) and histogram', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(xs, 0.95)).toBe(95);
    expect(quantile(xs, 0.5)).toBe(50);
    expect(quantile([], 0.5)).toBeNull();
    const h = latencyHistogram([0, 1, 2, 3, 4, 5, 6, 7, 8, 10], 5);
    expect(h.counts).toEqual([2, 2, 2, 2, 2]);
    expect(h.bounds.at(-1)).toBe(10);
    expect(latencyHistogram([3, 3])).toEqual({ bounds: [3], counts: [2] });
    expect(formatSeconds(0.0000123)).toBe('12.3 µs');
    expect(formatSeconds(0.25)).toBe('250 ms');
    expect(formatSeconds(2)).toBe('2.00 s');
  });

  it('measures targets from the recorder and marks pass, fail and n/a', async () => {
    const { clock, advance } = fakeClock();
    const recorder = new MetricsRecorder({ clock });
    for (let i = 0; i < 10; i++) {
      await recorder.time(
        async () => {
          advance(i < 9 ? 500 : 4000);
          return i;
        },
        (v) => ({ llmCall: v % 2 === 0, cacheHit: v % 2 === 1 }),
      );
    }
    await expect(
      recorder.time(async () => {
        advance(100);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    recorder.endStep(1);
    const report = buildReport({
      scenario: { name: 's', agents: 2, concurrency: 1 },
      model: 'test',
      seed: 1,
      steps: 1,
      startedAt: new Date(0),
      recorder,
      targets: defaultConfig().benchmarking.load_testing.performance_targets,
      throughputLimit: 2,
      modelSeries: { X: [1, 2] },
      modelVars: [],
    });
    expect(report.requests).toBe(11);
    expect(report.errors).toBe(1);
    expect(report.llmCalls).toBe(5);
    expect(report.cacheHits).toBe(5);
    expect(report.cacheMisses).toBe(5);
    expect(report.wallSeconds).toBeCloseTo(8.6);
    expect(report.avgResponseTime).toBeCloseTo(8.6 / 11);
    expect(report.p95ResponseTime).toBe(4);
    const status = Object.fromEntries(report.targets.map((t) => [t.name, t.status]));
    expect(status).toEqual({
      avg_response_time: 'pass',
      p95_response_time: 'fail',
      throughput: 'fail',
      error_rate: 'fail',
      cache_hit_rate: 'fail',
    });
    expect(report.allTargetsMet).toBe(false);
    expect(report.series.hitRatio).toEqual([0.5]);
    const table = formatReportTable(report);
    expect(table).toMatch(/p95_response_time\s+<= 3\.00 s\s+4\.00 s\s+FAIL/);
    expect(table).toContain('X_max 2.0 req/s');
    expect(table).toContain('model: X 2');
    const html = renderHtmlReport(report);
    expect(html).toContain('Model: X');
    expect(html.match(/<svg/g)).toHaveLength(4);
  });

  it('keeps a bounded latency reservoir', () => {
    const recorder = new MetricsRecorder({ maxSamples: 10 });
    for (let i = 0; i < 1000; i++) recorder.record(i);
    expect(recorder.latencies()).toHaveLength(10);
    expect(recorder.requests).toBe(1000);
    expect(Math.max(...recorder.latencies())).toBeGreaterThan(10);
  });
});
