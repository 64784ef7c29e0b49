import { setupMonitoring } from '@hp/monitor';
import { defaultConfig } from '../src/config.js';
import { runSimulation } from '../src/runner.js';

describe('tracing', () => {
  it('one trace per step: sim.step -> agent.step -> llm.decide -> the LLM client span', async () => {
    const monitoring = await setupMonitoring({
      serviceName: 'sim-runner-test',
      exporters: { memory: true },
      spanProcessor: 'simple',
      metricsCollection: false,
      alerting: false,
      performanceAnalysis: false,
    });
    try {
      await runSimulation({
        scenario: { name: 't', agents: 3, steps: 2, concurrency: 2 },
        config: defaultConfig(),
        seed: 1,
        model: 'llm',
        settings: { timeScale: '0' },
      });
      await monitoring.forceFlush();
      const spans = monitoring.memory!.spans();
      const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
      const parentOf = (s: (typeof spans)[number]) => {
        const id = s.parentSpanContext?.spanId;
        return id ? byId.get(id) : undefined;
      };
      const steps = spans.filter((s) => s.name === 'sim.step');
      expect(steps).toHaveLength(2);
      expect(new Set(steps.map((s) => s.spanContext().traceId)).size).toBe(2);
      const llmSpans = spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'chat');
      expect(llmSpans.length).toBeGreaterThan(0);
      for (const llm of llmSpans) {
        const decide = parentOf(llm)!;
        expect(decide.name).toBe('llm.decide');
        const agentStep = parentOf(decide)!;
        expect(agentStep.name).toBe('agent.step');
        expect(parentOf(agentStep)!.name).toBe('sim.step');
        expect(llm.spanContext().traceId).toBe(agentStep.spanContext().traceId);
      }
      expect(spans.filter((s) => s.name === 'agent.step')).toHaveLength(6);
    } finally {
      await monitoring.shutdown();
    }
  });
});
