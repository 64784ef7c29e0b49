/**
 * The LLM-specific part of reading rate-limit headers. The parsing itself (retry-after(-ms), `x-ratelimit-*`,
 * `anthropic-ratelimit-*`, Go-style durations, RFC 3339 resets) is @hp/async's `parseRateLimitHeaders`, the
 * same parser its rate limiter learns from; this file only flattens its result into the `RateLimitInfo` carried by
 * an LlmResponse and derives the wait of a 429 that has no retry-after.
 */
import { type HeaderSource, parseRateLimitHeaders } from '@hp/async';
import { type RateLimitInfo } from './llmTypes.js';

export type { HeaderSource };

/** What the provider's response headers say about its limits, flattened (every field optional). */
export function rateLimitInfoFromHeaders(
  headers: HeaderSource | null | undefined,
  now = Date.now(),
): RateLimitInfo {
  const parsed = parseRateLimitHeaders(headers, now);
  const info: RateLimitInfo = {};
  const { requests, tokens, retryAfterMs } = parsed;
  if (requests?.limit !== undefined) info.limitRequests = requests.limit;
  if (requests?.remaining !== undefined) info.remainingRequests = requests.remaining;
  if (requests?.resetMs !== undefined) info.resetRequestsMs = requests.resetMs;
  if (tokens?.limit !== undefined) info.limitTokens = tokens.limit;
  if (tokens?.remaining !== undefined) info.remainingTokens = tokens.remaining;
  if (tokens?.resetMs !== undefined) info.resetTokensMs = tokens.resetMs;
  if (retryAfterMs !== undefined) info.retryAfterMs = retryAfterMs;
  return info;
}

/**
 * How long a 429 asks to wait: retry-after(-ms), else the reset of the exhausted budget, else the sooner reset,
 * else undefined.
 */
export function retryAfterFromHeaders(
  headers: HeaderSource | null | undefined,
  now = Date.now(),
): number | undefined {
  const info = rateLimitInfoFromHeaders(headers, now);
  if (info.retryAfterMs !== undefined) return info.retryAfterMs;
  const waits: number[] = [];
  if (info.remainingRequests === 0 && info.resetRequestsMs !== undefined) waits.push(info.resetRequestsMs);
  if (info.remainingTokens === 0 && info.resetTokensMs !== undefined) waits.push(info.resetTokensMs);
  if (waits.length > 0) return Math.max(...waits);
  const any = [info.resetRequestsMs, info.resetTokensMs].filter((x): x is number => x !== undefined);
  return any.length > 0 ? Math.min(...any) : undefined;
}
