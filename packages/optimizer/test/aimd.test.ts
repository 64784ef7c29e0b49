import { Aimd } from '../src/index.js';
import { queueingPlant } from './plants.js';

describe('Aimd', () => {
  it('adds 1 per good sample and multiplies by 0.9 on a drop or timeout', () => {
    const a = new Aimd({ initialLimit: 50, minLimit: 1, maxLimit: 100, timeout: 1000 });
    expect(a.update({ rtt: 100, didDrop: false })).toBe(51);
    expect(a.update({ rtt: 100, didDrop: true })).toBe(45); // floor(51 * 0.9)
    expect(a.update({ rtt: 2000, didDrop: false })).toBe(40);
    expect(a.update({ rtt: 100, didDrop: false, inflight: 10 })).toBe(40); // not using the limit: no growth
  });

  it('converges just below the provider rate limit (the knee) and backs off on 429s', () => {
    // capacity 100, service 1 s, provider rate limit 40 req/s: best concurrency = 40.
    const plant = queueingPlant({ capacity: 100, service: 1, rateLimit: 40, seed: 5 });
    const a = new Aimd({ initialLimit: 5, minLimit: 1, maxLimit: 500, timeout: 3 });
    const limits: number[] = [];
    let backoffs = 0;
    for (let i = 0; i < 400; i++) {
      const c = a.limit;
      const m = plant(c);
      const next = a.update({ rtt: m.latency, didDrop: m.rejected > 0, inflight: c });
      if (m.rejected > 0) {
        expect(next).toBe(Math.max(1, Math.floor(c * 0.9)));
        backoffs++;
      }
      limits.push(next);
    }
    const last = limits.slice(-200);
    const mean = last.reduce((x, y) => x + y, 0) / last.length;
    expect(backoffs).toBeGreaterThan(5);
    expect(mean).toBeGreaterThan(40 * 0.85);
    expect(mean).toBeLessThan(40 * 1.05);
    expect(Math.max(...last)).toBeLessThanOrEqual(42);
  });

  it('converges near the latency knee of a queueing plant using the timeout', () => {
    const plant = queueingPlant({ capacity: 40, service: 1, seed: 9 });
    const a = new Aimd({ initialLimit: 5, minLimit: 1, maxLimit: 500, timeout: 1.2 });
    const limits: number[] = [];
    for (let i = 0; i < 400; i++) {
      const c = a.limit;
      limits.push(a.update({ rtt: plant(c).latency, didDrop: false, inflight: c }));
    }
    const last = limits.slice(-200);
    const mean = last.reduce((x, y) => x + y, 0) / last.length;
    expect(mean).toBeGreaterThan(40 * 0.9); // full throughput most of the time
    expect(mean).toBeLessThan(40 * 1.25); // latency within the 1.2 s timeout on average
  });

  it('with queueTolerance, stops at a client-side rate limit that queues instead of answering 429', () => {
    // A closed loop of c requests behind a client that holds requests to 40 req/s: service 1 s, no 429s;
    // above 40 in flight the extra time is queueing (rtt = c / 40), same throughput.
    const plant = (c: number) => {
      const rtt = Math.max(1, c / 40);
      return { rtt, queueDelay: rtt - 1 };
    };
    const run = (a: Aimd) => {
      const limits: number[] = [];
      for (let i = 0; i < 300; i++) limits.push(a.update({ ...plant(a.limit), didDrop: false }));
      const last = limits.slice(-100);
      return { mean: last.reduce((x, y) => x + y, 0) / last.length, max: Math.max(...last) };
    };
    const plain = run(new Aimd({ initialLimit: 20, minLimit: 1, maxLimit: 500, timeout: 3 }));
    const queueAware = run(
      new Aimd({ initialLimit: 20, minLimit: 1, maxLimit: 500, timeout: 3, queueTolerance: 0.1 }),
    );
    expect(plain.mean).toBeGreaterThan(100); // climbs until the queueing alone reaches the 3 s timeout
    expect(queueAware.mean).toBeGreaterThan(40 * 0.9);
    expect(queueAware.max).toBeLessThanOrEqual(44); // at most 10% queueing
    expect(() => new Aimd({ queueTolerance: 0 })).toThrow(RangeError);
  });

  it('with queueTolerance, backs off twice when a sample waited longer than it was served', () => {
    const a = new Aimd({ initialLimit: 100, minLimit: 1, maxLimit: 500, timeout: 10, queueTolerance: 0.1 });
    expect(a.update({ rtt: 1.2, queueDelay: 0.2, didDrop: false })).toBe(90); // 20% queueing: x0.9
    expect(a.update({ rtt: 3, queueDelay: 2, didDrop: false })).toBe(72); // waited 2 s for 1 s: x0.81
    expect(a.update({ rtt: 3, queueDelay: 2, didDrop: true })).toBe(58);
  });
});
