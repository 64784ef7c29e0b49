import { AdaptiveChunkSize } from '../src/index.js';

describe('AdaptiveChunkSize', () => {
  it('converges on the byte budget, stepping at most x2 per chunk', () => {
    const c = new AdaptiveChunkSize({ initial: 10, targetBytes: 50_000 });
    const sizes: number[] = [];
    for (let i = 0; i < 10; i++) sizes.push(c.observe({ items: c.size, bytes: c.size * 100 }));
    expect(sizes.slice(0, 4)).toEqual([20, 40, 80, 160]);
    expect(sizes.at(-1)).toBe(500);
  });

  it('converges on the latency budget (fixed overhead + per item cost)', () => {
    const c = new AdaptiveChunkSize({ initial: 10, targetLatencyMs: 50, maxChunk: 100_000 });
    for (let i = 0; i < 30; i++) c.observe({ items: c.size, latencyMs: 5 + 0.1 * c.size });
    expect(c.size).toBeGreaterThanOrEqual(440);
    expect(c.size).toBeLessThanOrEqual(460);
  });

  it('meets both budgets when both are set, and stays within bounds', () => {
    const c = new AdaptiveChunkSize({
      initial: 100,
      targetBytes: 10_000,
      targetLatencyMs: 1000,
      minChunk: 5,
      maxChunk: 60,
    });
    for (let i = 0; i < 10; i++) c.observe({ items: c.size, bytes: c.size * 10, latencyMs: 1 });
    expect(c.size).toBe(60);
    for (let i = 0; i < 20; i++) c.observe({ items: c.size, bytes: c.size * 100_000, latencyMs: 1 });
    expect(c.size).toBe(5);
    expect(c.observe({ items: 0 })).toBe(5);
  });

  it('validates its options', () => {
    expect(() => new AdaptiveChunkSize({ minChunk: 10, maxChunk: 5 })).toThrow(/"minChunk"/);
    expect(() => new AdaptiveChunkSize({ target_bytes: -1 } as never)).toThrow(/"targetBytes"/);
  });
});
