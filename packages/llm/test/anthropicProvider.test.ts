import {
  anthropicProvider,
  type AnthropicProvider,
  LlmCancelledError,
  LlmOptionsError,
  LlmProviderError,
  LlmRateLimitedError,
} from '../src/index.js';
import { failure } from './failure.js';
import { type FakeServer, startFakeServer } from './fakeServer.js';

const KEY = 'sk-ant-api03-secretsecretsecret';

const message = (over: Record<string, unknown> = {}) => ({
  id: 'msg_01',
  type: 'message',
  role: 'assistant',
  model: 'claude-test',
  content: [{ type: 'text', text: 'Hello there.' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 12, output_tokens: 4 },
  ...over,
});

const sse = (events: Record<string, unknown>[]) =>
  events.map((e) => `event: ${String(e.type)}\ndata: ${JSON.stringify(e)}\n\n`);

describe('anthropicProvider (real SDK, fake server)', () => {
  let server: FakeServer;
  let provider: AnthropicProvider;

  beforeAll(async () => {
    server = await startFakeServer();
    provider = anthropicProvider({ baseURL: server.url, apiKey: KEY });
  });
  afterAll(async () => {
    await provider.close();
    await server.close();
  });

  it('maps the request (system, tools, tool results, json_schema) and the response, with rate-limit headers', async () => {
    const reset = new Date(Date.now() + 30_000).toISOString();
    server.reply(() => ({
      json: message({
        content: [
          { type: 'text', text: 'Let me trade.' },
          { type: 'tool_use', id: 'toolu_1', name: 'trade', input: { side: 'buy' } },
        ],
        stop_reason: 'tool_use',
      }),
      headers: {
        'anthropic-ratelimit-requests-limit': '50',
        'anthropic-ratelimit-requests-remaining': '49',
        'anthropic-ratelimit-requests-reset': reset,
        'anthropic-ratelimit-tokens-limit': '40000',
        'anthropic-ratelimit-tokens-remaining': '39000',
        'anthropic-ratelimit-tokens-reset': reset,
      },
    }));
    const res = await provider.complete({
      model: 'claude-test',
      messages: [
        { role: 'system', content: 'You are a trader.' },
        { role: 'user', content: 'Price?' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ id: 'toolu_0', name: 'price', arguments: '{"item":"corn"}' }],
        },
        { role: 'tool', content: '3', toolCallId: 'toolu_0' },
      ],
      maxTokens: 100,
      stop: ['END'],
      tools: [
        {
          name: 'trade',
          description: 'trade',
          parameters: { type: 'object', properties: { side: { type: 'string' } } },
        },
      ],
      toolChoice: 'required',
      responseFormat: { type: 'json_schema', name: 'x', schema: { type: 'object' } },
    });
    const sent = server.requests.at(-1)!;
    expect(sent.url).toBe('/v1/messages');
    expect(String(sent.headers['x-api-key'] ?? sent.headers.authorization)).toContain(KEY);
    expect(sent.headers['x-stainless-retry-count']).toBe('0');
    expect(sent.body).toMatchObject({
      model: 'claude-test',
      system: 'You are a trader.',
      max_tokens: 100,
      stop_sequences: ['END'],
      tool_choice: { type: 'any' },
      tools: [{ name: 'trade', description: 'trade', input_schema: { type: 'object' } }],
      output_config: { format: { type: 'json_schema', schema: { type: 'object' } } },
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Price?' }] },
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 'toolu_0', name: 'price', input: { item: 'corn' } }],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_0', content: '3' }] },
      ],
    });
    expect(res).toMatchObject({
      id: 'msg_01',
      provider: 'anthropic',
      model: 'claude-test',
      choices: [
        {
          index: 0,
          content: 'Let me trade.',
          finishReason: 'tool_calls',
          toolCalls: [{ id: 'toolu_1', name: 'trade', arguments: '{"side":"buy"}' }],
        },
      ],
      usage: { inputTokens: 12, outputTokens: 4 },
      rateLimit: { limitRequests: 50, remainingRequests: 49, limitTokens: 40000, remainingTokens: 39000 },
    });
    expect(res.rateLimit!.resetRequestsMs).toBeGreaterThan(20_000);
  });

  it('maps max_tokens to finish reason length and uses the default max_tokens', async () => {
    server.reply(() => ({ json: message({ stop_reason: 'max_tokens' }) }));
    const res = await provider.complete({
      model: 'claude-test',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(res.choices[0]!.finishReason).toBe('length');
    expect(server.requests.at(-1)!.body.max_tokens).toBe(1024);
  });

  it('streams text deltas, tool input deltas and usage', async () => {
    server.reply(() => ({
      sse: sse([
        {
          type: 'message_start',
          message: {
            ...message({ content: [], stop_reason: null }),
            usage: { input_tokens: 25, output_tokens: 1 },
          },
        },
        { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } },
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'lo' } },
        { type: 'content_block_stop', index: 0 },
        {
          type: 'content_block_start',
          index: 1,
          content_block: { type: 'tool_use', id: 'toolu_9', name: 'move', input: {} },
        },
        {
          type: 'content_block_delta',
          index: 1,
          delta: { type: 'input_json_delta', partial_json: '{"dir":' },
        },
        { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '"n"}' } },
        { type: 'content_block_stop', index: 1 },
        {
          type: 'message_delta',
          delta: { stop_reason: 'tool_use', stop_sequence: null },
          usage: { output_tokens: 15 },
        },
        { type: 'message_stop' },
      ]),
    }));
    const deltas: string[] = [];
    let done;
    for await (const ev of provider.stream({
      model: 'claude-test',
      messages: [{ role: 'user', content: 'hi' }],
    })) {
      if (ev.type === 'delta') deltas.push(ev.content);
      else done = ev.response;
    }
    expect(deltas).toEqual(['Hel', 'lo']);
    expect(done).toMatchObject({
      id: 'msg_01',
      choices: [
        {
          content: 'Hello',
          finishReason: 'tool_calls',
          toolCalls: [{ id: 'toolu_9', name: 'move', arguments: '{"dir":"n"}' }],
        },
      ],
      usage: { inputTokens: 25, outputTokens: 15 },
    });
    expect(server.requests.at(-1)!.body.stream).toBe(true);
  });

  it('maps 429 (retry-after), 529 overloaded, 400 and a reset to typed errors without the key', async () => {
    server.reply(() => ({
      status: 429,
      headers: { 'retry-after': '7' },
      json: {
        type: 'error',
        error: {
          type: 'rate_limit_error',
          message: 'Number of request tokens has exceeded your per-minute rate limit',
        },
      },
    }));
    const limited = await failure(
      provider.complete({ model: 'claude-test', messages: [{ role: 'user', content: 'hi' }] }),
    );
    expect(limited).toBeInstanceOf(LlmRateLimitedError);
    expect((limited as LlmRateLimitedError).retryAfterMs).toBe(7000);

    server.reply(() => ({
      status: 529,
      json: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
    }));
    const overloaded = await failure(
      provider.complete({ model: 'claude-test', messages: [{ role: 'user', content: 'hi' }] }),
    );
    expect(overloaded).toBeInstanceOf(LlmProviderError);
    expect(overloaded).toMatchObject({ status: 529, retryable: true, providerCode: 'overloaded_error' });

    server.reply(() => ({
      status: 401,
      json: { type: 'error', error: { type: 'authentication_error', message: `invalid x-api-key ${KEY}` } },
    }));
    const auth = await failure(
      provider.complete({ model: 'claude-test', messages: [{ role: 'user', content: 'hi' }] }),
    );
    expect(auth).toMatchObject({ status: 401, retryable: false, providerCode: 'authentication_error' });
    expect(auth.message).not.toContain(KEY);
    expect(auth.message).toMatch(/Check the API key/);

    server.reply(() => ({ reset: true }));
    const reset = await failure(
      provider.complete({ model: 'claude-test', messages: [{ role: 'user', content: 'hi' }] }),
    );
    expect(reset).toMatchObject({ code: 'NETWORK_ERROR', retryable: true });
  });

  it('maps an abort to LlmCancelledError and refuses n > 1', async () => {
    server.reply(() => ({ json: message() }));
    const err = await failure(
      provider.complete(
        { model: 'claude-test', messages: [{ role: 'user', content: 'hi' }] },
        { signal: AbortSignal.abort() },
      ),
    );
    expect(err).toBeInstanceOf(LlmCancelledError);
    await expect(
      provider.complete({ model: 'claude-test', messages: [{ role: 'user', content: 'hi' }], n: 2 }),
    ).rejects.toBeInstanceOf(LlmOptionsError);
  });
});
