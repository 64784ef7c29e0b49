import { Failover, Pool, PoolError } from '../src/index.js';
import { FakeFactory } from './fakeFactory.js';

function pools() {
  const pf = new FakeFactory();
  const ff = new FakeFactory();
  const config = {
    max_size: 2,
    acquire_timeout: 0.05,
    create_retry_interval: 0.01,
    health_check_interval: 0,
  };
  const primary = new Pool({ name: 'llm_primary', factory: pf, config });
  const fallback = new Pool({ name: 'llm_fallback', factory: ff, config });
  return { pf, ff, primary, fallback };
}

describe('Failover', () => {
  it('moves traffic to the fallback when the primary keeps failing, and probes it back', async () => {
    const { pf, primary, fallback } = pools();
    let t = 0;
    const pair = new Failover({
      primary,
      fallback,
      breaker: { failureThreshold: 2, resetTimeoutMs: 1000, now: () => t },
    });
    let primaryDown = false;
    const call = () =>
      pair.use((_r, route) => {
        if (route === 'primary' && primaryDown) throw new Error('503 from primary');
        return route;
      });
    expect(await call()).toBe('primary');
    primaryDown = true;
    expect(await call()).toBe('fallback'); // failed on the primary, retried on the fallback
    expect(await call()).toBe('fallback');
    expect(pair.state).toBe('open');
    const callsBefore = pf.createCalls;
    expect(await call()).toBe('fallback'); // open: the primary is not even tried
    expect(pair.stats()).toMatchObject({ primaryCalls: 3, primaryFailures: 2, fallbackCalls: 3 });
    t = 1000;
    primaryDown = false;
    expect(await call()).toBe('primary'); // the probe succeeds
    expect(pair.state).toBe('closed');
    expect(pf.createCalls).toBe(callsBefore);
    await Promise.all([primary.close(), fallback.close()]);
  });

  it('counts a primary that cannot give a connection (factory down) as a failure', async () => {
    const { pf, primary, fallback } = pools();
    pf.mode = 'reject';
    const pair = new Failover({ primary, fallback, breaker: { failureThreshold: 1 } });
    await expect(pair.use((_r, route) => route)).resolves.toBe('fallback');
    expect(pair.state).toBe('open');
    await Promise.all([primary.close(), fallback.close()]);
  });

  it('errors that are not failures, and aborts, stay with the caller', async () => {
    const { primary, fallback } = pools();
    const pair = new Failover({
      primary,
      fallback,
      breaker: { failureThreshold: 1 },
      isFailure: (e) => !(e instanceof Error && e.message.startsWith('400')),
    });
    await expect(
      pair.use(() => {
        throw new Error('400 bad request');
      }),
    ).rejects.toThrow('400');
    expect(pair.state).toBe('closed');
    await expect(pair.use((r) => r, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'ABORTED',
    });
    expect(pair.state).toBe('closed');
    await Promise.all([primary.close(), fallback.close()]);
  });

  it('says UNAVAILABLE with both causes when both sides fail', async () => {
    const { primary, fallback } = pools();
    const pair = new Failover({ primary, fallback });
    const err = await pair
      .use((_r, route) => {
        throw new Error(`${route} down`);
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PoolError);
    expect((err as PoolError).code).toBe('UNAVAILABLE');
    expect(((err as PoolError).cause as AggregateError).errors.map((e: Error) => e.message)).toEqual([
      'primary down',
      'fallback down',
    ]);
    await Promise.all([primary.close(), fallback.close()]);
  });
});
