import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { metrics, ValueType } from '@opentelemetry/api';
import { AlertEngine } from '../src/alertEngine.js';
import { setupMonitoring, type Monitoring } from '../src/setup.js';
import { describeWithBinaries } from './binaries.js';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function run(cmd: string, args: string[], stdin: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
    child.stdin.end(stdin);
  });
}

describeWithBinaries('promtool', 'prometheus')(
  'Prometheus endpoint (checked by real promtool and prometheus)',
  () => {
    let m: Monitoring;
    let alerts: AlertEngine;

    beforeAll(async () => {
      m = await setupMonitoring({
        serviceName: 'prom-e2e',
        exporters: { prometheus: { port: 0 } },
        metricsCollection: { interval: 3600 },
      });
      // Instruments the way hp libraries use them: semconv names, units, attributes.
      const meter = metrics.getMeter('@hp/test');
      const llm = meter.createHistogram('gen_ai.client.operation.duration', {
        unit: 's',
        valueType: ValueType.DOUBLE,
        description: 'GenAI operation duration',
        // the GenAI semantic conventions' bucket advice
        advice: {
          explicitBucketBoundaries: [
            0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
          ],
        },
      });
      llm.record(0.8, { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'emulator' });
      llm.record(2.5, {
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'emulator',
        'error.type': '429',
      });
      meter.createCounter('hp.cache.hits', { unit: '{hit}' }).add(10, { 'hp.cache.tier': 'hot' });
      let depth = 4;
      meter
        .createObservableGauge('hp.queue.depth', { unit: '{task}' })
        .addCallback((r) => r.observe(depth, { 'hp.queue.name': 'llm' }));
      depth = 5;
      // Not semconv's current `db.client.connection.count`: promtool lints any non-counter ending in _count.
      meter
        .createUpDownCounter('db.client.connections.usage', { description: 'Connections by state' })
        .add(3, { 'db.client.connection.state': 'used', 'db.client.connection.pool.name': 'pg' });
      alerts = new AlertEngine();
      alerts.instrument();
      alerts.evaluate({ error_rate: 0.5 });
      // One interval of the in-process reader, so the process gauges have values.
      await new Promise((r) => setTimeout(r, 100));
      await m.reader!.collect();
    });

    afterAll(async () => {
      alerts.close();
      await m.shutdown();
    });

    it('passes promtool check metrics', async () => {
      const text = await (await fetch(m.prometheus!.url)).text();
      expect(text).toMatch(/gen_ai_client_operation_duration_bucket\{[^}]*le="0.64"\} 0/);
      expect(text).toContain('hp_monitor_alerts_active');
      expect(text).toMatch(/^process_memory_usage\{[^}]*\} \d+/m);
      expect(text).toContain('nodejs_eventloop_delay_p99');
      const { code, out } = await run('promtool', ['check', 'metrics'], text);
      expect(out).toBe('');
      expect(code).toBe(0);
    });

    it('is scraped by a real Prometheus server (up == 1)', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'hp-monitor-prom-'));
      const port = await freePort();
      const target = new URL(m.prometheus!.url);
      writeFileSync(
        join(dir, 'prometheus.yml'),
        [
          'global:',
          '  scrape_interval: 1s',
          '  scrape_timeout: 1s',
          'scrape_configs:',
          '  - job_name: hp',
          `    metrics_path: ${target.pathname}`,
          '    static_configs:',
          `      - targets: ['${target.host}']`,
          '',
        ].join('\n'),
      );
      const prom = spawn(
        'prometheus',
        [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--log.level=warn',
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let log = '';
      prom.stderr.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
      const exited = new Promise<void>((resolve) => prom.on('close', () => resolve()));
      try {
        const deadline = Date.now() + 30_000;
        let up: string | undefined;
        let series = 0;
        while (Date.now() < deadline) {
          try {
            const q = (await (await fetch(`http://127.0.0.1:${port}/api/v1/query?query=up`)).json()) as {
              data: { result: Array<{ value: [number, string] }> };
            };
            up = q.data.result[0]?.value[1];
            if (up === '1') {
              const s = (await (
                await fetch(
                  `http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent('hp_cache_hits_total')}`,
                )
              ).json()) as { data: { result: unknown[] } };
              series = s.data.result.length;
              if (series > 0) break;
            }
          } catch {
            // not listening yet
          }
          await new Promise((r) => setTimeout(r, 250));
        }
        if (up !== '1') throw new Error(`Prometheus never reported up==1 (last: ${up}); its log:\n${log}`);
        const targets = (await (await fetch(`http://127.0.0.1:${port}/api/v1/targets`)).json()) as {
          data: { activeTargets: Array<{ health: string; lastError: string }> };
        };
        expect(targets.data.activeTargets[0]).toMatchObject({ health: 'up', lastError: '' });
        expect(series).toBe(1);

        // Every query of the Grafana dashboard is valid PromQL for this server, and the ones over
        // instruments this test records return data.
        const dashboard = JSON.parse(
          readFileSync(join(__dirname, '..', '..', '..', 'docs', 'grafana', 'hp-dashboard.json'), 'utf8'),
        ) as {
          panels: Array<{ title: string; targets?: Array<{ expr: string }> }>;
        };
        const exprs = dashboard.panels.flatMap((p) =>
          (p.targets ?? []).map((t) => ({ title: p.title, expr: t.expr })),
        );
        expect(exprs.length).toBeGreaterThan(15);
        const withData: string[] = [];
        for (const { title, expr } of exprs) {
          const q = expr.replaceAll('$__rate_interval', '1m').replaceAll('$job', '.*');
          const r = (await (
            await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(q)}`)
          ).json()) as {
            status: string;
            error?: string;
            data?: { result: unknown[] };
          };
          expect({ title, status: r.status, error: r.error }).toEqual({
            title,
            status: 'success',
            error: undefined,
          });
          if ((r.data?.result.length ?? 0) > 0) withData.push(title);
        }
        expect(withData).toEqual(
          expect.arrayContaining([
            'Queue depth',
            'Memory',
            'Event-loop delay',
            'Active alerts (hp.monitor.alerts.active)',
          ]),
        );
      } finally {
        prom.kill('SIGTERM');
        await exited;
        rmSync(dir, { recursive: true, force: true });
      }
    }, 45_000);
  },
);
