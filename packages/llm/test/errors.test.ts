import {
  isRetryableStatus,
  LlmCancelledError,
  LlmError,
  LlmInvalidResponseError,
  LlmProviderError,
  LlmRateLimitedError,
  LlmTimeoutError,
  redactSecrets,
} from '../src/index.js';

describe('typed errors', () => {
  it('carry a stable code and whether a retry may help', () => {
    const cases: [LlmError, string, boolean][] = [
      [new LlmRateLimitedError('slow down', 1500), 'RATE_LIMITED', true],
      [new LlmTimeoutError('too slow', 1000), 'TIMEOUT', true],
      [new LlmProviderError('boom', 500), 'PROVIDER_ERROR', true],
      [new LlmProviderError('bad request', 400), 'PROVIDER_ERROR', false],
      [new LlmProviderError('reset', undefined), 'NETWORK_ERROR', true],
      [new LlmInvalidResponseError('garbage'), 'INVALID_RESPONSE', true],
      [new LlmCancelledError(), 'CANCELLED', false],
    ];
    for (const [err, code, retryable] of cases) {
      expect(err).toBeInstanceOf(LlmError);
      expect(err).toBeInstanceOf(Error);
      expect(err.code).toBe(code);
      expect(err.retryable).toBe(retryable);
    }
    expect(new LlmRateLimitedError('x', 1500).retryAfterMs).toBe(1500);
    expect(new LlmRateLimitedError('x', 1500).headers).toEqual({ 'retry-after-ms': '1500' });
    expect(new LlmRateLimitedError('x', 10, { remaining: { requests: 99, tokens: 5000 } }).headers).toEqual({
      'retry-after-ms': '10',
      'x-ratelimit-remaining-requests': '99',
      'x-ratelimit-remaining-tokens': '5000',
    });
    expect(isRetryableStatus(503)).toBe(true);
    expect(isRetryableStatus(404)).toBe(false);
  });

  it('never carry API keys in their messages', () => {
    const err = new LlmProviderError(
      'Incorrect API key provided: sk-proj-abcdefghijklmnop1234. Authorization: Bearer sk-abcdefgh12345678',
      401,
    );
    expect(err.message).not.toMatch(/abcdefgh/);
    expect(redactSecrets('key=AIzaSyA1234567890abcdefghijkl')).not.toMatch(/AIza/);
    expect(redactSecrets('x-api-key: my-secret-value-123', [])).toBe('x-api-key: [REDACTED]');
    expect(redactSecrets('token hunter2hunter2 here', ['hunter2hunter2'])).toBe('token [REDACTED] here');
  });
});
