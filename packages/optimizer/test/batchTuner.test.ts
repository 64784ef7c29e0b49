import { BatchTuner } from '../src/index.js';
import { gaussian } from './plants.js';

/**
 * Batch plant: one call of b items takes overhead + per * b seconds at the provider; a batch waits
 * b / arrival to fill. throughput = b / (overhead + per * b) rises with b; p95 = fill + call rises too.
 * Objective 2.0 s (the sketch's batch warning): best feasible b is the largest with p95 <= 2.
 */
function plant(b: number, noise: () => number) {
  const call = 0.4 + 0.05 * b;
  const fill = b / 20;
  const p95 = (fill + call) * 1.3;
  return { throughput: (b / call) * (1 + 0.01 * noise()), p95: p95 * (1 + 0.01 * noise()) };
}

describe('BatchTuner', () => {
  it('finds the largest batch size within the p95 objective (the known optimum)', () => {
    // p95(b) = 1.3 * (0.4 + 0.1 b) <= 2  ->  b <= 11.38 -> optimum 11
    const n = gaussian(11);
    const tuner = new BatchTuner({ min: 1, max: 64, p95Objective: 2 });
    let b = 5;
    for (let i = 0; i < 60; i++) {
      const m = plant(b, n);
      const next = tuner.propose({ batchSize: b, ...m });
      if (next === undefined) continue;
      const after = plant(next, n);
      const kept = tuner.score(after.throughput, after.p95) > tuner.score(m.throughput, m.p95);
      tuner.outcome(kept);
      if (kept) b = next;
    }
    expect(b).toBe(11);
  });

  it('finds an interior throughput optimum when large batches slow the provider down', () => {
    // throughput = b / (0.4 + 0.02 b^2): maximum at b = sqrt(20) ~ 4.47 -> 4 or 5; p95 objective loose
    const tuner = new BatchTuner({ min: 1, max: 32, p95Objective: 100 });
    const f = (b: number) => ({ throughput: b / (0.4 + 0.02 * b * b), p95: 1 });
    let b = 20;
    for (let i = 0; i < 60; i++) {
      const m = f(b);
      const next = tuner.propose({ batchSize: b, ...m });
      if (next === undefined) continue;
      const kept = f(next).throughput > m.throughput;
      tuner.outcome(kept);
      if (kept) b = next;
    }
    expect([4, 5]).toContain(b);
  });

  it('always proposes a smaller batch while p95 is above the objective', () => {
    const tuner = new BatchTuner({ min: 1, max: 64, p95Objective: 1 });
    expect(tuner.propose({ batchSize: 30, throughput: 100, p95: 3 })).toBeLessThan(30);
    expect(tuner.score(100, 2)).toBeCloseTo(100 / 256);
    expect(tuner.propose({ batchSize: 30, throughput: 100, p95: 3 })).toBe(10); // proportional cut
  });

  it('derives the flush timeout from the arrival rate', () => {
    const tuner = new BatchTuner({ min: 1, max: 64, p95Objective: 1 });
    expect(tuner.timeoutFor(10, 20, 1)).toBeCloseTo(0.6);
    expect(tuner.timeoutFor(100, 20, 1)).toBe(1);
  });
});
