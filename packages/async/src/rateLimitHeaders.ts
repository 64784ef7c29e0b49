/** Anything headers come in: a fetch `Headers`, a Map, or a plain object (node:http, SDK errors). */
export type HeaderSource =
  { get(name: string): string | null | undefined } | Map<string, unknown> | Record<string, unknown>;

/** One limit as a provider reports it. `resetMs` is the time until the bucket is full (or the window resets). */
export interface RateLimitWindow {
  limit?: number;
  remaining?: number;
  resetMs?: number;
}

/** What a provider's response headers say about its rate limits; every field is optional. */
export interface RateLimitInfo {
  /** From retry-after-ms, else retry-after (seconds or HTTP date). */
  retryAfterMs?: number;
  requests?: RateLimitWindow;
  tokens?: RateLimitWindow;
}

function lookup(headers: HeaderSource, name: string): string | undefined {
  let value: unknown;
  if (typeof (headers as { get?: unknown }).get === 'function' && !(headers instanceof Map)) {
    value = (headers as { get(name: string): unknown }).get(name);
  } else if (headers instanceof Map) {
    value = headers.get(name);
    if (value === undefined) {
      for (const [k, v] of headers) if (String(k).toLowerCase() === name) value = v;
    }
  } else {
    const record = headers as Record<string, unknown>;
    value = record[name];
    if (value === undefined) {
      for (const k of Object.keys(record)) if (k.toLowerCase() === name) value = record[k];
    }
  }
  if (Array.isArray(value)) value = value[0];
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' ? value.trim() : undefined;
}

const NUMBER = /^\d+(?:\.\d+)?$/;

function nonNegative(text: string | undefined): number | undefined {
  if (text === undefined || !NUMBER.test(text)) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

const DURATION =
  /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+(?:\.\d+)?)ms)?$/;

/**
 * Parses OpenAI's reset durations ("1s", "6m0s", "20ms", "1h2m3.5s"); a bare number is seconds.
 * Returns milliseconds, or undefined when the text is not a duration.
 */
export function parseDuration(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const plain = nonNegative(text);
  if (plain !== undefined) return plain * 1000;
  const m = DURATION.exec(text);
  if (!m || (m[1] ?? m[2] ?? m[3] ?? m[4]) === undefined) return undefined;
  const [h, min, s, ms] = [m[1], m[2], m[3], m[4]].map((x) => (x === undefined ? 0 : Number(x)));
  const total = h! * 3_600_000 + min! * 60_000 + s! * 1000 + ms!;
  return Number.isFinite(total) ? total : undefined;
}

/** retry-after: delta seconds or an HTTP date (RFC 9110); ms from `now`, clamped at 0; undefined when malformed. */
export function parseRetryAfter(text: string | undefined, now: number): number | undefined {
  if (text === undefined || text === '') return undefined;
  const seconds = nonNegative(text);
  if (seconds !== undefined) return seconds * 1000;
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** A reset given as an RFC 3339 time (Anthropic) or a duration (OpenAI) or epoch seconds; ms from `now`. */
function parseReset(text: string | undefined, now: number): number | undefined {
  if (text === undefined) return undefined;
  const n = nonNegative(text);
  if (n !== undefined) return n > 1e9 ? Math.max(0, n * 1000 - now) : n * 1000;
  const d = parseDuration(text);
  if (d !== undefined) return d;
  if (/^\d{4}-\d\d-\d\dT/.test(text)) {
    const at = Date.parse(text);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  return undefined;
}

function window(
  headers: HeaderSource,
  names: { limit: string; remaining: string; reset: string }[],
  now: number,
): RateLimitWindow | undefined {
  for (const n of names) {
    const limit = nonNegative(lookup(headers, n.limit));
    const remaining = nonNegative(lookup(headers, n.remaining));
    const resetMs = parseReset(lookup(headers, n.reset), now);
    if (limit === undefined && remaining === undefined && resetMs === undefined) continue;
    const w: RateLimitWindow = {};
    if (limit !== undefined && limit > 0) w.limit = limit;
    if (remaining !== undefined) w.remaining = remaining;
    if (resetMs !== undefined) w.resetMs = resetMs;
    return w;
  }
  return undefined;
}

/**
 * Reads the rate-limit headers of OpenAI-style (`x-ratelimit-*`, `retry-after-ms`), Anthropic
 * (`anthropic-ratelimit-*`) and generic (`retry-after`, `x-ratelimit-limit/remaining/reset`) responses.
 * A malformed value is ignored (that field is left out), never thrown.
 */
export function parseRateLimitHeaders(
  headers: HeaderSource | null | undefined,
  now = Date.now(),
): RateLimitInfo {
  const info: RateLimitInfo = {};
  if (!headers || typeof headers !== 'object') return info;
  const ms = nonNegative(lookup(headers, 'retry-after-ms'));
  const retry = ms ?? parseRetryAfter(lookup(headers, 'retry-after'), now);
  if (retry !== undefined) info.retryAfterMs = retry;
  const requests = window(
    headers,
    [
      {
        limit: 'x-ratelimit-limit-requests',
        remaining: 'x-ratelimit-remaining-requests',
        reset: 'x-ratelimit-reset-requests',
      },
      {
        limit: 'anthropic-ratelimit-requests-limit',
        remaining: 'anthropic-ratelimit-requests-remaining',
        reset: 'anthropic-ratelimit-requests-reset',
      },
      { limit: 'x-ratelimit-limit', remaining: 'x-ratelimit-remaining', reset: 'x-ratelimit-reset' },
    ],
    now,
  );
  if (requests) info.requests = requests;
  const tokens = window(
    headers,
    [
      {
        limit: 'x-ratelimit-limit-tokens',
        remaining: 'x-ratelimit-remaining-tokens',
        reset: 'x-ratelimit-reset-tokens',
      },
      {
        limit: 'anthropic-ratelimit-tokens-limit',
        remaining: 'anthropic-ratelimit-tokens-remaining',
        reset: 'anthropic-ratelimit-tokens-reset',
      },
      {
        limit: 'anthropic-ratelimit-input-tokens-limit',
        remaining: 'anthropic-ratelimit-input-tokens-remaining',
        reset: 'anthropic-ratelimit-input-tokens-reset',
      },
    ],
    now,
  );
  if (tokens) info.tokens = tokens;
  return info;
}

/** Headers carried by a response or an SDK error (`.headers`, `.response.headers`), if any. */
export function headersOf(value: unknown): HeaderSource | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const v = value as { headers?: unknown; response?: { headers?: unknown } };
  const h = v.headers ?? v.response?.headers;
  return h !== null && typeof h === 'object' ? (h as HeaderSource) : undefined;
}

/** HTTP status carried by a response or an SDK error (`.status`, `.statusCode`, `.response.status`). */
export function statusOf(value: unknown): number | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const v = value as { status?: unknown; statusCode?: unknown; response?: { status?: unknown } };
  const s = v.status ?? v.statusCode ?? v.response?.status;
  return typeof s === 'number' ? s : undefined;
}

/**
 * Whether a 429's own headers show budget left in every limit they name (requests, and `tokens` for this
 * request when tokens are named): then it is not the budget running out but an overloaded or flaky
 * provider, and only that request should wait. False without x-ratelimit-remaining-requests.
 */
export function budgetLeft(info: RateLimitInfo, tokens = 1): boolean {
  const requests = info.requests?.remaining;
  const tokensLeft = info.tokens?.remaining;
  return (
    requests !== undefined && requests >= 1 && (tokensLeft === undefined || tokensLeft >= Math.max(1, tokens))
  );
}
