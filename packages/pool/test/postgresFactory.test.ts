import { describeWithService, SERVICES } from '@hp/testing';
import pg from 'pg';
import { Pool, PoolError, postgresFactory } from '../src/index.js';
import { until } from './fakeFactory.js';
import { freePort, TcpProxy } from './netHelpers.js';
import { randomizedLeakRun, waitServerCount } from './serviceRuns.js';

const url = SERVICES.postgres.url;
const unique = (tag: string): string => `hp-pool-${tag}-${process.pid}-${Math.floor(Math.random() * 1e9)}`;

describeWithService('postgres')('postgresFactory against a real PostgreSQL', () => {
  let admin: pg.Client;
  beforeAll(async () => {
    admin = new pg.Client({ connectionString: url, application_name: unique('admin') });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.end();
  });

  async function serverCount(app: string): Promise<number> {
    const r = await admin.query<{ n: string }>(
      'SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1',
      [app],
    );
    return Number(r.rows[0]!.n);
  }
  const waitCount = (app: string, n: number | (() => number)): Promise<void> =>
    waitServerCount(() => serverCount(app), n, `connections of ${app}`);

  function makePool(app: string, config: Record<string, unknown>, connectionString: string = url) {
    return new Pool({
      name: 'database_primary',
      factory: postgresFactory({ Client: pg.Client, connectionString, application_name: app }),
      config: { health_check_interval: 0, create_retry_interval: 0.05, ...config },
    });
  }

  it('runs queries, and replaces connections the server terminates', async () => {
    const app = unique('kill');
    const pool = makePool(app, { min_size: 2, max_size: 4, connection_timeout: 5 });
    await until(() => pool.stats().free === 2);
    await waitCount(app, 2);
    const { rows } = await pool.use((c) => c.query<{ one: number }>('SELECT 1 AS one'));
    expect(rows[0]!.one).toBe(1);

    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [
      app,
    ]);
    await until(() => pool.stats().destroys >= 2 && pool.stats().free === 2, 5000);
    await waitCount(app, 2);
    await expect(pool.use((c) => c.query('SELECT 1'))).resolves.toBeTruthy();

    // Killed while in use: the query fails, the release destroys it.
    const client = await pool.acquire();
    await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND pid = $2',
      [app, (client as unknown as { processID: number }).processID],
    );
    await expect(client.query('SELECT 1')).rejects.toThrow();
    pool.release(client);
    await until(() => pool.stats().free === 2, 5000);
    expect(pool.stats().inUse).toBe(0);
    await pool.close();
    await waitCount(app, 0);
  });

  it('health checks find an idle connection that stopped answering and replace it', async () => {
    const app = unique('health');
    const port = await freePort();
    const proxy = new TcpProxy(port, SERVICES.postgres.port);
    await proxy.start();
    const pool = makePool(
      app,
      { min_size: 1, max_size: 2, connection_timeout: 0.3 },
      `postgres://postgres@127.0.0.1:${port}/test`,
    );
    try {
      await until(() => pool.stats().free === 1);
      expect(await pool.healthCheck()).toEqual({ checked: 1, failed: 0 });
      proxy.stall(); // the socket stays open but nothing gets through: only a round trip can tell
      expect(await pool.healthCheck()).toEqual({ checked: 1, failed: 1 });
      await until(() => pool.stats().free === 1 && pool.stats().destroys === 1);
      await expect(pool.use((c) => c.query('SELECT 1'))).resolves.toBeTruthy();
    } finally {
      await pool.close();
      await proxy.stop();
    }
    await waitCount(app, 0);
  });

  it('fails acquires with a typed error within the timeout while the server is down, and recovers', async () => {
    const app = unique('down');
    const port = await freePort();
    const proxy = new TcpProxy(port, SERVICES.postgres.port);
    await proxy.start();
    const pool = makePool(
      app,
      { min_size: 1, max_size: 2, connection_timeout: 1, acquire_timeout: 0.4 },
      `postgres://postgres@127.0.0.1:${port}/test`,
    );
    try {
      await expect(pool.use((c) => c.query('SELECT 1'))).resolves.toBeTruthy();
      await proxy.stop(); // refuses connections and cuts the open ones
      await until(() => pool.stats().free === 0, 5000);
      const err = await pool.acquire().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PoolError);
      expect((err as PoolError).code).toBe('CREATE_FAILED');
      expect(String(((err as PoolError).cause as Error).message)).toMatch(/ECONNREFUSED|connect|terminated/i);
      await proxy.start();
      await expect(pool.use((c) => c.query('SELECT 1'))).resolves.toBeTruthy();
    } finally {
      await pool.close();
      await proxy.stop();
    }
    await waitCount(app, 0);
  });

  it("loads the optional peer 'pg' itself when no Client is passed", async () => {
    const app = unique('lazy');
    const pool = new Pool({
      name: 'lazy',
      factory: postgresFactory({ connectionString: url, application_name: app }),
      config: { health_check_interval: 0 },
    });
    try {
      await expect(pool.use((c) => c.query('SELECT 1'))).resolves.toBeTruthy();
      expect(await serverCount(app)).toBe(1);
    } finally {
      await pool.close();
    }
    await waitCount(app, 0);
  });

  it('leaks no connection over a long randomized acquire/release/abort/timeout run', async () => {
    const app = unique('leak');
    expect(await serverCount(app)).toBe(0);
    const pool = makePool(app, { min_size: 3, max_size: 3, acquire_timeout: 0.03 });
    try {
      const runs = 240;
      const outcomes = await randomizedLeakRun(pool, {
        seed: 20261127,
        runs,
        work: (c, x) =>
          c.query(x < 0.1 ? 'SELECT pg_sleep(0.04)' : x < 0.25 ? 'SELECT pg_sleep(0.005)' : 'SELECT 1'),
      });
      expect(outcomes.failed).toBe(0);
      expect(outcomes.ok + outcomes.broken + outcomes.aborted + outcomes.timeout).toBe(runs);
      expect(outcomes.ok).toBeGreaterThan(50);
      expect(pool.stats()).toMatchObject({ inUse: 0, pending: 0 });
      await waitCount(app, () => pool.stats().size + pool.stats().pendingCreates);
    } finally {
      await pool.close();
    }
    await waitCount(app, 0);
  });
});
