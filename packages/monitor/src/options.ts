import type { z } from 'zod';
import { MonitorError } from './monitorError.js';

/** `max_size` -> `maxSize`; the sketch's YAML keys are accepted everywhere next to camelCase ones. */
function camel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/**
 * Recursively renames snake_case keys of plain objects to camelCase (arrays and other values kept).
 * Values under an `opaque` key (maps keyed by metric or attribute names) are kept as they are.
 */
export function camelizeKeys(value: unknown, opaque: readonly string[] = []): unknown {
  if (Array.isArray(value)) return value.map((v) => camelizeKeys(v, opaque));
  if (value === null || typeof value !== 'object') return value;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const key = camel(k);
    out[key] = opaque.includes(key) ? v : camelizeKeys(v, opaque);
  }
  return out;
}

/** Validates `input` (snake_case keys accepted) with `schema`; throws INVALID_OPTION naming the option. */
export function parseOptions<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what: string,
  opaque: readonly string[] = [],
): z.output<S> {
  const result = schema.safeParse(camelizeKeys(input ?? {}, opaque));
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.map(String).join('.') || '(root)';
  throw new MonitorError(
    'INVALID_OPTION',
    `Invalid ${what} option \`${path}\`: ${issue.message}. Fix that option and try again.`,
    path,
  );
}

export type Clock = () => number;
export const systemClock: Clock = () => Date.now();
