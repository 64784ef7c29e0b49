import { LatencyModel, parseEmulatorOptions } from '../../src/emulator/index.js';

const latency = (o: Record<string, number>) => parseEmulatorOptions({ latency: o }).latency;

describe('LatencyModel', () => {
  it('is time to first token + per-token time x output tokens, scaled', () => {
    const m = new LatencyModel(
      latency({ ttftMs: 200, ttftSigma: 0, perTokenMs: 10, perTokenSigma: 0 }),
      1,
      0.5,
    );
    expect(m.plan(1, 100, 50)).toEqual({ ttftMs: 100, perTokenMs: 5, totalMs: 100 + 5 * 50 });
    expect(new LatencyModel(latency({}), 1, 0).plan(1, 100, 50).totalMs).toBe(0);
  });

  it('adds prefill per input token and multiplies by the slow factor', () => {
    const m = new LatencyModel(
      latency({ ttftMs: 100, ttftSigma: 0, perTokenMs: 10, perTokenSigma: 0, perInputTokenMs: 1 }),
      1,
      1,
    );
    expect(m.plan(1, 50, 0).ttftMs).toBe(150);
    expect(m.plan(1, 50, 10, 10).totalMs).toBe(10 * (150 + 100));
  });

  it('draws log-normal latencies from (seed, request number): reproducible, median near the setting', () => {
    const opts = latency({ ttftMs: 300, ttftSigma: 0.5, perTokenMs: 10, perTokenSigma: 0.2 });
    const a = new LatencyModel(opts, 9, 1);
    const b = new LatencyModel(opts, 9, 1);
    const draws = Array.from({ length: 2001 }, (_, i) => a.plan(i + 1, 0, 0).ttftMs);
    expect(Array.from({ length: 2001 }, (_, i) => b.plan(i + 1, 0, 0).ttftMs)).toEqual(draws);
    const sorted = [...draws].sort((x, y) => x - y);
    const median = sorted[1000]!;
    expect(median).toBeGreaterThan(270);
    expect(median).toBeLessThan(330);
    expect(sorted[1900]! / median).toBeGreaterThan(1.8); // sigma 0.5: p95 / p50 = e^(0.5*1.645) ~ 2.3
  });

  it('batch model: one request with n prompts costs far less than n requests', () => {
    const m = new LatencyModel(
      latency({ ttftMs: 300, ttftSigma: 0, perTokenMs: 10, perTokenSigma: 0, perInputTokenMs: 0.1 }),
      1,
      1,
    );
    const outputs = [40, 60, 50, 55, 45, 30, 20, 60];
    const separate = outputs.reduce((sum, out, i) => sum + m.plan(i + 1, 100, out).totalMs, 0);
    const batched = m.plan(1, 100 * outputs.length, Math.max(...outputs)).totalMs;
    expect(batched).toBeLessThan(separate / 4);
  });
});
