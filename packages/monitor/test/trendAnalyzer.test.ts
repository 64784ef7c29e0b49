import { MetricsReader } from '../src/metricsReader.js';
import { TrendAnalyzer } from '../src/trendAnalyzer.js';
import { fakeClock, seededRandom } from './fakeClock.js';

function feed(
  reader: MetricsReader,
  clock: ReturnType<typeof fakeClock>,
  intervals: number,
  perInterval: (i: number) => void,
) {
  for (let i = 0; i < intervals; i++) {
    perInterval(i);
    reader.tick(clock.advance(reader.interval * 1000));
  }
}

describe('TrendAnalyzer', () => {
  it('forecasts a linearly growing load 60 minutes ahead', () => {
    const clock = fakeClock();
    const reader = new MetricsReader({ interval: 60, system: false, clock });
    // throughput grows by 1 req/s every minute: 60 more requests per interval
    feed(reader, clock, 60, (i) => {
      for (let k = 0; k < 60 * (10 + i); k++) reader.recordRequest(5);
    });
    const p = new TrendAnalyzer({
      trend_analysis_window: 3600,
      horizon_minutes: 60,
      alpha: 0.5,
      beta: 0.3,
    }).analyze(reader);
    const t = p.trends.throughput!;
    expect(t.direction).toBe('rising');
    expect(t.slopePerMinute).toBeCloseTo(1, 6);
    // last interval 69 req/s -> in 60 minutes 129 req/s
    expect(p.predictedLoad.values.at(-1)).toBeCloseTo(129, 6);
    expect(p.predictedLoad.times.at(-1)).toBe(reader.latest()!.time + 60 * 60_000);
  });

  it('warns when a forecast crosses a capacity limit within the horizon', () => {
    const clock = fakeClock();
    const reader = new MetricsReader({ interval: 60, system: false, clock });
    // queue grows by 10 per minute from 100: reaches 1000 after 90 minutes in total
    feed(reader, clock, 60, (i) => reader.setQueueDepth(100 + 10 * i));
    const analyzer = new TrendAnalyzer({ limits: { queue_depth: 1000, pool_usage: 0.9 } });
    const p = analyzer.analyze(reader);
    expect(p.capacityWarnings).toHaveLength(1);
    const w = p.capacityWarnings[0]!;
    expect(w.metric).toBe('queue_depth');
    // level 690 at the last interval: (1000 - 690) / 10 = 31 minutes
    expect(w.inMinutes).toBeCloseTo(31, 6);
    expect(p.bottlenecks).toEqual(['queue_depth']);
    // a limit beyond the horizon gives no warning
    expect(new TrendAnalyzer({ limits: { queue_depth: 5000 } }).analyze(reader).capacityWarnings).toEqual([]);
    // falling series with a 'below' limit
    const low = new TrendAnalyzer({ limits: { queue_depth: { value: 650, direction: 'below' } } }).analyze(
      reader,
    );
    expect(low.capacityWarnings).toEqual([]);
  });

  it('finds an anomaly injected into a series', () => {
    const clock = fakeClock();
    const rnd = seededRandom(11);
    const reader = new MetricsReader({ interval: 10, system: false, clock });
    feed(reader, clock, 200, (i) => {
      const latency = i === 150 ? 400 : 100 + (rnd() - 0.5) * 4;
      for (let k = 0; k < 20; k++) reader.recordRequest(latency);
    });
    const p = new TrendAnalyzer({ metrics: ['response_time_mean'] }).analyze(reader);
    expect(p.anomalies.map((a) => a.metric)).toEqual(['response_time_mean']);
    expect(p.anomalies[0]!.value).toBeCloseTo(400, 6);
  });

  it('returns empty predictions without data', () => {
    const reader = new MetricsReader({ system: false, clock: fakeClock() });
    const p = new TrendAnalyzer().analyze(reader);
    expect(p.trends).toEqual({});
    expect(p.predictedLoad.values).toEqual([]);
  });
});
