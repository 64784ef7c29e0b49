import { Agent, type Dispatcher, fetch as undiciFetch } from 'undici';
import { z } from 'zod';
import { LlmOptionsError } from './errors.js';

function camelKeys(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    const key = k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()).replace(/^baseUrl$/, 'baseURL');
    out[key] = v;
  }
  return out;
}

/** Validates provider options (camelCase or snake_case keys); throws LlmOptionsError naming the option. */
export function parseProviderOptions<S extends z.ZodType>(schema: S, options: unknown): z.output<S> {
  const result = schema.safeParse(camelKeys((options ?? {}) as Record<string, unknown>));
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new LlmOptionsError(issue.path.join('.') || 'options', issue.message);
  }
  return result.data;
}

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** The transport options every provider accepts (the seam for @hp/pool). */
export const transportOptionShape = {
  /** Custom fetch (e.g. from @hp/pool). When set, no connection pool is created. */
  fetch: z.custom<FetchLike>((v) => typeof v === 'function').optional(),
  /** An undici Dispatcher (Agent/Pool) to send requests through; not closed by close(). */
  dispatcher: z.custom<Dispatcher>((v) => typeof v === 'object' && v !== null).optional(),
  /** Connections of the keep-alive Agent created when neither fetch nor dispatcher is given. */
  connections: z.number().int().positive().default(32),
  keepAliveTimeoutMs: z.number().int().positive().default(30_000),
};

export interface Transport {
  fetch: FetchLike;
  /** Agent created here (closed by the provider's close()). */
  ownAgent: Agent | undefined;
}

/**
 * The fetch a provider's SDK should use: the caller's fetch as is, else undici's fetch bound to the caller's
 * dispatcher or to a keep-alive Agent created here.
 */
export function createTransport(o: {
  fetch?: FetchLike | undefined;
  dispatcher?: Dispatcher | undefined;
  connections: number;
  keepAliveTimeoutMs: number;
}): Transport {
  if (o.fetch) return { fetch: o.fetch, ownAgent: undefined };
  const ownAgent = o.dispatcher
    ? undefined
    : new Agent({ connections: o.connections, keepAliveTimeout: o.keepAliveTimeoutMs });
  const dispatcher = o.dispatcher ?? ownAgent!;
  const fetch: FetchLike = (input, init) =>
    undiciFetch(input as Parameters<typeof undiciFetch>[0], {
      ...(init as Parameters<typeof undiciFetch>[1]),
      dispatcher,
    }) as unknown as Promise<Response>;
  return { fetch, ownAgent };
}
