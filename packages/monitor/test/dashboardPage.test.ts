import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { metrics, ValueType } from '@opentelemetry/api';
import { chromium, type Browser } from 'playwright-core';
import { AlertEngine } from '../src/alertEngine.js';
import { startDashboard, type DashboardServer } from '../src/dashboardServer.js';
import { setupMonitoring, type Monitoring } from '../src/setup.js';
import { TrendAnalyzer } from '../src/trendAnalyzer.js';
import { describeWithBinaries } from './binaries.js';
import { seededRandom } from './fakeClock.js';

const ARTIFACTS = join(__dirname, '..', 'test-artifacts');
const TOKEN = 'browser-test-token-0123456789';

/** The slice of the DOM canvas API the page check uses (the test's tsconfig has no DOM lib). */
interface Canvas2D {
  canvas: { width: number; height: number };
  getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> };
}

describeWithBinaries('chromium')('dashboard page in headless Chromium', () => {
  let m: Monitoring;
  let alerts: AlertEngine;
  let dashboard: DashboardServer;
  let browser: Browser;

  beforeAll(async () => {
    // A running app: OpenTelemetry set up, instruments used through @opentelemetry/api only.
    m = await setupMonitoring({ serviceName: 'sim-runner', metricsCollection: { interval: 10 } });
    const reader = m.reader!;
    alerts = new AlertEngine();
    alerts.attach(reader);
    // An hour of synthetic history so the charts and the forecast have something to show.
    const rnd = seededRandom(1);
    const now = Date.now();
    for (let i = 0; i < 90; i++) {
      const load = 40 + i * 0.4 + rnd() * 6;
      for (let k = 0; k < load * 10; k++)
        reader.recordRequest(120 + rnd() * 200 + (k % 50 === 0 ? 900 : 0), rnd() < 0.01);
      reader.recordCache('hot', Math.round(170 + rnd() * 20), 20);
      reader.recordCache('warm', 60, 40);
      reader.recordCache('l2', 25, 25);
      reader.setQueueDepth(Math.round(20 + i * 2 + rnd() * 8), 'llm');
      reader.setPoolUsage('llm_primary', 6 + Math.round(rnd() * 6), 15);
      reader.setPoolUsage('database', 4 + Math.round(rnd() * 4), 20);
      reader.recordLlmCall({ durationMs: 800 + rnd() * 400, inputTokens: 300, outputTokens: 80 });
      reader.tick(now - (90 - i) * 10_000);
    }
    dashboard = await startDashboard({
      reader,
      alerts,
      trends: new TrendAnalyzer({ limits: { queue_depth: 400, pool_usage: 0.9 } }),
      token: TOKEN,
      serviceName: 'sim-runner',
    });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
    alerts?.close();
    await m?.shutdown();
  });

  it('loads, draws the charts from the app, and shows an alert when a threshold is crossed', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
    await page.goto(`${dashboard.url}?refresh=300#token=${TOKEN}`);
    await page.waitForFunction(
      () =>
        (globalThis as unknown as { hpDashboard: { state: { updates: number } } }).hpDashboard.state.updates >
        0,
      undefined,
      {
        timeout: 15_000,
      },
    );

    // Every chart exists, has the app's points, and its canvas has ink on it.
    const charts = await page.evaluate(() => {
      const w = globalThis as unknown as {
        hpDashboard: {
          charts: Record<string, { plot: { data: Array<Array<number | null>>; ctx: Canvas2D } }>;
        };
      };
      return Object.entries(w.hpDashboard.charts).map(([id, c]) => {
        const ctx = c.plot.ctx;
        const { width, height } = ctx.canvas;
        const pixels = ctx.getImageData(0, 0, width, height).data;
        let ink = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) ink++;
        const points = c.plot.data.slice(1).reduce((n, s) => n + s.filter((v) => v !== null).length, 0);
        return { id, series: c.plot.data.length - 1, points, ink };
      });
    });
    expect(charts.map((c) => c.id).sort()).toEqual([
      'chart-cache',
      'chart-errors',
      'chart-latency',
      'chart-pools',
      'chart-queue',
      'chart-throughput',
    ]);
    for (const c of charts) {
      expect(c.points).toBeGreaterThan(50);
      expect(c.ink).toBeGreaterThan(500);
    }
    expect(charts.find((c) => c.id === 'chart-cache')!.series).toBe(4); // all + hot, warm, l2
    expect(await page.locator('#alerts li.none').count()).toBe(1);
    expect(await page.locator('#predictions li', { hasText: 'Capacity: queue_depth' }).count()).toBe(1);

    // The app slows down: requests through the OpenTelemetry API take 6 s -> critical response-time alert.
    const histogram = metrics
      .getMeter('@hp/app')
      .createHistogram('hp.request.duration', { unit: 's', valueType: ValueType.DOUBLE });
    for (let i = 0; i < 500; i++) histogram.record(6 + (i % 5) * 0.1);
    await m.reader!.collect();
    expect(alerts.active().map((a) => `${a.rule}:${a.severity}`)).toContain('response_time:critical');
    const alert = page.locator('#alerts li.critical[data-rule="response_time"]');
    await alert.waitFor({ timeout: 10_000 });
    expect(await alert.textContent()).toContain('CRITICAL');

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
