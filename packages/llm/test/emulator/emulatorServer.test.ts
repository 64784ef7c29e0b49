import OpenAI from 'openai';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { countChatTokens } from '../../src/emulator/tokenizer.js';

describe('emulator with the official openai SDK', () => {
  let emu: Emulator;
  let client: OpenAI;

  beforeAll(async () => {
    emu = await startEmulator({ port: 0, timeScale: 0, seed: 7 });
    client = new OpenAI({ baseURL: emu.url, apiKey: 'test', maxRetries: 0 });
  });
  afterAll(async () => {
    await emu.close();
  });

  it('lists and retrieves models', async () => {
    const page = await client.models.list();
    const ids = page.data.map((m) => m.id);
    expect(ids).toContain('gpt-4o-mini');
    const model = await client.models.retrieve('gpt-4o-mini');
    expect(model.id).toBe('gpt-4o-mini');
  });

  it('answers a chat completion with usage consistent with the tokenizer', async () => {
    const messages = [{ role: 'user' as const, content: 'Say something about the weather.' }];
    const res = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(res.object).toBe('chat.completion');
    expect(res.choices).toHaveLength(1);
    const choice = res.choices[0]!;
    expect(choice.finish_reason).toBe('stop');
    expect(typeof choice.message.content).toBe('string');
    expect(choice.message.content!.length).toBeGreaterThan(0);
    expect(res.usage!.prompt_tokens).toBe(countChatTokens(messages));
    expect(res.usage!.total_tokens).toBe(res.usage!.prompt_tokens + res.usage!.completion_tokens);
  });

  it('is deterministic for (model, messages, seed, temperature, sample index)', async () => {
    const req = {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user' as const, content: 'Plan the next step.' }],
      seed: 3,
      n: 3,
    };
    const a = await client.chat.completions.create(req);
    const b = await client.chat.completions.create(req);
    expect(a.choices.map((c) => c.message.content)).toEqual(b.choices.map((c) => c.message.content));
    expect(a.choices.map((c) => c.index)).toEqual([0, 1, 2]);
    // different samples differ (with overwhelming probability for these fixed inputs)
    expect(new Set(a.choices.map((c) => c.message.content)).size).toBeGreaterThan(1);
    const other = await client.chat.completions.create({ ...req, seed: 4 });
    expect(other.choices[0]!.message.content).not.toBe(a.choices[0]!.message.content);
    // temperature 0: every sample is the same and the seed does not matter
    const greedy = await client.chat.completions.create({ ...req, temperature: 0 });
    const greedy2 = await client.chat.completions.create({ ...req, temperature: 0, seed: 99 });
    expect(new Set(greedy.choices.map((c) => c.message.content)).size).toBe(1);
    expect(greedy2.choices[0]!.message.content).toBe(greedy.choices[0]!.message.content);
  });

  it('picks one of the listed choices, in valid JSON', async () => {
    const res = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'You are a farmer agent.' },
        { role: 'user', content: 'It is raining. Choose one of: [plant, harvest, rest]' },
      ],
    });
    const parsed = JSON.parse(res.choices[0]!.message.content!) as { action: string; reason: string };
    expect(['plant', 'harvest', 'rest']).toContain(parsed.action);
    expect(parsed.reason.length).toBeGreaterThan(0);
  });

  it('fills a json_schema response format, picking from enums', async () => {
    const res = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Decide.' }],
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'decision',
          schema: {
            type: 'object',
            properties: {
              move: { type: 'string', enum: ['north', 'south'] },
              steps: { type: 'integer', minimum: 1, maximum: 3 },
              confident: { type: 'boolean' },
            },
            required: ['move', 'steps', 'confident'],
          },
        },
      },
    });
    const value = JSON.parse(res.choices[0]!.message.content!) as {
      move: string;
      steps: number;
      confident: boolean;
    };
    expect(['north', 'south']).toContain(value.move);
    expect(Number.isInteger(value.steps) && value.steps >= 1 && value.steps <= 3).toBe(true);
    expect(typeof value.confident).toBe('boolean');
  });

  it('answers JSON for json_object and when the prompt says JSON', async () => {
    for (const req of [
      {
        messages: [{ role: 'user' as const, content: 'Describe the market.' }],
        response_format: { type: 'json_object' as const },
      },
      { messages: [{ role: 'user' as const, content: 'Describe the market as JSON.' }] },
    ]) {
      const res = await client.chat.completions.create({ model: 'gpt-4o-mini', ...req });
      expect(() => JSON.parse(res.choices[0]!.message.content!)).not.toThrow();
    }
  });

  it('honours max_tokens with finish_reason length', async () => {
    const res = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Tell a long story.' }],
      max_tokens: 3,
    });
    expect(res.choices[0]!.finish_reason).toBe('length');
    expect(res.usage!.completion_tokens).toBe(3);
  });

  it('calls a tool when tool_choice requires it, with arguments that fit its schema', async () => {
    const res = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Move somewhere. Options: north, east or west' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'move',
            parameters: {
              type: 'object',
              properties: {
                direction: { type: 'string' },
                speed: { type: 'number', minimum: 0, maximum: 1 },
              },
              required: ['direction', 'speed'],
            },
          },
        },
      ],
      tool_choice: 'required',
    });
    const choice = res.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    const call = choice.message.tool_calls![0]!;
    expect(call.type).toBe('function');
    if (call.type !== 'function') throw new Error('unreachable');
    expect(call.function.name).toBe('move');
    const args = JSON.parse(call.function.arguments) as { direction: string; speed: number };
    expect(typeof args.direction).toBe('string');
    expect(args.speed).toBeGreaterThanOrEqual(0);
    expect(args.speed).toBeLessThanOrEqual(1);
  });

  it('streams SSE chunks whose concatenation equals the plain answer, with usage', async () => {
    const req = {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user' as const, content: 'Stream please.' }],
      seed: 1,
    };
    const plain = await client.chat.completions.create(req);
    const stream = await client.chat.completions.create({
      ...req,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      for (const c of chunk.choices) {
        text += c.delta.content ?? '';
        if (c.finish_reason) finish = c.finish_reason;
      }
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(plain.choices[0]!.message.content);
    expect(finish).toBe('stop');
    expect(usage).toEqual(plain.usage);
    expect(chunks).toBeGreaterThan(3);
  });

  it('serves /v1/completions with a prompt array, one choice per prompt', async () => {
    const res = await client.completions.create({
      model: 'gpt-3.5-turbo-instruct',
      prompt: ['Agent A: Choose one of: [left, right]', 'Agent B: say hello', 'Agent C: say bye'],
      max_tokens: 64,
    });
    expect(res.choices.map((c) => c.index)).toEqual([0, 1, 2]);
    const first = JSON.parse(res.choices[0]!.text) as { action: string };
    expect(['left', 'right']).toContain(first.action);
    // the same prompt alone gives the same text as inside the batch
    const single = await client.completions.create({
      model: 'gpt-3.5-turbo-instruct',
      prompt: 'Agent B: say hello',
      max_tokens: 64,
    });
    expect(single.choices[0]!.text).toBe(res.choices[1]!.text);
    expect(res.usage!.prompt_tokens).toBeGreaterThan(single.usage!.prompt_tokens);
  });

  it('serves /v1/embeddings for an input array: deterministic unit vectors, dimensions honoured', async () => {
    const res = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: ['a cat', 'a dog', 'a cat'],
    });
    expect(res.data).toHaveLength(3);
    expect(res.data.map((d) => d.index)).toEqual([0, 1, 2]);
    const [a, b, c] = res.data.map((d) => Array.from(d.embedding));
    expect(a).toHaveLength(1536);
    const norm = Math.sqrt(a!.reduce((s, x) => s + x * x, 0));
    expect(norm).toBeCloseTo(1, 4);
    expect(c).toEqual(a);
    expect(b).not.toEqual(a);
    const small = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: 'a cat',
      dimensions: 8,
      encoding_format: 'float',
    });
    expect(small.data[0]!.embedding).toHaveLength(8);
    expect(res.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it('returns OpenAI-shaped 400s and 404s that the SDK maps to its error classes', async () => {
    await expect(
      client.chat.completions.create({ model: 'gpt-4o-mini', messages: [] }),
    ).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(client.get('/nothing-here')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('counts requests by route and status', () => {
    const stats = emu.stats();
    expect(stats.byRoute['POST /v1/chat/completions']).toBeGreaterThan(5);
    expect(stats.byStatus['200']).toBeGreaterThan(5);
    expect(stats.inputTokens).toBeGreaterThan(0);
    expect(stats.outputTokens).toBeGreaterThan(0);
  });
});

describe('emulator latency', () => {
  it('answers no sooner than the modelled latency after the request arrived (plain and streamed)', async () => {
    const emu = await startEmulator({
      timeScale: 1,
      latency: { ttftMs: 15, ttftSigma: 0, perTokenMs: 0, perTokenSigma: 0 },
    });
    const client = new OpenAI({ baseURL: emu.url, apiKey: 'test', maxRetries: 0 });
    try {
      for (let i = 0; i < 10; i++) {
        const started = performance.now();
        await client.chat.completions.create({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: `request ${i}` }],
          stream: i % 2 === 1,
        });
        // the request reaches the server after `started`, so the answer can come no sooner than this
        expect(performance.now() - started).toBeGreaterThanOrEqual(15);
      }
    } finally {
      await emu.close();
    }
  });
});
