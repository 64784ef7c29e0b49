import {
  isRetryable,
  ManualClock,
  RetryableError,
  RetryBudget,
  RetryPolicy,
  seededRng,
} from '../src/index.js';

const httpError = (status: number, headers: Record<string, string> = {}) =>
  Object.assign(new Error(`HTTP ${status}`), { status, headers });

describe('RetryPolicy', () => {
  it('retries retryable errors with full-jitter exponential backoff from a seeded RNG', async () => {
    const clock = new ManualClock();
    const policy = new RetryPolicy({ maxAttempts: 4, baseDelay: 100, seed: 42, clock, budget: false });
    const rng = seededRng(42);
    const expected = [1, 2, 3].map((n) => rng() * 100 * 2 ** (n - 1));
    const delays: number[] = [];
    let calls = 0;
    const run = policy.run(
      async () => {
        calls++;
        if (calls < 4) throw new RetryableError('flaky');
        return 'ok';
      },
      { onRetry: (_attempt, delay) => delays.push(delay) },
    );
    for (let i = 0; i < 10; i++) await clock.advance(100);
    await expect(run).resolves.toBe('ok');
    expect(delays).toEqual(expected);
    expect(policy.stats).toMatchObject({ attempts: 4, retries: 3, succeeded: 1 });
  });

  it('does not retry errors not marked retryable', async () => {
    const policy = new RetryPolicy({ clock: new ManualClock() });
    let calls = 0;
    await expect(
      policy.run(async () => {
        calls++;
        throw new TypeError('bug');
      }),
    ).rejects.toThrow('bug');
    expect(calls).toBe(1);
    expect(isRetryable(httpError(400))).toBe(false);
    expect(isRetryable(httpError(429))).toBe(true);
    expect(isRetryable(httpError(503))).toBe(true);
    expect(isRetryable(httpError(500, { 'x-should-retry': 'false' }))).toBe(false);
    expect(isRetryable(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe(true);
  });

  it('waits at least the Retry-After of the error, and gives up when it exceeds max_retry_after', async () => {
    const clock = new ManualClock();
    const policy = new RetryPolicy({ baseDelay: 1, clock, budget: false, max_retry_after: 10_000 });
    expect(policy.decide(1, httpError(429, { 'retry-after': '3' }))).toBeGreaterThanOrEqual(3000);
    expect(policy.decide(1, httpError(429, { 'retry-after-ms': '250' }))).toBeGreaterThanOrEqual(250);
    expect(policy.decide(1, httpError(429, { 'retry-after': '60' }))).toBeUndefined();
    expect(policy.decide(1, httpError(429, { 'retry-after': 'garbage' }))).toBeLessThan(1); // ignored safely
  });

  it('the retry budget stops retries under a full outage: failures never amplify load', async () => {
    const clock = new ManualClock();
    const policy = new RetryPolicy({ baseDelay: 0, clock, budget: { ratio: 0.1, max_tokens: 5 } });
    let calls = 0;
    const runs: Promise<unknown>[] = [];
    for (let i = 0; i < 100; i++) {
      runs.push(
        policy
          .run(async () => {
            calls++;
            throw new RetryableError('down');
          })
          .catch(() => undefined),
      );
      await clock.advance(1);
    }
    await Promise.all(runs);
    // 100 first attempts; retries bounded by the initial 5 tokens + 0.1 per request.
    expect(calls - 100).toBeLessThanOrEqual(5 + 10);
    expect(policy.stats.budgetExhausted).toBeGreaterThan(0);
    const budget = new RetryBudget(0.5, 2);
    expect([budget.tryWithdraw(), budget.tryWithdraw(), budget.tryWithdraw()]).toEqual([true, true, false]);
    budget.deposit();
    budget.deposit();
    expect(budget.tryWithdraw()).toBe(true);
  });

  it('an abort during backoff rejects with ABORTED and clears the timer', async () => {
    const clock = new ManualClock();
    const policy = new RetryPolicy({ baseDelay: 1000, clock, budget: false, rng: () => 0.99 });
    const controller = new AbortController();
    const run = policy.run(
      async () => {
        throw new RetryableError('x');
      },
      { signal: controller.signal },
    );
    await clock.tick();
    expect(clock.pendingTimers).toBe(1);
    controller.abort();
    await expect(run).rejects.toMatchObject({ code: 'ABORTED' });
    expect(clock.pendingTimers).toBe(0);
  });

  it('rejects invalid options naming the option', () => {
    expect(() => new RetryPolicy({ max_attempts: 0 })).toThrow(
      expect.objectContaining({ option: 'max_attempts' }),
    );
    expect(() => new RetryPolicy({ baseDelay: Number.NaN })).toThrow(
      expect.objectContaining({ option: 'baseDelay' }),
    );
    expect(() => new RetryPolicy({ budget: { ratio: -1 } })).toThrow(
      expect.objectContaining({ option: 'budget.ratio' }),
    );
  });
});
