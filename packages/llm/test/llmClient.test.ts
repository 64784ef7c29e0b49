import { RateLimiter } from '@hp/async';
import { TieredCache } from '@hp/cache';
import { type Emulator, startEmulator } from '../src/emulator/index.js';
import {
  LlmCancelledError,
  LlmClient,
  LlmError,
  type LlmRequest,
  openaiProvider,
  type OpenAiProvider,
} from '../src/index.js';

const ask = (content: string, extra: Partial<LlmRequest> = {}): LlmRequest => ({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content }],
  ...extra,
});

describe('LlmClient against the emulator', () => {
  let emu: Emulator;
  let provider: OpenAiProvider;
  const clients: LlmClient[] = [];
  const client = (options: Partial<ConstructorParameters<typeof LlmClient>[0]> = {}): LlmClient => {
    const c = new LlmClient({ provider, retry: { baseDelay: 1, maxDelay: 5 }, ...options });
    clients.push(c);
    return c;
  };
  const chatRequests = () => emu.stats().byRoute['POST /v1/chat/completions'] ?? 0;

  beforeAll(async () => {
    emu = await startEmulator({ timeScale: 0, seed: 11 });
    provider = openaiProvider({ baseURL: emu.url, apiKey: 'test' });
  });
  afterAll(async () => {
    for (const c of clients) await c.close();
    await provider.close();
    await emu.close();
  });

  it('answers a miss from the provider and the same request again from the cache', async () => {
    const c = client();
    const before = chatRequests();
    const first = await c.complete(ask('Choose one of: [north, south]', { temperature: 0 }));
    const second = await c.complete(ask('Choose one of: [north, south]', { temperature: 0 }));
    expect(first.cached).toBe(false);
    expect(second.cached).toBe(true);
    expect(second.choices).toEqual(first.choices);
    expect(chatRequests() - before).toBe(1);
    expect(c.stats()).toMatchObject({ calls: 2, cacheHits: 1, cacheMisses: 1, providerCalls: 1 });
  });

  it('single-flight: concurrent identical misses send one request', async () => {
    const c = client();
    const before = chatRequests();
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => c.complete(ask('same question', { temperature: 0 }))),
    );
    expect(new Set(answers.map((a) => a.choices[0]!.content)).size).toBe(1);
    expect(chatRequests() - before).toBe(1);
    expect(answers.filter((a) => !a.cached)).toHaveLength(1);
  });

  it('replays samples: the first 3 identical calls at temperature > 0 get 3 samples, later ones and a rerun replay them', async () => {
    const cache = new TieredCache<unknown>();
    const run = async (): Promise<string[]> => {
      const c = new LlmClient({ provider, cache, seed: 42 });
      try {
        const out: string[] = [];
        for (let i = 0; i < 3; i++)
          out.push((await c.complete(ask('Say something.', { temperature: 1 }))).choices[0]!.content!);
        return out;
      } finally {
        await c.close();
      }
    };
    const before = chatRequests();
    const first = await run();
    expect(new Set(first.slice(0, 3)).size).toBe(3);
    expect(first.slice(0, 3)).toEqual(expect.arrayContaining(first.slice(3)));
    expect(chatRequests() - before).toBe(3);
    const again = await run();
    expect(again).toEqual(first);
    expect(chatRequests() - before).toBe(3);
    await cache.close();
  });

  it('bypasses the cache on request', async () => {
    const c = client();
    const before = chatRequests();
    await c.complete(ask('no cache', { temperature: 0 }), { cache: false });
    await c.complete(ask('no cache', { temperature: 0 }), { cache: false });
    expect(chatRequests() - before).toBe(2);
  });

  it('batches concurrent text completions into one /v1/completions request', async () => {
    const c = client({ batch: { batchSize: 8, timeoutMs: 50 } });
    const before = emu.stats().byRoute['POST /v1/completions'] ?? 0;
    const prompts = Array.from({ length: 8 }, (_, i) => `Agent ${i}: choose one of: [wait, act]`);
    const results = await Promise.all(
      prompts.map((prompt) =>
        c.completeText({ model: 'gpt-3.5-turbo-instruct', prompt, maxTokens: 64, temperature: 0 }),
      ),
    );
    expect((emu.stats().byRoute['POST /v1/completions'] ?? 0) - before).toBe(1);
    for (const r of results)
      expect(['wait', 'act']).toContain((JSON.parse(r.text) as { action: string }).action);
    expect(c.stats()).toMatchObject({ batches: 1, batchedItems: 8 });
    const again = await c.completeText({
      model: 'gpt-3.5-turbo-instruct',
      prompt: prompts[3]!,
      maxTokens: 64,
      temperature: 0,
    });
    expect(again).toMatchObject({ text: results[3]!.text, cached: true });
  });

  it('sends a lone text completion at once when a slot is free (no batch timeout wait)', async () => {
    // a 10-minute batch timeout: the call would hang (and the test time out) if it waited for it
    const c = client({ batch: { batchSize: 8, timeoutMs: 600_000 }, concurrency: 2 });
    const before = emu.stats().byRoute['POST /v1/completions'] ?? 0;
    const r = await c.completeText({
      model: 'gpt-3.5-turbo-instruct',
      prompt: 'lone prompt',
      temperature: 0,
    });
    expect(r.cached).toBe(false);
    // a burst beyond the free slots still batches: 1 request for the first turn's 8 prompts
    const burst = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        c.completeText({ model: 'gpt-3.5-turbo-instruct', prompt: `burst ${i}`, temperature: 0 }),
      ),
    );
    expect(burst).toHaveLength(8);
    expect((emu.stats().byRoute['POST /v1/completions'] ?? 0) - before).toBe(2);
    expect(c.stats()).toMatchObject({ batches: 1, batchedItems: 8 });
  });

  it('embeds inputs in one batched request and serves repeats from the cache', async () => {
    const c = client();
    const before = emu.stats().byRoute['POST /v1/embeddings'] ?? 0;
    const inputs = Array.from({ length: 10 }, (_, i) => `memory ${i}`);
    const vectors = await c.embed(inputs, { model: 'text-embedding-3-small', dimensions: 32 });
    expect(vectors).toHaveLength(10);
    expect(vectors[0]).toBeInstanceOf(Float32Array);
    expect(vectors[0]!.length).toBe(32);
    expect((emu.stats().byRoute['POST /v1/embeddings'] ?? 0) - before).toBe(1);
    const again = await c.embed([inputs[2]!, inputs[7]!], {
      model: 'text-embedding-3-small',
      dimensions: 32,
    });
    expect(Array.from(again[0]!)).toEqual(Array.from(vectors[2]!));
    expect((emu.stats().byRoute['POST /v1/embeddings'] ?? 0) - before).toBe(1);
  });

  it('streams a miss from the provider and replays a hit as a stream', async () => {
    const c = client();
    const req = ask('Stream me a story.', { temperature: 0 });
    const collect = async () => {
      let text = '';
      let cached: boolean | undefined;
      for await (const ev of c.stream(req)) {
        if (ev.type === 'delta') text += ev.content;
        else cached = ev.cached;
      }
      return { text, cached };
    };
    const miss = await collect();
    const hit = await collect();
    expect(miss.cached).toBe(false);
    expect(hit).toEqual({ text: miss.text, cached: true });
    expect((await c.complete(req)).choices[0]!.content).toBe(miss.text);
  });

  it('accounts usage and cost per model', async () => {
    const c = client({ prices: { 'gpt-4o-mini': { input: 0.15, output: 0.6 } } });
    const r = await c.complete(ask('price me', { temperature: 0 }), { cache: false });
    const s = c.stats();
    expect(s.usage['gpt-4o-mini']).toMatchObject({
      calls: 1,
      inputTokens: r.usage.inputTokens,
      outputTokens: r.usage.outputTokens,
    });
    expect(s.totalCostUsd).toBeCloseTo((r.usage.inputTokens * 0.15 + r.usage.outputTokens * 0.6) / 1e6, 12);
  });

  it('cancels a call by its AbortSignal with LlmCancelledError', async () => {
    const slow = await startEmulator({ timeScale: 1, latency: { ttftMs: 60_000, ttftSigma: 0 } });
    const p = openaiProvider({ baseURL: slow.url, apiKey: 'test' });
    const c = new LlmClient({ provider: p });
    try {
      const ac = new AbortController();
      const pending = c.complete(ask('slow'), { signal: ac.signal, cache: false }).catch((e: unknown) => e);
      setTimeout(() => ac.abort(), 20);
      const err = await pending;
      expect(err).toBeInstanceOf(LlmCancelledError);
    } finally {
      await c.close();
      await p.close();
      await slow.close();
    }
  });

  it('serves higher priorities first when calls wait for a slot', async () => {
    const slow = await startEmulator({
      timeScale: 1,
      latency: { ttftMs: 20, ttftSigma: 0, perTokenMs: 0, perTokenSigma: 0 },
    });
    const p = openaiProvider({ baseURL: slow.url, apiKey: 'test' });
    const c = new LlmClient({ provider: p, concurrency: 1, cache: false, rateLimit: false });
    try {
      const order: string[] = [];
      const call = (name: string, priority: number) =>
        c.complete(ask(name, { temperature: 0 }), { priority }).then(() => void order.push(name));
      const first = call('first', 1);
      await new Promise((r) => setTimeout(r, 5));
      await Promise.all([first, call('low-1', 2), call('low-2', 2), call('high', 0)]);
      expect(order[0]).toBe('first');
      expect(order[1]).toBe('high');
    } finally {
      await c.close();
      await p.close();
      await slow.close();
    }
  });

  it('a stream abandoned by its consumer still completes and fills the cache', async () => {
    const c = client();
    const req = ask('Abandon me after one delta.', { temperature: 0 });
    for await (const ev of c.stream(req)) {
      expect(ev.type).toBe('delta');
      break;
    }
    let again;
    for (let i = 0; i < 100; i++) {
      again = await c.complete(req);
      if (again.cached) break;
    }
    expect(again!.cached).toBe(true);
  });

  it('close() settles pending calls with a typed error', async () => {
    const slow = await startEmulator({ timeScale: 1, latency: { ttftMs: 60_000, ttftSigma: 0 } });
    const p = openaiProvider({ baseURL: slow.url, apiKey: 'test' });
    const c = new LlmClient({ provider: p, concurrency: 1 });
    const pending = [c.complete(ask('a')), c.complete(ask('b'))].map((x) => x.catch((e: unknown) => e));
    await new Promise((r) => setTimeout(r, 20));
    await c.close();
    for (const e of await Promise.all(pending)) expect(e).toBeInstanceOf(LlmError);
    await expect(c.complete(ask('c'))).rejects.toMatchObject({ code: 'CLOSED' });
    await p.close();
    await slow.close();
  });
});

describe('LlmClient under limits and faults', () => {
  it('learns the rate limits from the headers: every call succeeds, 429s only while learning', async () => {
    // 120 requests per emulated minute; time scale 0.01 makes the minute 600 ms of wall time
    const emu = await startEmulator({ timeScale: 0.01, rpm: 120, latency: { ttftMs: 100, perTokenMs: 1 } });
    const p = openaiProvider({ baseURL: emu.url, apiKey: 'test' });
    const c = new LlmClient({
      provider: p,
      concurrency: 8,
      rateLimit: { interval: 600 },
      retry: { maxAttempts: 6, baseDelay: 5 },
    });
    try {
      const answers = await Promise.all(
        Array.from({ length: 150 }, (_, i) => c.complete(ask(`agent ${i}`, { temperature: 0 }))),
      );
      expect(answers).toHaveLength(150);
      const stats = emu.stats();
      // before the first response the client does not know the limit: at most one burst of 429s
      expect(stats.rateLimited).toBeLessThanOrEqual(8);
      expect(stats.byStatus['200']).toBe(150);
    } finally {
      await c.close();
      await p.close();
      await emu.close();
    }
  });

  it('with 10% faults no call is lost: each is answered or fails typed, attempts <= 1 + maxRetries', async () => {
    const emu = await startEmulator({
      timeScale: 0,
      seed: 5,
      faults: { http500: 0.04, reset: 0.03, http429: 0.03, retryAfterMs: 5 },
    });
    const p = openaiProvider({ baseURL: emu.url, apiKey: 'test', connections: 8 });
    const maxAttempts = 3;
    const c = new LlmClient({
      provider: p,
      concurrency: 8,
      rateLimit: false,
      retry: { maxAttempts, baseDelay: 1, maxDelay: 5 },
    });
    try {
      const n = 200;
      const outcomes = await Promise.all(
        Array.from({ length: n }, (_, i) =>
          c.complete(ask(`step ${i}`, { temperature: 0 })).then(
            () => 'ok',
            (e: unknown) => (e instanceof LlmError ? e.code : 'UNTYPED'),
          ),
        ),
      );
      expect(outcomes).toHaveLength(n);
      expect(outcomes).not.toContain('UNTYPED');
      expect(outcomes.filter((o) => o === 'ok').length).toBeGreaterThan(n * 0.95);
      const s = emu.stats();
      expect(s.requests).toBeLessThanOrEqual(n * maxAttempts);
      expect(c.stats().providerCalls).toBe(s.requests);
      expect(s.faults.http500 + s.faults.reset + s.faults.http429).toBeGreaterThan(0);
    } finally {
      await c.close();
      await p.close();
      await emu.close();
    }
  });
  it('a 429 that reports budget left (overload, not the limit) makes only that call wait; nobody pauses', async () => {
    const emu = await startEmulator({
      timeScale: 0.001,
      seed: 6,
      rpm: 30_000,
      tpm: 150_000_000,
      latency: { ttftMs: 20, ttftSigma: 0, perTokenMs: 0 },
      faults: { http429: 0.2, retryAfterMs: 1000 },
    });
    const p = openaiProvider({ baseURL: emu.url, apiKey: 'test', connections: 4 });
    const c = new LlmClient({
      provider: p,
      concurrency: 4,
      rateLimit: { interval: 60 },
      retry: { maxAttempts: 6, baseDelay: 1, maxDelay: 5 },
    });
    try {
      const all = await Promise.all(
        Array.from({ length: 40 }, (_, i) => c.complete(ask(`overload ${i}`, { temperature: 0 }))),
      );
      expect(all).toHaveLength(40);
      expect(emu.stats().faults.http429).toBeGreaterThan(0);
      const limiter = c.runner.rateLimit;
      if (!(limiter instanceof RateLimiter)) throw new Error('expected the learned RateLimiter');
      expect(limiter.stats.pauses).toBe(0);
      expect(limiter.stats.transient429s).toBe(emu.stats().faults.http429);
    } finally {
      await c.close();
      await p.close();
      await emu.close();
    }
  });

  it("sends through the provider's @hp/pool keep-alive pool sized from its concurrency, closed on close()", async () => {
    const emu = await startEmulator({ timeScale: 0.002, latency: { ttftMs: 500, ttftSigma: 0 }, seed: 8 });
    const p = openaiProvider({ baseURL: emu.url, apiKey: 'test' });
    const concurrency = 4;
    const c = new LlmClient({ provider: p, concurrency, rateLimit: false, cache: false, batch: false });
    try {
      expect(p.transport.maxSize).toBe(concurrency);
      const n = 120;
      const all = await Promise.all(
        Array.from({ length: n }, (_, i) => c.complete(ask(`keep-alive ${i}`, { temperature: 0 }))),
      );
      expect(all).toHaveLength(n);
      const s = emu.stats();
      expect(s.requests).toBe(n);
      // keep-alive reuse: 120 requests over at most `concurrency` sockets
      expect(s.connections).toBeGreaterThan(0);
      expect(s.connections).toBeLessThanOrEqual(concurrency);
      expect(p.transport.stats()).toMatchObject({ pools: 1 });
      expect(p.transport.stats().connected).toBeLessThanOrEqual(concurrency);
    } finally {
      await c.close();
    }
    // the client released the pool: closed, and reopened by a later direct request
    expect(p.transport.stats().pools).toBe(0);
    await p.complete(ask('after close', { temperature: 0 }));
    expect(p.transport.stats().pools).toBe(1);
    await p.close();
    expect(p.transport.stats().pools).toBe(0);
    await emu.close();
  });
});
