import {
  type Attributes,
  type Span,
  type SpanOptions,
  trace,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { type Emulator, startEmulator } from '../src/emulator/index.js';
import { LlmClient, openaiProvider, type OpenAiProvider } from '../src/index.js';

interface Recorded {
  name: string;
  attributes: Attributes;
  ended: boolean;
}

// A minimal recording TracerProvider on the API alone (libraries may not use the OpenTelemetry SDK).
function recordingProvider(spans: Recorded[]): TracerProvider {
  const tracer: Tracer = {
    startSpan(name: string, options?: SpanOptions): Span {
      const rec: Recorded = { name, attributes: { ...(options?.attributes ?? {}) }, ended: false };
      spans.push(rec);
      const span = trace.wrapSpanContext({
        traceId: '0'.repeat(31) + '1',
        spanId: '0'.repeat(15) + '1',
        traceFlags: 1,
      });
      return Object.assign(Object.create(span) as Span, {
        setAttribute: (k: string, v: unknown) => {
          rec.attributes[k] = v as Attributes[string];
          return span;
        },
        setAttributes: (a: Attributes) => {
          Object.assign(rec.attributes, a);
          return span;
        },
        setStatus: () => span,
        end: () => {
          rec.ended = true;
        },
        isRecording: () => true,
      });
    },
    startActiveSpan: (() => {
      throw new Error('not used');
    }) as Tracer['startActiveSpan'],
  };
  return { getTracer: () => tracer };
}

describe('GenAI spans', () => {
  let emu: Emulator;
  let provider: OpenAiProvider;
  const spans: Recorded[] = [];

  beforeAll(async () => {
    trace.setGlobalTracerProvider(recordingProvider(spans));
    emu = await startEmulator({ timeScale: 0 });
    provider = openaiProvider({ baseURL: emu.url, apiKey: 'sk-secret-key-abcdefgh' });
  });
  afterAll(async () => {
    await provider.close();
    await emu.close();
    trace.disable();
  });

  it('follow the GenAI conventions and record content only on opt-in', async () => {
    const quiet = new LlmClient({ provider, cache: false });
    const loud = new LlmClient({ provider, cache: false, recordContent: true });
    try {
      await quiet.complete({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'secret plan' }],
        temperature: 0,
        maxTokens: 50,
      });
      await loud.complete({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'open plan' }],
        temperature: 0,
      });
    } finally {
      await quiet.close();
      await loud.close();
    }
    const chat = spans.filter((s) => s.name === 'chat gpt-4o-mini');
    expect(chat).toHaveLength(2);
    expect(chat[0]!.ended).toBe(true);
    expect(chat[0]!.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.request.temperature': 0,
      'gen_ai.request.max_tokens': 50,
      'gen_ai.response.model': 'gpt-4o-mini',
      'gen_ai.response.finish_reasons': ['stop'],
    });
    expect(chat[0]!.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
    expect(chat[0]!.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    expect(JSON.stringify(chat[0]!.attributes)).not.toContain('secret plan');
    expect(String(chat[1]!.attributes['gen_ai.input.messages'])).toContain('open plan');
    expect(JSON.stringify(spans)).not.toContain('sk-secret-key-abcdefgh');
  });
});
