import { z } from 'zod';
import { LlmOptionsError } from '../errors.js';

/** The faults the emulator can inject (see `faults`). */
export const FAULT_KINDS = [
  'http500',
  'http503',
  'http429',
  'reset',
  'slow',
  'truncated',
  'malformed',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

const share = z.number().min(0).max(1);
const nonNeg = z.number().finite().min(0);

const latencySchema = z
  .object({
    /** Median time to first token, ms (emulated time, before `timeScale`). */
    ttftMs: nonNeg.default(300),
    /** Log-normal shape of the time to first token; 0 = always the median. */
    ttftSigma: nonNeg.default(0.25),
    /** Median time per output token, ms. */
    perTokenMs: nonNeg.default(15),
    /** Log-normal shape of the per-token time (drawn once per request). */
    perTokenSigma: nonNeg.default(0.15),
    /** Prefill time per input token, ms (added to the time to first token). */
    perInputTokenMs: nonNeg.default(0),
  })
  .strict();

const faultsSchema = z
  .object({
    http500: share.default(0),
    http503: share.default(0),
    http429: share.default(0),
    reset: share.default(0),
    slow: share.default(0),
    truncated: share.default(0),
    malformed: share.default(0),
    /** A slow response takes this many times its normal latency. */
    slowFactor: z.number().finite().min(1).default(10),
    /** retry-after of an injected 429, ms of emulated time. */
    retryAfterMs: nonNeg.default(1000),
    /** Faults forced on given request numbers (1-based), e.g. `{ 3: 'reset' }`; wins over the shares. */
    schedule: z.record(z.string().regex(/^\d+$/), z.enum(FAULT_KINDS)).default({}),
    /** Honour an `x-emulator-fault: <kind>` request header (handy in tests). */
    header: z.boolean().default(true),
  })
  .strict()
  .refine((f) => FAULT_KINDS.reduce((sum, k) => sum + f[k], 0) <= 1, {
    message: 'the fault shares must add up to at most 1',
  });

const clockSchema = z.custom<{ now(): number }>(
  (v) => typeof v === 'object' && v !== null && typeof (v as { now?: unknown }).now === 'function',
  { message: 'expected an object with a now(): number method' },
);

export const emulatorOptionsSchema = z
  .object({
    port: z.number().int().min(0).max(65535).default(0),
    host: z.string().default('127.0.0.1'),
    /** Seeds latency draws and faults (with the request number) and is the default sampling seed. */
    seed: z.number().int().default(0),
    /** Wall-clock ms per emulated ms: 0.01 runs 100x faster (latency, rate-limit windows, retry-after). 0 = no waiting. */
    timeScale: nonNeg.default(1),
    /** Requests per emulated minute (token bucket); undefined = unlimited. */
    rpm: z.number().positive().optional(),
    /** Tokens (prompt + completion) per emulated minute (token bucket); undefined = unlimited. */
    tpm: z.number().positive().optional(),
    latency: latencySchema.default(latencySchema.parse({})),
    faults: faultsSchema.default(faultsSchema.parse({})),
    /** Model ids listed by GET /v1/models (any model id is accepted in requests). */
    models: z
      .array(z.string().min(1))
      .min(1)
      .default([
        'gpt-4o-mini',
        'gpt-4o',
        'gpt-3.5-turbo-instruct',
        'text-embedding-3-small',
        'text-embedding-3-large',
      ]),
    /** Default embedding size when the request sets no `dimensions` (models named *-large use 3072). */
    embeddingDimensions: z.number().int().min(1).max(8192).default(1536),
    /** `max_tokens` of /v1/completions when the request sets none (OpenAI's default is 16). */
    completionsDefaultMaxTokens: z.number().int().min(1).default(16),
    /** Largest accepted request body, bytes (413 above). */
    maxBodyBytes: z
      .number()
      .int()
      .min(1024)
      .default(8 * 1024 * 1024),
    /** Largest prompt/input array and `n`. */
    maxBatch: z.number().int().min(1).default(2048),
    /**
     * Release answers at their due time to a fraction of a millisecond (never early), woken by a helper
     * thread that sleeps in `Atomics.wait` (started on the first timed release). false = Node's millisecond
     * timers: no thread, but each release comes 0.5-1 ms late on average.
     */
    preciseTimers: z.boolean().default(true),
    /** Clock used by the rate limiter and `created` fields, ms. Inject one to test the limiter. */
    clock: clockSchema.optional(),
  })
  .strict();

export type EmulatorOptions = z.input<typeof emulatorOptionsSchema>;
export type ResolvedEmulatorOptions = z.output<typeof emulatorOptionsSchema>;
export type LatencyOptions = z.output<typeof latencySchema>;
export type FaultOptions = z.output<typeof faultsSchema>;

const ALIASES: Record<string, string> = {
  requestsPerMinute: 'rpm',
  tokensPerMinute: 'tpm',
  '500': 'http500',
  '503': 'http503',
  '429': 'http429',
};

function camel(key: string): string {
  const c = key.replace(/[_-]([a-z0-9])/g, (_, ch: string) => ch.toUpperCase());
  return ALIASES[c] ?? c;
}

function normalizeKeys(value: unknown, depth: number): unknown {
  if (depth > 1 || value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  if (typeof (value as { now?: unknown }).now === 'function') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const key = depth === 1 && /^\d+$/.test(k) && !ALIASES[k] ? k : camel(k);
    out[key] = key === 'schedule' ? v : normalizeKeys(v, depth + 1);
  }
  return out;
}

const reconfigurationSchema = z
  .object({
    /** Latency settings to change (the others stay). */
    latency: z
      .object({
        ttftMs: nonNeg.optional(),
        ttftSigma: nonNeg.optional(),
        perTokenMs: nonNeg.optional(),
        perTokenSigma: nonNeg.optional(),
        perInputTokenMs: nonNeg.optional(),
      })
      .strict()
      .optional(),
    /** New requests per emulated minute; `null` removes the limit. */
    rpm: z.number().positive().nullable().optional(),
    /** New tokens per emulated minute; `null` removes the limit. */
    tpm: z.number().positive().nullable().optional(),
    /**
     * Fill of the rate-limit buckets from now on, as a fraction of their capacity (0 = empty, 1 = full), applied
     * after any new limit. Absent: a new bucket starts full and an existing one keeps its fill fraction. 0 gives
     * the steady state of an account already in use, without the one-minute burst a fresh bucket grants.
     */
    rateLimitFill: z.number().min(0).max(1).optional(),
  })
  .strict();

/** What `Emulator.reconfigure` changes at run time (absent keys stay as they are). */
export type EmulatorReconfiguration = z.input<typeof reconfigurationSchema>;

/** Validates a run-time reconfiguration (camelCase or snake_case keys); throws LlmOptionsError naming the key. */
export function parseEmulatorReconfiguration(changes: unknown): z.output<typeof reconfigurationSchema> {
  const result = reconfigurationSchema.safeParse(normalizeKeys(changes ?? {}, 0));
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new LlmOptionsError(issue.path.join('.') || 'changes', issue.message);
  }
  return result.data;
}

/** Validates emulator options (camelCase or snake_case keys); throws LlmOptionsError naming the option. */
export function parseEmulatorOptions(options: unknown = {}): ResolvedEmulatorOptions {
  const result = emulatorOptionsSchema.safeParse(normalizeKeys(options ?? {}, 0));
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new LlmOptionsError(issue.path.join('.') || 'options', issue.message);
  }
  return result.data;
}
