import { describeWithService, SERVICES } from '@hp/testing';
import { createClient } from 'redis';
import { DistributedRateLimiter, RateLimitedError, TaskRunner } from '../src/index.js';

type Client = ReturnType<typeof createClient>;

describeWithService('redis')('DistributedRateLimiter (real Redis)', () => {
  const prefix = `hp-async-test:${process.pid}:${Date.now()}`;
  let a: Client;
  let b: Client;

  beforeAll(async () => {
    a = createClient({ url: SERVICES.redis.url, socket: { reconnectStrategy: false } });
    b = createClient({ url: SERVICES.redis.url, socket: { reconnectStrategy: false } });
    await Promise.all([a.connect(), b.connect()]);
  });

  afterAll(async () => {
    const keys = await a.keys(`${prefix}*`);
    if (keys.length > 0) await a.del(keys);
    await Promise.all([a.quit(), b.quit()]);
  });

  const settle = async (p: Promise<unknown>) =>
    p.then(
      () => 'ok',
      (e: unknown) => (e instanceof RateLimitedError ? 'limited' : String(e)),
    );

  it('two limiter instances (two clients) share one request budget', async () => {
    const options = {
      keyPrefix: `${prefix}:req`,
      key: 'gpt',
      requestsPerInterval: 5,
      interval: 60_000,
      maxWait: 0,
    };
    const one = new DistributedRateLimiter({ ...options, redis: a });
    const two = new DistributedRateLimiter({ ...options, redis: b });
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => settle((i % 2 === 0 ? one : two).acquire())),
    );
    expect(results.filter((r) => r === 'ok')).toHaveLength(5);
    expect(results.filter((r) => r === 'limited')).toHaveLength(3);
    one.close();
    two.close();
  });

  it('shares tokens: reserve an estimate, settle with real usage (refund) across instances', async () => {
    const options = { key_prefix: `${prefix}:tok`, tokens_per_interval: 1000, interval: 60_000, max_wait: 0 };
    const one = new DistributedRateLimiter({ ...options, redis: a });
    const two = new DistributedRateLimiter({ ...options, redis: b });
    const reservation = await one.acquire(600);
    await expect(two.acquire(600)).rejects.toBeInstanceOf(RateLimitedError);
    reservation.settle(100);
    await one.flush(); // the refund has landed in Redis
    await expect(settle(two.acquire(600))).resolves.toBe('ok');
    one.close();
    two.close();
  });

  it('a 429 seen by one process pauses the budget for the other', async () => {
    const options = { keyPrefix: `${prefix}:pause`, requestsPerInterval: 100, interval: 60_000, maxWait: 0 };
    const one = new DistributedRateLimiter({ ...options, redis: a });
    const two = new DistributedRateLimiter({ ...options, redis: b });
    await expect(settle(two.acquire())).resolves.toBe('ok');
    await one.pause(2000);
    const error = await two.acquire().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBeGreaterThan(1000);
    expect((error as RateLimitedError).retryAfterMs).toBeLessThanOrEqual(2000);
    one.close();
    two.close();
  });

  it('a 429 whose headers show budget left blocks nobody (only that request waits)', async () => {
    const options = {
      keyPrefix: `${prefix}:transient`,
      requestsPerInterval: 100,
      interval: 60_000,
      maxWait: 0,
    };
    const one = new DistributedRateLimiter({ ...options, redis: a });
    const two = new DistributedRateLimiter({ ...options, redis: b });
    one.observe(429, { 'retry-after': '2', 'x-ratelimit-remaining-requests': '90' });
    await one.flush();
    expect(one.stats).toMatchObject({ pauses: 0, transient429s: 1 });
    await expect(settle(two.acquire())).resolves.toBe('ok');
    one.close();
    two.close();
  });

  it('plugs into a TaskRunner: two runners in "two processes" share one budget', async () => {
    const options = { keyPrefix: `${prefix}:runner`, requestsPerInterval: 3, interval: 60_000, maxWait: 0 };
    const runners = [a, b].map(
      (redis) =>
        new TaskRunner({ rateLimit: new DistributedRateLimiter({ ...options, redis }), retry: false }),
    );
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => settle(runners[i % 2]!.run(async () => i))),
    );
    expect(results.filter((r) => r === 'ok')).toHaveLength(3);
    expect(results.filter((r) => r === 'limited')).toHaveLength(2);
    for (const r of runners) {
      await r.close();
      (r.rateLimit as DistributedRateLimiter).close();
    }
  });

  it('close() rejects a waiting acquire with CLOSED', async () => {
    const limiter = new DistributedRateLimiter({
      redis: a,
      keyPrefix: `${prefix}:close`,
      requestsPerInterval: 1,
      interval: 60_000,
    });
    await limiter.acquire();
    const waiting = limiter.acquire();
    await new Promise((r) => setTimeout(r, 50));
    limiter.close();
    await expect(waiting).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('rejects invalid options naming the option', () => {
    expect(() => new DistributedRateLimiter({ redis: a, interval: 1500 })).toThrow(
      expect.objectContaining({ option: 'interval' }),
    );
    expect(() => new DistributedRateLimiter({ redis: a, requestsPerInterval: -1 })).toThrow(
      expect.objectContaining({ option: 'requestsPerInterval' }),
    );
    expect(() => new DistributedRateLimiter({} as never)).toThrow(
      expect.objectContaining({ option: 'redis' }),
    );
  });
});
