import OpenAI from 'openai';
import { EmulatorRateLimiter, startEmulator, TokenBucket } from '../../src/emulator/index.js';

function manualClock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('TokenBucket.setCapacity', () => {
  it('keeps the fill fraction and refills at the new rate', () => {
    const b = new TokenBucket(60, 60_000, 0);
    b.take(30, 0);
    b.setCapacity(30, 0);
    expect(b.capacity).toBe(30);
    expect(b.level(0)).toBe(15);
    expect(b.waitMs(30, 0)).toBe(30_000);
  });
});

describe('EmulatorRateLimiter.setLimits', () => {
  it('halves, adds and removes limits at run time', () => {
    const clock = manualClock();
    const limiter = new EmulatorRateLimiter({ rpm: 4 }, 60_000, clock);
    limiter.setLimits({ rpm: 2 });
    expect(limiter.admit(1).ok).toBe(true);
    expect(limiter.admit(1).ok).toBe(true);
    expect(limiter.admit(1)).toMatchObject({ ok: false, retryAfterMs: 30_000 });
    limiter.setLimits({ tpm: 100 });
    expect(limiter.headers()['x-ratelimit-limit-tokens']).toBe('100');
    limiter.setLimits({ rpm: null });
    expect(limiter.admit(1).ok).toBe(true);
    expect(limiter.headers()['x-ratelimit-limit-requests']).toBeUndefined();
  });

  it('sets the buckets to a given fill: empty grants no burst, only the refill rate', () => {
    const clock = manualClock();
    const limiter = new EmulatorRateLimiter({ rpm: 60 }, 60_000, clock);
    limiter.setLimits({ rpm: 120 }, 0); // a new limit and an empty bucket: 2 requests per second of refill
    expect(limiter.admit(1)).toMatchObject({ ok: false, retryAfterMs: 500 });
    clock.advance(500);
    expect(limiter.admit(1).ok).toBe(true);
    expect(limiter.admit(1).ok).toBe(false);
    limiter.setLimits({ tpm: 1000 }, 0.5); // a new token bucket, and both buckets half full
    expect(limiter.headers()).toMatchObject({
      'x-ratelimit-remaining-requests': '60',
      'x-ratelimit-remaining-tokens': '500',
    });
    limiter.setLimits({}, 1);
    expect(limiter.headers()['x-ratelimit-remaining-requests']).toBe('120');
  });
});

describe('Emulator.reconfigure', () => {
  const request = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi' }] };

  it('changes latency and the request limit of a running emulator', async () => {
    const emu = await startEmulator({
      timeScale: 1,
      rpm: 100,
      latency: { ttftMs: 5, ttftSigma: 0, perTokenMs: 0, perTokenSigma: 0 },
    });
    const client = new OpenAI({ baseURL: emu.url, apiKey: 'test', maxRetries: 0 });
    try {
      const first = await client.chat.completions.create(request).withResponse();
      expect(first.response.headers.get('x-ratelimit-limit-requests')).toBe('100');
      emu.reconfigure({ latency: { ttftMs: 80 }, rpm: 2 });
      expect(emu.options).toMatchObject({ rpm: 2, latency: { ttftMs: 80, perTokenMs: 0 } });
      const start = performance.now();
      const second = await client.chat.completions.create(request).withResponse();
      expect(performance.now() - start).toBeGreaterThanOrEqual(75);
      expect(second.response.headers.get('x-ratelimit-limit-requests')).toBe('2');
      // 99 of 100 left became 1.98 of 2: one more request passes, the next is refused.
      await expect(client.chat.completions.create(request)).rejects.toMatchObject({ status: 429 });
      expect(emu.stats().rateLimited).toBe(1);
    } finally {
      await emu.close();
    }
  });

  it('rejects an invalid change and keeps the old settings', async () => {
    const emu = await startEmulator({ timeScale: 0, rpm: 10 });
    try {
      expect(() => emu.reconfigure({ rpm: -1 })).toThrow(
        expect.objectContaining({ code: 'INVALID_OPTIONS', option: 'rpm' }),
      );
      expect(() => emu.reconfigure({ latency: { bogus: 1 } } as never)).toThrow(/latency/);
      expect(() => emu.reconfigure({ rateLimitFill: 1.5 })).toThrow(
        expect.objectContaining({ code: 'INVALID_OPTIONS', option: 'rateLimitFill' }),
      );
      expect(emu.options.rpm).toBe(10);
    } finally {
      await emu.close();
    }
  });
});
