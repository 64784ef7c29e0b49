import { EventEmitter } from 'node:events';
import {
  AdaptiveOptimizer,
  Aimd,
  BatchTuner,
  ManualScheduler,
  OptimizerError,
  batchSizeTuner,
  concurrencyTuner,
  type AlertLike,
  type AlertSource,
  type Knob,
} from '../src/index.js';
import { batchSizeTunerOf, knob } from './fixtures.js';
import { gaussian } from './plants.js';

/** Batch plant with a known optimum of 11 under a 2 s p95 objective (see batchTuner.test.ts). */
function batchPlant(b: Knob, seed: number, effect = true) {
  const n = gaussian(seed);
  const size = () => (effect ? b.get() : 5);
  return {
    throughput: () => (size() / (0.4 + 0.05 * size())) * (1 + 0.03 * n()),
    p95: () => (size() / 20 + 0.4 + 0.05 * size()) * 1.3 * (1 + 0.03 * n()),
  };
}

const config = { enabled: true, optimization_interval: 60, sample_interval: 2, cooldown_intervals: 1 };

/**
 * A started optimizer tuning a batch-size knob (5, in 1..64) on batchPlant(seed) through the safety gate,
 * driven by a manual scheduler starting at `start`.
 */
function startBatchOptimizer(
  seed: number,
  options: { mlModels?: Record<string, string>; alerts?: AlertSource; start?: number } = {},
) {
  const b = knob('batch.size', 5, 1, 64);
  const scheduler = new ManualScheduler(options.start);
  const opt = new AdaptiveOptimizer({
    config: { ...config, ml_models: options.mlModels ?? {} },
    signals: batchPlant(b, seed),
    tuners: [batchSizeTunerOf(b)],
    clock: scheduler.clock,
    scheduler,
    ...(options.alerts ? { alerts: options.alerts } : {}),
  }).start();
  return { b, scheduler, opt };
}

describe('AdaptiveOptimizer', () => {
  it('tunes a batch-size knob to the known optimum through the safety gate and audits every decision', async () => {
    const { b, scheduler, opt } = startBatchOptimizer(1, { start: Date.UTC(2026, 0, 1) });
    await scheduler.advance(60_000 * 40);
    await opt.close();
    expect(b.value).toBe(11);
    const log = opt.auditLog.entries();
    expect(log.length).toBeGreaterThan(3);
    for (const e of log) {
      expect(e.knob).toBe('batch.size');
      expect(['kept', 'rolled_back']).toContain(e.decision);
      if (e.verdict.startsWith('optimizer closed')) continue; // the probe in flight at close() is rolled back
      expect([60_000, 120_000]).toContain(e.decidedAt - e.appliedAt); // one window, or two when extended
      expect(Number.isFinite(e.pValue)).toBe(true);
      expect(Number.isFinite(e.measuredImprovement)).toBe(true);
      expect(e.reason.length).toBeGreaterThan(0);
      if (e.decision === 'kept') expect(e.pValue).toBeLessThan(0.05);
    }
    // A probe past the optimum breaks the p95 objective and is rolled back.
    expect(log.some((e) => e.decision === 'rolled_back' && e.newValue > 11)).toBe(true);
  });

  it('rolls back changes that only look better by noise (no true effect)', async () => {
    const b = knob('batch.size', 5, 1, 64);
    const scheduler = new ManualScheduler();
    const opt = new AdaptiveOptimizer({
      config: { ...config, ml_models: {}, cooldown_intervals: 0 },
      signals: batchPlant(b, 2, false),
      tuners: [batchSizeTunerOf(b, 100)],
      clock: scheduler.clock,
      scheduler,
    }).start();
    await scheduler.advance(60_000 * 200);
    await opt.close();
    const log = opt.auditLog.entries();
    const kept = log.filter((e) => e.decision === 'kept').length;
    expect(log.length).toBeGreaterThan(50);
    expect(kept / log.length).toBeLessThanOrEqual(0.1);
  });

  it('enabled: false leaves every knob untouched', async () => {
    const b = knob('batch.size', 5, 1, 64);
    const c = knob('llm.concurrency', 20, 1, 200);
    const scheduler = new ManualScheduler();
    const opt = new AdaptiveOptimizer({
      config: { adaptive_optimization: { ...config, enabled: false } },
      signals: { ...batchPlant(b, 3), rtt: () => 100, drops: () => 1 },
      tuners: [
        batchSizeTunerOf(b),
        concurrencyTuner({ knob: c, controller: new Aimd({ minLimit: 1 }), rtt: 'rtt', drops: 'drops' }),
      ],
      clock: scheduler.clock,
      scheduler,
      alerts: () => () => undefined,
    }).start();
    await scheduler.advance(60_000 * 20);
    await opt.tick();
    await opt.hardRollback('test');
    await opt.close();
    expect(b.sets + c.sets).toBe(0);
    expect([b.value, c.value]).toEqual([5, 20]);
    expect(opt.auditLog.entries()).toHaveLength(0);
  });

  it('hard-rolls back the change in flight when an alert fires', async () => {
    let fire: ((a: AlertLike) => void) | undefined;
    const { b, scheduler, opt } = startBatchOptimizer(4, {
      alerts: (listener) => {
        fire = listener;
        return () => (fire = undefined);
      },
    });
    await scheduler.advance(60_000); // first decision: a probe is applied
    expect(b.value).not.toBe(5);
    await scheduler.advance(10_000);
    fire!({ rule: 'response_time', severity: 'critical' });
    await opt.hardRollback('flush'); // waits for the queued rollback
    expect(b.value).toBe(5);
    const [entry] = opt.auditLog.entries();
    expect(entry).toMatchObject({
      knob: 'batch.size',
      oldValue: 5,
      decision: 'hard_rollback',
      verdict: 'alert fired: response_time',
    });
    await opt.close();
    expect(fire).toBeUndefined();
  });

  it('puts a group back to its starting values when its tuner reports a shift, mid-interval', async () => {
    const b = knob('batch.size', 5, 1, 64);
    const scheduler = new ManualScheduler();
    let shift: string | undefined;
    let resets = 0;
    const outcomes: boolean[] = [];
    let pending = false;
    const inner = batchSizeTunerOf(b);
    const tuner = {
      ...inner,
      began: () => void (pending = true),
      outcome: (kept: boolean, p: Parameters<NonNullable<typeof inner.outcome>>[1]) => {
        pending = false;
        outcomes.push(kept);
        inner.outcome?.(kept, p);
      },
      shifted: () => shift,
      reset: () => void resets++,
    };
    const opt = new AdaptiveOptimizer({
      config: { ...config, ml_models: {} },
      signals: batchPlant(b, 1),
      tuners: [tuner],
      clock: scheduler.clock,
      scheduler,
    }).start();
    // climb until a change is kept and the next one is in flight
    let t = 0;
    while (!(opt.auditLog.entries().some((e) => e.decision === 'kept') && pending)) {
      await scheduler.advance(60_000);
      t += 60_000;
      if (t > 60_000 * 30) throw new Error('no kept change');
    }
    const entries = opt.auditLog.entries().length;
    const moved = b.value;
    const inFlight = outcomes.length;
    shift = 'conditions changed';
    await scheduler.advance(2_000); // one sample
    shift = undefined;
    expect(b.value).toBe(5);
    expect(resets).toBe(1);
    const reset = opt.auditLog.entries().slice(entries);
    expect(reset).toEqual([
      expect.objectContaining({
        knob: 'batch.size',
        oldValue: moved,
        newValue: 5,
        decision: 'reset',
        reason: 'conditions changed',
      }),
    ]);
    // the change in flight was dropped: its tuner heard it was not kept
    expect(reset[0]!.verdict).toBe('conditions shifted before the verdict: back to the configured value');
    expect(outcomes.slice(inFlight)).toEqual([false]);
    // no cooldown: the group proposes again at the next interval boundary
    await scheduler.advance(58_000);
    expect(b.value).not.toBe(5);
    await opt.close();
  });

  it('runs feedback controllers at every sample and audits their moves once per interval', async () => {
    const c = knob('llm.concurrency', 10, 1, 200);
    const scheduler = new ManualScheduler();
    const opt = new AdaptiveOptimizer({
      config,
      signals: { rtt: () => 1, drops: () => (c.get() > 40 ? 1 : 0) },
      tuners: [
        concurrencyTuner({
          knob: c,
          controller: new Aimd({ minLimit: 1, maxLimit: 200 }),
          rtt: 'rtt',
          drops: 'drops',
        }),
      ],
      clock: scheduler.clock,
      scheduler,
    }).start();
    await scheduler.advance(60_000 * 5);
    await opt.close();
    expect(c.value).toBeGreaterThan(35);
    expect(c.value).toBeLessThanOrEqual(41);
    const log = opt.auditLog.entries();
    expect(log[0]).toMatchObject({
      knob: 'llm.concurrency',
      oldValue: 10,
      newValue: 40,
      decision: 'controlled',
    });
  });

  it('learns a predictor per group from each interval and reports its held-out error', async () => {
    const { scheduler, opt } = startBatchOptimizer(5, {
      mlModels: { batch_optimization: 'linear_regression' },
    });
    await scheduler.advance(60_000 * 30);
    await opt.close();
    const [status] = opt.models();
    expect(status).toMatchObject({ group: 'batch', kind: 'linear_regression' });
    expect(status!.error.n).toBeGreaterThan(10);
    expect(Number.isFinite(status!.error.mape)).toBe(true);
    expect(status!.usable).toBe(status!.error.mape <= 0.2);
  });

  it('rejects two tuners on one knob', () => {
    const b = knob('batch.size', 5, 1, 64);
    const t = () =>
      batchSizeTuner({
        knob: b,
        tuner: new BatchTuner({ min: 1, max: 64, p95Objective: 2 }),
        throughput: 't',
        p95: 'p',
        group: String(Math.random()),
      });
    expect(() => new AdaptiveOptimizer({ signals: {}, tuners: [t(), t()] })).toThrow(OptimizerError);
  });

  it('takes an event emitter with fire events (the shape of @hp/monitor AlertEngine) as the alert source', async () => {
    const engine = new EventEmitter<{ fire: [{ rule: string; severity: string }] }>();
    const alerts: AlertSource = engine;
    const { b, scheduler, opt } = startBatchOptimizer(7, { alerts });
    await scheduler.advance(60_000);
    expect(b.value).toBe(6);
    engine.emit('fire', { rule: 'error_rate', severity: 'warning' });
    await opt.hardRollback('flush');
    expect(b.value).toBe(5);
    await opt.close();
    expect(engine.listenerCount('fire')).toBe(0);
  });
});
