/** Stable codes for every way an @hp/llm call can fail. */
export type LlmErrorCode =
  | 'RATE_LIMITED'
  | 'TIMEOUT'
  | 'PROVIDER_ERROR'
  | 'NETWORK_ERROR'
  | 'INVALID_RESPONSE'
  | 'CANCELLED'
  | 'QUEUE_FULL'
  | 'CLOSED'
  | 'INVALID_OPTIONS';

/**
 * Base class of every @hp/llm error. `code` is stable, `retryable` says whether the same request may succeed
 * if sent again later, and `message` says what to do. Messages never contain API keys (see `redactSecrets`).
 */
export class LlmError extends Error {
  override readonly name: string = 'LlmError';
  readonly code: LlmErrorCode;
  readonly retryable: boolean;

  constructor(code: LlmErrorCode, message: string, retryable: boolean, options?: { cause?: unknown }) {
    super(redactSecrets(message), options);
    this.code = code;
    this.retryable = retryable;
  }
}

/** The provider refused the request for now (HTTP 429). Wait `retryAfterMs` before sending it again. */
export class LlmRateLimitedError extends LlmError {
  override readonly name = 'LlmRateLimitedError';
  /** How long the provider asked to wait, from retry-after-ms / retry-after / x-ratelimit-reset-*; undefined if it did not say. */
  readonly retryAfterMs: number | undefined;
  /**
   * Budget the provider's x-ratelimit-remaining-* headers reported with the 429, when it sent them: budget
   * left means an overloaded provider rather than an exhausted limit (the client's rate limiter then lets
   * the other requests go on).
   */
  readonly remaining: { requests?: number; tokens?: number };
  readonly status = 429;

  constructor(
    message: string,
    retryAfterMs: number | undefined,
    options?: { cause?: unknown; remaining?: { requests?: number; tokens?: number } },
  ) {
    super('RATE_LIMITED', message, true, { cause: options?.cause });
    this.retryAfterMs = retryAfterMs;
    this.remaining = { ...options?.remaining };
  }

  /** `retry-after-ms` and the remaining budget, so that retry policies and rate limiters that read headers see them. */
  get headers(): Record<string, string> {
    const h: Record<string, string> = {};
    if (this.retryAfterMs !== undefined) h['retry-after-ms'] = String(Math.ceil(this.retryAfterMs));
    if (this.remaining.requests !== undefined)
      h['x-ratelimit-remaining-requests'] = String(this.remaining.requests);
    if (this.remaining.tokens !== undefined)
      h['x-ratelimit-remaining-tokens'] = String(this.remaining.tokens);
    return h;
  }
}

/** The call took longer than its deadline. Retry with a longer timeout or a smaller request. */
export class LlmTimeoutError extends LlmError {
  override readonly name = 'LlmTimeoutError';
  readonly timeoutMs: number | undefined;

  constructor(message: string, timeoutMs?: number, options?: { cause?: unknown }) {
    super('TIMEOUT', message, true, options);
    this.timeoutMs = timeoutMs;
  }
}

/**
 * The provider answered with an error status (or the connection failed: `status` undefined, code NETWORK_ERROR).
 * 5xx, 408, 409 and network errors are retryable; other 4xx mean the request itself must change.
 */
export class LlmProviderError extends LlmError {
  override readonly name = 'LlmProviderError';
  readonly status: number | undefined;
  /** The provider's own error code or type, e.g. 'server_error', 'invalid_request_error'. */
  readonly providerCode: string | undefined;

  constructor(
    message: string,
    status: number | undefined,
    options?: { cause?: unknown; providerCode?: string | undefined; retryable?: boolean },
  ) {
    super(
      status === undefined ? 'NETWORK_ERROR' : 'PROVIDER_ERROR',
      message,
      options?.retryable ?? isRetryableStatus(status),
      options,
    );
    this.status = status;
    this.providerCode = options?.providerCode;
  }
}

/** The provider answered 2xx with a body that could not be read (truncated, malformed, wrong shape). Retryable. */
export class LlmInvalidResponseError extends LlmError {
  override readonly name = 'LlmInvalidResponseError';

  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_RESPONSE', message, true, options);
  }
}

/** The caller aborted the call through its AbortSignal (or the client was closed). Not retried. */
export class LlmCancelledError extends LlmError {
  override readonly name = 'LlmCancelledError';

  constructor(
    message = 'The LLM call was cancelled by its AbortSignal; nothing to do unless that was unexpected.',
    options?: { cause?: unknown },
  ) {
    super('CANCELLED', message, false, options);
  }
}

/** Options failed validation; `option` names the offending key. */
export class LlmOptionsError extends LlmError {
  override readonly name = 'LlmOptionsError';
  readonly option: string;

  constructor(option: string, message: string) {
    super('INVALID_OPTIONS', `Invalid option "${option}": ${message}. Fix the option and try again.`, false);
    this.option = option;
  }
}

/** 408 (timeout), 409 (conflict), 425, 429 and 5xx may succeed later; network errors (undefined) too. */
export function isRetryableStatus(status: number | undefined): boolean {
  if (status === undefined) return true;
  return status === 408 || status === 409 || status === 425 || status === 429 || status >= 500;
}

const SECRET_PATTERNS: RegExp[] = [
  /\b(sk-(?:ant-|proj-)?[A-Za-z0-9_-]{8,})/g, // OpenAI / Anthropic style keys
  /\b(AIza[0-9A-Za-z_-]{20,})/g, // Google API keys
  /(Bearer\s+)[A-Za-z0-9._~+/-]{8,}=*/gi,
  /((?:api[_-]?key|x-api-key|x-goog-api-key|key)["']?\s*[:=]\s*["']?)[A-Za-z0-9._~+/-]{8,}/gi,
];

/** Replaces anything that looks like an API key (and the given known secrets) with `[REDACTED]`. */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('[REDACTED]');
  }
  for (const re of SECRET_PATTERNS) {
    out = out.replace(re, (match: string, prefix: string) =>
      prefix && match.startsWith(prefix) && prefix !== match ? `${prefix}[REDACTED]` : '[REDACTED]',
    );
  }
  return out;
}
