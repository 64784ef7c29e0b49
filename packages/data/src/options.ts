import { z } from 'zod';
import { DataFormatError } from './dataFormatError.js';

/** `max_bytes` -> `maxBytes`: the design sketch's YAML keys are accepted next to camelCase ones. */
function camelKey(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

const strictSchemas = new WeakMap<z.ZodObject, z.ZodObject>();

/**
 * Validates a plain options object at a public boundary. snake_case keys are accepted as aliases of
 * their camelCase names; unknown keys, wrong types and out-of-range values throw
 * `DataFormatError('INVALID_OPTIONS')` naming the offending option.
 */
export function parseOptions<S extends z.ZodObject>(where: string, schema: S, input: unknown): z.output<S> {
  if (input === undefined || input === null) input = {};
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new DataFormatError('INVALID_OPTIONS', `${where}: options must be a plain object`);
  }
  const normalized: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
    if (value !== undefined) normalized[camelKey(key)] = value;
  }
  // One strict copy per schema, made once: zod 4 compiles a parser per schema instance on its first
  // parse, so `schema.strict()` on every call cost ~0.3 ms per encodeEnvelope (CPU profile, 1k agents).
  let strict = strictSchemas.get(schema);
  if (!strict) strictSchemas.set(schema, (strict = schema.strict()));
  const result = strict.safeParse(normalized);
  if (result.success) return result.data as z.output<S>;
  const issue = result.error.issues[0]!;
  const name =
    issue.code === 'unrecognized_keys'
      ? issue.keys.join(', ')
      : issue.path.map(String).join('.') || '(options)';
  throw new DataFormatError(
    'INVALID_OPTIONS',
    `${where}: invalid option "${name}": ${issue.message}. Fix the option and try again.`,
  );
}

/** Byte limits: positive integers up to 2 GiB (the largest buffer we agree to produce). */
export const byteLimit = z
  .number()
  .int()
  .positive()
  .max(2 ** 31);
