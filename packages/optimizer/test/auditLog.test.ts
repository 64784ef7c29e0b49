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
