import fc from 'fast-check';
import { canonicalJson, LlmResponseCache, llmCacheKey, type LlmRequest, TieredCache } from '../src/index.js';

const base: LlmRequest = {
  provider: 'openai',
  model: 'gpt-4o-mini',
  temperature: 0,
  top_p: 1,
  max_tokens: 64,
  seed: 7,
  stop: ['\n'],
  tools: [
    {
      type: 'function',
      function: { name: 'move', parameters: { type: 'object', properties: { dx: { type: 'number' } } } },
    },
  ],
  response_format: { type: 'json_object' },
  messages: [
    { role: 'system', content: 'You are an agent.' },
    { role: 'user', content: 'Where do you go?' },
  ],
};

describe('llmCacheKey', () => {
  it('is versioned, prefixed and a sha256', () => {
    expect(llmCacheKey(base)).toMatch(/^llm_response:v1:[0-9a-f]{64}$/);
    expect(llmCacheKey(base, { version: 2 })).toMatch(/^llm_response:v2:/);
    expect(llmCacheKey(base, { version: 2 })).not.toBe(llmCacheKey(base).replace(':v1:', ':v2:'));
  });

  it('changes with every sampling parameter, tool, response_format and message', () => {
    const k = llmCacheKey(base);
    const variants: Array<Partial<LlmRequest>> = [
      { provider: 'anthropic' },
      { model: 'gpt-4o' },
      { temperature: 0.7 },
      { top_p: 0.9 },
      { max_tokens: 65 },
      { seed: 8 },
      { stop: ['END'] },
      { tools: [] },
      { response_format: { type: 'text' } },
      { frequency_penalty: 0.1 },
      { messages: [...base.messages, { role: 'assistant', content: 'north' }] },
    ];
    for (const v of variants) expect(llmCacheKey({ ...base, ...v })).not.toBe(k);
    expect(llmCacheKey({ ...base, stream: true })).toBe(k);
  });

  it('is stable under key order in nested objects (property)', () => {
    const shuffle = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(shuffle);
      if (v && typeof v === 'object') {
        return Object.fromEntries(
          Object.entries(v)
            .reverse()
            .map(([k, x]) => [k, shuffle(x)]),
        );
      }
      return v;
    };
    fc.assert(
      fc.property(fc.jsonValue(), (params) => {
        const req = { ...base, extra: params };
        expect(llmCacheKey(shuffle(req) as LlmRequest)).toBe(llmCacheKey(req));
        expect(canonicalJson(shuffle(params))).toBe(canonicalJson(params));
      }),
      { numRuns: 200, seed: 3 },
    );
  });
});

describe('LlmResponseCache', () => {
  it('computes a deterministic request once', async () => {
    const cache = new TieredCache({ seed: 1 });
    const llm = new LlmResponseCache<string>({ cache, seed: 1 });
    let calls = 0;
    const call = async () => `answer ${++calls}`;
    expect(await llm.getOrCompute(base, call)).toBe('answer 1');
    expect(await llm.getOrCompute({ ...base }, call)).toBe('answer 1');
    expect(calls).toBe(1);
    expect(llm.hits).toBe(1);
    await cache.close();
  });

  it('keeps k samples for temperature > 0 and replays them reproducibly from the seed', async () => {
    const run = async (seed: number, cache: TieredCache) => {
      const llm = new LlmResponseCache<string>({ cache, seed, samples: 3 });
      let calls = 0;
      const call = async () => `sample ${calls++}`;
      const req = { ...base, temperature: 0.8 };
      const got: string[] = [];
      for (let i = 0; i < 12; i++) got.push(await llm.getOrCompute(req, call));
      return { got, calls };
    };
    const shared = new TieredCache({ seed: 1 });
    const first = await run(42, shared);
    expect(first.calls).toBe(3);
    expect(first.got.slice(0, 3)).toEqual(['sample 0', 'sample 1', 'sample 2']);
    expect(new Set(first.got)).toEqual(new Set(['sample 0', 'sample 1', 'sample 2']));
    const rerun = await run(42, shared);
    expect(rerun.calls).toBe(0);
    expect(rerun.got).toEqual(first.got);
    const other = await run(43, shared);
    expect(other.calls).toBe(0);
    expect(other.got.slice(3)).not.toEqual(first.got.slice(3));
    await shared.close();
  });
});
