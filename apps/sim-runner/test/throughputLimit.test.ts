import {
  expectedStepMakespan,
  logNormalMean,
  meanLatencySeconds,
  throughputLimits,
  type ThroughputLimitInput,
} from '../src/throughputLimit.js';

const base: ThroughputLimitInput = {
  latency: { ttftMs: 300, ttftSigma: 0, perTokenMs: 15, perTokenSigma: 0, perInputTokenMs: 0 },
  timeScale: 0.01,
  concurrency: 5,
  outputTokens: 20,
  inputTokens: 30,
};

describe('throughputLimits (X_max from the configuration)', () => {
  it('is C / L for the mean latency of the configured model', () => {
    // (300 + 15 x 20) ms x 0.01 = 6 ms; 5 lanes / 6 ms = 833.3 req/s
    expect(meanLatencySeconds(base)).toBeCloseTo(0.006, 9);
    expect(throughputLimits(base, 5).xMax).toBeCloseTo(5 / 0.006, 6);
  });

  it('uses the log-normal means and the prefill time', () => {
    expect(logNormalMean(300, 0.25)).toBeCloseTo(300 * Math.exp(0.03125), 9);
    const input = {
      ...base,
      latency: { ttftMs: 300, ttftSigma: 0.25, perTokenMs: 15, perTokenSigma: 0.15, perInputTokenMs: 1 },
    };
    const ms = 300 * Math.exp(0.25 ** 2 / 2) + 30 + 15 * Math.exp(0.15 ** 2 / 2) * 20;
    expect(meanLatencySeconds(input)).toBeCloseTo((ms * 0.01) / 1000, 12);
  });

  it('is capped by the RPM and TPM limits (per emulated minute, scaled to wall-clock)', () => {
    // 60 requests per emulated minute = 60 per 0.6 s of wall-clock = 100 req/s
    expect(throughputLimits({ ...base, rpm: 60 }, 5).xMax).toBeCloseTo(100, 9);
    // 6000 tokens per emulated minute at time scale 1 = 100 tokens/s; 50 tokens per request = 2 req/s
    expect(throughputLimits({ ...base, timeScale: 1, tpm: 6000 }, 5).xMax).toBeCloseTo(2, 9);
  });

  it('is null when nothing bounds it (time scale 0, no limits)', () => {
    expect(throughputLimits({ ...base, timeScale: 0 }, 5)).toMatchObject({
      xMax: null,
      stepBarrierLimit: null,
    });
  });

  it('the step-barrier bound equals X_max without variance and falls below it with variance', () => {
    const det = throughputLimits(base, 10);
    expect(det.stepBarrierLimit).toBeCloseTo(det.xMax!, 6);
    const noisy = { ...base, latency: { ...base.latency, ttftSigma: 0.25, perTokenSigma: 0.15 } };
    const few = throughputLimits(noisy, 5, { seed: 3 });
    const many = throughputLimits(noisy, 100, { seed: 3 });
    expect(few.stepBarrierLimit!).toBeLessThan(few.xMax!);
    // More agents per lane: the idle tail of a step weighs less.
    expect(many.barrierEfficiency!).toBeGreaterThan(few.barrierEfficiency!);
    expect(many.barrierEfficiency!).toBeLessThanOrEqual(1);
  });

  it('estimates the makespan deterministically for a seed', () => {
    const noisy = { ...base, latency: { ...base.latency, ttftSigma: 0.5 } };
    expect(expectedStepMakespan(noisy, 12, { seed: 9 })).toBe(expectedStepMakespan(noisy, 12, { seed: 9 }));
    // 12 deterministic calls of 6 ms on 5 lanes: 3 rounds
    expect(expectedStepMakespan(base, 12)).toBeCloseTo(0.018, 9);
  });
});
