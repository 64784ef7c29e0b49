import { type Attributes } from '@opentelemetry/api';
import { DeadClients } from './deadClients.js';
import { type PoolFactory } from './pool.js';

/** The parts of a node-redis client the pool uses; the official `redis` client satisfies it. */
export interface RedisClientLike {
  connect(): Promise<unknown>;
  ping(): Promise<unknown>;
  close(): Promise<unknown>;
  destroy(): unknown;
  on(event: 'error' | 'end', listener: () => void): unknown;
  readonly isReady: boolean;
  readonly isOpen: boolean;
}

export interface RedisFactoryOptions<C extends RedisClientLike> {
  /** `createClient` of the official 'redis' package. Default: loaded from the optional peer 'redis'. */
  createClient?: (options: Record<string, unknown>) => C;
  /** e.g. 'redis://127.0.0.1:6379'. */
  url?: string;
  /** More createClient options (username, password, database, socket: {...}, ...). */
  client?: Record<string, unknown>;
  /** CLIENT SETNAME on connect (shown by CLIENT LIST); default `hp:<pool name>`. */
  client_name?: string;
  clientName?: string;
}

type RedisModule = { createClient: (options: Record<string, unknown>) => RedisClientLike };

async function loadRedis(): Promise<RedisModule['createClient']> {
  try {
    const mod = (await import('redis')) as unknown as RedisModule & { default?: RedisModule };
    return (mod.createClient ?? mod.default?.createClient)!;
  } catch (err) {
    throw new Error("redisFactory needs the 'redis' package: npm i redis (or pass { createClient })", {
      cause: err,
    });
  }
}

function serviceAttributes(url: string | undefined): Attributes {
  const attrs: Attributes = { 'db.system.name': 'redis' };
  if (url) {
    try {
      const u = new URL(url);
      if (u.hostname) attrs['server.address'] = u.hostname;
      attrs['server.port'] = Number(u.port || 6379);
      const db = u.pathname.replace(/^\//, '');
      attrs['db.namespace'] = db || '0';
    } catch {
      // leave out what cannot be parsed
    }
  }
  return attrs;
}

/**
 * A factory of connected node-redis clients. Reconnection is off (`reconnectStrategy: false`): a
 * client whose connection drops is marked broken and the pool replaces it. Health checks send PING.
 */
export function redisFactory<C extends RedisClientLike = RedisClientLike>(
  options: RedisFactoryOptions<C> = {},
): PoolFactory<C> {
  const dead = new DeadClients();
  const extra = options.client ?? {};
  return {
    attributes: serviceAttributes(options.url),
    async create(ctx) {
      const createClient = (options.createClient ?? (await loadRedis())) as (o: Record<string, unknown>) => C;
      const client = createClient({
        ...extra,
        ...(options.url ? { url: options.url } : {}),
        name: options.client_name ?? options.clientName ?? `hp:${ctx.poolName}`,
        socket: {
          connectTimeout: ctx.config.connectionTimeoutMs,
          ...(extra.socket as Record<string, unknown> | undefined),
          reconnectStrategy: false,
        },
      });
      return dead.connect(client, ctx, () => {
        try {
          client.destroy();
        } catch {
          // never opened
        }
      });
    },
    async destroy(client) {
      const wasOk = !dead.has(client) && client.isReady;
      dead.add(client);
      if (!client.isOpen) return;
      if (wasOk) await client.close().catch(() => client.destroy());
      else client.destroy();
    },
    isBroken: (client) => dead.has(client) || !client.isReady,
    // a failed PING marks the client dead: destroy() then cuts it instead of waiting for a polite QUIT
    validate: (client, signal) => dead.validate(client, () => client.ping(), signal),
  };
}
