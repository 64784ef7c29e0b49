import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level, `undefined` members dropped: equal requests, equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value))
    return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * Cache key of an LLM call: `<prefix>:<sha256 of the canonical JSON>` of the provider name, the model, every
 * sampling parameter, tools, response format and messages (and the sample index). The API key is never part
 * of it (nor of anything hashed here), so keys can be shared and logged.
 */
export function llmCacheKey(prefix: string, parts: Record<string, unknown>): string {
  return `${prefix}:${createHash('sha256').update(canonicalJson(parts)).digest('base64url')}`;
}
