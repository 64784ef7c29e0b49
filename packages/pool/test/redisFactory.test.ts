import { describeWithService, SERVICES } from '@hp/testing';
import { createClient } from 'redis';
import { Pool, PoolError, redisFactory } from '../src/index.js';
import { until } from './fakeFactory.js';
import { freePort, OwnRedis, TcpProxy } from './netHelpers.js';
import { randomizedLeakRun, waitServerCount } from './serviceRuns.js';

const unique = (tag: string): string => `hp-pool-${tag}-${process.pid}-${Math.floor(Math.random() * 1e9)}`;

describeWithService('redis')('redisFactory against a real Redis', () => {
  const admin = createClient({ url: SERVICES.redis.url, name: unique('admin') });
  beforeAll(async () => {
    admin.on('error', () => {});
    await admin.connect();
  });
  afterAll(async () => {
    await admin.close();
  });

  /** Ids of the shared server's clients carrying our name (we only ever kill those). */
  async function ourIds(name: string): Promise<string[]> {
    const list = (await admin.sendCommand(['CLIENT', 'LIST'])) as string;
    return list
      .split('\n')
      .filter((line) => line.includes(` name=${name} `))
      .map((line) => /(?:^|\s)id=(\d+)/.exec(line)![1]!);
  }
  const waitIds = (name: string, n: number | (() => number)): Promise<void> =>
    waitServerCount(async () => (await ourIds(name)).length, n, `clients named ${name}`);

  function makePool(name: string, config: Record<string, unknown>, url: string = SERVICES.redis.url) {
    return new Pool({
      name: 'cache_db',
      factory: redisFactory({ createClient, url, client_name: name }),
      config: { health_check_interval: 0, create_retry_interval: 0.05, ...config },
    });
  }

  it('runs commands, and replaces clients the server kills (CLIENT KILL ID)', async () => {
    const name = unique('kill');
    const pool = makePool(name, { min_size: 2, max_size: 4 });
    try {
      await until(() => pool.stats().free === 2);
      await waitIds(name, 2);
      const key = `${name}:k`;
      await pool.use(async (c) => {
        await c.set(key, 'v', { EX: 10 });
        expect(await c.get(key)).toBe('v');
        await c.del(key);
      });
      const before = await ourIds(name);
      for (const id of before) await admin.sendCommand(['CLIENT', 'KILL', 'ID', id]);
      await until(() => pool.stats().destroys >= 2 && pool.stats().free === 2, 5000);
      const after = await ourIds(name);
      expect(after).toHaveLength(2);
      expect(after.some((id) => before.includes(id))).toBe(false);
      await expect(pool.use((c) => c.ping())).resolves.toBe('PONG');
    } finally {
      await pool.close();
    }
    await waitIds(name, 0);
  });

  it('fails acquires with a typed error within the timeout while the server is down, and recovers', async () => {
    const port = await freePort();
    const server = new OwnRedis(port);
    await server.start();
    const pool = makePool(
      unique('down'),
      { min_size: 1, max_size: 2, connection_timeout: 1, acquire_timeout: 0.4 },
      `redis://127.0.0.1:${port}`,
    );
    try {
      await expect(pool.use((c) => c.ping())).resolves.toBe('PONG');
      await server.stop();
      await until(() => pool.stats().free === 0, 5000);
      const err = await pool.acquire().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PoolError);
      expect((err as PoolError).code).toBe('CREATE_FAILED');
      await server.start();
      await expect(pool.use((c) => c.ping())).resolves.toBe('PONG');
    } finally {
      await pool.close();
      await server.stop();
    }
  });

  it('health checks replace an idle client that stopped answering', async () => {
    const name = unique('health');
    const port = await freePort();
    const proxy = new TcpProxy(port, SERVICES.redis.port);
    await proxy.start();
    const pool = makePool(
      name,
      { min_size: 1, max_size: 2, connection_timeout: 0.3 },
      `redis://127.0.0.1:${port}`,
    );
    try {
      await until(() => pool.stats().free === 1);
      expect(await pool.healthCheck()).toEqual({ checked: 1, failed: 0 });
      proxy.stall(); // the socket stays open but nothing gets through: only a PING can tell
      expect(await pool.healthCheck()).toEqual({ checked: 1, failed: 1 });
      await until(() => pool.stats().free === 1 && pool.stats().destroys === 1);
      await expect(pool.use((c) => c.ping())).resolves.toBe('PONG');
    } finally {
      await pool.close();
      await proxy.stop();
    }
    await waitIds(name, 0);
  });

  it("loads the optional peer 'redis' itself when no createClient is passed", async () => {
    const name = unique('lazy');
    const pool = new Pool({
      name: 'lazy',
      factory: redisFactory({ url: SERVICES.redis.url, clientName: name }),
      config: { health_check_interval: 0 },
    });
    try {
      await expect(pool.use((c) => c.ping())).resolves.toBe('PONG');
      expect(await ourIds(name)).toHaveLength(1);
    } finally {
      await pool.close();
    }
    await waitIds(name, 0);
  });

  it('leaks no client over a long randomized acquire/release/abort/timeout run', async () => {
    const name = unique('leak');
    expect(await ourIds(name)).toHaveLength(0);
    const pool = makePool(name, { min_size: 3, max_size: 3, acquire_timeout: 0.03 });
    try {
      const runs = 300;
      const outcomes = await randomizedLeakRun(pool, {
        seed: 1127,
        runs,
        work: async (c, x) => {
          if (x < 0.1) await new Promise((r) => setTimeout(r, 40));
          await c.ping();
        },
      });
      expect(outcomes.failed).toBe(0);
      expect(outcomes.ok + outcomes.broken + outcomes.aborted + outcomes.timeout).toBe(runs);
      expect(pool.stats()).toMatchObject({ inUse: 0, pending: 0 });
      await waitIds(name, () => pool.stats().size + pool.stats().pendingCreates);
    } finally {
      await pool.close();
    }
    await waitIds(name, 0);
  });
});
