import { metrics, type MeterProvider } from '@opentelemetry/api';
import { AuditLog } from '../src/index.js';

describe('AuditLog', () => {
  it('records, emits, bounds and formats entries', () => {
    const log = new AuditLog(2);
    const seen: number[] = [];
    const off = log.onEntry((e) => seen.push(e.id));
    const base = {
      changeId: 1,
      group: 'batch',
      knob: 'batch.size',
      oldValue: 5,
      newValue: 8,
      reason: 'hill-climb probe',
      expectedImprovement: 0.1,
      measuredImprovement: 0.12,
      pValue: 0.001,
      decision: 'kept' as const,
      verdict: 'welch p=0.0010 < 0.050',
      model: undefined,
      appliedAt: 0,
      decidedAt: 300_000,
    };
    log.record(base);
    log.record({ ...base, decision: 'rolled_back' });
    off();
    log.record(base);
    expect(seen).toEqual([1, 2]);
    expect(log.entries().map((e) => e.id)).toEqual([2, 3]);
    expect(log.format(log.entries()[1]!)).toBe(
      'batch.size 5 -> 8 kept (hill-climb probe; expected 10.0%, measured 12.0%; welch p=0.0010 < 0.050)',
    );
  });
});

describe('AuditLog OpenTelemetry metrics', () => {
  it('counts decisions and records measured improvement through @opentelemetry/api', () => {
    const calls: { instrument: string; value: number; attributes: Record<string, unknown> | undefined }[] =
      [];
    const meterNames: string[] = [];
    const instrument = (name: string) => ({
      add: (value: number, attributes?: Record<string, unknown>) =>
        calls.push({ instrument: name, value, attributes }),
      record: (value: number, attributes?: Record<string, unknown>) =>
        calls.push({ instrument: name, value, attributes }),
    });
    const provider = {
      getMeter: (name: string) => {
        meterNames.push(name);
        return { createCounter: instrument, createHistogram: instrument };
      },
    } as unknown as MeterProvider;
    expect(metrics.setGlobalMeterProvider(provider)).toBe(true);
    try {
      const log = new AuditLog();
      log.record({
        changeId: 1,
        group: 'batch',
        knob: 'batch.size',
        oldValue: 5,
        newValue: 6,
        reason: 'hill-climb probe',
        expectedImprovement: NaN,
        measuredImprovement: 0.08,
        pValue: 0.001,
        decision: 'kept',
        verdict: 'welch p=0.0010 < 0.050',
        model: undefined,
        appliedAt: 0,
        decidedAt: 1,
      });
      expect(meterNames).toEqual(['@hp/optimizer']);
      expect(calls).toEqual([
        {
          instrument: 'hp.optimizer.decisions',
          value: 1,
          attributes: {
            'hp.optimizer.group': 'batch',
            'hp.optimizer.knob': 'batch.size',
            'hp.optimizer.decision': 'kept',
          },
        },
        {
          instrument: 'hp.optimizer.improvement',
          value: 0.08,
          attributes: { 'hp.optimizer.group': 'batch', 'hp.optimizer.decision': 'kept' },
        },
      ]);
    } finally {
      metrics.disable();
    }
  });
});
