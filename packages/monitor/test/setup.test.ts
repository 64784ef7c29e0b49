import { join } from 'node:path';
import { context, metrics, trace, ValueType } from '@opentelemetry/api';
import { MonitorError } from '../src/monitorError.js';
import { setupMonitoring } from '../src/setup.js';

describe('setupMonitoring', () => {
  it('takes an AbortSignal: an abort during setup shuts down what it started and rejects', async () => {
    await expect(
      setupMonitoring({ serviceName: 'aborted', exporters: { memory: true } } as never, {
        signal: AbortSignal.abort(new Error('stop')),
      }),
    ).rejects.toThrow('stop');
    const controller = new AbortController();
    const starting = setupMonitoring(
      {
        serviceName: 'aborted',
        exporters: { prometheus: { port: 0, host: '127.0.0.1' } },
        metricsCollection: { interval: 3600, system: false },
      } as never,
      { signal: controller.signal },
    );
    controller.abort(new Error('changed my mind'));
    await expect(starting).rejects.toThrow('changed my mind');
    // Nothing stayed registered: a new setup is accepted (a running one would throw ALREADY_STARTED).
    const m = await setupMonitoring({ serviceName: 'after', exporters: { memory: true } } as never);
    await m.shutdown();
  });

  it('registers global providers: API-only code is traced and measured, with context propagation', async () => {
    const m = await setupMonitoring({
      service_name: 'sim-test',
      resource_attributes: { 'deployment.environment.name': 'test' },
      exporters: { memory: true },
      metrics_collection: { interval: 3600, system: false },
    } as never);
    try {
      // What a library does: only @opentelemetry/api.
      const tracer = trace.getTracer('@hp/lib');
      await tracer.startActiveSpan('sim.step', async (step) => {
        await new Promise((r) => setTimeout(r, 1));
        tracer.startActiveSpan('agent.step', (agent) => agent.end());
        step.end();
      });
      const meter = metrics.getMeter('@hp/lib');
      meter.createHistogram('hp.request.duration', { unit: 's', valueType: ValueType.DOUBLE }).record(0.25);
      let hits = 0;
      meter
        .createObservableCounter('hp.cache.hits')
        .addCallback((r) => r.observe(hits, { 'hp.cache.tier': 'hot' }));
      hits = 42;

      const spans = m.memory!.spans();
      const stepSpan = spans.find((s) => s.name === 'sim.step')!;
      const agentSpan = spans.find((s) => s.name === 'agent.step')!;
      expect(agentSpan.parentSpanContext?.spanId).toBe(stepSpan.spanContext().spanId);
      expect(stepSpan.resource.attributes['service.name']).toBe('sim-test');
      expect(stepSpan.resource.attributes['deployment.environment.name']).toBe('test');

      const exported = (await m.memory!.metrics()).flatMap((rm) => rm.scopeMetrics.flatMap((s) => s.metrics));
      expect(exported.map((x) => x.descriptor.name)).toEqual(
        expect.arrayContaining(['hp.request.duration', 'hp.cache.hits']),
      );

      // The in-process reader is fed from the same instruments.
      await m.reader!.collect();
      const v = m.reader!.latest()!.values;
      expect(v.requests).toBe(1);
      expect(v.response_time_mean).toBeCloseTo(250, 6);
      expect(v['cache_requests:hot']).toBe(42);
      expect(v['cache_hit_ratio:hot']).toBe(1);
    } finally {
      await m.shutdown();
    }
    // Globals are released: a second setup works, and after shutdown the API is a no-op again.
    expect(trace.getTracer('x').startSpan('y').isRecording()).toBe(false);
    expect(context.active()).toBeDefined();
    const again = await setupMonitoring({
      serviceName: 'again',
      exporters: { memory: true },
      metricsCollection: false,
    });
    expect(again.reader).toBeUndefined();
    await again.shutdown();
  });

  it('refuses a second global SDK while one is running', async () => {
    const first = await setupMonitoring({ serviceName: 'one', metricsCollection: false });
    await expect(setupMonitoring({ serviceName: 'two', metricsCollection: false })).rejects.toMatchObject({
      code: 'ALREADY_STARTED',
    });
    await first.shutdown();
    await first.shutdown(); // idempotent
  });

  it('exposes a Prometheus endpoint on a free port when asked for port 0', async () => {
    const m = await setupMonitoring({
      serviceName: 'prom-test',
      exporters: { prometheus: { port: 0 } },
      metricsCollection: false,
    });
    try {
      metrics.getMeter('@hp/lib').createCounter('hp.test.events').add(3, { kind: 'a' });
      expect(m.prometheus!.port).toBeGreaterThan(0);
      expect(m.prometheus!.url).toBe(`http://127.0.0.1:${m.prometheus!.port}/metrics`);
      const text = await (await fetch(m.prometheus!.url)).text();
      expect(text).toMatch(/hp_test_events_total\{[^}]*kind="a"[^}]*\} 3/);
      expect(text).toContain('target_info');
      expect((await fetch(m.prometheus!.url.replace('/metrics', '/other'))).status).toBe(404);
    } finally {
      await m.shutdown();
    }
  });

  it('reports a port in use as EXPORTER_FAILED and leaves no globals behind', async () => {
    const a = await setupMonitoring({
      serviceName: 'a',
      exporters: { prometheus: { port: 0 } },
      metricsCollection: false,
      registerGlobal: false,
    });
    await expect(
      setupMonitoring({
        serviceName: 'b',
        exporters: { prometheus: { port: a.prometheus!.port } },
        metricsCollection: false,
      }),
    ).rejects.toMatchObject({ code: 'EXPORTER_FAILED', option: 'exporters.prometheus.port' });
    await a.shutdown();
    const c = await setupMonitoring({ serviceName: 'c', metricsCollection: false });
    await c.shutdown();
  });

  it('sends OTLP over HTTP to the configured collector on shutdown', async () => {
    const { createServer } = await import('node:http');
    const paths: string[] = [];
    const server = createServer((req, res) => {
      paths.push(req.url ?? '');
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    try {
      const { execFile } = await import('node:child_process');
      const out = await new Promise<string>((resolve, reject) =>
        execFile(
          process.execPath,
          ['--import', 'tsx', join(__dirname, 'fixtures', 'otlpApp.ts'), `http://127.0.0.1:${port}`],
          { timeout: 15_000 },
          (error, stdout, stderr) =>
            error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
        ),
      );
      expect(out).toContain('shutdown ok');
      expect(paths.sort()).toEqual(['/v1/metrics', '/v1/traces']);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it("takes the sketch's monitoring block as is: reader, alerts, trends and the dashboard", async () => {
    // performance_optimization.monitoring from the sketch's YAML, plus a dashboard on a free port.
    const monitoringBlock: unknown = {
      metrics_collection: { interval: 10, retention_period: 86400 },
      performance_analysis: {
        trend_analysis_window: 3600,
        anomaly_detection: true,
        predictive_modeling: true,
      },
      alerting: {
        thresholds: {
          response_time_warning: 2.0,
          response_time_critical: 5.0,
          error_rate_warning: 0.05,
          error_rate_critical: 0.15,
          cache_hit_rate_warning: 0.7,
          cache_hit_rate_critical: 0.5,
        },
      },
    };
    const m = await setupMonitoring({
      serviceName: 'yaml',
      ...(monitoringBlock as object),
      dashboard: { port: 0 },
    });
    try {
      expect(m.reader!.interval).toBe(10);
      expect(m.reader!.capacity).toBe(8640);
      expect(m.alerts!.rules().map((r) => [r.name, r.warning, r.critical])).toEqual([
        ['response_time', 2000, 5000],
        ['error_rate', 0.05, 0.15],
        ['cache_hit_rate', 0.7, 0.5],
      ]);
      const fired: string[] = [];
      m.alerts!.on('fire', (r) => fired.push(`${r.rule}:${r.severity}`));
      metrics.getMeter('@hp/lib').createHistogram('hp.request.duration', { unit: 's' }).record(3);
      await m.reader!.collect();
      expect(fired).toEqual(['response_time:warning']);
      const data = (await (await fetch(`${m.dashboard!.url}api/dashboard`)).json()) as {
        alerts: { active: unknown[] };
      };
      expect(data.alerts.active).toHaveLength(1);
      expect(m.trends).toBeDefined();
    } finally {
      await m.shutdown();
    }
    expect(m.dashboard!.port).toBeUndefined(); // closed
  });

  it('validates options', async () => {
    await expect(setupMonitoring({ serviceName: '' })).rejects.toBeInstanceOf(MonitorError);
    await expect(
      setupMonitoring({ serviceName: 'x', exporters: { otlp: { url: 'not a url' } } }),
    ).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      option: 'exporters.otlp.url',
    });
  });
});
