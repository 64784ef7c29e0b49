import { type RateLimitInfo } from './llmTypes.js';

/** Something with header lookup: a fetch `Headers`, or a plain record. */
export type HeaderSource =
  { get(name: string): string | null } | Record<string, string | string[] | undefined>;

function getter(headers: HeaderSource | undefined): (name: string) => string | undefined {
  if (!headers) return () => undefined;
  if (typeof (headers as { get?: unknown }).get === 'function') {
    const h = headers as { get(name: string): string | null };
    return (name) => h.get(name) ?? undefined;
  }
  const rec = headers as Record<string, string | string[] | undefined>;
  const lower: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(rec)) lower[k.toLowerCase()] = Array.isArray(v) ? v[0] : v;
  return (name) => lower[name];
}

/** "1s", "6m0s", "120ms", "1h2m3.5s", "0.5" (seconds) -> ms; undefined when unreadable. */
export function parseDuration(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (t === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let consumed = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(t)) !== null) {
    const v = Number(m[1]);
    total += m[2] === 'h' ? v * 3_600_000 : m[2] === 'm' ? v * 60_000 : m[2] === 's' ? v * 1000 : v;
    consumed += m[0].length;
  }
  return consumed === t.length ? total : undefined;
}

function num(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** An RFC 3339 / HTTP date -> ms from now (>= 0). */
function untilDate(text: string | undefined, now: number): number | undefined {
  if (!text) return undefined;
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/** retry-after-ms, else retry-after (seconds or an HTTP date). */
export function parseRetryAfter(headers: HeaderSource | undefined, now = Date.now()): number | undefined {
  const get = getter(headers);
  const ms = num(get('retry-after-ms'));
  if (ms !== undefined) return Math.max(0, ms);
  const ra = get('retry-after');
  if (ra === undefined) return undefined;
  const seconds = num(ra);
  if (seconds !== undefined) return Math.max(0, seconds * 1000);
  return untilDate(ra, now);
}

/**
 * Reads OpenAI-style `x-ratelimit-*` headers (also sent by the emulator, vLLM, Azure, ...) and Anthropic's
 * `anthropic-ratelimit-*` headers (resets as RFC 3339 times) into one shape.
 */
export function parseRateLimitHeaders(headers: HeaderSource | undefined, now = Date.now()): RateLimitInfo {
  const get = getter(headers);
  const info: RateLimitInfo = {};
  const set = <K extends keyof RateLimitInfo>(key: K, value: number | undefined): void => {
    if (value !== undefined) info[key] = value;
  };
  set(
    'limitRequests',
    num(get('x-ratelimit-limit-requests')) ?? num(get('anthropic-ratelimit-requests-limit')),
  );
  set(
    'remainingRequests',
    num(get('x-ratelimit-remaining-requests')) ?? num(get('anthropic-ratelimit-requests-remaining')),
  );
  set(
    'resetRequestsMs',
    parseDuration(get('x-ratelimit-reset-requests')) ??
      untilDate(get('anthropic-ratelimit-requests-reset'), now),
  );
  set(
    'limitTokens',
    num(get('x-ratelimit-limit-tokens')) ??
      num(get('anthropic-ratelimit-tokens-limit')) ??
      num(get('anthropic-ratelimit-input-tokens-limit')),
  );
  set(
    'remainingTokens',
    num(get('x-ratelimit-remaining-tokens')) ??
      num(get('anthropic-ratelimit-tokens-remaining')) ??
      num(get('anthropic-ratelimit-input-tokens-remaining')),
  );
  set(
    'resetTokensMs',
    parseDuration(get('x-ratelimit-reset-tokens')) ??
      untilDate(get('anthropic-ratelimit-tokens-reset'), now) ??
      untilDate(get('anthropic-ratelimit-input-tokens-reset'), now),
  );
  set('retryAfterMs', parseRetryAfter(headers, now));
  return info;
}

/**
 * How long a 429 asks to wait: retry-after(-ms), else the reset of the exhausted budget, else undefined.
 */
export function retryAfterFromHeaders(
  headers: HeaderSource | undefined,
  now = Date.now(),
): number | undefined {
  const info = parseRateLimitHeaders(headers, now);
  if (info.retryAfterMs !== undefined) return info.retryAfterMs;
  const waits: number[] = [];
  if (info.remainingRequests === 0 && info.resetRequestsMs !== undefined) waits.push(info.resetRequestsMs);
  if (info.remainingTokens === 0 && info.resetTokensMs !== undefined) waits.push(info.resetTokensMs);
  if (waits.length > 0) return Math.max(...waits);
  const any = [info.resetRequestsMs, info.resetTokensMs].filter((x): x is number => x !== undefined);
  return any.length > 0 ? Math.min(...any) : undefined;
}
