import { request } from 'node:http';
import { AlertEngine } from '../src/alertEngine.js';
import type { DashboardData, DashboardSeries } from '../src/dashboardData.js';
import { DashboardServer, startDashboard } from '../src/dashboardServer.js';
import { MetricsReader } from '../src/metricsReader.js';
import { TrendAnalyzer } from '../src/trendAnalyzer.js';
import { fakeClock } from './fakeClock.js';

const TOKEN = 'test-token-0123456789abcdef';

function raw(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('DashboardServer', () => {
  const clock = fakeClock();
  const reader = new MetricsReader({ interval: 10, system: false, clock });
  const alerts = new AlertEngine();
  alerts.attach(reader);
  const trends = new TrendAnalyzer({ limits: { queue_depth: 500 } });
  let server: DashboardServer;

  beforeAll(async () => {
    for (let i = 0; i < 30; i++) {
      for (let k = 0; k < 50 + i; k++) reader.recordRequest(100 + k, k % 40 === 0);
      reader.recordCache('hot', 80, 20);
      reader.recordCache('warm', 10, 10);
      reader.setQueueDepth(10 * i, 'llm');
      reader.setPoolUsage('pg', 5, 10);
      reader.recordPoolWait(3, 'pg');
      reader.recordLlmCall({ durationMs: 900, inputTokens: 100, outputTokens: 20 });
      reader.tick(clock.advance(10_000));
    }
    server = await startDashboard({ reader, alerts, trends, token: TOKEN, serviceName: 'sim' });
  });
  afterAll(async () => {
    await server.close();
    alerts.close();
    await reader.close();
  });

  const auth = { Authorization: `Bearer ${TOKEN}` };

  it('serves the sketch sections as JSON', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const res = await fetch(`${server.url}api/dashboard`, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const d = (await res.json()) as DashboardData;
    expect(Object.keys(d)).toEqual(
      expect.arrayContaining([
        'overview',
        'caching',
        'async_processing',
        'connection_pools',
        'llm_performance',
        'system_health',
        'predictions',
        'alerts',
      ]),
    );
    expect(d.service).toBe('sim');
    expect(d.overview.overall_throughput).toBeCloseTo(79 / 10, 6);
    expect(d.caching.by_tier.hot!.hit_ratio).toBeCloseTo(0.8, 6);
    expect(d.async_processing.by_queue.llm).toBe(290);
    expect(d.connection_pools.by_pool.pg).toMatchObject({ in_use: 5, size: 10, usage: 0.5, wait_mean_ms: 3 });
    expect(d.llm_performance.latency_mean_ms).toBe(900);
    expect(d.system_health.cpu).toBeNull(); // no system sampler in this test: NaN -> null
    expect(d.predictions.capacity_warnings[0]).toMatchObject({ metric: 'queue_depth', limit: 500 });
    expect(d.predictions.predicted_load.values.length).toBeGreaterThan(0);
    expect(d.overview.performance_score).toBeGreaterThan(0);
  });

  it('serves chart series', async () => {
    const s = (await (
      await fetch(`${server.url}api/series?window=300`, { headers: auth })
    ).json()) as DashboardSeries;
    expect(s.times).toHaveLength(30);
    expect(s.series.throughput).toHaveLength(30);
    expect(Object.keys(s.series)).toEqual(
      expect.arrayContaining([
        'cache_hit_ratio:hot',
        'queue_depth:llm',
        'pool_usage:pg',
        'response_time_p95',
      ]),
    );
  });

  it('requires the bearer token for data, not for the static page', async () => {
    expect((await fetch(`${server.url}api/dashboard`)).status).toBe(401);
    expect(
      (await fetch(`${server.url}api/dashboard`, { headers: { Authorization: 'Bearer wrong' } })).status,
    ).toBe(401);
    expect(
      (await fetch(`${server.url}api/series`, { headers: { Authorization: `Bearer ${TOKEN}x` } })).status,
    ).toBe(401);
    const page = await fetch(server.url!);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('vendor/uPlot.iife.min.js');
    const vendor = await fetch(`${server.url}vendor/uPlot.iife.min.js`);
    expect(await vendor.text()).toContain('uPlot');
    expect((await fetch(`${server.url}nope`)).status).toBe(404);
    expect((await fetch(`${server.url}api/dashboard`, { method: 'POST', headers: auth })).status).toBe(405);
  });

  it('refuses foreign Host headers (DNS rebinding)', async () => {
    expect(await raw(`${server.url}api/dashboard`, { ...auth, Host: 'evil.example:80' })).toBe(421);
    expect(await raw(`${server.url}api/dashboard`, { ...auth, Host: `localhost:${server.port}` })).toBe(200);
  });

  it('refuses to bind beyond loopback without a token', () => {
    expect(() => new DashboardServer({ reader, host: '0.0.0.0' })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION', option: 'token' }),
    );
  });

  it('takes an AbortSignal: an aborted start rejects with its reason and leaves nothing listening', async () => {
    await expect(
      startDashboard({ reader }, { signal: AbortSignal.abort(new Error('stop')) }),
    ).rejects.toThrow('stop');
    const controller = new AbortController();
    const starting = startDashboard({ reader }, { signal: controller.signal });
    controller.abort(new Error('changed my mind'));
    await expect(starting).rejects.toThrow('changed my mind');
  });
});
