import fc from 'fast-check';
import { SafetyGate, mannWhitneyTest, mulberry32, signTest, welchTest } from '../src/index.js';
import { gaussian } from './plants.js';

function trials(
  gate: SafetyGate,
  effect: number,
  n: number,
  count: number,
  seed: number,
  skew = false,
): number {
  const g = gaussian(seed);
  let accepted = 0;
  for (let t = 0; t < count; t++) {
    // skew: heavy-tailed noise (lognormal), as latency and throughput samples often are
    const draw = () => (skew ? 100 * Math.exp(0.3 * g()) : 100 + 10 * g());
    const before = Array.from({ length: n }, draw);
    const after = Array.from({ length: n }, () => draw() * (1 + effect));
    if (gate.evaluate(before, after).keep) accepted++;
  }
  return accepted / count;
}

describe('welchTest / mannWhitneyTest', () => {
  it('match reference values', () => {
    // Welch: t = 2, df = 8 -> one-sided p = 0.0403 (R: t.test(y, x, alternative = "greater", var.equal = FALSE))
    const w = welchTest([1, 2, 3, 4, 5], [3, 4, 5, 6, 7]);
    expect(w.statistic).toBeCloseTo(2, 10);
    expect(w.pValue).toBeCloseTo(0.04025, 4);
    // lower-is-better flips the direction
    expect(welchTest([3, 4, 5, 6, 7], [1, 2, 3, 4, 5], false).pValue).toBeCloseTo(0.04025, 4);
    const m = mannWhitneyTest([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
    expect(m.pValue).toBeLessThan(0.01);
    expect(mannWhitneyTest([6, 7, 8, 9, 10], [1, 2, 3, 4, 5]).pValue).toBeGreaterThan(0.99);
  });
});

describe('signTest', () => {
  it('is the exact binomial tail', () => {
    expect(signTest(9, 1).pValue).toBeCloseTo(11 / 1024, 12); // P(X >= 9), X ~ Bin(10, 1/2)
    expect(signTest(5, 5).pValue).toBeCloseTo(638 / 1024, 12);
    expect(signTest(0, 3).pValue).toBe(1);
    expect(signTest(0, 0).pValue).toBe(1);
    const r = signTest(30, 10, 1000, 200);
    expect(r.meanBefore).toBeCloseTo(0.2, 12);
    expect(r.meanAfter).toBeCloseTo(0.22, 12);
  });
});

describe('SafetyGate.evaluatePaired', () => {
  /** Share of kept changes over `count` seeded trials of `n` requests, each differing with probability 0.2. */
  function pairedTrials(gate: SafetyGate, pWin: number, n: number, count: number, seed: number): number {
    const r = mulberry32(seed);
    let kept = 0;
    for (let t = 0; t < count; t++) {
      let wins = 0;
      let losses = 0;
      for (let i = 0; i < n; i++) {
        if (r() >= 0.2) continue;
        if (r() < pWin) wins++;
        else losses++;
      }
      if (gate.evaluatePaired({ wins, losses, total: n, baseline: n / 2 }).keep) kept++;
    }
    return kept / count;
  }

  it('keeps a change that only looks better by noise at most 5% of the time', () => {
    expect(pairedTrials(new SafetyGate({ looks: 1 }), 0.5, 400, 2000, 11)).toBeLessThanOrEqual(0.05);
    expect(pairedTrials(new SafetyGate(), 0.5, 400, 2000, 12)).toBeLessThanOrEqual(0.025);
  });

  it('keeps a real improvement nearly always and never a change that makes things worse', () => {
    expect(pairedTrials(new SafetyGate(), 0.7, 400, 500, 13)).toBeGreaterThan(0.9);
    expect(pairedTrials(new SafetyGate(), 0.3, 400, 500, 14)).toBe(0);
  });

  it('asks for more evidence while too few requests differ, then rolls back', () => {
    const gate = new SafetyGate({ minSamples: 5 });
    const early = gate.evaluatePaired({ wins: 2, losses: 0, total: 100, baseline: 50 }, 1);
    expect(early.keep).toBe(false);
    expect(early.extend).toBe(true);
    expect(early.reason).toMatch(/too few differing units/);
    expect(gate.evaluatePaired({ wins: 2, losses: 0, total: 200, baseline: 100 }, 2).extend).toBe(false);
  });
});

describe('SafetyGate', () => {
  const count = 2000;
  // The nominal false-accept rate of a one-sided test at 95% confidence is 5%; an empirical rate over
  // `count` trials scatters around it. Bound: 5% plus 2.58 binomial standard errors (99% upper bound).
  const bound = 0.05 + 2.58 * Math.sqrt((0.05 * 0.95) / count);

  it.each(['welch', 'mann-whitney'] as const)(
    '%s: rejects changes that only look better by noise (false-accept rate at the 5% level over seeded no-effect trials)',
    (test) => {
      const gate = new SafetyGate({ confidence: 0.95, test, looks: 1 });
      const rates = [
        trials(gate, 0, 30, count, 101),
        trials(gate, 0, 10, count, 202),
        trials(gate, 0, 30, count, 303, true),
      ];
      for (const r of rates) expect(r).toBeLessThanOrEqual(bound);
      // Pooled over 6000 trials the rate is at most 5% plus 1 standard error.
      expect(rates.reduce((a, b) => a + b, 0) / 3).toBeLessThanOrEqual(
        0.05 + Math.sqrt((0.05 * 0.95) / (3 * count)),
      );
    },
  );

  it.each(['welch', 'mann-whitney'] as const)('%s: accepts a true improvement with high power', (test) => {
    const gate = new SafetyGate({ confidence: 0.95, test, looks: 1 });
    expect(trials(gate, 0.1, 30, 1000, 404)).toBeGreaterThan(0.95);
    // heavy-tailed noise (sd ~30%): a 25% improvement
    expect(trials(gate, 0.25, 30, 1000, 505, true)).toBeGreaterThan(0.85);
  });

  it('rejects an "after" window that is only a reshuffle of the "before" window', () => {
    const gate = new SafetyGate();
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1000, noNaN: true }), { minLength: 5, maxLength: 60 }),
        (xs) => {
          const shuffled = [...xs].reverse();
          expect(gate.evaluate(xs, shuffled).keep).toBe(false);
        },
      ),
    );
  });

  it('needs enough samples, and tracks one change per group with a cooldown after rollback', () => {
    const gate = new SafetyGate({ minSamples: 5, cooldownIntervals: 2 });
    expect(gate.evaluate([1, 2], [10, 20]).keep).toBe(false);
    expect(gate.canChange('batch', 0)).toBe(true);
    gate.begin('batch');
    expect(gate.canChange('batch', 1)).toBe(false);
    expect(gate.canChange('cache', 1)).toBe(true);
    gate.end('batch', 1, true);
    expect(gate.canChange('batch', 2)).toBe(false);
    expect(gate.canChange('batch', 3)).toBe(false);
    expect(gate.canChange('batch', 4)).toBe(true);
    // a second consecutive rollback doubles the cooldown; a kept change resets it
    gate.begin('batch');
    gate.end('batch', 4, true);
    expect(gate.canChange('batch', 8)).toBe(false);
    expect(gate.canChange('batch', 9)).toBe(true);
    gate.begin('batch');
    gate.end('batch', 9, false);
    gate.begin('batch');
    gate.end('batch', 10, true);
    expect(gate.canChange('batch', 13)).toBe(true);
  });

  it('two looks (extend an inconclusive, promising change) keep the false-accept rate at the 5% level', () => {
    const gate = new SafetyGate({ confidence: 0.95, looks: 2 });
    const g = gaussian(707);
    const draw = () => 100 + 10 * g();
    let accepted = 0;
    let extended = 0;
    for (let t = 0; t < count; t++) {
      const before = Array.from({ length: 30 }, draw);
      const after = Array.from({ length: 30 }, draw);
      let v = gate.evaluate(before, after, true, 1);
      if (v.extend) {
        extended++;
        after.push(...Array.from({ length: 30 }, draw));
        v = gate.evaluate(before, after, true, 2);
        expect(v.extend).toBe(false);
      }
      if (v.keep) accepted++;
    }
    expect(extended).toBeGreaterThan(count * 0.2);
    expect(accepted / count).toBeLessThanOrEqual(bound);
  });
});
