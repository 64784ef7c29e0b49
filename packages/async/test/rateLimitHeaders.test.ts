import fc from 'fast-check';
import { parseDuration, parseRateLimitHeaders, parseRetryAfter } from '../src/index.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');

describe('rate-limit headers', () => {
  it('parses OpenAI durations', () => {
    expect(parseDuration('1s')).toBe(1000);
    expect(parseDuration('6m0s')).toBe(360_000);
    expect(parseDuration('20ms')).toBe(20);
    expect(parseDuration('1h2m3.5s')).toBe(3_723_500);
    expect(parseDuration('0.5s')).toBe(500);
    expect(parseDuration('2')).toBe(2000);
    for (const bad of ['', 's', '1x', '-1s', 'ms', '1s2h', 'abc']) expect(parseDuration(bad)).toBeUndefined();
  });

  it('parses retry-after as seconds or an HTTP date, ignores malformed values', () => {
    expect(parseRetryAfter('3', NOW)).toBe(3000);
    expect(parseRetryAfter('1.5', NOW)).toBe(1500);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', NOW)).toBe(10_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', NOW)).toBe(0);
    for (const bad of ['-5', 'soon', '', '1e3', 'NaN', '12abc', 'Thu, 99 Foo 2026']) {
      expect(parseRetryAfter(bad, NOW)).toBeUndefined();
    }
  });

  it('reads OpenAI x-ratelimit-* and retry-after-ms (preferred over retry-after)', () => {
    const headers = new Headers({
      'retry-after': '2',
      'retry-after-ms': '1234',
      'x-ratelimit-limit-requests': '500',
      'x-ratelimit-remaining-requests': '499',
      'x-ratelimit-reset-requests': '120ms',
      'x-ratelimit-limit-tokens': '30000',
      'x-ratelimit-remaining-tokens': '29000',
      'x-ratelimit-reset-tokens': '6m0s',
    });
    expect(parseRateLimitHeaders(headers, NOW)).toEqual({
      retryAfterMs: 1234,
      requests: { limit: 500, remaining: 499, resetMs: 120 },
      tokens: { limit: 30000, remaining: 29000, resetMs: 360_000 },
    });
  });

  it('reads anthropic-ratelimit-* from a plain object, case-insensitively', () => {
    const info = parseRateLimitHeaders(
      {
        'Retry-After': '7',
        'anthropic-ratelimit-requests-limit': '50',
        'anthropic-ratelimit-requests-remaining': '0',
        'anthropic-ratelimit-requests-reset': '2026-01-01T00:00:05Z',
        'anthropic-ratelimit-tokens-limit': ['40000'],
        'anthropic-ratelimit-tokens-remaining': '100',
        'anthropic-ratelimit-tokens-reset': '2026-01-01T00:01:00Z',
      },
      NOW,
    );
    expect(info).toEqual({
      retryAfterMs: 7000,
      requests: { limit: 50, remaining: 0, resetMs: 5000 },
      tokens: { limit: 40000, remaining: 100, resetMs: 60_000 },
    });
  });

  it('never throws on arbitrary header values, and leaves malformed ones out', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom(
            'retry-after',
            'retry-after-ms',
            'x-ratelimit-limit-requests',
            'x-ratelimit-reset-tokens',
            'anthropic-ratelimit-requests-reset',
          ),
          fc.string(),
        ),
        (h) => {
          const info = parseRateLimitHeaders(h, NOW);
          if (info.retryAfterMs !== undefined) expect(info.retryAfterMs).toBeGreaterThanOrEqual(0);
        },
      ),
    );
    expect(
      parseRateLimitHeaders({ 'retry-after': 'garbage', 'x-ratelimit-limit-requests': 'many' }, NOW),
    ).toEqual({});
    expect(parseRateLimitHeaders(undefined)).toEqual({});
  });
});
