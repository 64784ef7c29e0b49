import { httpDispatcher, parsePoolConfig } from '@hp/pool';
import { Agent } from 'undici';
import { type Emulator, startEmulator } from '../src/emulator/index.js';
import {
  LlmCancelledError,
  LlmInvalidResponseError,
  LlmOptionsError,
  LlmProviderError,
  LlmRateLimitedError,
  LlmTimeoutError,
  openaiProvider,
  type OpenAiProvider,
} from '../src/index.js';
import { failure } from './failure.js';

const ask = (content: string) => ({ model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content }] });
const fault = (kind: string) => ({ defaultHeaders: { 'x-emulator-fault': kind } });

describe('openaiProvider against the emulator', () => {
  let emu: Emulator;
  let provider: OpenAiProvider;

  beforeAll(async () => {
    emu = await startEmulator({ timeScale: 0, seed: 3 });
    provider = openaiProvider({ baseURL: emu.url, apiKey: 'test' });
  });
  afterAll(async () => {
    await provider.close();
    await emu.close();
  });

  it('maps a chat completion to the common shape, with usage and rate-limit info', async () => {
    const res = await provider.complete({
      ...ask('Storm ahead. Choose one of: [shelter, continue]'),
      temperature: 0,
      maxTokens: 200,
    });
    expect(res.provider).toBe('openai');
    expect(res.choices).toHaveLength(1);
    expect(res.choices[0]!.finishReason).toBe('stop');
    expect(['shelter', 'continue']).toContain(
      (JSON.parse(res.choices[0]!.content!) as { action: string }).action,
    );
    expect(res.usage.inputTokens).toBeGreaterThan(0);
    expect(res.usage.outputTokens).toBeGreaterThan(0);
    expect(res.rateLimit).toEqual({});
  });

  it('sends tools, tool choice, json_schema and multi-turn tool messages', async () => {
    const res = await provider.complete({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'You are a trader.' },
        { role: 'user', content: 'Check the price.' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'price', arguments: '{}' }] },
        { role: 'tool', content: '{"price": 3}', toolCallId: 'call_1' },
        { role: 'user', content: 'Now trade.' },
      ],
      tools: [
        {
          name: 'trade',
          parameters: { type: 'object', properties: { side: { type: 'string', enum: ['buy', 'sell'] } } },
        },
      ],
      toolChoice: { name: 'trade' },
    });
    expect(res.choices[0]!.finishReason).toBe('tool_calls');
    const call = res.choices[0]!.toolCalls![0]!;
    expect(call.name).toBe('trade');
    expect(['buy', 'sell']).toContain((JSON.parse(call.arguments) as { side: string }).side);

    const json = await provider.complete({
      ...ask('Decide'),
      responseFormat: {
        type: 'json_schema',
        name: 'd',
        schema: { type: 'object', properties: { go: { type: 'boolean' } } },
      },
    });
    expect(typeof (JSON.parse(json.choices[0]!.content!) as { go: boolean }).go).toBe('boolean');
  });

  it('streams deltas and a final response equal to the plain one', async () => {
    const req = { ...ask('Tell me about the weather.'), seed: 5, n: 2 };
    const plain = await provider.complete(req);
    const deltas: string[] = ['', ''];
    let done;
    for await (const ev of provider.stream(req)) {
      if (ev.type === 'delta') deltas[ev.index] += ev.content;
      else done = ev.response;
    }
    expect(deltas).toEqual(plain.choices.map((c) => c.content));
    expect(done!.choices.map((c) => c.content)).toEqual(plain.choices.map((c) => c.content));
    expect(done!.usage).toEqual(plain.usage);
  });

  it('sends a prompt batch as one /v1/completions request, results in prompt order', async () => {
    const before = emu.stats().byRoute['POST /v1/completions'] ?? 0;
    const prompts = ['A: choose one of: [x, y]', 'B: hello', 'C: bye'];
    const res = await provider.completeBatch({
      model: 'gpt-3.5-turbo-instruct',
      prompts,
      maxTokens: 64,
      temperature: 0,
    });
    expect(res.results).toHaveLength(3);
    expect(['x', 'y']).toContain((JSON.parse(res.results[0]!.text) as { action: string }).action);
    const single = await provider.completeBatch({
      model: 'gpt-3.5-turbo-instruct',
      prompts: ['C: bye'],
      maxTokens: 64,
      temperature: 0,
    });
    expect(single.results[0]!.text).toBe(res.results[2]!.text);
    expect(emu.stats().byRoute['POST /v1/completions']! - before).toBe(2);
  });

  it('embeds an input array as Float32Array vectors', async () => {
    const res = await provider.embed({ model: 'text-embedding-3-small', inputs: ['a', 'b'], dimensions: 16 });
    expect(res.vectors).toHaveLength(2);
    expect(res.vectors[0]).toBeInstanceOf(Float32Array);
    expect(res.vectors[0]!.length).toBe(16);
    expect(res.usage.inputTokens).toBe(2);
  });

  it('maps a 429 to LlmRateLimitedError with retryAfterMs from the headers', async () => {
    // a frozen clock: the bucket never refills during the test, however slow the machine
    const limited = await startEmulator({
      timeScale: 0.001,
      rpm: 1,
      latency: { ttftMs: 0, perTokenMs: 0 },
      clock: { now: () => 0 },
    });
    const p = openaiProvider({ baseURL: limited.url, apiKey: 'test' });
    try {
      const ok = await p.complete(ask('hi'));
      expect(ok.rateLimit).toMatchObject({ limitRequests: 1, remainingRequests: 0 });
      const err = await failure(p.complete(ask('hi')));
      expect(err).toBeInstanceOf(LlmRateLimitedError);
      expect(err.retryable).toBe(true);
      expect((err as LlmRateLimitedError).retryAfterMs).toBeGreaterThan(0);
      expect((err as LlmRateLimitedError).retryAfterMs).toBeLessThanOrEqual(60);
      expect(err.message).toMatch(/Wait \d+ ms/);
    } finally {
      await p.close();
      await limited.close();
    }
  });

  it.each([
    ['500', LlmProviderError, 'PROVIDER_ERROR', 500],
    ['503', LlmProviderError, 'PROVIDER_ERROR', 503],
    ['429', LlmRateLimitedError, 'RATE_LIMITED', 429],
    ['reset', LlmProviderError, 'NETWORK_ERROR', undefined],
    ['truncated', LlmProviderError, 'NETWORK_ERROR', undefined],
    ['malformed', LlmInvalidResponseError, 'INVALID_RESPONSE', undefined],
  ])('maps an injected %s to a retryable %p', async (kind, type, code, status) => {
    const p = openaiProvider({ baseURL: emu.url, apiKey: 'sk-test-secret-key-0123456789', ...fault(kind) });
    try {
      const err = await failure(p.complete(ask('hi')));
      expect(err).toBeInstanceOf(type);
      expect(err.code).toBe(code);
      expect(err.retryable).toBe(true);
      expect((err as { status?: number }).status).toBe(status);
      expect(err.message).not.toContain('sk-test-secret-key-0123456789');
    } finally {
      await p.close();
    }
  });

  it('maps a 400 to a non-retryable LlmProviderError naming the provider code', async () => {
    const err = await failure(provider.complete({ model: 'gpt-4o-mini', messages: [] }));
    expect(err).toBeInstanceOf(LlmProviderError);
    expect(err.retryable).toBe(false);
    expect((err as LlmProviderError).status).toBe(400);
    expect((err as LlmProviderError).providerCode).toBe('invalid_request_error');
  });

  it('maps an abort to LlmCancelledError and a deadline to LlmTimeoutError', async () => {
    const slow = await startEmulator({ timeScale: 1, latency: { ttftMs: 60_000, ttftSigma: 0 } });
    const p = openaiProvider({ baseURL: slow.url, apiKey: 'test' });
    try {
      const ac = new AbortController();
      const pending = failure(p.complete(ask('hi'), { signal: ac.signal }));
      setTimeout(() => ac.abort(), 20);
      const cancelled = await pending;
      expect(cancelled).toBeInstanceOf(LlmCancelledError);
      expect(cancelled.retryable).toBe(false);
      const timedOut = await failure(p.complete(ask('hi'), { timeoutMs: 30 }));
      expect(timedOut).toBeInstanceOf(LlmTimeoutError);
      expect((timedOut as LlmTimeoutError).timeoutMs).toBe(30);
      const alreadyAborted = await failure(p.complete(ask('hi'), { signal: AbortSignal.abort() }));
      expect(alreadyAborted).toBeInstanceOf(LlmCancelledError);
      const streamTimeout = (async () => {
        for await (const _ of p.stream(ask('hi'), { timeoutMs: 30 })) void _;
      })();
      expect(await failure(streamTimeout)).toBeInstanceOf(LlmTimeoutError);
    } finally {
      await p.close();
      await slow.close();
    }
  });

  it('maps a refused connection to a retryable network error', async () => {
    const gone = await startEmulator({ timeScale: 0 });
    const url = gone.url;
    await gone.close();
    const p = openaiProvider({ baseURL: url, apiKey: 'test' });
    try {
      const err = await failure(p.complete(ask('hi')));
      expect(err).toBeInstanceOf(LlmProviderError);
      expect(err.code).toBe('NETWORK_ERROR');
      expect(err.retryable).toBe(true);
    } finally {
      await p.close();
    }
  });

  it('uses a dispatcher it is given (the @hp/pool seam) and leaves it open on close', async () => {
    const agent = new Agent({ connections: 2 });
    const p = openaiProvider({ baseURL: emu.url, apiKey: 'test', dispatcher: agent });
    await p.complete(ask('hi'));
    await p.close();
    expect(agent.closed).toBe(false);
    await agent.close();
    let calls = 0;
    const viaFetch = openaiProvider({
      base_url: emu.url,
      apiKey: 'test',
      fetch: (input: string | URL | Request, init?: RequestInit) => {
        calls++;
        return fetch(input, init);
      },
    } as never);
    await viaFetch.complete(ask('hi'));
    expect(calls).toBe(1);
    await viaFetch.close();
  });

  it('sends its requests through an @hp/pool keep-alive dispatcher', async () => {
    const pool = await httpDispatcher(emu.origin, parsePoolConfig({ max_size: 4, max_idle_time: 30 }));
    const p = openaiProvider({ baseURL: emu.url, apiKey: 'test', dispatcher: pool });
    try {
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => p.complete(ask(`pooled ${i}`))));
      expect(results).toHaveLength(8);
      expect(pool.stats.connected).toBeGreaterThan(0);
      expect(pool.stats.connected).toBeLessThanOrEqual(4);
    } finally {
      await p.close();
      await pool.close();
    }
  });

  it('bounds its own keep-alive pool by pool.max_size (llm_primary by default) and reuses the sockets', async () => {
    const slow = await startEmulator({ timeScale: 0.002, latency: { ttftMs: 500, ttftSigma: 0 }, seed: 4 });
    const p = openaiProvider({ baseURL: slow.url, apiKey: 'test', pool: { max_size: 3, max_idle_time: 30 } });
    const d = openaiProvider({ baseURL: slow.url, apiKey: 'test' });
    try {
      expect(d.transport.maxSize).toBe(15); // the sketch's llm_primary pool without a client
      // 40 requests at once, no concurrency limit in front: the pool is what bounds the sockets
      await Promise.all(Array.from({ length: 40 }, (_, i) => p.complete(ask(`bounded ${i}`))));
      const s = slow.stats();
      expect(s.requests).toBe(40);
      expect(s.connections).toBeLessThanOrEqual(3);
      expect(s.maxOpenConnections).toBeLessThanOrEqual(3);
      expect(() => openaiProvider({ baseURL: slow.url, apiKey: 'x', pool: { max_size: -1 } })).toThrow(
        /pool\.max_size/,
      );
    } finally {
      await p.close();
      await d.close();
      await slow.close();
    }
  });

  it('validates options and never leaks the key when it is missing', () => {
    const saved = process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_API_KEY;
    try {
      expect(() => openaiProvider({ baseURL: emu.url })).toThrow(LlmOptionsError);
      expect(() => openaiProvider({ baseURL: 'not a url', apiKey: 'x' })).toThrow(/baseURL/);
    } finally {
      if (saved !== undefined) process.env.OPENAI_API_KEY = saved;
    }
  });
});
