import { z } from 'zod';
import { InvalidOptionsError } from './errors.js';
import { type Clock } from './clock.js';
import { type Rng } from './random.js';

/** Maps `queue_size_limit` to `queueSizeLimit`; camelCase keys pass unchanged. */
function camel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Validates a plain options object (as written in code or read from YAML) against a zod schema whose
 * keys are camelCase; the seed's snake_case keys are accepted too. Unknown keys, wrong types and
 * out-of-range values throw an {@link InvalidOptionsError} naming the option as the user wrote it.
 */
export function parseOptions<S extends z.ZodObject>(schema: S, input: unknown, where: string): z.output<S> {
  if (input === undefined || input === null) input = {};
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new InvalidOptionsError(where, 'options must be a plain object');
  }
  const normalized: Record<string, unknown> = {};
  const original = new Map<string, string>();
  for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
    if (value === undefined) continue;
    const k = camel(key);
    if (k in normalized && key !== k) continue; // camelCase wins when both are given
    normalized[k] = value;
    original.set(k, key);
  }
  const result = schema.strict().safeParse(normalized);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    let path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') path = [...path, ...issue.keys];
    const head = path[0] ?? where;
    const name = [original.get(head) ?? head, ...path.slice(1)].join('.');
    const message = issue.code === 'unrecognized_keys' ? `unknown option in ${where}` : issue.message;
    throw new InvalidOptionsError(name, message);
  }
  return result.data as z.output<S>;
}

export const zNonNegInt = z.number().int().nonnegative();
export const zPosInt = z.number().int().positive();
/** A positive integer or Infinity (no limit). */
export const zLimit = z.union([zPosInt, z.literal(Number.POSITIVE_INFINITY)]);
export const zNonNegMs = z.number().nonnegative().finite();
export const zPosMs = z.number().positive().finite();
export const zClock = z.custom<Clock>(
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    typeof (v as Clock).now === 'function' &&
    typeof (v as Clock).setTimeout === 'function' &&
    typeof (v as Clock).clearTimeout === 'function',
  { message: 'expected a Clock { now, setTimeout, clearTimeout }' },
);
export const zRng = z.custom<Rng>((v) => typeof v === 'function', {
  message: 'expected a function () => number',
});
export const zFunction = <F>() =>
  z.custom<F>((v) => typeof v === 'function', { message: 'expected a function' });
export const zObject = <T>(what: string) =>
  z.custom<T>((v) => typeof v === 'object' && v !== null, { message: `expected ${what}` });
