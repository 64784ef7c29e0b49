import {
  DEFAULT_POOL_CONFIGS,
  httpDispatcher,
  parsePoolConfig,
  type PoolConfigInput,
  type ResolvedPoolConfig,
} from '@hp/pool';
import { type Dispatcher } from 'undici';
import { z } from 'zod';
import { fetchThrough } from './dispatcherFetch.js';
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

/** The transport options every provider accepts. */
export const transportOptionShape = {
  /** Custom fetch. When set, no connection pool is created. */
  fetch: z.custom<FetchLike>((v) => typeof v === 'function').optional(),
  /** An undici Dispatcher (Agent/Pool, e.g. your own @hp/pool `httpDispatcher`); not closed by close(). */
  dispatcher: z.custom<Dispatcher>((v) => typeof v === 'object' && v !== null).optional(),
  /**
   * The @hp/pool PoolConfig of the keep-alive pool created per origin when neither fetch nor dispatcher is
   * given (snake_case or camelCase, times in seconds). Default: the sketch's `llm_primary` pool, with
   * `max_size` = the largest concurrency of the LlmClients using the provider (15 without a client).
   */
  pool: z.custom<PoolConfigInput>((v) => typeof v === 'object' && v !== null).optional(),
  /** Shorthand for `pool.max_size` (connections per origin); wins over the clients' concurrency. */
  connections: z.number().int().positive().optional(),
};

export interface TransportStats {
  /** Keep-alive pools open (one per origin). */
  pools: number;
  /** Sockets connected over all pools. */
  connected: number;
  /** Connections per origin of the pools created from now on. */
  maxSize: number;
}

/** Most origins one provider talks to (an SDK uses one base URL; the bound keeps the map small). */
const MAX_ORIGINS = 16;

/**
 * What a provider's SDK sends its HTTP requests through: the caller's fetch as is, else undici's fetch bound to
 * the caller's dispatcher, else to an @hp/pool keep-alive pool (`httpDispatcher(origin, config)`) created on the
 * first request to each origin and sized by the LlmClients that use the provider (`use(concurrency)`).
 */
export class Transport {
  readonly fetch: FetchLike;
  private readonly _config: ResolvedPoolConfig | undefined;
  private _fixedSize = false;
  private readonly _pools = new Map<string, Promise<Dispatcher>>();
  private readonly _ready = new Map<string, Dispatcher>();
  private readonly _users = new Map<object, number>();
  private _closed = false;

  constructor(o: {
    fetch?: FetchLike | undefined;
    dispatcher?: Dispatcher | undefined;
    pool?: PoolConfigInput | undefined;
    connections?: number | undefined;
  }) {
    if (o.fetch) {
      this.fetch = o.fetch;
      return;
    }
    const given = o.dispatcher;
    if (given) {
      this.fetch = (input, init) => send(given, input, init);
      return;
    }
    let config: ResolvedPoolConfig;
    try {
      config = parsePoolConfig({
        ...DEFAULT_POOL_CONFIGS.llm_primary,
        ...o.pool,
        ...(o.connections !== undefined ? { max_size: o.connections, maxSize: o.connections } : {}),
      });
    } catch (err) {
      const field = (err as { field?: unknown }).field;
      throw new LlmOptionsError(
        `pool${typeof field === 'string' ? `.${field}` : ''}`,
        err instanceof Error ? err.message : String(err),
      );
    }
    const user = o.pool as Record<string, unknown> | undefined;
    this._fixedSize =
      o.connections !== undefined || user?.max_size !== undefined || user?.maxSize !== undefined;
    this._config = config;
    this.fetch = (input, init) => {
      const origin = originOf(input);
      const ready = this._ready.get(origin);
      return ready ? send(ready, input, init) : this._dispatcher(origin).then((d) => send(d, input, init));
    };
  }

  /**
   * An LlmClient with `connections` concurrent requests uses this transport: the pools created from now on
   * get at least that many connections (unless the size was given). Returns the release; when the last user
   * releases, the pools are closed (and reopened by a later request).
   */
  use(connections: number): () => Promise<void> {
    const token = {};
    this._users.set(token, connections);
    return async () => {
      if (!this._users.delete(token) || this._users.size > 0) return;
      await this._closePools();
    };
  }

  /** Connections per origin of the next pool: given size, else the largest user's concurrency, else llm_primary's. */
  get maxSize(): number {
    const c = this._config;
    if (!c) return 0;
    if (this._fixedSize || this._users.size === 0) return c.maxSize;
    return Math.max(...this._users.values());
  }

  stats(): TransportStats {
    let connected = 0;
    for (const d of this._ready.values())
      connected += (d as { stats?: { connected?: number } }).stats?.connected ?? 0;
    return { pools: this._ready.size, connected, maxSize: this.maxSize };
  }

  private _dispatcher(origin: string): Promise<Dispatcher> {
    if (this._closed) {
      return Promise.reject(new Error('the provider is closed: create a new provider to send requests'));
    }
    let p = this._pools.get(origin);
    if (!p) {
      if (this._pools.size >= MAX_ORIGINS) {
        return Promise.reject(
          new Error(`more than ${MAX_ORIGINS} origins through one provider; create one provider per API`),
        );
      }
      p = httpDispatcher(origin, { ...this._config!, maxSize: this.maxSize });
      this._pools.set(origin, p);
      p.then(
        (d) => {
          if (this._pools.get(origin) === p) this._ready.set(origin, d);
          else void d.close();
        },
        () => this._pools.delete(origin),
      );
    }
    return p;
  }

  private async _closePools(): Promise<void> {
    const pools = [...this._pools.values()];
    this._pools.clear();
    this._ready.clear();
    await Promise.all(pools.map(async (p) => (await p.catch(() => undefined))?.close()));
  }

  /** Closes the pools created here (in-flight requests finish first); never the caller's dispatcher. */
  async close(): Promise<void> {
    this._closed = true;
    await this._closePools();
  }
}

function originOf(input: string | URL | Request): string {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  return new URL(url).origin;
}

function send(
  dispatcher: Dispatcher,
  input: string | URL | Request,
  init: RequestInit | undefined,
): Promise<Response> {
  return fetchThrough(dispatcher, input, init);
}
