import OpenAI from 'openai';
import {
  EmulatorRateLimiter,
  formatResetDuration,
  startEmulator,
  TokenBucket,
} from '../../src/emulator/index.js';

function manualClock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('formatResetDuration', () => {
  it('formats like OpenAI', () => {
    expect(formatResetDuration(0)).toBe('0s');
    expect(formatResetDuration(17.2)).toBe('18ms');
    expect(formatResetDuration(1000)).toBe('1s');
    expect(formatResetDuration(1500)).toBe('1.5s');
    expect(formatResetDuration(360_000)).toBe('6m0s');
    expect(formatResetDuration(3_723_000)).toBe('1h2m3s');
  });
});

describe('TokenBucket', () => {
  it('refills linearly over the window', () => {
    const b = new TokenBucket(60, 60_000, 0);
    b.take(60, 0);
    expect(b.level(0)).toBe(0);
    expect(b.waitMs(1, 0)).toBe(1000);
    expect(b.level(30_000)).toBe(30);
    expect(b.resetMs(30_000)).toBe(30_000);
    expect(b.level(120_000)).toBe(60);
  });
});

describe('EmulatorRateLimiter', () => {
  it('admits up to the request limit, then refuses with the wait until one request is free', () => {
    const clock = manualClock();
    const limiter = new EmulatorRateLimiter({ rpm: 3 }, 60_000, clock);
    for (let i = 0; i < 3; i++) expect(limiter.admit(10).ok).toBe(true);
    const refused = limiter.admit(10);
    expect(refused).toMatchObject({ ok: false, limit: 'requests', retryAfterMs: 20_000 });
    expect(refused.headers).toEqual({
      'x-ratelimit-limit-requests': '3',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '1m0s',
    });
    clock.advance(20_000);
    expect(limiter.admit(10).ok).toBe(true);
  });

  it('limits tokens and refuses a request larger than the whole budget', () => {
    const clock = manualClock();
    const limiter = new EmulatorRateLimiter({ rpm: 1000, tpm: 600 }, 60_000, clock);
    expect(limiter.admit(500).ok).toBe(true);
    const refused = limiter.admit(200);
    expect(refused).toMatchObject({ ok: false, limit: 'tokens', retryAfterMs: 10_000 });
    expect(refused.headers['x-ratelimit-remaining-tokens']).toBe('100');
    expect(refused.headers['x-ratelimit-remaining-requests']).toBe('999');
    expect(limiter.admit(601)).toMatchObject({ ok: false, tooLarge: true });
  });
});

describe('emulator rate limits through the official SDK', () => {
  it('sends x-ratelimit-* headers and a 429 with retry-after and an OpenAI error body', async () => {
    const clock = manualClock();
    const emu = await startEmulator({
      timeScale: 0.001,
      latency: { ttftMs: 0, perTokenMs: 0 },
      rpm: 2,
      clock,
    });
    try {
      const client = new OpenAI({ baseURL: emu.url, apiKey: 'test', maxRetries: 0 });
      const req = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi' }] };
      const first = await client.chat.completions.create(req).withResponse();
      expect(first.response.headers.get('x-ratelimit-limit-requests')).toBe('2');
      expect(first.response.headers.get('x-ratelimit-remaining-requests')).toBe('1');
      // one emulated minute = 60 ms wall at time scale 0.001: one request refills in 30 ms
      expect(first.response.headers.get('x-ratelimit-reset-requests')).toBe('30ms');
      await client.chat.completions.create(req);
      const err = (await client.chat.completions.create(req).catch((e: unknown) => e)) as InstanceType<
        typeof OpenAI.RateLimitError
      >;
      expect(err).toBeInstanceOf(OpenAI.RateLimitError);
      expect(err.status).toBe(429);
      expect(err.code).toBe('rate_limit_exceeded');
      expect(err.type).toBe('requests');
      expect(err.headers.get('retry-after-ms')).toBe('30');
      expect(err.headers.get('retry-after')).toBe('1');
      clock.advance(30);
      await expect(client.chat.completions.create(req)).resolves.toBeDefined();
      expect(emu.stats().rateLimited).toBe(1);
      expect(emu.stats().byStatus['429']).toBe(1);
    } finally {
      await emu.close();
    }
  });

  it('charges prompt + completion tokens against the token limit, and a batch counts as one request', async () => {
    const clock = manualClock();
    const emu = await startEmulator({ timeScale: 0, rpm: 10, tpm: 100_000, clock });
    try {
      const client = new OpenAI({ baseURL: emu.url, apiKey: 'test', maxRetries: 0 });
      const res = await client.completions
        .create({ model: 'gpt-3.5-turbo-instruct', prompt: ['a', 'b', 'c', 'd'], max_tokens: 20 })
        .withResponse();
      expect(res.response.headers.get('x-ratelimit-remaining-requests')).toBe('9');
      expect(Number(res.response.headers.get('x-ratelimit-remaining-tokens'))).toBe(
        100_000 - res.data.usage!.total_tokens,
      );
    } finally {
      await emu.close();
    }
  });
});
