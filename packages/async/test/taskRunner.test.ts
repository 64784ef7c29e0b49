import { ManualClock, RateLimiter, RetryableError, TaskRunner } from '../src/index.js';

const tooMany = (retryAfter: string) =>
  Object.assign(new Error('429 Too Many Requests'), { status: 429, headers: { 'retry-after': retryAfter } });

describe('TaskRunner', () => {
  it('runs tasks through queue -> rate limit -> concurrency and settles token usage', async () => {
    const clock = new ManualClock();
    const runner = new TaskRunner({
      concurrency: 2,
      rate_limit: { requests_per_interval: 3, tokens_per_interval: 1000, interval: 1000, headroom: 0 },
      clock,
    });
    const started: number[] = [];
    const results = Array.from({ length: 6 }, (_, i) =>
      runner.run(
        async () => {
          started.push(clock.now());
          return { text: `r${i}`, usage: { total_tokens: 50 } };
        },
        { tokens: 200 },
      ),
    );
    for (let i = 0; i < 20; i++) await clock.advance(100);
    const out = await Promise.all(results);
    expect(out.map((r) => r.text)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5']);
    // 3 at once (burst), then one every 1000/3 ms.
    expect(started.slice(0, 3)).toEqual([0, 0, 0]);
    expect(started[3]).toBeGreaterThanOrEqual(333);
    expect(started[5]).toBeGreaterThanOrEqual(999);
    await runner.close();
    expect(clock.pendingTimers).toBe(0);
  });

  it('a 429 pauses the shared limiter once and the request is retried after retry-after, not lost', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ clock });
    const runner = new TaskRunner({
      concurrency: 10,
      rateLimit: limiter,
      clock,
      retry: { seed: 1, baseDelay: 10 },
    });
    let serverOpenAt = 0;
    let calls429 = 0;
    const call = async (i: number) => {
      if (clock.now() < 1) {
        serverOpenAt = 2000;
      }
      if (clock.now() < serverOpenAt) {
        calls429++;
        throw tooMany('2');
      }
      return i;
    };
    const all = Array.from({ length: 5 }, (_, i) => runner.run(() => call(i)));
    for (let i = 0; i < 30; i++) await clock.advance(100);
    await expect(Promise.all(all)).resolves.toEqual([0, 1, 2, 3, 4]);
    expect(calls429).toBe(5); // all five were in flight when the server said no
    expect(limiter.stats.pauses).toBe(1); // ...but the limiter paused once
    await runner.close();
    limiter.close();
  });

  it('per-task timeout and attempt timeout', async () => {
    const clock = new ManualClock();
    const runner = new TaskRunner({ clock, attemptTimeout: 100, retry: { maxAttempts: 3, baseDelay: 0 } });
    let attempts = 0;
    const hang = runner.run((ctx) => {
      attempts++;
      return new Promise((_, reject) =>
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)),
      );
    });
    const hangDone = expect(hang).rejects.toBeInstanceOf(RetryableError);
    for (let i = 0; i < 10; i++) await clock.advance(50);
    await hangDone;
    expect(attempts).toBe(3);
    const slow = runner.run(() => new Promise(() => {}), { timeout: 50 });
    const slowDone = expect(slow).rejects.toMatchObject({ code: 'TIMEOUT' });
    await clock.advance(50);
    await slowDone;
    await runner.close();
    expect(clock.pendingTimers).toBe(0);
  });

  it('close() settles running, queued and rate-limited tasks with CLOSED and leaves no timer', async () => {
    const clock = new ManualClock();
    const runner = new TaskRunner({
      concurrency: 1,
      rate_limit: { requests_per_interval: 1, interval: 60_000 },
      clock,
    });
    const a = runner.run(() => new Promise(() => {}));
    const b = runner.run(async () => 'b');
    const checks = [a, b].map((p) => expect(p).rejects.toMatchObject({ code: 'CLOSED' }));
    await clock.advance(10);
    await runner.close();
    await Promise.all(checks);
    expect(clock.pendingTimers).toBe(0);
  });

  it('a task whose token estimate can never fit fails alone with TOKENS_EXCEED_LIMIT', async () => {
    const runner = new TaskRunner({ rate_limit: { tokens_per_interval: 1000 }, clock: new ManualClock() });
    await expect(runner.run(async () => 1, { tokens: 5000 })).rejects.toMatchObject({
      code: 'TOKENS_EXCEED_LIMIT',
    });
    await expect(runner.run(async () => 2, { tokens: 10 })).resolves.toBe(2);
    await expect(runner.run(async () => 3, { tokens: -1 })).rejects.toMatchObject({
      code: 'INVALID_OPTIONS',
    });
    await runner.close();
  });

  it('rejects invalid options naming the option', () => {
    expect(() => new TaskRunner({ max_concurrent_tasks: -2 })).toThrow(
      expect.objectContaining({ option: 'max_concurrent_tasks' }),
    );
    expect(() => new TaskRunner({ algorithm: 'random' as never })).toThrow(
      expect.objectContaining({ option: 'algorithm' }),
    );
  });
});

describe('TaskRunner: a task waiting for its retry gives its concurrency slot back', () => {
  it('another task runs during the back-off; the retry then waits for a slot and a permit again', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ clock, requests_per_interval: 100, interval: 1000, headroom: 0 });
    const runner = new TaskRunner({
      concurrency: 1,
      clock,
      rateLimit: limiter,
      retry: { maxAttempts: 3, baseDelay: 1000, maxDelay: 1000, seed: 3 },
    });
    const log: string[] = [];
    let failOnce = true;
    const a = runner.run(async (ctx) => {
      log.push(`a${ctx.attempt}@${clock.now()}`);
      if (failOnce) {
        failOnce = false;
        throw Object.assign(new Error('503'), { status: 503 });
      }
      return 'a';
    });
    const b = runner.run(async (ctx) => {
      log.push(`b${ctx.attempt}@${clock.now()}`);
      await new Promise<void>((r) => clock.setTimeout(r, 2000));
      return 'b';
    });
    for (let i = 0; i < 30; i++) await clock.advance(100);
    await expect(Promise.all([a, b])).resolves.toEqual(['a', 'b']);
    // b started while a waited for its retry (< 1000 ms of back-off); a's retry waited for b's slot
    expect(log).toEqual(['a1@0', 'b1@0', 'a2@2000']);
    expect(limiter.stats.granted).toBe(3);
    await runner.close();
    limiter.close();
    expect(clock.pendingTimers).toBe(0);
  });
});
