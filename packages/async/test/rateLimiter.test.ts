import fc from 'fast-check';
import {
  AsyncError,
  InvalidOptionsError,
  ManualClock,
  RateLimitedError,
  RateLimiter,
  type Reservation,
} from '../src/index.js';

const isReservation = (r: Reservation | number): r is Reservation => typeof r !== 'number';

describe('RateLimiter', () => {
  it('grants up to the request limit, then says how long to wait (continuous refill)', () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ requests_per_interval: 6, interval: 60_000, clock, headroom: 0 });
    for (let i = 0; i < 6; i++) expect(isReservation(limiter.tryAcquire())).toBe(true);
    expect(limiter.tryAcquire()).toBe(10_000);
    limiter.close();
  });

  it('keeps a headroom (default 1%) of the burst unused, never below one request, without lowering the rate', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ requestsPerInterval: 600, interval: 60_000, clock });
    let granted = 0;
    while (typeof limiter.tryAcquire() !== 'number') granted++;
    expect(granted).toBe(594);
    await clock.advance(60_000);
    expect(limiter.available.requests).toBeCloseTo(594, 6); // refilled at 600/min, capped at the burst
    const tiny = new RateLimiter({ requestsPerInterval: 1, clock });
    expect(typeof tiny.tryAcquire()).toBe('object');
    limiter.close();
    tiny.close();
  });

  it('reserves estimated tokens and settles with the real usage (refund and extra charge)', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ tokensPerMinute: 1000, clock, headroom: 0 });
    const a = limiter.tryAcquire(600);
    expect(isReservation(a)).toBe(true);
    expect(limiter.tryAcquire(600)).toBe(12_000); // 200 missing at 1000/min
    (a as Reservation).settle(100); // used less: 500 back
    const b = limiter.tryAcquire(600);
    expect(isReservation(b)).toBe(true);
    (b as Reservation).settle(900); // used more: 300 charged
    expect(limiter.available.tokens).toBe(0);
    expect(() => limiter.tryAcquire(5000)).toThrow(expect.objectContaining({ code: 'TOKENS_EXCEED_LIMIT' }));
    limiter.close();
  });

  it('acquire() waits on the clock, honours maxWait and AbortSignal, and close() rejects waiters', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ requestsPerInterval: 1, interval: 1000, clock });
    await limiter.acquire();
    const waiting = limiter.acquire();
    await expect(limiter.acquire(0, { maxWait: 10 })).rejects.toBeInstanceOf(RateLimitedError);
    await clock.advance(999);
    let done = false;
    void waiting.then(() => (done = true));
    await clock.tick();
    expect(done).toBe(false);
    await clock.advance(1);
    await waiting;
    const controller = new AbortController();
    const aborted = limiter.acquire(0, { signal: controller.signal });
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ code: 'ABORTED' });
    const closed = limiter.acquire();
    limiter.close();
    await expect(closed).rejects.toMatchObject({ code: 'CLOSED' });
    expect(clock.pendingTimers).toBe(0);
  });

  it('a 429 pauses the whole limiter once for its retry-after, however many requests saw it', () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ requestsPerInterval: 100, clock, learnFromHeaders: false });
    for (let i = 0; i < 20; i++) limiter.observe(429, { 'retry-after': '2' });
    expect(limiter.stats.pauses).toBe(1);
    expect(limiter.tryAcquire()).toBe(2000);
    limiter.observe(429, { 'retry-after': 'not-a-date' }); // malformed: default pause, does not extend
    expect(limiter.stats.pauses).toBe(1);
    limiter.close();
  });

  it('a 429 whose headers show budget left pauses nobody: only that request waits (its retry policy)', () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ requestsPerInterval: 100, tokensPerInterval: 10_000, clock });
    const r = limiter.tryAcquire(50) as Reservation;
    limiter.observe(
      429,
      {
        'retry-after': '1',
        'x-ratelimit-limit-requests': '100',
        'x-ratelimit-remaining-requests': '80',
        'x-ratelimit-limit-tokens': '10000',
        'x-ratelimit-remaining-tokens': '9000',
      },
      r,
    );
    expect(limiter.stats.pauses).toBe(0);
    expect(limiter.stats.transient429s).toBe(1);
    expect(limiter.pausedFor).toBe(0);
    expect(limiter.tryAcquire(10)).not.toEqual(expect.any(Number));
    // Budget at zero, too few tokens left for this request, or no headers: everyone pauses.
    const out = (remaining: Record<string, string>) => ({ 'retry-after': '1', ...remaining });
    limiter.observe(429, out({ 'x-ratelimit-remaining-requests': '0' }));
    expect(limiter.stats.pauses).toBe(1);
    const second = new RateLimiter({ requestsPerInterval: 100, clock, learnFromHeaders: false });
    const big = second.tryAcquire(500) as Reservation;
    second.observe(
      429,
      out({ 'x-ratelimit-remaining-requests': '50', 'x-ratelimit-remaining-tokens': '100' }),
      big,
    );
    expect(second.stats.pauses).toBe(1);
    const third = new RateLimiter({ requestsPerInterval: 100, clock, learnFromHeaders: false });
    third.observe(429, out({}));
    expect(third.stats.pauses).toBe(1);
    for (const l of [limiter, second, third]) l.close();
  });

  it('learns limits from headers when none are configured, with the remaining budget', () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ clock });
    const r = limiter.tryAcquire(10) as Reservation;
    limiter.tryAcquire(10); // granted after r
    r.settle(10, {
      'x-ratelimit-limit-requests': '60',
      'x-ratelimit-remaining-requests': '5',
      'x-ratelimit-limit-tokens': '6000',
      'x-ratelimit-remaining-tokens': '100',
    });
    expect(limiter.limits).toEqual({ requests: 60, tokens: 6000, interval: 60_000 });
    expect(limiter.available.requests).toBe(4); // 5 remaining minus the one granted since
    expect(limiter.available.tokens).toBe(90);
    expect(limiter.stats.learned).toBe(2);
    limiter.close();
  });

  it('property: grants in any window never exceed burst + rate x window (requests and tokens)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ gap: fc.integer({ min: 0, max: 3000 }), tokens: fc.integer({ min: 0, max: 400 }) }),
          {
            minLength: 1,
            maxLength: 80,
          },
        ),
        async (steps) => {
          const clock = new ManualClock();
          const limiter = new RateLimiter({
            requestsPerInterval: 10,
            tokensPerInterval: 1000,
            interval: 10_000,
            clock,
          });
          const grants: { at: number; tokens: number }[] = [];
          for (const step of steps) {
            await clock.advance(step.gap);
            const r = limiter.tryAcquire(step.tokens);
            if (typeof r !== 'number') grants.push({ at: clock.now(), tokens: step.tokens });
            else expect(r).toBeGreaterThan(0);
          }
          for (const g of grants) {
            for (const window of [1000, 5000, 10_000, 30_000]) {
              const inside = grants.filter((x) => x.at >= g.at && x.at < g.at + window);
              expect(inside.length).toBeLessThanOrEqual(10 + (10 * window) / 10_000 + 1e-9);
              const used = inside.reduce((a, x) => a + x.tokens, 0);
              expect(used).toBeLessThanOrEqual(1000 + (1000 * window) / 10_000 + 1e-6);
            }
          }
          limiter.close();
        },
      ),
      { numRuns: 60 },
    );
  });

  it('setLimits at run time; invalid options throw naming the option', () => {
    const limiter = new RateLimiter({ requestsPerInterval: 10, clock: new ManualClock(), headroom: 0 });
    limiter.setLimits({ requestsPerInterval: 2 });
    expect(limiter.available.requests).toBe(2);
    expect(() => limiter.setLimits({ requestsPerInterval: -1 })).toThrow(InvalidOptionsError);
    limiter.close();
    for (const [opts, name] of [
      [{ requests_per_interval: Number.NaN }, 'requests_per_interval'],
      [{ tokens_per_minute: -5 }, 'tokens_per_minute'],
      [{ interval: 0 }, 'interval'],
    ] as const) {
      expect(() => new RateLimiter(opts as never)).toThrow(expect.objectContaining({ option: name }));
    }
    expect(() => new RateLimiter({ interval: 0 })).toThrow(AsyncError);
  });
});
