import { createServer, type Server } from 'node:http';
import { type Socket } from 'node:net';
import { httpDispatcher, httpFactory, parsePoolConfig, Pool } from '../src/index.js';

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
});
