import {
  googleProvider,
  type GoogleProvider,
  LlmCancelledError,
  LlmProviderError,
  LlmRateLimitedError,
} from '../src/index.js';
import { failure } from './failure.js';
import { type FakeServer, startFakeServer } from './fakeServer.js';

const KEY = 'AIzaSyTESTtestTESTtestTESTtest12345';

const candidate = (parts: unknown[], finishReason = 'STOP', index = 0) => ({
  content: { parts, role: 'model' },
  finishReason,
  index,
});
const generateResponse = (candidates: unknown[], over: Record<string, unknown> = {}) => ({
  candidates,
  usageMetadata: { promptTokenCount: 9, candidatesTokenCount: 5, totalTokenCount: 14 },
  modelVersion: 'gemini-test-001',
  responseId: 'resp-1',
  ...over,
});

describe('googleProvider (real SDK, fake server)', () => {
  let server: FakeServer;
  let provider: GoogleProvider;

  beforeAll(async () => {
    server = await startFakeServer();
    provider = googleProvider({ baseURL: server.url, apiKey: KEY });
  });
  afterAll(async () => {
    await provider.close();
    await server.close();
  });

  it('maps the request (system, tools, tool results, json_schema, n) and the response', async () => {
    server.reply(() => ({
      json: generateResponse([
        candidate([{ text: '{"go":true}' }]),
        candidate([{ functionCall: { name: 'move', args: { dir: 'n' } } }], 'STOP', 1),
      ]),
    }));
    const res = await provider.complete({
      model: 'gemini-test',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Where?' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ id: 'c1', name: 'look', arguments: '{"far":true}' }],
        },
        { role: 'tool', content: '{"seen":"river"}', toolCallId: 'c1' },
      ],
      temperature: 0.5,
      maxTokens: 50,
      seed: 4,
      n: 2,
      tools: [{ name: 'move', parameters: { type: 'object', properties: { dir: { type: 'string' } } } }],
      toolChoice: { name: 'move' },
      responseFormat: {
        type: 'json_schema',
        name: 'x',
        schema: { type: 'object', properties: { go: { type: 'boolean' } } },
      },
    });
    const sent = server.requests.at(-1)!;
    expect(sent.url).toMatch(/\/models\/gemini-test:generateContent$/);
    expect(sent.headers['x-goog-api-key']).toBe(KEY);
    expect(sent.body).toMatchObject({
      contents: [
        { role: 'user', parts: [{ text: 'Where?' }] },
        { role: 'model', parts: [{ functionCall: { name: 'look', args: { far: true } } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'look', response: { seen: 'river' } } }] },
      ],
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      generationConfig: {
        temperature: 0.5,
        maxOutputTokens: 50,
        seed: 4,
        candidateCount: 2,
        responseMimeType: 'application/json',
        responseJsonSchema: { type: 'object' },
      },
      toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['move'] } },
    });
    expect(res).toMatchObject({
      id: 'resp-1',
      provider: 'google',
      model: 'gemini-test-001',
      choices: [
        { index: 0, content: '{"go":true}', finishReason: 'stop' },
        {
          index: 1,
          content: null,
          finishReason: 'tool_calls',
          toolCalls: [{ name: 'move', arguments: '{"dir":"n"}' }],
        },
      ],
      usage: { inputTokens: 9, outputTokens: 5 },
    });
  });

  it('maps MAX_TOKENS to length', async () => {
    server.reply(() => ({ json: generateResponse([candidate([{ text: 'cut' }], 'MAX_TOKENS')]) }));
    const res = await provider.complete({
      model: 'gemini-test',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(res.choices[0]!.finishReason).toBe('length');
  });

  it('streams deltas from SSE chunks', async () => {
    const chunk = (text: string, finish?: string, usage?: unknown) =>
      `data: ${JSON.stringify({
        candidates: [
          {
            content: { parts: [{ text }], role: 'model' },
            index: 0,
            ...(finish ? { finishReason: finish } : {}),
          },
        ],
        ...(usage ? { usageMetadata: usage } : {}),
        modelVersion: 'gemini-test-001',
        responseId: 'resp-s',
      })}\r\n\r\n`;
    server.reply(() => ({
      sse: [chunk('Hel'), chunk('lo'), chunk('!', 'STOP', { promptTokenCount: 3, candidatesTokenCount: 3 })],
    }));
    const deltas: string[] = [];
    let done;
    for await (const ev of provider.stream({
      model: 'gemini-test',
      messages: [{ role: 'user', content: 'hi' }],
    })) {
      if (ev.type === 'delta') deltas.push(ev.content);
      else done = ev.response;
    }
    expect(server.requests.at(-1)!.url).toMatch(/:streamGenerateContent\?alt=sse$/);
    expect(deltas).toEqual(['Hel', 'lo', '!']);
    expect(done).toMatchObject({
      id: 'resp-s',
      choices: [{ content: 'Hello!', finishReason: 'stop' }],
      usage: { inputTokens: 3, outputTokens: 3 },
    });
  });

  it('embeds an input array', async () => {
    server.reply(() => ({ json: { embeddings: [{ values: [0.1, 0.2] }, { values: [0.3, 0.4] }] } }));
    const res = await provider.embed({ model: 'text-embedding-004', inputs: ['a', 'b'], dimensions: 2 });
    expect(res.vectors.map((v) => Array.from(v).map((x) => Math.round(x * 10) / 10))).toEqual([
      [0.1, 0.2],
      [0.3, 0.4],
    ]);
    expect(server.requests.at(-1)!.url).toMatch(/text-embedding-004:batchEmbedContents$/);
  });

  it('maps a 429 with RetryInfo, a 500 and a 400 to typed errors without the key, and does not retry', async () => {
    server.reply(() => ({
      status: 429,
      json: {
        error: {
          code: 429,
          message: 'Resource has been exhausted (e.g. check quota).',
          status: 'RESOURCE_EXHAUSTED',
          details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '32s' }],
        },
      },
    }));
    const before = server.requests.length;
    const limited = await failure(
      provider.complete({ model: 'gemini-test', messages: [{ role: 'user', content: 'hi' }] }),
    );
    expect(server.requests.length - before).toBe(1);
    expect(limited).toBeInstanceOf(LlmRateLimitedError);
    expect((limited as LlmRateLimitedError).retryAfterMs).toBe(32_000);

    server.reply(() => ({
      status: 500,
      json: { error: { code: 500, message: 'Internal error', status: 'INTERNAL' } },
    }));
    const internal = await failure(
      provider.complete({ model: 'gemini-test', messages: [{ role: 'user', content: 'hi' }] }),
    );
    expect(internal).toBeInstanceOf(LlmProviderError);
    expect(internal).toMatchObject({ status: 500, retryable: true, providerCode: 'INTERNAL' });

    server.reply(() => ({
      status: 400,
      json: { error: { code: 400, message: `API key not valid: ${KEY}`, status: 'INVALID_ARGUMENT' } },
    }));
    const bad = await failure(
      provider.complete({ model: 'gemini-test', messages: [{ role: 'user', content: 'hi' }] }),
    );
    expect(bad).toMatchObject({ status: 400, retryable: false, providerCode: 'INVALID_ARGUMENT' });
    expect(bad.message).not.toContain(KEY);

    server.reply(() => ({ reset: true }));
    const reset = await failure(
      provider.complete({ model: 'gemini-test', messages: [{ role: 'user', content: 'hi' }] }),
    );
    expect(reset).toMatchObject({ code: 'NETWORK_ERROR', retryable: true });
  });

  it('maps an abort to LlmCancelledError', async () => {
    server.reply(() => ({ json: generateResponse([candidate([{ text: 'x' }])]) }));
    const err = await failure(
      provider.complete(
        { model: 'gemini-test', messages: [{ role: 'user', content: 'hi' }] },
        { signal: AbortSignal.abort() },
      ),
    );
    expect(err).toBeInstanceOf(LlmCancelledError);
  });
});
