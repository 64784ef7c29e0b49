import {
  parseDuration,
  parseRateLimitHeaders,
  parseRetryAfter,
  retryAfterFromHeaders,
} from '../src/index.js';

describe('rate-limit headers', () => {
  it('parses Go-style durations', () => {
    expect(parseDuration('20ms')).toBe(20);
    expect(parseDuration('1s')).toBe(1000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('6m0s')).toBe(360_000);
    expect(parseDuration('1h2m3s')).toBe(3_723_000);
    expect(parseDuration('2')).toBe(2000);
    expect(parseDuration('soon')).toBeUndefined();
  });

  it('reads retry-after-ms before retry-after (seconds or HTTP date)', () => {
    expect(parseRetryAfter({ 'retry-after-ms': '250', 'retry-after': '3' })).toBe(250);
    expect(parseRetryAfter(new Headers({ 'retry-after': '3' }))).toBe(3000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter({ 'Retry-After': 'Thu, 01 Jan 2026 00:00:05 GMT' }, now)).toBe(5000);
    expect(parseRetryAfter({})).toBeUndefined();
  });

  it('reads OpenAI x-ratelimit-* and Anthropic anthropic-ratelimit-* headers', () => {
    expect(
      parseRateLimitHeaders({
        'x-ratelimit-limit-requests': '60',
        'x-ratelimit-remaining-requests': '0',
        'x-ratelimit-reset-requests': '1s',
        'x-ratelimit-limit-tokens': '1000',
        'x-ratelimit-remaining-tokens': '900',
        'x-ratelimit-reset-tokens': '6m0s',
      }),
    ).toEqual({
      limitRequests: 60,
      remainingRequests: 0,
      resetRequestsMs: 1000,
      limitTokens: 1000,
      remainingTokens: 900,
      resetTokensMs: 360_000,
    });
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(
      parseRateLimitHeaders(
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
  });

  it('a 429 without retry-after waits for the exhausted budget to reset', () => {
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
  });
});
