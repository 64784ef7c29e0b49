import { rateLimitInfoFromHeaders, retryAfterFromHeaders } from '../src/index.js';

// The parsing itself is @hp/async's parseRateLimitHeaders (tested there); these tests pin what @hp/llm adds:
// the flat RateLimitInfo of an LlmResponse, from every header container the SDKs hand out, and the 429 wait.
describe('rate-limit headers', () => {
  it('flattens OpenAI x-ratelimit-* headers (Go-style durations) from a fetch Headers object', () => {
    expect(
      rateLimitInfoFromHeaders(
        new Headers({
          'x-ratelimit-limit-requests': '60',
          'x-ratelimit-remaining-requests': '0',
          'x-ratelimit-reset-requests': '1s',
          'x-ratelimit-limit-tokens': '1000',
          'x-ratelimit-remaining-tokens': '900',
          'x-ratelimit-reset-tokens': '6m0s',
        }),
      ),
    ).toEqual({
      limitRequests: 60,
      remainingRequests: 0,
      resetRequestsMs: 1000,
      limitTokens: 1000,
      remainingTokens: 900,
      resetTokensMs: 360_000,
    });
  });

  it('flattens Anthropic anthropic-ratelimit-* headers (RFC 3339 resets) from a plain record', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(
      rateLimitInfoFromHeaders(
        {
          'anthropic-ratelimit-requests-limit': '50',
          'anthropic-ratelimit-requests-remaining': '0',
          'anthropic-ratelimit-requests-reset': '2026-01-01T00:00:02Z',
          'anthropic-ratelimit-input-tokens-limit': '30000',
          'anthropic-ratelimit-input-tokens-remaining': '100',
          'anthropic-ratelimit-input-tokens-reset': '2026-01-01T00:00:10Z',
        },
        now,
      ),
    ).toEqual({
      limitRequests: 50,
      remainingRequests: 0,
      resetRequestsMs: 2000,
      limitTokens: 30000,
      remainingTokens: 100,
      resetTokensMs: 10_000,
    });
    expect(rateLimitInfoFromHeaders(undefined)).toEqual({});
  });

  it('reads retry-after-ms before retry-after (seconds or HTTP date), any header case', () => {
    expect(rateLimitInfoFromHeaders({ 'retry-after-ms': '250', 'retry-after': '3' }).retryAfterMs).toBe(250);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterFromHeaders({ 'Retry-After': 'Thu, 01 Jan 2026 00:00:05 GMT' }, now)).toBe(5000);
    expect(retryAfterFromHeaders(new Headers({ 'retry-after': '3' }))).toBe(3000);
  });

  it('a 429 without retry-after waits for the exhausted budget to reset, else the sooner reset', () => {
    expect(
      retryAfterFromHeaders({
        'x-ratelimit-remaining-requests': '0',
        'x-ratelimit-reset-requests': '1.5s',
        'x-ratelimit-reset-tokens': '10s',
      }),
    ).toBe(1500);
    expect(
      retryAfterFromHeaders({ 'x-ratelimit-reset-tokens': '10s', 'x-ratelimit-reset-requests': '2s' }),
    ).toBe(2000);
    expect(retryAfterFromHeaders(undefined)).toBeUndefined();
    expect(retryAfterFromHeaders({ 'retry-after': 'soon' })).toBeUndefined();
  });
});
