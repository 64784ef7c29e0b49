import fc from 'fast-check';
import { canonicalJson, llmCacheKey } from '../src/index.js';

describe('cache keys', () => {
  it('do not depend on key order or undefined members', () => {
    expect(canonicalJson({ b: 1, a: [{ y: 2, x: undefined, w: 'z' }] })).toBe(
      '{"a":[{"w":"z","y":2}],"b":1}',
    );
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(llmCacheKey('k', reversed)).toBe(llmCacheKey('k', obj));
      }),
    );
  });

  it('change with any sampling parameter', () => {
    const base = { model: 'm', messages: [{ role: 'user', content: 'hi' }], temperature: 0 };
    const key = llmCacheKey('llm_response', base);
    expect(key).toMatch(/^llm_response:[A-Za-z0-9_-]{43}$/);
    expect(llmCacheKey('llm_response', { ...base, temperature: 0.1 })).not.toBe(key);
    expect(llmCacheKey('llm_response', { ...base, maxTokens: 5 })).not.toBe(key);
    expect(llmCacheKey('llm_response', { ...base, model: 'n' })).not.toBe(key);
  });
});
