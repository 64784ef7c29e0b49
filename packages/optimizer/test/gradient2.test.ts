import { Gradient2 } from '../src/index.js';
import { gaussian, queueingPlant } from './plants.js';

describe('Gradient2', () => {
  it('grows by smoothing * queueSize per sample while latency stays at the long-term RTT', () => {
    const g = new Gradient2({ initialLimit: 20, minLimit: 1, maxLimit: 100 });
    for (let i = 0; i < 10; i++) g.update({ rtt: 100, inflight: g.limit });
    // gradient = min(1, 1.5 * 100 / 100) = 1 -> newLimit = limit + 4, smoothed by 0.2 -> +0.8 per sample
    expect(g.estimatedLimit).toBeCloseTo(28, 6);
  });

  it('shrinks by the gradient (at most by half) when short RTT exceeds tolerance x long RTT', () => {
    const g = new Gradient2({ initialLimit: 50, minLimit: 1, maxLimit: 100, smoothing: 1, queueSize: 0 });
    for (let i = 0; i < 10; i++) g.update({ rtt: 100, inflight: 50 });
    const before = g.estimatedLimit;
    g.update({ rtt: 250, inflight: 50 });
    const long = 100 * (1 - 2 / 601) + 250 * (2 / 601);
    expect(g.estimatedLimit).toBeCloseTo(before * ((1.5 * long) / 250), 6); // gradient ~ 0.6
    const mid = g.estimatedLimit;
    g.update({ rtt: 10_000, inflight: 50 }); // gradient floors at 0.5
    expect(g.estimatedLimit).toBeCloseTo(mid * 0.5, 6);
  });

  it('does not grow while app-limited (inflight < limit / 2)', () => {
    const g = new Gradient2({ initialLimit: 40, minLimit: 1 });
    g.update({ rtt: 100, inflight: 5 });
    expect(g.estimatedLimit).toBe(40);
  });

  it('pulls the long RTT down 5% per sample when it is more than twice the short RTT (drift handling)', () => {
    const g = new Gradient2({ initialLimit: 40, minLimit: 1, longWindow: 600 });
    for (let i = 0; i < 10; i++) g.update({ rtt: 1000, inflight: 40 });
    const long = g.longRtt;
    g.update({ rtt: 100, inflight: 40 });
    const ewma = 100 * (2 / 601) + long * (1 - 2 / 601);
    expect(g.longRtt).toBeCloseTo(ewma * 0.95, 6);
  });

  it('reaches the knee of a queueing plant from below and backs off when latency jumps', () => {
    const plant = queueingPlant({ capacity: 40, service: 1, seed: 3 });
    const g = new Gradient2({ initialLimit: 5, minLimit: 1, maxLimit: 500, longWindow: 600 });
    let reached = -1;
    for (let i = 0; i < 200; i++) {
      const c = g.limit;
      const m = plant(c);
      g.update({ rtt: m.latency, inflight: c });
      if (reached < 0 && m.throughput >= 40) reached = i;
    }
    expect(reached).toBeGreaterThan(0);
    expect(reached).toBeLessThan(60); // at the knee (full throughput) within 60 samples
    // Latency at the end is within ~2x the no-load latency (tolerance 1.5 plus the long-RTT lag).
    expect(plant(g.limit).latency).toBeLessThan(2.2);
    // A sudden 3x latency (e.g. the provider slows down) cuts the limit.
    const before = g.limit;
    g.update({ rtt: 3 * plant(g.limit).latency, inflight: before });
    expect(g.limit).toBeLessThan(before);
  });

  it('holds near the knee of a steep plant for hundreds of samples, then drifts up (documented Gradient2 behaviour)', () => {
    // Latency = (c / 40)^3 past 40 in flight: a provider whose queue makes latency climb steeply.
    const n = gaussian(1);
    const g = new Gradient2({ initialLimit: 5, minLimit: 1, maxLimit: 500, longWindow: 600 });
    const limits: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const c = g.limit;
      limits.push(g.update({ rtt: Math.max(1, c / 40) ** 3 * (1 + 0.02 * n()), inflight: c }));
    }
    const window = limits.slice(100, 300);
    expect(Math.min(...window)).toBeGreaterThanOrEqual(40); // full throughput
    expect(Math.max(...window)).toBeLessThanOrEqual(64); // latency within ~4x no-load (tolerance 1.5 + drift)
    // The long-term RTT follows the queueing latency, so the limit keeps creeping up: after 1000 samples it
    // is ~2x the knee. This is why the benchmark uses AIMD (with 429s and a latency timeout).
    expect(limits[999]!).toBeGreaterThan(70);
  });
});
