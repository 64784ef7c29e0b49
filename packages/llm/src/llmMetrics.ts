import { type Attributes, type Histogram, metrics, type ObservableResult } from '@opentelemetry/api';

/** Plain counters of an LlmClient (read by observable instruments at export time). */
export interface LlmClientCounters {
  calls: number;
  cacheHits: number;
  cacheMisses: number;
  /** Provider calls (attempts, retries included). */
  providerCalls: number;
  /** Provider calls that carried a batch of several prompts or inputs. */
  batches: number;
  /** Prompts/inputs sent inside batches. */
  batchedItems: number;
  errors: Record<string, number>;
}

export interface ModelUsage {
  /** Provider calls that succeeded for this model. */
  calls: number;
  inputTokens: number;
  outputTokens: number;
  /** From the `prices` option (USD per 1M tokens); 0 when the model has no price. */
  costUsd: number;
}

/**
 * OpenTelemetry GenAI client instruments: `gen_ai.client.operation.duration` (s) and
 * `gen_ai.client.token.usage` histograms on provider calls (coarse operations), plus observable counters of
 * the client's plain fields (`hp.llm.*`).
 */
export class LlmMetrics {
  readonly duration: Histogram;
  readonly tokenUsage: Histogram;
  private readonly _sources = new Set<{ counters: LlmClientCounters; attributes: Attributes }>();

  constructor() {
    const meter = metrics.getMeter('@hp/llm');
    this.duration = meter.createHistogram('gen_ai.client.operation.duration', {
      unit: 's',
      description: 'GenAI operation duration',
      advice: {
        explicitBucketBoundaries: [
          0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
        ],
      },
    });
    this.tokenUsage = meter.createHistogram('gen_ai.client.token.usage', {
      unit: '{token}',
      description: 'Measures number of input and output tokens used',
      advice: { explicitBucketBoundaries: [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576] },
    });
    const observe = (field: keyof Omit<LlmClientCounters, 'errors'>) => (result: ObservableResult) => {
      for (const s of this._sources) result.observe(s.counters[field], s.attributes);
    };
    meter
      .createObservableCounter('hp.llm.calls', { description: 'complete/stream/completeText/embed calls' })
      .addCallback(observe('calls'));
    meter.createObservableCounter('hp.llm.cache.hits').addCallback(observe('cacheHits'));
    meter.createObservableCounter('hp.llm.cache.misses').addCallback(observe('cacheMisses'));
    meter
      .createObservableCounter('hp.llm.provider.calls', { description: 'provider calls, retries included' })
      .addCallback(observe('providerCalls'));
    meter.createObservableCounter('hp.llm.batches').addCallback(observe('batches'));
  }

  register(counters: LlmClientCounters, attributes: Attributes): () => void {
    const source = { counters, attributes };
    this._sources.add(source);
    return () => this._sources.delete(source);
  }
}

let shared: LlmMetrics | undefined;

export function defaultLlmMetrics(): LlmMetrics {
  shared ??= new LlmMetrics();
  return shared;
}
