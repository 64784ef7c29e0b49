import fc from 'fast-check';
import { Pool, PoolConfigError, PoolError } from '../src/index.js';
import { FakeFactory, type FakeMode, tick, until } from './fakeFactory.js';

function makePool(config: Record<string, unknown> = {}, factory = new FakeFactory()) {
  const pool = new Pool({
    name: 'fake',
    factory,
    config: {
      max_size: 3,
      acquire_timeout: 0.1,
      create_retry_interval: 0.01,
      health_check_interval: 0,
      ...config,
    },
  });
  return { pool, factory };
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    return err instanceof PoolError ? err.code : `other: ${String(err)}`;
  }
}

describe('Pool', () => {
  it('acquires, releases and counts', async () => {
    const { pool, factory } = makePool();
    const a = await pool.acquire();
    const b = await pool.acquire();
    expect(a).not.toBe(b);
    expect(pool.stats()).toMatchObject({ inUse: 2, size: 2, free: 0, creates: 2, acquires: 2 });
    expect(pool.release(a)).toBe(true);
    expect(pool.release(a)).toBe(false); // second release is refused, not corrupting
    pool.release(b);
    const s = pool.stats();
    expect(s).toMatchObject({ inUse: 0, free: 2, releases: 2, errors: 1 });
    expect(s.wait.count).toBe(2);
    await pool.close();
    expect(factory.live).toHaveLength(0);
    expect(pool.state).toBe('closed');
  });

  it('use() always releases, and destroys a resource the callback marks broken', async () => {
    const { pool, factory } = makePool();
    await expect(pool.use(async (r) => r.id)).resolves.toBe(1);
    await expect(
      pool.use(() => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(pool.stats().inUse).toBe(0);
    await pool.use((_r, ctx) => ctx.markBroken());
    expect(factory.created[0]!.destroyed).toBe(true);
    expect(pool.stats()).toMatchObject({ inUse: 0, destroys: 1 });
    await pool.close();
  });

  it('times out with ACQUIRE_TIMEOUT when everything is in use', async () => {
    const { pool } = makePool({ max_size: 1 });
    const a = await pool.acquire();
    expect(await code(pool.acquire())).toBe('ACQUIRE_TIMEOUT');
    expect(pool.stats()).toMatchObject({ acquireTimeouts: 1, pending: 0 });
    pool.release(a);
    await pool.close();
  });

  it('aborts a pending acquire without leaking it', async () => {
    const { pool } = makePool({ max_size: 1, acquire_timeout: 5 });
    const a = await pool.acquire();
    const ac = new AbortController();
    const waiting = pool.acquire({ signal: ac.signal });
    await tick();
    expect(pool.stats().pending).toBe(1);
    ac.abort();
    expect(await code(waiting)).toBe('ABORTED');
    expect(await code(pool.acquire({ signal: AbortSignal.abort() }))).toBe('ABORTED');
    expect(pool.stats()).toMatchObject({ pending: 0, aborts: 2 });
    pool.release(a);
    await expect(pool.use((r) => r.id)).resolves.toBe(a.id);
    await pool.close();
  });

  it('reports factory failures to waiters as CREATE_FAILED, retrying at the interval (no busy loop)', async () => {
    const { pool, factory } = makePool({ acquire_timeout: 0.2, create_retry_interval: 0.05 });
    factory.mode = 'reject';
    const err = await pool.acquire().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PoolError);
    expect((err as PoolError).code).toBe('CREATE_FAILED');
    expect(((err as PoolError).cause as Error).message).toBe('connection refused');
    // 200 ms at one attempt per 50 ms: a handful, not thousands.
    expect(factory.createCalls).toBeLessThanOrEqual(8);
    factory.mode = 'ok';
    await expect(pool.use((r) => r.id)).resolves.toBeGreaterThan(0);
    await pool.close();
  });

  it('a failed min-size fill does not leave a waiter stranded until the fill backoff', async () => {
    let calls = 0;
    const pool = new Pool({
      factory: {
        create: async () => {
          calls++;
          if (calls === 1) {
            await tick(20);
            throw new Error('first connect refused');
          }
          return { id: calls };
        },
        destroy: () => {},
      },
      // the fill retries after 1 s; the waiter must not wait for that
      config: { min_size: 1, acquire_timeout: 0.3, create_retry_interval: 1, health_check_interval: 0 },
    });
    const r = await pool.acquire(); // starts while the fill's create is in flight
    expect(r).toEqual({ id: 2 });
    pool.release(r);
    await pool.close();
  });

  it('fail_fast rejects the oldest waiter with the factory error at once', async () => {
    const { pool, factory } = makePool({ acquire_timeout: 30, fail_fast: true });
    factory.mode = 'reject';
    expect(await code(pool.acquire())).toBe('CREATE_FAILED');
    await pool.close();
  });

  it.each<FakeMode>(['throw', 'undefined', 'null', 'zero', 'string', 'duplicate', 'reject'])(
    'a factory in mode %s never corrupts the pool',
    async (mode) => {
      const { pool, factory } = makePool({ max_size: 2, acquire_timeout: 0.06 });
      const first = await pool.acquire();
      factory.mode = mode;
      const results = await Promise.all([code(pool.acquire()), code(pool.acquire())]);
      for (const r of results) expect(['CREATE_FAILED', 'INVALID_RESOURCE', 'ACQUIRE_TIMEOUT']).toContain(r);
      if (mode !== 'throw' && mode !== 'reject') expect(results).toContain('INVALID_RESOURCE');
      const s = pool.stats();
      expect(s.size).toBeLessThanOrEqual(2);
      expect(s.inUse).toBe(1);
      factory.mode = 'ok';
      pool.release(first);
      const both = await Promise.all([pool.acquire(), pool.acquire()]);
      expect(new Set(both).size).toBe(2);
      both.forEach((r) => pool.release(r));
      await pool.close();
      expect(factory.live).toHaveLength(0);
    },
  );

  it('a factory that hangs is cut off at connection_timeout', async () => {
    const { pool, factory } = makePool({ connection_timeout: 0.05, acquire_timeout: 0.2 });
    factory.mode = 'hang';
    expect(await code(pool.acquire())).toBe('CREATE_FAILED');
    await pool.close();
  });

  it('keeps min_size open and replaces a resource that dies while idle', async () => {
    const { pool, factory } = makePool({ min_size: 2 });
    await until(() => pool.stats().free === 2);
    factory.created[0]!.markBroken(); // e.g. the server closed it
    await until(() => factory.destroyedCount === 1 && pool.stats().free === 2);
    expect(factory.created).toHaveLength(3);
    await pool.close();
  });

  it('a resource that dies while in use is destroyed on release', async () => {
    const { pool, factory } = makePool();
    const r = await pool.acquire();
    r.markBroken();
    expect(r.destroyed).toBe(false);
    pool.release(r);
    await until(() => r.destroyed);
    expect(pool.stats().size).toBe(0);
    expect(factory.destroyedCount).toBe(1);
    await pool.close();
  });

  it('health checks validate idle resources and replace the failing ones, keeping idle age', async () => {
    const { pool, factory } = makePool({ min_size: 3 });
    await until(() => pool.stats().free === 3);
    factory.created[1]!.alive = false;
    const result = await pool.healthCheck();
    expect(result).toEqual({ checked: 3, failed: 1 });
    await until(() => pool.stats().free === 3);
    expect(factory.created[1]!.destroyed).toBe(true);
    expect(pool.stats()).toMatchObject({ healthChecks: 3, failedHealthChecks: 1, creates: 4 });
    await pool.close();
  });

  it('runs health checks on its own at health_check_interval', async () => {
    const { pool, factory } = makePool({ min_size: 1, health_check_interval: 0.02 });
    await until(() => pool.stats().free === 1);
    factory.created[0]!.alive = false;
    await until(() => pool.stats().failedHealthChecks === 1 && pool.stats().free === 1);
    await pool.close();
  });

  it('validate_on_borrow hands out only valid resources', async () => {
    const { pool, factory } = makePool({ validate_on_borrow: true });
    const r = await pool.acquire();
    pool.release(r);
    r.alive = false;
    const r2 = await pool.acquire();
    expect(r2).not.toBe(r);
    expect(r.destroyed).toBe(true);
    pool.release(r2);
    expect(factory.validateCalls).toBeGreaterThanOrEqual(3);
    await pool.close();
  });

  it('resizes at run time without dropping in-use resources', async () => {
    const { pool, factory } = makePool({ max_size: 2, acquire_timeout: 2 });
    const held = [await pool.acquire(), await pool.acquire()];
    const waiting = [pool.acquire(), pool.acquire()];
    await tick();
    expect(pool.stats().pending).toBe(2);
    pool.resize(0, 4); // grow: both waiters are served by new resources
    const got = await Promise.all(waiting);
    held.push(...got);
    expect(pool.stats()).toMatchObject({ inUse: 4, size: 4, max: 4 });
    pool.resize(0, 1); // shrink: nothing in use is touched
    expect(held.every((r) => !r.destroyed)).toBe(true);
    for (const r of held) pool.release(r);
    await until(() => factory.destroyedCount === 3);
    expect(pool.stats()).toMatchObject({ size: 1, free: 1, max: 1 });
    expect(() => pool.resize(3, 2)).toThrow(PoolConfigError);
    expect(() => pool.resize(0, 0)).toThrow(/max_size/);
    await pool.close();
  });

  it('drain waits for resources in use; close rejects waiters and new acquires', async () => {
    const { pool } = makePool({ max_size: 1, acquire_timeout: 5 });
    const r = await pool.acquire();
    const drained = pool.drain();
    expect(await code(pool.acquire())).toBe('CLOSED');
    let done = false;
    void drained.then(() => (done = true));
    await tick(5);
    expect(done).toBe(false);
    pool.release(r);
    await drained;
    await pool.close();
    expect(await code(pool.acquire())).toBe('CLOSED');
  });

  it('drain lets pending acquires be served before it resolves', async () => {
    const { pool } = makePool({ max_size: 1, acquire_timeout: 5 });
    const r = await pool.acquire();
    const waiting = pool.use((x) => x.id);
    const drained = pool.drain();
    pool.release(r);
    await expect(waiting).resolves.toBe(r.id);
    await drained;
    expect(pool.stats()).toMatchObject({ inUse: 0, pending: 0, state: 'draining' });
    await pool.close();
  });

  it('closes idle resources after max_idle_time even when health checks keep validating them', async () => {
    const { pool, factory } = makePool({ max_idle_time: 0.08, health_check_interval: 0.02 });
    const held = [await pool.acquire(), await pool.acquire()];
    held.forEach((r) => pool.release(r));
    await until(() => factory.validateCalls >= 2); // checked at least once while idle
    await until(() => pool.stats().size === 0);
    expect(factory.destroyedCount).toBe(2);
    await pool.close();
  });

  it('close() after its timeout destroys what is still in use and rejects pending acquires', async () => {
    const { pool, factory } = makePool({ max_size: 1, acquire_timeout: 5 });
    const r = await pool.acquire();
    const closing = pool.close({ timeoutMs: 20 });
    await closing;
    expect(r.destroyed).toBe(true);
    expect(factory.live).toHaveLength(0);
    expect(pool.release(r)).toBe(false);
  });

  it('rejects bad configs naming the field', () => {
    const f = new FakeFactory();
    expect(() => new Pool({ factory: f, config: { min_size: 5, max_size: 2 } })).toThrow(/min_size/);
    expect(() => new Pool({ factory: f, config: { max_idle_time: -1 } })).toThrow(/max_idle_time/);
    expect(() => new Pool({ factory: {} as never })).toThrow(PoolConfigError);
  });

  it('keeps its invariants under random acquire/release/abort/discard sequences (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('acquire', 'release', 'abort', 'discard', 'resize', 'fail'), {
          maxLength: 60,
        }),
        async (ops) => {
          const { pool, factory } = makePool({ max_size: 3, acquire_timeout: 0.05 });
          const held: ReturnType<typeof factory.create>[] = [];
          const pending: Promise<unknown>[] = [];
          for (const op of ops) {
            if (op === 'acquire') {
              pending.push(
                pool.acquire().then(
                  (r) => held.push(r),
                  () => undefined,
                ),
              );
            } else if (op === 'abort') {
              const ac = new AbortController();
              pending.push(
                pool.acquire({ signal: ac.signal }).then(
                  (r) => held.push(r),
                  () => undefined,
                ),
              );
              ac.abort();
            } else if (op === 'release' && held.length > 0) {
              pool.release(held.shift() as never);
            } else if (op === 'discard' && held.length > 0) {
              pool.discard(held.shift() as never);
            } else if (op === 'resize') {
              pool.resize(0, 1 + (held.length % 4));
            } else if (op === 'fail') {
              factory.mode = factory.mode === 'ok' ? 'reject' : 'ok';
            }
            await tick();
            expect(pool.stats().inUse).toBe(held.length);
          }
          await Promise.all(pending);
          for (const r of held.splice(0)) pool.release(r as never);
          expect(pool.stats()).toMatchObject({ inUse: 0, pending: 0 });
          await pool.close();
          expect(factory.live).toHaveLength(0);
        },
      ),
      { numRuns: 25, seed: 42 },
    );
  });
});
