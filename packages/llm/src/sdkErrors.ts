import { type CallScope } from './callScope.js';
import {
  LlmCancelledError,
  LlmError,
  LlmInvalidResponseError,
  LlmProviderError,
  LlmRateLimitedError,
  LlmTimeoutError,
  redactSecrets,
} from './errors.js';
import { parseDuration } from '@hp/async';
import { type HeaderSource, rateLimitInfoFromHeaders, retryAfterFromHeaders } from './rateLimitHeaders.js';

export interface ErrorContext {
  /** "openai (http://...) chat completion" */
  where: string;
  scope?: CallScope | undefined;
  /** Known secrets to redact (the API key). */
  secrets: readonly (string | undefined)[];
}

function hintFor(status: number): string {
  if (status >= 500 || status === 408 || status === 409) return 'The provider failed; retry with backoff.';
  if (status === 401 || status === 403) return 'Check the API key and its permissions.';
  return 'Fix the request (model, parameters, size) before retrying.';
}

/** Google puts the wait into the error body: `"retryDelay": "32s"`. */
function retryDelayFromBody(text: string): number | undefined {
  const m = /"retryDelay"\s*:\s*"([^"]+)"/.exec(text);
  return m ? parseDuration(m[1]) : undefined;
}

/**
 * Maps whatever an official SDK threw to a typed LlmError. Works by shape, so it covers the Stainless SDKs
 * (openai, @anthropic-ai/sdk: APIError with status and headers, APIConnectionError, APIUserAbortError,
 * APIConnectionTimeoutError) and @google/genai (ApiError with status, body in the message).
 */
export function mapSdkError(err: unknown, ctx: ErrorContext): LlmError {
  if (err instanceof LlmError) return err;
  const { where, secrets } = ctx;
  const aborted = ctx.scope?.abortError(where, err);
  if (aborted) return aborted;
  const name = (err as { constructor?: { name?: string } } | null)?.constructor?.name ?? '';
  const errName = (err as { name?: string } | null)?.name ?? '';
  const message = redactSecrets(err instanceof Error ? err.message : String(err), secrets);
  if (name === 'APIUserAbortError' || errName === 'AbortError') {
    return new LlmCancelledError(`${where} was cancelled.`, { cause: err });
  }
  if (name === 'APIConnectionTimeoutError') {
    return new LlmTimeoutError(
      `${where} timed out in the SDK: ${message}. Retry with a longer timeout.`,
      undefined,
      { cause: err },
    );
  }
  if (name === 'APIConnectionError') {
    const cause = redactSecrets((err as { cause?: Error }).cause?.message ?? message, secrets);
    return new LlmProviderError(
      `${where} failed before an answer (${cause}): the connection was refused, reset or dropped. Retry later; check the base URL if it persists.`,
      undefined,
      { cause: err },
    );
  }
  const status = (err as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status > 0) {
    const headers = (err as { headers?: HeaderSource }).headers;
    if (status === 429) {
      const retryAfterMs = retryAfterFromHeaders(headers) ?? retryDelayFromBody(message);
      const info = rateLimitInfoFromHeaders(headers);
      const remaining: { requests?: number; tokens?: number } = {};
      if (info.remainingRequests !== undefined) remaining.requests = info.remainingRequests;
      if (info.remainingTokens !== undefined) remaining.tokens = info.remainingTokens;
      return new LlmRateLimitedError(
        `${where} was rate limited (429): ${message}. Wait ${retryAfterMs !== undefined ? `${Math.round(retryAfterMs)} ms` : 'a while'} before retrying, or lower the request/token rate.`,
        retryAfterMs,
        { cause: err, remaining },
      );
    }
    const e = err as {
      code?: unknown;
      type?: unknown;
      error?: { type?: unknown; error?: { type?: unknown } };
    };
    const googleStatus = /"status"\s*:\s*"([A-Z_]+)"/.exec(message)?.[1];
    const code = [e.error?.error?.type, e.code, e.type, e.error?.type, googleStatus].find(
      (c) => typeof c === 'string' && c,
    ) as string | undefined;
    return new LlmProviderError(
      `${where} failed with HTTP ${status}: ${message}. ${hintFor(status)}`,
      status,
      {
        cause: err,
        providerCode: code,
      },
    );
  }
  if (err instanceof SyntaxError) {
    return new LlmInvalidResponseError(
      `${where} answered a body that is not valid JSON (${message}). The request may be retried; if it persists the server is not compatible.`,
      { cause: err },
    );
  }
  // fetch's "fetch failed" / "terminated" (socket closed mid-body) and other transport failures
  return new LlmProviderError(
    `${where} failed while sending or reading (${message}); the connection was probably cut. Retry later.`,
    undefined,
    { cause: err },
  );
}
