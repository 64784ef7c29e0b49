import { createServer, type Server } from 'node:http';
import { type Client } from 'undici';
import { type Socket } from 'node:net';
import { httpDispatcher, httpFactory, parsePoolConfig, Pool, PoolRegistry } from '../src/index.js';

describe('httpFactory (undici) against a local HTTP server', () => {
  let server: Server;
  let origin: string;
  const sockets = new Set<Socket>();
  let accepted = 0;
  let requests = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests++;
      setTimeout(() => res.end(JSON.stringify({ path: req.url })), 2);
    });
    server.keepAliveTimeout = 10_000;
    server.on('connection', (s: Socket) => {
      accepted++;
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    accepted = 0;
    requests = 0;
  });

  it('reuses keep-alive connections, never more than max_size', async () => {
    const pool = new Pool({
      name: 'llm_primary',
      factory: httpFactory({ origin }),
      config: { min_size: 0, max_size: 2, max_idle_time: 30, health_check_interval: 0 },
    });
    const call = () =>
      pool.use(async (client) => {
        const res = await client.request({ path: '/v1/chat/completions', method: 'GET' });
        return (await res.body.json()) as { path: string };
      });
    for (let i = 0; i < 10; i++) expect((await call()).path).toBe('/v1/chat/completions');
    await Promise.all(Array.from({ length: 30 }, call));
    expect(requests).toBe(40);
    expect(accepted).toBeLessThanOrEqual(2); // 40 requests over at most 2 sockets
    expect(pool.stats()).toMatchObject({ creates: 2, inUse: 0 });
    await pool.close();
  });

  it('httpDispatcher sizes one undici Pool from a PoolConfig', async () => {
    const dispatcher = await httpDispatcher(origin, parsePoolConfig({ max_size: 3, max_idle_time: 30 }));
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        const res = await dispatcher.request({ path: '/', method: 'GET' });
        await res.body.text();
      }),
    );
    expect(requests).toBe(20);
    expect(accepted).toBeLessThanOrEqual(3);
    await dispatcher.close();
  });

  it('llm_primary -> llm_fallback: a dead primary sends traffic to the fallback until a probe finds it back', async () => {
    // a second server plays the primary; the shared one above is the fallback
    let primaryUp = true;
    const primarySockets = new Set<Socket>();
    const primary = createServer((_req, res) => {
      if (!primaryUp) {
        res.statusCode = 503;
        res.end('down');
        return;
      }
      res.end('primary');
    });
    primary.on('connection', (s: Socket) => {
      primarySockets.add(s);
      s.on('close', () => primarySockets.delete(s));
    });
    await new Promise<void>((resolve) => primary.listen(0, '127.0.0.1', resolve));
    const primaryOrigin = `http://127.0.0.1:${(primary.address() as { port: number }).port}`;
    let t = 0;
    const config = {
      min_size: 0,
      max_size: 2,
      max_idle_time: 30,
      connection_timeout: 1,
      health_check_interval: 0,
    };
    const pools = new PoolRegistry({
      pools: { llm_primary: config, llm_fallback: config },
      factories: {
        llm_primary: httpFactory({ origin: primaryOrigin }),
        llm_fallback: httpFactory({ origin }),
      },
      failover: {
        llm: {
          primary: 'llm_primary',
          fallback: 'llm_fallback',
          breaker: { failureThreshold: 2, resetTimeoutMs: 10_000, now: () => t },
        },
      },
    });
    const llm = pools.failover<Client>('llm');
    const call = () =>
      llm.use(async (client, route) => {
        const res = await client.request({ path: '/v1/chat/completions', method: 'POST', body: '{}' });
        const text = await res.body.text();
        if (res.statusCode >= 500) throw new Error(`${route}: HTTP ${res.statusCode}`);
        return text;
      });
    try {
      expect(await call()).toBe('primary');
      primaryUp = false;
      expect(await call()).toBe(JSON.stringify({ path: '/v1/chat/completions' })); // retried on the fallback
      await call();
      expect(llm.state).toBe('open');
      primaryUp = true;
      expect(await call()).not.toBe('primary'); // still open: the primary is not tried
      t = 10_000;
      expect(await call()).toBe('primary'); // the probe finds it back
      expect(llm.state).toBe('closed');
    } finally {
      await pools.close();
      for (const s of primarySockets) s.destroy();
      await new Promise((resolve) => primary.close(resolve));
    }
  });
});
