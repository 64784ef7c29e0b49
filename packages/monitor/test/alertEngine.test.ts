import fc from 'fast-check';
import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { AlertEngine, defaultRules, type AlertEngineOptions, type AlertRecord } from '../src/alertEngine.js';
import { MetricsReader } from '../src/metricsReader.js';
import { fakeClock } from './fakeClock.js';

describe('AlertEngine', () => {
  it('derives the sketch thresholds (snake_case config accepted)', () => {
    // As parsed from the sketch's YAML (snake_case keys).
    const yaml: unknown = { thresholds: { response_time_warning: 1.5 } };
    const engine = new AlertEngine(yaml as AlertEngineOptions);
    const rules = engine.rules();
    expect(rules.map((r) => r.name)).toEqual(['response_time', 'error_rate', 'cache_hit_rate']);
    expect(rules[0]).toMatchObject({ warning: 1500, critical: 5000, direction: 'above' });
    expect(rules[1]).toMatchObject({ warning: 0.05, critical: 0.15 });
    expect(rules[2]).toMatchObject({ warning: 0.7, critical: 0.5, direction: 'below' });
    expect(defaultRules()[0]).toMatchObject({ warning: 2000 });
  });

  it('fires, escalates, de-escalates and clears with a record of each change', () => {
    const clock = fakeClock(0);
    const engine = new AlertEngine({ clock });
    const events: string[] = [];
    engine.on('fire', (r) => events.push(`fire ${r.rule} ${r.severity}`));
    engine.on('change', (r) => events.push(`change ${r.rule} ${r.severity}`));
    engine.on('clear', (r) => events.push(`clear ${r.rule}`));
    const at = (t: number, error_rate: number) => engine.evaluate({ error_rate }, t);
    at(1, 0.01);
    at(2, 0.06); // warning
    at(3, 0.2); // critical
    at(4, 0.1); // below critical but above warning: needs 2 intervals to de-escalate
    at(5, 0.1);
    at(6, 0.01);
    at(7, 0.01);
    expect(events).toEqual([
      'fire error_rate warning',
      'change error_rate critical',
      'change error_rate warning',
      'clear error_rate',
    ]);
    const [record] = engine.history();
    expect(record).toMatchObject({
      rule: 'error_rate',
      firedAt: 2,
      clearedAt: 7,
      peakSeverity: 'critical',
      worstValue: 0.2,
    });
    expect(record!.changes.map((c) => [c.at, c.severity])).toEqual([
      [2, 'warning'],
      [3, 'critical'],
      [5, 'warning'],
      [7, 'cleared'],
    ]);
    expect(engine.active()).toEqual([]);
  });

  it('does not flap around a threshold (hysteresis band and clear intervals)', () => {
    const engine = new AlertEngine({
      rules: [
        { name: 'latency', metric: 'response_time_mean', warning: 2000, hysteresis: 0.1, clearIntervals: 2 },
      ],
    });
    let fired = 0;
    let cleared = 0;
    engine.on('fire', () => fired++);
    engine.on('clear', () => cleared++);
    // Oscillates 1950..2050 around the 2 s threshold: one alert, no flapping.
    for (let i = 0; i < 50; i++) engine.evaluate({ response_time_mean: i % 2 ? 2050 : 1950 }, i);
    expect(fired).toBe(1);
    expect(cleared).toBe(0);
    // Within the band (>= 1800) it stays; well below for two intervals it clears.
    engine.evaluate({ response_time_mean: 1850 }, 50);
    engine.evaluate({ response_time_mean: 1500 }, 51);
    expect(cleared).toBe(0);
    engine.evaluate({ response_time_mean: 1500 }, 52);
    expect(cleared).toBe(1);
  });

  it('below-direction rules (cache hit rate) and forIntervals', () => {
    const engine = new AlertEngine({
      rules: [
        {
          name: 'cache',
          metric: 'cache_hit_ratio',
          direction: 'below',
          warning: 0.7,
          critical: 0.5,
          forIntervals: 2,
        },
      ],
    });
    expect(engine.evaluate({ cache_hit_ratio: 0.4 }, 1)).toEqual([]);
    const [fired] = engine.evaluate({ cache_hit_ratio: 0.4 }, 2);
    expect(fired).toMatchObject({ severity: 'critical', threshold: 0.5 });
    // NaN (no lookups this interval) changes nothing
    expect(engine.evaluate({ cache_hit_ratio: Number.NaN }, 3)).toEqual([]);
    expect(engine.active()).toHaveLength(1);
  });

  it('evaluates each interval of an attached reader', () => {
    const clock = fakeClock();
    const reader = new MetricsReader({ interval: 10, system: false, clock });
    const engine = new AlertEngine();
    engine.attach(reader);
    const fired: AlertRecord[] = [];
    engine.on('fire', (r) => fired.push(r));
    for (let i = 0; i < 10; i++) reader.recordRequest(6000);
    reader.tick(clock.advance(10_000));
    expect(fired.map((r) => `${r.rule}:${r.severity}`)).toEqual(['response_time:critical']);
    engine.close();
  });

  it('exports active alerts and fired counts as metrics', async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const metricReader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
    const provider = new MeterProvider({ readers: [metricReader] });
    const engine = new AlertEngine();
    engine.instrument(provider.getMeter('@hp/monitor'));
    engine.evaluate({ error_rate: 0.5 }, 1);
    await metricReader.forceFlush();
    const metrics = exporter.getMetrics().flatMap((rm) => rm.scopeMetrics.flatMap((s) => s.metrics));
    const active = metrics.find((m) => m.descriptor.name === 'hp.monitor.alerts.active')!;
    expect(active.dataPointType).toBe(DataPointType.GAUGE);
    expect(active.dataPoints[0]).toMatchObject({
      value: 1,
      attributes: { 'hp.alert.name': 'error_rate', 'hp.alert.severity': 'critical' },
    });
    const firedCount = metrics.find((m) => m.descriptor.name === 'hp.monitor.alerts.fired')!;
    expect(firedCount.dataPoints[0]!.value).toBe(1);
    engine.close();
    await provider.shutdown();
  });

  it('keeps a bounded history', () => {
    const engine = new AlertEngine({
      max_history: 3,
      rules: [{ name: 'x', metric: 'x', warning: 1, clearIntervals: 1 }],
    });
    for (let i = 0; i < 10; i++) {
      engine.evaluate({ x: 2 }, i * 2);
      engine.evaluate({ x: 0 }, i * 2 + 1);
    }
    expect(engine.history()).toHaveLength(3);
    expect(engine.history()[2]!.firedAt).toBe(18);
  });
});

describe('AlertEngine properties', () => {
  it('every clear follows clearIntervals evaluations below the hysteresis band; every fire follows forIntervals at or above the level', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 4000, noNaN: true }), { maxLength: 200 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        (values, forIntervals, clearIntervals) => {
          const engine = new AlertEngine({
            rules: [
              { name: 'rt', metric: 'rt', warning: 2000, hysteresis: 0.1, forIntervals, clearIntervals },
            ],
          });
          const events: Array<[string, number]> = [];
          engine.on('fire', () => events.push(['fire', index]));
          engine.on('clear', () => events.push(['clear', index]));
          let index = 0;
          for (; index < values.length; index++) engine.evaluate({ rt: values[index]! }, index);
          let active = false;
          for (const [kind, at] of events) {
            expect(kind === 'fire').toBe(!active); // strictly alternating
            active = kind === 'fire';
            if (kind === 'fire') {
              for (let i = at - forIntervals + 1; i <= at; i++)
                expect(values[i]!).toBeGreaterThanOrEqual(2000);
            } else {
              for (let i = at - clearIntervals + 1; i <= at; i++) expect(values[i]!).toBeLessThan(1800);
            }
          }
        },
      ),
    );
  });
});
