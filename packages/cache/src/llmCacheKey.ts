import { createHash } from 'node:crypto';
import { CacheError } from './cacheError.js';

/**
 * Canonical JSON: object keys sorted, `undefined` members dropped, `-0` as 0, Dates as ISO strings,
 * bigints as decimal strings; arrays keep their order. Two requests that differ only in key order
 * produce the same text. Non-finite numbers and cycles are refused (they have no stable JSON form).
 */
export function canonicalJson(value: unknown): string {
  const seen = new Set<object>();
  const walk = (v: unknown): string => {
    if (v === null) return 'null';
    switch (typeof v) {
      case 'string':
        return JSON.stringify(v);
      case 'number':
        if (!Number.isFinite(v))
          throw new CacheError('SERIALIZATION', `canonicalJson: ${v} has no JSON form`);
        return Object.is(v, -0) ? '0' : JSON.stringify(v);
      case 'boolean':
        return v ? 'true' : 'false';
      case 'bigint':
        return JSON.stringify(v.toString());
      case 'object': {
        if (v instanceof Date) return JSON.stringify(v.toISOString());
        if (seen.has(v)) throw new CacheError('SERIALIZATION', 'canonicalJson: the value contains a cycle');
        seen.add(v);
        let out: string;
        if (Array.isArray(v)) {
          out = `[${v.map((x) => (x === undefined || typeof x === 'function' ? 'null' : walk(x))).join(',')}]`;
        } else {
          const obj = v as Record<string, unknown>;
          const keys = Object.keys(obj)
            .filter((k) => obj[k] !== undefined && typeof obj[k] !== 'function')
            .sort();
          out = `{${keys.map((k) => `${JSON.stringify(k)}:${walk(obj[k])}`).join(',')}}`;
        }
        seen.delete(v);
        return out;
      }
      default:
        throw new CacheError('SERIALIZATION', `canonicalJson: a ${typeof v} has no JSON form`);
    }
  };
  return walk(value);
}

/** What identifies an LLM call: provider, model, every sampling parameter, tools, response_format, messages. */
export interface LlmRequest {
  provider: string;
  model: string;
  messages: unknown[];
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  seed?: number;
  stop?: string | string[];
  tools?: unknown;
  tool_choice?: unknown;
  response_format?: unknown;
  /** Any other parameter (frequency_penalty, top_k, logit_bias, ...) is part of the key too. */
  [param: string]: unknown;
}

export interface LlmCacheKeyOptions {
  /** Bump to invalidate every key made by an older version (default 1). */
  version?: number;
  /** Key prefix (default `llm_response`, which the default level rules send to the warm tier). */
  prefix?: string;
  /** Request fields that do not change the answer and stay out of the key (default: stream, stream_options). */
  ignore?: readonly string[];
}

const DEFAULT_IGNORE = ['stream', 'stream_options'];

/**
 * `llm_response:v1:<sha256 hex of the canonical JSON of the request>`: every field of the request is
 * hashed (except `ignore`), so a change of any sampling parameter, tool or message gives a new key.
 */
export function llmCacheKey(request: LlmRequest, options: LlmCacheKeyOptions = {}): string {
  if (
    typeof request?.provider !== 'string' ||
    typeof request.model !== 'string' ||
    !Array.isArray(request.messages)
  ) {
    throw new CacheError('INVALID_OPTION', 'llmCacheKey: the request needs provider, model and messages[].');
  }
  const ignore = options.ignore ?? DEFAULT_IGNORE;
  const keyed: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(request)) if (!ignore.includes(k)) keyed[k] = v;
  const version = options.version ?? 1;
  const digest = createHash('sha256')
    .update(canonicalJson({ v: version, request: keyed }))
    .digest('hex');
  return `${options.prefix ?? 'llm_response'}:v${version}:${digest}`;
}
